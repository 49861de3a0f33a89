"""Pivot guess (issue 6): features, save/load, abstention, the seeds, the shipped card."""

from __future__ import annotations

import json
import shutil

import numpy as np
import pytest

from mtdetect.card.card import ModelError, seal_card
from mtdetect.detect.pivot import default_pivot_dir, guess_pivot, load_pivot_model, save_pivot_model
from mtdetect.features.pivot import pair_features
from mtdetect.text import split_sentences

from conftest import SEED

# Two made-up "pivots" that swap different words: enough for mechanics, not for quality.
_SWAPS = {
    "apertium:es": {"the": "the the", "visit": "journey", "president": "chairman", "said": "declared"},
    "opus-mt:de": {"a": "one", "visit": "trip", "president": "head", "said": "stated"},
}


def _pairs(cls: str, sents: list[str]) -> list[tuple[str, str]]:
    swaps = _SWAPS[cls]
    return [(s, " ".join(swaps.get(w.lower(), w) for w in s.split()) + " indeed") for s in sents]


@pytest.fixture(scope="module")
def tiny_pivot(tmp_path_factory):
    from sklearn.linear_model import LogisticRegression

    from mtdetect.features.pivot import feature_matrix

    sents = [s.text for s in split_sentences(SEED["original"].read_text(encoding="utf-8")) if len(s.text.split()) > 6]
    rows = [(r, c, cls) for cls in _SWAPS for r, c in _pairs(cls, sents)]
    X = feature_matrix([r for r, _, _ in rows], [c for _, c, _ in rows])
    clf = LogisticRegression(C=1.0, max_iter=200).fit(X, [cls for _, _, cls in rows])
    out = tmp_path_factory.mktemp("pivot") / "tiny"
    hon = {c: {"sentences": 1000, "added": 1} for c in _SWAPS}  # known pivots rarely add "Mr."
    save_pivot_model(clf, {"article": {"temperature": 1.0, "abstain_below": 0.9}, "honorific_added": hon}, out)
    return out, sents, rows, clf.predict_proba(X)


def test_features_read_only_the_changes():
    f = pair_features("The big comeback of the underdog is coming.", "The big return of the underdog are coming.")
    assert {"sc:return", "sr:comeback", "p:comeback>return", "p:is>are"} <= set(f)
    assert not any(k.endswith(":underdog") for k in f)  # unchanged words carry no pivot evidence
    assert "accented-new" in pair_features("stoking tension", "stoké tension")


def test_save_load_predict_round_trip(tiny_pivot):
    path, sents, rows, before = tiny_pivot
    model = load_pivot_model(path)
    card = json.loads((path / "card.json").read_text())
    assert card["kind"] == "pivot" and card["classes"] == ["apertium:es", "opus-mt:de"] == model.classes
    p = model.sentence_proba([r for r, _, _ in rows], [c for _, c, _ in rows])
    assert p.shape == (len(rows), 2) and np.allclose(p, before)  # the file predicts what was fitted
    assert (np.array(model.classes)[p.argmax(1)] == np.array([cls for _, _, cls in rows])).mean() > 0.8
    g = guess_pivot(*zip(*_pairs("opus-mt:de", sents[:10])), model=model)
    assert g["language"] == "de" and g["engine"] == "opus-mt" and g["confidence"] >= 0.9
    assert g["n_sentences"] == 10 and abs(sum(g["distribution"].values()) - 1) < 1e-3


def test_tampered_card_is_refused(tiny_pivot, tmp_path):
    path = tmp_path / "m"
    shutil.copytree(tiny_pivot[0], path)
    card = json.loads((path / "card.json").read_text())
    card["classes"] = card["classes"][::-1]
    (path / "card.json").write_text(json.dumps(card))
    with pytest.raises(ModelError, match="does not match its 'card_sha256'"):
        load_pivot_model(path)
    card = seal_card(card)  # re-sealed, the card is still refused: its classes contradict the arrays
    (path / "card.json").write_text(json.dumps(card))
    with pytest.raises(ModelError, match="classes differ"):
        load_pivot_model(path)
    card["kind"] = "reference"
    (path / "card.json").write_text(json.dumps(card))
    with pytest.raises(ModelError, match="reference model"):
        load_pivot_model(path)


def test_abstains_on_weak_evidence(tiny_pivot):
    model = load_pivot_model(tiny_pivot[0])
    weak = guess_pivot(["Putin met Xi in Moscow on Tuesday."], ["Putin met Xi in Moscow on Tuesday indeed."], model=model)
    assert weak["language"] == "unknown" and weak["confidence"] is None and weak["engine"] is None
    assert weak["best"]["confidence"] < 0.9  # the rejected guess, named apart from the answer
    none = guess_pivot([], [], model=model)
    assert none["language"] == "unknown" and none["n_sentences"] == 0


