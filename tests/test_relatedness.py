"""The relatedness rule behind the `unrelated` verdict (detect/relatedness.py, learn/relatedness.py)."""

import json

import numpy as np
import pytest

from mtdetect.card.kinds import default_model_dir
from mtdetect.detect.reference import VerdictRule, verdict_of
from mtdetect.detect.relatedness import FEATURES, RelatednessRule, relatedness_evidence, rule_for, word_overlap
from mtdetect.results import SentenceResult

N = len(FEATURES)


def _rule(intercept: float = 0.0, name: str = "emb", sha: str = "abc") -> RelatednessRule:
    return RelatednessRule((0.5,) * N, (0.2,) * N, (1.0,) * N, intercept, name, sha)


def _sentences(sims, matched):  # type: ignore[no-untyped-def]
    return [SentenceResult(index=i, suspect_index=[i], text=f"s{i}", status="scored" if m else "unmatched",
                           reference=["r"] if m else [], reference_index=[i] if m else [], alignment="1:1",
                           similarity=s, p_mt=0.1 if m else None, flagged=False)
            for i, (s, m) in enumerate(zip(sims, matched))]


def test_evidence_is_read_off_the_alignment_and_the_words():
    e = relatedness_evidence([0.9, 0.8, 0.3, 0.6], [True, True, False, True], related_cosine=0.7,
                             overlap=[0.9, 0.2, 0.5])
    assert e == pytest.approx([0.5, 0.75, 0.65, (0.9 + 0.8 + 0.6) / 3, (0.9 + 0.2 + 0.5) / 3, 2 / 3])
    assert relatedness_evidence([], [], 0.7).tolist() == [0.0] * N


def test_word_overlap_weighs_the_details_a_derived_sentence_carries_over():
    reference = ["Yuri Ushakov said Putin would visit China in August.",
                 "Putin and Xi will discuss energy.", "Putin hosts Xi in Moscow."]
    suspect = ["Ushakov, a Kremlin aide, said Putin would visit China in August.",  # derived
               "Putin and Xi met in Moscow again.",  # the topic's words only
               "Nothing here is shared."]
    got = word_overlap(suspect, reference)
    assert got[0] > 0.5 > got[1] > got[2] == 0.0
    # "putin" is in every sentence of both texts: it weighs nothing, so it alone links nothing
    assert word_overlap(["Putin spoke."], ["Putin left."])[0] == 0.0
    assert word_overlap([], reference).size == 0 and word_overlap(suspect, []).tolist() == [0.0, 0.0, 0.0]


def test_rule_round_trips_and_refuses_other_evidence():
    r = _rule(0.3)
    assert RelatednessRule.from_dict(json.loads(json.dumps(r.to_dict()))) == r
    with pytest.raises(ValueError, match="other evidence"):
        RelatednessRule.from_dict({**r.to_dict(), "features": ["share"]})
    with pytest.raises(ValueError, match="do not match"):
        RelatednessRule.from_dict({**r.to_dict(), "scale": [0.2] * (N - 1) + [0.0]})


def test_a_rule_holds_only_for_the_embedder_it_was_fitted_on():
    card = {"relatedness": {"rules": [_rule(name="a", sha="1").to_dict(), _rule(0.5, name="b", sha="2").to_dict()]}}
    assert rule_for(card, "b", "2").intercept == 0.5
    assert rule_for(card, "b", "1") is None and rule_for(card, "c", "2") is None and rule_for({}, "a", "1") is None


def test_the_verdict_follows_the_rule_and_falls_back_to_the_share():
    sents = _sentences([0.75, 0.4, 0.35, 0.3, 0.3], [True, True, False, False, False])  # 20% related
    assert verdict_of(sents, VerdictRule())[0] == "rewritten"  # the share rule: 20% >= 18%
    verdict, shares = verdict_of(sents, VerdictRule(relatedness=_rule()))
    assert verdict == "unrelated" and shares["p_related"] < 0.5  # weak evidence, below the rule's centre
    verdict, shares = verdict_of(sents, VerdictRule(relatedness=_rule(intercept=20.0)))
    assert verdict == "rewritten" and shares["p_related"] > 0.5


def test_fitting_separates_derived_from_chance_pairs():
    from mtdetect.learn.relatedness import fit_rule

    rng = np.random.default_rng(0)
    derived = rng.uniform([0.5, 0.7, 0.7, 0.9, 0.5, 0.5], [1.0, 1.0, 0.95, 1.0, 1.0, 1.0], (80, N))
    chance = rng.uniform([0.0, 0.0, 0.1, 0.3, 0.0, 0.0], [0.2, 0.5, 0.5, 0.8, 0.3, 0.2], (80, N))
    X, y = np.vstack([derived, chance]), np.array([1] * 80 + [0] * 80)

    class Emb:
        name, weights_sha256 = "toy", "0" * 12

    rule = fit_rule(X, y, ["d"] * 80 + ["c"] * 80, Emb())
    p = np.array([rule.p_related(x) for x in X])
    assert (p[:80] >= 0.5).all() and (p[80:] < 0.5).all()
    assert rule.embedder == "toy" and rule_for({"relatedness": {"rules": [rule.to_dict()]}}, "toy", "0" * 12) == rule


def test_the_shipped_rules_beat_the_share_rule_on_held_out_pairs():
    """The card's held-out figures (learn/relatedness.py): derived pairs stay related, derived pairs
    padded with new material mostly so, and fewer essays on the same prompt pass for derived than
    under the 18% share rule, for both embedders."""
    card = json.loads((default_model_dir() / "card.json").read_text(encoding="utf-8"))
    block = card.get("relatedness")
    if not block:
        pytest.skip("the shipped card has no relatedness rule")
    assert len(block["rules"]) == 2 and set(block["held_out"]) == {r["embedder"] for r in block["rules"]}
    for rates in block["held_out"].values():
        for kind, r in rates.items():
            if kind.endswith("new material"):
                assert r["rule"] >= 0.9, (kind, r)
            elif kind.startswith(("asap round trip", "onestop int", "onestop ele")):
                assert r["rule"] >= r["share_rule"] - 0.01 and r["rule"] >= 0.99, (kind, r)
        same = rates["asap, same prompt"]
        assert same["rule"] < same["share_rule"], same


def test_the_static_embedding_finds_its_rule_in_the_shipped_card():
    from mtdetect.detect.reference import Detector
    from mtdetect.embed import make_embedder

    det = Detector(embedder=make_embedder("static"))
    if not det.model.card.get("relatedness"):
        pytest.skip("the shipped card has no relatedness rule")
    assert det.verdict_rule.relatedness is not None
    assert det.verdict_rule.relatedness.embedder == det.embedder.name


def test_a_model_trained_here_inherits_the_shipped_rules(tiny_model_dir):
    """`mtdetect train` keeps the shipped relatedness rules in the new card (sealed, so in its
    signature): without them a new model would fall back to the 18% share rule."""
    from mtdetect.card.load import load_model
    from mtdetect.detect.reference import Detector
    from mtdetect.embed import make_embedder

    shipped = json.loads((default_model_dir() / "card.json").read_text(encoding="utf-8"))
    if not shipped.get("relatedness"):
        pytest.skip("the shipped card has no relatedness rule")
    card = load_model(tiny_model_dir).card
    assert card["relatedness"]["rules"] == shipped["relatedness"]["rules"]
    assert card["relatedness"]["inherited_from"].startswith(f"card {shipped['card_sha256'][:12]}")
    det = Detector(tiny_model_dir, embedder=make_embedder("static"))
    assert det.verdict_rule.relatedness is not None
