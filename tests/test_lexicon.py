"""The stacked edit lexicon (learn/lexicon.py, features/edit_lexicon.py): no row's column comes
from a lexicon that saw it, the scorer's numpy path is the training path, the column can only
count towards MT, and a model that stacks it loads, scores and refuses damage like any other."""

import json
import shutil

import numpy as np
import pytest

from conftest import tiny_pairs
from mtdetect.card.card import ModelError, seal_card
from mtdetect.card.load import load_model
from mtdetect.features import feature_directions, feature_matrix
from mtdetect.inputs.pairs import Pair
from mtdetect.learn.fitting import TrainConfig, grouped_splits
from mtdetect.learn.lexicon import NAME, fit_lexicon, hashed, out_of_fold_column


def _pairs() -> list[Pair]:
    return [Pair(r["reference"], r["candidate"], 1 if r["label"] == "mt" else 0, {"group": r["group"]})
            for r in tiny_pairs()]


def test_the_numpy_column_is_the_sparse_column():
    pairs = _pairs()
    refs, cands = [p.reference for p in pairs], [p.candidate for p in pairs]
    H, y = hashed(refs, cands), np.array([p.label for p in pairs])
    lex = fit_lexicon(H, y, np.ones(len(y)))
    assert np.allclose(lex.column(H), lex.column_of_texts(refs, cands), rtol=0, atol=1e-9)
    assert np.abs(lex.column(H)).max() <= lex.config.clip


def test_out_of_fold_column_never_comes_from_a_lexicon_that_saw_the_row():
    """Flipping the labels of one fold's rows leaves that fold's column unchanged: its lexicon
    was fitted on the other folds only."""
    pairs = _pairs()
    H = hashed([p.reference for p in pairs], [p.candidate for p in pairs])
    y = np.array([p.label for p in pairs])
    splits = grouped_splits([p.meta["group"] for p in pairs], y, 4)
    assert len(splits) == 4
    col = out_of_fold_column(H, y, pairs, splits)
    _, test = splits[0]
    flipped = y.copy()
    flipped[test] = 1 - flipped[test]
    again = out_of_fold_column(H, flipped, pairs, splits)
    assert np.array_equal(col[test], again[test])
    others = np.setdiff1d(np.arange(len(y)), test)
    assert not np.array_equal(col[others], again[others])  # the flip does reach the folds that trained on it


def test_the_column_counts_towards_mt_only():
    assert feature_directions(["lexicon"]) == [1]


@pytest.fixture(scope="module")
def stacked_dir(tmp_path_factory, embedder):
    from mtdetect.learn.train import train

    out = tmp_path_factory.mktemp("models") / "stacked"
    train(_pairs(), out, TrainConfig(n_folds=4, lexicon=True), embedder=embedder,
          cache_dir=tmp_path_factory.mktemp("cache"))
    return out


def test_a_stacked_model_names_its_lexicon_and_scores_as_trained(stacked_dir):
    card = json.loads((stacked_dir / "card.json").read_text())
    assert card["feature_names"][-1] == NAME and card["lexicon"]["hashing"].startswith("pivot-features")
    assert card["feature_weights"][NAME] >= 0
    fast, full = load_model(stacked_dir), load_model(stacked_dir, full=True)
    rows = tiny_pairs()[:20]
    refs, cands = [r["reference"] for r in rows], [r["candidate"] for r in rows]
    X, _, _ = feature_matrix(refs, cands, np.zeros(len(rows)))
    p = fast.predict_proba(X, refs, cands)
    assert np.allclose(p, full.predict_proba(X, refs, cands), rtol=0, atol=1e-12)
    with pytest.raises(ValueError, match="texts"):
        fast.predict_proba(X)


def test_a_stacked_model_without_its_arrays_is_refused(stacked_dir, tmp_path):
    d = tmp_path / "m"
    shutil.copytree(stacked_dir, d)
    (d / "arrays.npz").unlink()
    with pytest.raises(ModelError, match="arrays.npz"):
        load_model(d)
    card = json.loads((d / "card.json").read_text())
    card.pop("arrays_file")
    card.pop("arrays_sha256")
    (d / "card.json").write_text(json.dumps(seal_card(card)))
    with pytest.raises(ModelError, match="no array file"):
        load_model(d)


def test_scoring_a_stacked_model_imports_neither_sklearn_nor_scipy(stacked_dir):
    import subprocess
    import sys

    code = ("import sys; from mtdetect.detect.reference import Detector; "
            f"d = Detector({str(stacked_dir)!r}); print(d.score_pairs(['The goods cost less than 20 euros.'], "
            "['The merchandise was less than 20 EURO.'])[0] >= 0); "
            "print(sorted(m for m in ('sklearn', 'skops', 'scipy') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["True", "[]"], out.stdout + out.stderr
