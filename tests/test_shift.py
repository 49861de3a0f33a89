"""The translationese shift as article evidence (issue 22): the held-out reference-free models of
learn/shift.py really leave the judged sources' domains out, the article model binds the shift's
weight towards MT, a missing shift is neutral, and a card naming other features is refused."""

import json

import numpy as np
import pytest

from mtdetect.card.card import check_card_fields
from mtdetect.card.model import ModelError
from mtdetect.detect.article import (ARTICLE_FEATURES, SHIFT, WITH_SHIFT, ArticleModel, DocEvidence, SentenceContext,
                                     fit_article_model)
from mtdetect.learn.documents import Documents
from mtdetect.learn.reference_free import RFConfig
from mtdetect.learn.reference_free_data import Unit
from mtdetect.learn.shift import HeldOutShift, excluded_domains, unit_domain

# one unit per reference-free source of learn/reference_free_data.py, with its domain there
RF_SOURCES = {"asap-fr": "asap", "asap-zh": "asap", "asap-original": "asap", "tweets-de": "tweets",
              "tweets-original": "tweets", "apertium-es": "asset", "asset-original": "asset",
              "asset-rewrite": "asset", "bible-original": "bible", "bible-rewrite": "bible", "wmt-mt": "wmt",
              "wmt-human": "wmt", "wmt-original": "wmt"}


def test_each_reference_free_unit_maps_onto_its_matrix_domain():
    got = {s: unit_domain(Unit("x", 0, s, d, "g", "doc", "original")) for s, d in RF_SOURCES.items()}
    assert got["asap-fr"] == got["asap-original"] == "essays" and got["tweets-de"] == "tweets"
    assert got["apertium-es"] == got["asset-rewrite"] == "wikipedia" and got["bible-rewrite"] == "bible"
    assert got["wmt-mt"] == got["wmt-human"] == got["wmt-original"] == "news"
    assert excluded_domains(["essays:gt-fr", "bible:YLT"]) == {"essays", "bible"}


def _shift(n: int = 40, seed: int = 0) -> HeldOutShift:
    """A HeldOutShift over units of every domain, with one dense feature block that tells MT apart."""
    rng = np.random.default_rng(seed)
    units = [Unit(f"{s} {k}", int(not s.endswith(("original", "rewrite", "human"))), s, d, f"{d}:{k % 6}", "doc",
                  "original") for s, d in RF_SOURCES.items() for k in range(n)]
    y = np.array([u.label for u in units])
    texts = ["a", "b"]
    h = HeldOutShift(units, texts, RFConfig(families=("solo",)))
    h._blocks = ({"solo": rng.normal(y[:, None], 1.0, (len(units), 3))}, {"solo": np.array([[2.0] * 3, [-1.0] * 3])})
    return h


def test_the_held_out_models_never_train_on_the_left_out_domains(monkeypatch):
    h = _shift()
    seen: list[set[str]] = []
    fit = HeldOutShift._fit

    def spy(self, rows):  # type: ignore[no-untyped-def]
        seen.append({self.units[i].domain for i in rows})
        return fit(self, rows)

    monkeypatch.setattr(HeldOutShift, "_fit", spy)
    p = h.probabilities(excluded_domains(["essays:gt-fr", "bible:YLT"]))
    assert len(seen) == 3  # two Platt folds and the final fit, all without asap and bible units
    assert all(s and not s & {"asap", "bible"} for s in seen) and {"asset", "tweets", "wmt"} <= seen[-1]
    assert p[0] > 0.5 > p[1]  # and the model it fitted is a working one
    seen.clear()
    h.probabilities(excluded_domains(["articles:apertium", "articles:teachers"]))  # OneStopEnglish: in no unit
    assert seen[-1] == set(RF_SOURCES.values()) and "without:" in h.probs  # ... so nothing is left out
    assert h.shift(["a"], ["b"], ["tweets:opus-mt"]) == pytest.approx(float(np.diff(
        h.probabilities(frozenset({"tweets"}))[::-1])[0]))
    assert h.shift([], ["b"], ["tweets:opus-mt"]) is None


class _Recorder:
    def __init__(self) -> None:
        self.asked: list[tuple] = []

    def shift(self, sus, ref, left_out):  # type: ignore[no-untyped-def]
        self.asked.append(tuple(left_out))
        return 0.1


def test_documents_take_pooled_shifts_without_their_own_source_and_cell_shifts_without_the_cell():
    rec = _Recorder()
    docs = Documents([np.array([0]), np.array([1])], np.array([1, 0]), ["essays:gt-fr", "bible:YLT"], [None, None],
                     [{}, {}], [(["s"], ["r"]), (["s2"], ["r2"])], rec)
    assert rec.asked == [("essays:gt-fr",), ("bible:YLT",)]  # pooled: held out from its own source
    assert docs.evidence(0, np.array([0.4])).shift == 0.1 and len(rec.asked) == 2  # cached
    docs.evidence(0, np.array([0.4]), ("essays:gt-fr", "bible:YLT"))
    assert rec.asked[-1] == ("essays:gt-fr", "bible:YLT") and docs.features == WITH_SHIFT


