"""The article model (mtdetect/detect/article.py), the article evidence (features/article.py) and
literal swaps; the leave-one-source-out protocol itself is tested in test_protocol.py."""

import json

import numpy as np
import pytest

from mtdetect.detect.article import (ARTICLE_FEATURES, ArticleModel, DocEvidence, SentenceContext,
                                    article_features, fit_article_model)
from mtdetect.features.article import document_structure, edit_cv, pair_evidence, quote_evidence


def _fitted(seed: int = 0, structured: bool = True) -> ArticleModel:
    rng = np.random.default_rng(seed)
    docs, labels, groups = [], [], []
    for k in range(120):
        mt = k % 2
        n = int(rng.integers(5, 30))
        p = np.clip(rng.normal(0.45 if mt else 0.25, 0.15, n), 0.01, 0.99)
        real = structured and k % 3 == 0
        s = {"in_order_1to1": rng.uniform(0.8, 1) if mt else rng.uniform(0.4, 0.9),
             "reference_covered": rng.uniform(0.9, 1) if mt else rng.uniform(0.6, 1),
             "verbatim_share": rng.uniform(0, 0.05) if mt else rng.uniform(0.1, 0.4)} if real else None
        docs.append(DocEvidence(tuple(p), s, {"quote_altered_share": None, "edit_cv": rng.uniform(0.2, 0.8)}))
        labels.append(mt)
        groups.append(("mt" if mt else "h") + ("-real" if real else ""))
    return fit_article_model(docs, labels, groups)


def test_article_model_separates_and_round_trips_through_plain_json():
    am = _fitted()
    again = ArticleModel.from_dict(json.loads(json.dumps(am.to_dict())))
    assert again.predict([0.8] * 10) > 0.5 > again.predict([0.1] * 10)
    assert again.predict([0.8] * 10) == am.predict([0.8] * 10)
    signs = dict(zip(ARTICLE_FEATURES, am.to_dict()["signs"]))
    assert all(c * signs[n] >= 0 for n, c in zip(ARTICLE_FEATURES, am.coef))  # every weight in its direction


@pytest.mark.parametrize("p", [0.3, 0.37, 0.45, 0.6, 0.9])
def test_longer_articles_with_the_same_mean_evidence_are_more_certain_not_less(p):
    am = _fitted()
    probs = [am.predict([p] * n) for n in range(3, 200, 7)]
    direction = np.sign(np.log(p / (1 - p)) - np.log(am.neutral_p / (1 - am.neutral_p)))
    steps = np.diff(probs)
    assert np.all(direction * steps >= -1e-12), probs  # monotone in length, the way the evidence points
    if direction > 0 and probs[0] < 0.99:  # (beyond the training range the evidence is clipped: flat)
        assert probs[-1] > probs[0]


def test_more_flagged_sentences_of_the_same_strength_never_lower_p_article():
    am = _fitted()
    for k in range(0, 20):
        assert am.predict([0.8] * (k + 1) + [0.2] * 10) >= am.predict([0.8] * k + [0.2] * 10) - 1e-12
    # and a higher p for any one sentence never lowers it
    base = [0.2, 0.4, 0.6, 0.3, 0.5]
    for i in range(len(base)):
        up = list(base)
        up[i] = 0.9
        assert am.predict(up) >= am.predict(base) - 1e-12


def test_missing_structure_is_neutral():
    am = _fitted()
    doc = DocEvidence((0.4,) * 10, None, None)
    contrib = am.contributions(doc)
    assert all(abs(contrib[n]) < 1e-9 for n in ("in_order_1to1", "reference_covered", "verbatim_share"))


def test_without_real_documents_of_both_classes_structure_has_no_weight():
    am = _fitted(structured=False)
    real = DocEvidence((0.5,) * 5, {"in_order_1to1": 1.0, "reference_covered": 1.0, "verbatim_share": 0.0}, None)
    assert 0.0 < am.predict(real) < 1.0 and all(am.scale)  # a constant column keeps a usable scale
    assert all(am.coef[ARTICLE_FEATURES.index(n)] == 0 for n in ("in_order_1to1", "reference_covered",
                                                               "verbatim_share"))


def test_structure_is_scaled_on_the_documents_that_have_it():
    """A feature seen on a third of the documents keeps the spread it has there: its centre and
    scale are those of the real documents, not shrunk by the pseudo-documents' missing values."""
    am = _fitted()
    rng = np.random.default_rng(0)  # the same draws as _fitted(0)
    seen = []
    for k in range(120):
        mt = k % 2
        n = int(rng.integers(5, 30))
        rng.normal(0, 1, n)
        if k % 3 == 0:
            seen.append(rng.uniform(0.9, 1) if mt else rng.uniform(0.6, 1))
            rng.uniform(0, 1, 2)
        rng.uniform(0, 1)
    j = ARTICLE_FEATURES.index("reference_covered")
    seen = np.clip(seen, am.lower[j], am.upper[j])
    assert am.scale[j] > 0.8 * np.std(seen)  # imputing 80 documents at the mean would shrink it to ~0.58x
    assert am.lower[j] >= min(seen) - 1e-9


