import json
import shutil

import numpy as np
import pytest

from mtdetect.features import feature_matrix
from mtdetect.card.card import ModelError, seal_card
from mtdetect.card.load import load_model
from mtdetect.detect.reference import Detector

from conftest import tiny_pairs


def _X(n=12):
    rows = tiny_pairs()[:n]
    X, _, _ = feature_matrix([r["reference"] for r in rows], [r["candidate"] for r in rows], np.linspace(0.5, 1, n))
    return X


def test_save_load_same_probabilities(tiny_model_dir, embedder):
    a = load_model(tiny_model_dir)
    b = load_model(tiny_model_dir)
    X = _X()
    assert np.array_equal(a.predict_proba(X), b.predict_proba(X))
    p = a.predict_proba(X)
    assert ((p >= 0) & (p <= 1)).all()
    card = json.loads((tiny_model_dir / "card.json").read_text())
    for key in ("feature_names", "feature_version", "embedding", "versions", "training_data", "metrics", "threshold"):
        assert key in card
    assert card["training_data"]["sha256"] and card["metrics"]["heldout"]["overall"]["roc_auc"] is not None
    assert a.signature.startswith("emb:all-MiniLM-L6-v2@") and "|feat:v" in a.signature and "|mtdetect:" in a.signature


def test_signature_names_the_embedding_precision_actually_used(tiny_model_dir, embedder):
    model = load_model(tiny_model_dir)
    trained = model.card["embedding"]["precision"]
    assert trained == embedder.precision
    head = model.signature.split("|")[0]
    assert head.endswith("/bf16") if trained == "bf16" else "/" not in head
    # Scored on a CPU that fell back to fp32: the signature says so, the rest is unchanged.
    other = "fp32" if trained == "bf16" else "bf16"
    moved = str(model.signature_of(model.threshold, other))
    assert moved != model.signature and moved.split("|")[1:] == model.signature.split("|")[1:]
    assert str(model.signature_of(0.9, trained)) == model.signature.replace(f"thr:{model.threshold:g}", "thr:0.9")


def test_detector_scores_identical_after_reload(tiny_model_dir, embedder):
    refs = [r["reference"] for r in tiny_pairs()[:6]]
    cands = [r["candidate"] for r in tiny_pairs()[:6]]
    p1 = Detector(tiny_model_dir, embedder=embedder).score_pairs(refs, cands)
    p2 = Detector(load_model(tiny_model_dir), embedder=embedder).score_pairs(refs, cands)
    assert np.array_equal(p1, p2)


@pytest.fixture
def model_copy(tiny_model_dir, tmp_path):
    dst = tmp_path / "m"
    shutil.copytree(tiny_model_dir, dst)
    return dst


def test_tampered_classifier_refused(model_copy):
    path = model_copy / "classifier.skops"
    path.write_bytes(path.read_bytes() + b"x")
    with pytest.raises(ModelError, match="does not match the hash"):
        load_model(model_copy)


def test_feature_version_mismatch_refused(model_copy):
    card = json.loads((model_copy / "card.json").read_text())
    card["feature_version"] = "0"
    (model_copy / "card.json").write_text(json.dumps(card))
    with pytest.raises(ModelError, match="retrain it with `mtdetect train`"):
        load_model(model_copy)


def test_untrusted_types_refused(model_copy):
    import hashlib

    import skops.io as sio
    from collections import Counter

    sio.dump({"x": Counter("abc")}, model_copy / "classifier.skops")  # a type outside the trusted list
    card = json.loads((model_copy / "card.json").read_text())
    card["classifier_sha256"] = hashlib.sha256((model_copy / "classifier.skops").read_bytes()).hexdigest()
    card = seal_card(card)  # a forger who also re-seals the card
    (model_copy / "card.json").write_text(json.dumps(card))
    with pytest.raises(ModelError, match="untrusted types"):  # whenever the skops file is deserialised
        load_model(model_copy, full=True)
    del card["linear_export"]  # a card without the numpy export always goes through skops
    (model_copy / "card.json").write_text(json.dumps(seal_card(card)))
    with pytest.raises(ModelError, match="untrusted types"):
        load_model(model_copy)


def test_missing_and_garbage_model_dirs(tmp_path):
    with pytest.raises(ModelError, match="no model directory"):
        load_model(tmp_path / "nope")
    (tmp_path / "card.json").write_text("{not json")
    with pytest.raises(ModelError, match="not a valid model card"):
        load_model(tmp_path)