def _docs(shift_for_mt: float, seed: int = 0) -> tuple[list[DocEvidence], list[int], list[str]]:
    rng = np.random.default_rng(seed)
    docs, labels, groups = [], [], []
    for k in range(160):
        mt = k % 2
        p = np.clip(rng.normal(0.42 if mt else 0.3, 0.15, int(rng.integers(5, 25))), 0.01, 0.99)
        docs.append(DocEvidence(tuple(p), None, None, float(rng.normal(shift_for_mt if mt else 0.0, 0.03))))
        labels.append(mt)
        groups.append(f"{'mt' if mt else 'h'}{k % 4}")
    return docs, labels, groups


def test_the_shift_weight_is_bound_towards_mt():
    towards = fit_article_model(*_docs(0.15), features=WITH_SHIFT)
    against = fit_article_model(*_docs(-0.15), features=WITH_SHIFT)
    j = WITH_SHIFT.index(SHIFT)
    assert towards.coef[j] > 0 and against.coef[j] == 0.0  # a negative shift never counts towards MT
    assert towards.predict(DocEvidence((0.35,) * 10, shift=0.2)) > towards.predict(DocEvidence((0.35,) * 10, shift=0.0))
    assert towards.to_dict()["signs"][j] == 1 and towards.to_dict()["features"][-1] == SHIFT


def test_a_missing_shift_is_neutral():
    am = fit_article_model(*_docs(0.15), features=WITH_SHIFT)
    doc = DocEvidence((0.35,) * 10, None, None, None)
    assert am.contributions(doc)[SHIFT] == 0.0
    at_mean = am.mean[WITH_SHIFT.index(SHIFT)]
    assert am.predict(doc) == pytest.approx(am.predict(DocEvidence((0.35,) * 10, shift=at_mean)), abs=1e-12)
    plain = fit_article_model(*_docs(0.15))  # a model without the feature ignores any shift given
    assert plain.features == ARTICLE_FEATURES and plain.predict(DocEvidence((0.35,) * 10, shift=0.5)) == \
        plain.predict(DocEvidence((0.35,) * 10))


def test_a_card_built_for_other_features_is_refused(tmp_path):
    d = fit_article_model(*_docs(0.15), features=WITH_SHIFT).to_dict()
    assert ArticleModel.from_dict(json.loads(json.dumps(d))).features == WITH_SHIFT
    for bad in ({**d, "features": list(ARTICLE_FEATURES)},  # arrays for 11 features, 10 named
                {**d, "features": list(WITH_SHIFT[::-1])},  # another order
                {**d, "features": list(ARTICLE_FEATURES) + ["something_else"]}):
        with pytest.raises(ValueError, match="other document features|do not match"):
            ArticleModel.from_dict(bad)
        with pytest.raises(ModelError, match="article_model"):
            check_card_fields({"article_model": bad, "feature_names": ["a"], "threshold": 0.5, "classifier_sha256": "x",
                               "feature_version": "x"}, tmp_path / "card.json")


def _scored(model_am, shown: bool, shift_value, monkeypatch):  # type: ignore[no-untyped-def]
    """detect/reference.article_evidence on a small aligned article, with the reference-free
    shift stubbed (`shift_value`: what translationese_shift returns; None = no model installed)."""
    from types import SimpleNamespace

    from mtdetect.align import Link
    from mtdetect.detect import reference
    from mtdetect.results import SentenceResult

    asked = []
    monkeypatch.setattr(reference, "translationese_shift", lambda s, r: asked.append(1) or (
        None if shift_value is None else {"suspect": 0.5, "reference": 0.5 - shift_value, "shift": shift_value}))
    ref = [f"The reference sentence number {i} says something plain about the city." for i in range(6)]
    sus = [f"The suspect sentence number {i} tells something plain about the town." for i in range(6)]
    results = [SentenceResult(i, sus[i], "scored", [ref[i]], [i], "1:1", 0.8, 0.35, False) for i in range(6)]
    model = SimpleNamespace(article_model=model_am, threshold=0.5)
    p, ev = reference.article_evidence(model, sus, ref, [Link((i,), (i,), 0.8) for i in range(6)], results,
                                       SentenceContext(), shown)
    return p, ev, asked


def test_scoring_reads_the_shift_only_when_the_card_names_it(monkeypatch):
    with_shift = fit_article_model(*_docs(0.15), features=WITH_SHIFT)
    up, ev, asked = _scored(with_shift, False, 0.2, monkeypatch)
    assert asked and ev["translationese_shift"]["shift"] == 0.2  # measured although not asked to show it
    down, _, _ = _scored(with_shift, False, -0.1, monkeypatch)
    neutral, ev, _ = _scored(with_shift, True, None, monkeypatch)  # no reference-free model: neutral
    assert up > neutral > down and ev["contributions"][SHIFT] == 0.0
    plain = fit_article_model(*_docs(0.15))
    a, _, asked = _scored(plain, False, 0.2, monkeypatch)
    assert not asked  # neither shown nor read: not computed
    b, ev, _ = _scored(plain, True, 0.2, monkeypatch)
    assert a == b and SHIFT not in ev["contributions"]  # shown only
