"""The seeds with the shipped model: the product's first acceptance test (issue 2)."""

import pytest

from mtdetect.card.kinds import default_model_dir
from mtdetect.detect.reference import Detector

from conftest import SEED


@pytest.fixture(scope="module")
def detector(embedder):
    assert (default_model_dir() / "card.json").exists(), "the shipped model is missing from models/default"
    return Detector(embedder=embedder)


def _score(detector, name):
    return detector.score_article(SEED[name].read_text(encoding="utf-8"), SEED["original"].read_text(encoding="utf-8"))


def test_roundtrip_is_flagged(detector):
    r = _score(detector, "roundtrip")
    assert r.verdict == "round-trip MT"
    assert r.n_scored >= 14


# ---------------------------------------------------------------- the issues' targets for the seeds
# Asserted at the target, never at what the model measures; a target a model does not meet is
# marked xfail(strict=True), so the test fails loudly (XPASS) the day it is met.

ROUNDTRIP_FLAGGED_TARGET = 0.95  # issue 2 / issue 21: >= 95% of 001's sentences flagged (issue 22: >= 90% first)


def test_roundtrip_meets_the_flagged_target(detector):
    assert _score(detector, "roundtrip").flagged_fraction >= ROUNDTRIP_FLAGGED_TARGET


def test_roundtrip_sentences_are_flagged_in_their_articles_context(detector):
    # issue 22: >= 90% of 001's sentences flagged once each sentence's p(MT) reflects its article
    r = _score(detector, "roundtrip")
    assert r.flagged_fraction >= 0.9
    assert all(s.p_own is not None for s in r.sentences if s.status == "scored")  # own evidence still shown


@pytest.mark.parametrize("name", ["rewrite", "rewrite2"])
def test_rewrites_are_not_mt(detector, name):
    r = _score(detector, name)
    assert r.verdict == "rewritten"
    assert r.flagged_fraction <= 0.05


def test_copy_and_unrelated(detector):
    r = _score(detector, "original")
    assert r.verdict == "copy" and not any(s.flagged for s in r.sentences)
    other = _score(detector, "other")
    assert other.verdict == "unrelated"
    # chance alignments are not translations: nothing is scored as MT, and the output says why
    assert other.n_scored == 0 and other.flagged_fraction == 0 and not any(s.flagged for s in other.sentences)
    from mtdetect.report.render import render_article

    assert "unrelated: p(derived from the reference) 0." in render_article(other, "text")  # the fitted rule says why


def test_evidence_shows_the_known_artefacts(detector):
    r = _score(detector, "roundtrip")
    shown = " | ".join(f"{e['text']} <- {e['replaced']}" for s in r.sentences for e in s.evidence)
    for trace in ("pricing war <- a tariff war", "rescue buoy", "sail on", "XI <- Xi", "stoké", "-day"):
        assert trace in shown, trace
    # every substitution's note says what its score means, and what a score at or below 0 means
    subs = [e for s in r.sentences for e in s.evidence if e["kind"] == "substitution"]
    assert subs and all("score: how much rarer" in e["note"] for e in subs)
    assert all(("not rarer" in e["note"]) == (e["score"] <= 0) for e in subs)


@pytest.mark.parametrize("name", ["roundtrip", "rewrite"])
def test_a_real_article_is_monotone_in_length_for_its_mean_evidence(detector, name):
    """Monotone in length for a fixed mean evidence, on a real document: its sentences' own
    p(MT), its shape and its pairs' evidence as scored, with every sentence's p repeated k times
    (the same mean, k times as long). Repeating the text itself would change its shape (a
    reference sentence dropped at the end is inside the span the second time)."""
    from mtdetect.detect.article import DocEvidence, article_features

    sus, ref = SEED[name].read_text(encoding="utf-8"), SEED["original"].read_text(encoding="utf-8")
    r = detector.score_article(sus, ref)
    am = detector.model.article_model
    scored = [s for s in r.sentences if s.status == "scored"]
    own = [s.p_own for s in scored]
    ev = r.article_evidence
    structure = {**ev["shape"], "verbatim_share": ev["verbatim_share"]}
    pairs = {"quote_altered_share": (len(ev["quotes"]["altered"]) / ev["quotes"]["n_quotes"])
             if ev["quotes"]["n_quotes"] else None, "edit_cv": ev["edit_cv"]}
    assert am.predict(DocEvidence(tuple(own), structure, pairs)) == pytest.approx(r.p_article, abs=1e-3)
    series = [am.predict(DocEvidence(tuple(own * k), structure, pairs)) for k in range(1, 8)]
    towards_mt = article_features(own, neutral_p=am.neutral_p)[4] > 0  # the sentences' mean evidence
    steps = [b - a for a, b in zip(series, series[1:])]
    assert all((st >= -1e-12) if towards_mt else (st <= 1e-12) for st in steps), series