def test_clipped_logistic_respects_signs_and_clips():
    from mtdetect.card.model import ClippedLogistic

    rng = np.random.default_rng(0)
    X = rng.normal(size=(400, 3))
    y = (X[:, 0] - X[:, 1] + 0.3 * rng.normal(size=400) > 0).astype(int)
    free = ClippedLogistic().fit(X, y)
    assert free.coef_[0] > 0 and free.coef_[1] < 0
    bound = ClippedLogistic(signs=(+1, +1, 0)).fit(X, y)
    assert bound.coef_[1] >= 0 and bound.coef_[0] > 0  # the wrong-signed weight is held at zero
    far = np.array([[1e6, 0.0, 0.0]])
    edge = np.array([[bound.upper_[0], 0.0, 0.0]])
    assert np.allclose(bound.predict_proba(far), bound.predict_proba(edge))  # no extrapolation
    assert np.allclose(bound.predict_proba(X).sum(axis=1), 1.0)


def test_feature_directions_follow_names():
    from mtdetect.features import feature_directions, feature_names

    d = dict(zip(feature_names(), feature_directions()))
    assert d["sim_chrf"] == 1 and d["lex_content_novel"] == -1 and d["edt_honorific_corroborated"] == 1
    assert set(d.values()) <= {-1, 0, 1}


@pytest.mark.parametrize("classifier,calibration", [("logistic", "sigmoid"), ("logistic", "isotonic"),
                                                    ("hgb", "sigmoid"), ("hgb", "isotonic")])
def test_every_supported_configuration_saves_and_loads(tmp_path, tiny_model_dir, classifier, calibration):
    """The trusted-type list covers exactly what the supported configurations produce."""
    from mtdetect.card.model import save_model
    from mtdetect.learn.train import TrainConfig, fit_calibrated

    X = _X(24)
    y = np.array([1, 0] * 12)
    splits = [(np.flatnonzero(np.arange(24) % 3 != k), np.flatnonzero(np.arange(24) % 3 == k)) for k in range(3)]
    clf = fit_calibrated(X, y, np.ones(24), splits, TrainConfig(classifier=classifier, calibration=calibration, max_iter=5))
    card = json.loads((tiny_model_dir / "card.json").read_text())
    saved = save_model(clf, card, tmp_path / "m")
    assert np.array_equal(load_model(tmp_path / "m", full=True).predict_proba(X), clf.predict_proba(X)[:, 1])
    assert np.array_equal(load_model(tmp_path / "m").predict_proba(X), saved.predict_proba(X))


def test_numpy_path_equals_the_skops_classifier(tiny_model_dir):
    """Scoring reads the card's linear_export; it must give the skops classifier's numbers."""
    import numpy as np

    from mtdetect.card.load import load_model

    from mtdetect.card.model import LinearEnsemble

    fast, full = load_model(tiny_model_dir), load_model(tiny_model_dir, full=True)
    assert isinstance(fast.classifier, LinearEnsemble) and not isinstance(full.classifier, LinearEnsemble)
    X = np.random.default_rng(1).normal(size=(200, len(fast.feature_names))) * 4
    assert np.allclose(fast.predict_proba(X), full.predict_proba(X), rtol=0, atol=1e-12)


def test_scoring_imports_neither_sklearn_nor_skops(tiny_model_dir):
    """A cold `mtdetect score` is dominated by imports: the scoring path must not pay for these."""
    import subprocess
    import sys

    code = (
        "import sys; from mtdetect.detect.reference import Detector; "
        f"d = Detector({str(tiny_model_dir)!r}); d.score_pairs(['The goods cost less than 20 euros.'], "
        "['The merchandise was less than 20 EURO.']); "
        "print(sorted(m for m in ('sklearn', 'skops', 'scipy') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]", out.stdout + out.stderr


def test_a_card_whose_kind_is_not_a_name_is_a_model_error(tmp_path, tiny_model_dir):
    """A forged, resealed card with `kind` an object: one ModelError (exit 4), not a TypeError
    (found by benchmarks/fuzz_inputs.py --rf-cards)."""
    import json
    import shutil

    import pytest

    from mtdetect.card.card import ModelError, seal_card
    from mtdetect.card.load import load_model

    d = tmp_path / "m"
    shutil.copytree(tiny_model_dir, d)
    card = json.loads((d / "card.json").read_text(encoding="utf-8"))
    card["kind"] = {"reference": 1}
    (d / "card.json").write_text(json.dumps(seal_card(card)), encoding="utf-8")
    with pytest.raises(ModelError, match="unknown kind"):
        load_model(d, kind=None)