def test_french_traces_are_evidence_not_a_class(tiny_pivot):
    model = load_pivot_model(tiny_pivot[0])
    g = guess_pivot(["Xi is stoking tension."], ["Mr. XI is stoké tension."], model=model)
    assert g["french_traces"] == {"honorifics_added": 1, "sentences_with_added_honorific": 1,
                                  "accented_words": ["stoké"]}
    assert "unmeasured" not in g["language"] and "fr" not in g["distribution"]
    assert "consistent with a French pivot" in g["note"] and "cannot measure" in g["note"]


def test_honorifics_no_known_pivot_adds_make_it_abstain(tiny_pivot):
    model = load_pivot_model(tiny_pivot[0])
    refs, cands = zip(*_pairs("opus-mt:de", tiny_pivot[1][:10]))
    assert guess_pivot(refs, cands, model=model)["language"] == "de"
    with_mr = [c.replace("Xi", "Mr. Xi").replace("Putin", "Mr. Putin") for c in cands]
    k = sum(a != b for a, b in zip(with_mr, cands))
    assert k >= 3
    g = guess_pivot(refs, with_mr, model=model)
    assert g["language"] == "unknown" and "no known pivot does that" in g["note"]
    assert g["french_traces"]["sentences_with_added_honorific"] == k


def test_score_path_works_without_a_pivot_model(monkeypatch, tmp_path):
    from mtdetect.detect.reference import SentenceResult, _pivot_guess

    monkeypatch.setenv("MTDETECT_PIVOT_MODEL", str(tmp_path / "absent"))
    s = SentenceResult(0, "Mr. XI came.", "scored", ["Xi came."], [0], "1:1", 0.9, 0.99, True)
    assert _pivot_guess([s]) is None


needs_shipped = pytest.mark.skipif(not (default_pivot_dir() / "card.json").exists(),
                                   reason="models/pivot is not built")


@needs_shipped
def test_seed_roundtrip_has_a_pivot_field(embedder):
    from mtdetect.report.render import render_article
    from mtdetect.detect.reference import Detector

    r = Detector(embedder=embedder).score_article(SEED["roundtrip"].read_text(encoding="utf-8"),
                                                  SEED["original"].read_text(encoding="utf-8"))
    pv = r.to_dict()["pivot"]
    assert set(pv) >= {"language", "confidence", "distribution", "n_sentences", "note", "french_traces"}
    assert pv["n_sentences"] == sum(s.flagged for s in r.sentences)
    assert abs(sum(pv["distribution"].values()) - 1) < 1e-3
    if pv["language"] == "unknown":  # no confidence is given for an answer that is not made
        assert pv["confidence"] is None and 0 <= pv["best"]["confidence"] <= 1
    else:
        assert 0 <= pv["confidence"] <= 1 and pv["language"] == next(iter(pv["distribution"]))
    assert pv["french_traces"]["honorifics_added"] >= 3 and "stoké" in pv["french_traces"]["accented_words"]
    assert "pivot guess:" in render_article(r, "text")


@needs_shipped
def test_shipped_card_beats_chance_within_each_engine(shared_data):
    card = load_pivot_model().model.card
    sent = card["held_out_sentence"]
    assert sent["accuracy"] > 2 * sent["chance"]
    for family, m in sent["per_family"].items():
        assert m["n"] >= 300, family
        assert m["accuracy_within_family"] > m["chance"] + 0.1, family
    ten = card["article"]["test"]["10_sentences"]
    assert ten["language_accuracy"] > 0.6 and ten["accuracy_when_answered"] >= ten["language_accuracy"]
    assert sent["ece_top"] < 0.1


def test_numpy_path_equals_the_skops_classifier():
    """Scoring uses the arrays beside the card (hashing re-implemented, no scikit-learn import);
    it must give the skops classifier's distribution."""
    import numpy as np

    from mtdetect.card.load import load_model
    from mtdetect.detect.pivot import PivotModel, default_pivot_dir
    from mtdetect.features.pivot import murmur3_32

    if not (default_pivot_dir() / "card.json").exists():
        pytest.skip("models/pivot is absent")
    fast = PivotModel(load_model(default_pivot_dir(), kind="pivot"))
    full = PivotModel(load_model(default_pivot_dir(), kind="pivot", full=True))
    assert isinstance(fast.model.classifier, dict) and not isinstance(full.model.classifier, dict)
    refs = ["Xi is due to start a four-day visit to Russia.", "The goods cost less than 20 euros.", "Hi"]
    cands = ["Mr. XI should start a four -day visit in Russia.", "The merchandise was less than 20 EURO.", "Hi"]
    assert np.allclose(fast.sentence_proba(refs, cands), full.sentence_proba(refs, cands), rtol=0, atol=1e-9)
    from sklearn.utils import murmurhash3_32

    for s in ("", "a", "sub-word:stoké", "char3:<Mr", "x" * 41):
        assert murmur3_32(s.encode("utf-8")) == murmurhash3_32(s, seed=0)