def test_article_features_summarise_a_document():
    f = article_features([0.2, 0.8, 0.9, 0.9], threshold=0.5)
    assert f[0] == np.mean([0.2, 0.8, 0.9, 0.9]) and f[1] == 0.75
    assert np.isnan(f[5:]).all()  # no structure, no pair evidence: missing


def test_sentence_context_pulls_a_sentence_towards_its_article_but_keeps_its_own_evidence():
    ctx = SentenceContext()
    assert ctx.apply(0.4, 0.99) > 0.5 > ctx.apply(0.4, 0.01)
    assert ctx.apply(0.9, 0.5) > ctx.apply(0.4, 0.5)  # own evidence still counts
    assert ctx.apply(0.6, 0.01) < 0.5  # one odd sentence in a rewrite is not MT on its own


def test_document_structure_shape_and_verbatim():
    ref = [f"Sentence number {i} is about the long and winding road to the sea." for i in range(6)]
    sus = list(ref[:2]) + ["A changed sentence about the long and winding road to the sea today.", ref[4], ref[3]]
    links = [((0,), (0,)), ((1,), (1,)), ((2,), (2,)), ((3,), (4,)), ((4,), (3,))]  # a swap, one dropped
    s = document_structure(sus, ref, links)
    assert s["in_order_1to1"] == pytest.approx(4 / 5) and s["reference_covered"] == 1.0  # within 0..4
    gap = document_structure(sus, ref, [((0,), (0,)), ((1,), (2,)), ((2,), (5,))])
    assert gap["reference_covered"] == pytest.approx(3 / 6)  # 1, 3 and 4 dropped between the first and last
    excerpt = document_structure(ref[2:5], ref, [((0,), (2,)), ((1,), (3,)), ((2,), (4,))])
    assert excerpt["reference_covered"] == 1.0 and excerpt["in_order_1to1"] == 1.0  # an excerpt, whole
    assert s["verbatim_share"] == pytest.approx(4 / 5)
    assert document_structure(["Short one."], ["Short one."], [((0,), (0,))])["verbatim_share"] is None


def test_altered_quotes_are_found_with_both_wordings():
    pairs = [('He said "the upcoming visit will be historic" to reporters.',
              'He said "the next visit will be historic" to reporters.'),
             ('She said there are "no limits" and "we will keep going on".',
              'She said there are "no limits" and "we will keep going on".')]
    q = quote_evidence(pairs, [3, 7])
    assert q["n_quotes"] == 2 and q["quote_altered_share"] == 0.5  # "no limits" is too short to count
    assert q["altered"] == [{"sentence": 3, "reference_quote": "the upcoming visit will be historic",
                             "suspect_wording": "the next visit will be historic"}]
    assert quote_evidence([("No quotes here.", "None here.")])["quote_altered_share"] is None
    reported = quote_evidence([('He said "the upcoming visit will be historic" today.',
                                "He called the coming visit historic today.")])
    assert reported["n_quotes"] == 0 and reported["quote_altered_share"] is None  # reported speech


def test_edit_evenness():
    even = [("a b c d e f", "a b c d e g")] * 4
    uneven = [("a b c d e f", "a b c d e f g")] + [("a b c d e f", "x y z w v u")] * 3
    assert edit_cv(even) == pytest.approx(0.0) and edit_cv(uneven) > 0.3
    assert edit_cv(even[:2]) is None and pair_evidence(even)["edit_cv"] == pytest.approx(0.0)


def test_literal_substitutions_are_found_in_the_apertium_dictionaries():
    from mtdetect.features.base import PairView
    from mtdetect.features.literal import compute, relation

    assert relation("president", "chairman") == "dictionary"
    assert relation("houses", "house") == "inflection"
    assert relation("banana", "chairman") == ""
    vals, ev = compute(PairView("The chairman said the big plan was ready.",
                                "The president said the great plan was ready.", 0.9))
    assert vals["lit_dict_share"] == 1.0 and {e.replaced for e in ev} == {"chairman", "big"}
    vals, _ = compute(PairView("The chairman said the big plan was ready.",
                               "The banana said the purple plan was ready.", 0.9))
    assert vals["lit_dict_share"] == 0.0
