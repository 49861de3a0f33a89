import math

from mtdetect.features import FEATURE_VERSION, feature_matrix, feature_names, group_of, pair_features
from mtdetect.features.similarity import chrf

REF = "Xi, whose country is locked in a tariff war with the United States, is expected to sign a four-day deal."
CAND = "Mr. XI, whose country is locked in a pricing war with the United States, should sign a four -day deal."


def test_names_come_with_values_and_are_stable():
    names = feature_names()
    assert len(names) == len(set(names)) > 20
    assert names == list(pair_features(REF, CAND, 0.9).values)
    assert all(group_of(n) in {"similarity", "lexical", "collocation", "literal", "surface", "edits"} for n in names)
    assert FEATURE_VERSION


def test_chrf_bounds():
    assert chrf("same text here", "same text here") == 1.0
    assert chrf("abc", "xyz") == 0.0
    assert 0 < chrf("the pricing war", "the tariff war") < 1


def test_evidence_for_roundtrip_traces():
    pf = pair_features(REF, CAND, 0.9)
    subs = {(e.text, e.replaced) for e in pf.evidence if e.kind == "substitution"}
    assert any("pricing war" in t and "tariff war" in r for t, r in subs)
    kinds = {e.kind: e for e in pf.evidence}
    assert "honorific" in kinds and "Mr" in kinds["honorific"].text
    assert any(e.kind == "casing" and e.text == "XI" and e.replaced == "Xi" for e in pf.evidence)
    assert any(e.kind == "spacing" and "-day" in e.text for e in pf.evidence)
    assert pf.values["edt_honorific_corroborated"] == 1.0  # with literal swaps and grammar shifts


def test_house_style_honorific_alone_is_not_mt_evidence():
    """ "Mr. Putin" in a human article where the original says "Putin": house style, no other trace."""
    pf = pair_features("Putin met the delegation in Moscow on Monday.",
                       "Mr. Putin met the delegation in Moscow on Monday.", 0.95)
    assert pf.values["edt_honorific_corroborated"] == 0.0
    assert "srf_honorific_added" not in pf.values


def test_edit_kind_separates_word_swaps_from_restructuring():
    ref = "The company said on Monday that its profits rose sharply in the third quarter."
    swaps = pair_features(ref, "The company has said on Monday that its benefits rose strongly in the third quarter.", 0.9)
    rewrite = pair_features(ref, "Third-quarter profits jumped, according to a statement the firm issued to investors.",
                            0.8)
    s, r = swaps.values, rewrite.values
    assert s["edt_aux_shift"] > 0 and r["edt_long_indel"] == 1.0
    assert s["edt_mean_site"] < r["edt_mean_site"]
    assert s["edt_contextual_new"] < r["edt_contextual_new"]


def test_casing_counts_only_forms_the_reference_never_uses():
    ref = '"The upcoming visit is one of the central events of the year," she said.'
    same = pair_features(ref, '"The next visit is one of the central events of the year," she said.', 0.9)
    assert not [e for e in same.evidence if e.kind == "casing"]  # "The" <- "The" is no trace
    assert same.values["srf_case_changed"] == 0.0
    odd = pair_features("Xi met Putin in Moscow, the Kremlin said.", "Mr. XI met putin in Moscow, the Kremlin said.", 0.9)
    assert {(e.text, e.replaced) for e in odd.evidence if e.kind == "casing"} == {("XI", "Xi"), ("putin", "Putin")}


def test_foreign_word_trace():
    pf = pair_features("They accused the U.S. of stoking the war.", "They accused the U.S. of stoké war.", 0.9)
    assert pf.values["srf_foreign"] == 1.0
    assert any(e.kind == "foreign" and e.text == "stoké" for e in pf.evidence)


def test_typography_is_normalised_away():
    a = pair_features('He said "no limits" - twice.', "He said \u201cno limits\u201d \u2013 twice.", 1.0)
    assert a.values["sim_chrf"] == 1.0
    assert a.values["srf_spacing"] == 0.0


def test_matrix_finite_on_odd_inputs():
    refs = ["", "...", "A", "Ünïcödé ÿ 漢字", "x " * 300]
    cands = ["word", "", "A B", "漢字 Ünïcödé", "y " * 300]
    X, names, rows = feature_matrix(refs, cands, [0.0, 0.1, 0.5, 0.9, 1.0])
    assert X.shape == (5, len(names))
    assert all(math.isfinite(v) for v in X.ravel())
