"""Leave-one-source-out transfer evaluation, pseudo-documents, the article model, literal swaps."""

import numpy as np

from mtdetect.pairs import Pair
from mtdetect.transfer import (ArticleModel, fit_article_model, matrix_rows, pseudo_documents, row_meta,
                               source_scores, system_family, transfer_sources)


def _pairs():
    """Two WMT datasets (two systems each, humans), Apertium round trips of both, tweets."""
    out = []
    for d in ("newstest2021.de-en", "generaltest2022.cs-en"):
        for seg in range(12):
            out.append(Pair("r", "h", 0, {"dataset": d, "system": "refB", "seg_id": seg,
                                          "kind": "human_translation_independent"}))
            for s in ("Online-A", "CUNI-Transformer"):
                out.append(Pair("r", "m", 1, {"dataset": d, "system": s, "seg_id": seg,
                                              "kind": "mt_translation_same_source"}))
            out.append(Pair("r", "a", 1, {"dataset": d, "system": "apertium-es", "pivot": "es", "seg_id": seg,
                                          "kind": "apertium_roundtrip"}))
    for k in range(12):
        out.append(Pair("t", "u", 1, {"pivot": "de", "doc_id": f"tweet{k}", "engine": "opus-mt"}))
    return out


def test_families_and_sources_never_train_on_what_they_test():
    assert system_family("Online-W") == "Online-*" and system_family("CUNI-Transformer") == "academic"
    assert system_family("Lan-Bridge") == "industry/other"
    pairs = _pairs()
    y = np.array([p.label for p in pairs])
    meta = row_meta(pairs)
    sources = transfer_sources(meta, y)
    names = {(s.kind, s.name) for s in sources}
    assert {("dataset", "newstest2021.de-en"), ("family", "Online-*"), ("family", "academic"),
            ("pivot", "apertium-es"), ("tweets", "tweets (opus-mt)")} <= names
    for s in sources:
        for train, test in s.folds:
            assert not set(train) & set(test)
            assert set(y[test].tolist()) == {0, 1}  # MT-only sources get left-out humans
            test_ds = set(meta["dataset"][test]) - {""}
            assert not test_ds & set(meta["dataset"][train])  # the humans' dataset (and its references) is out
            if s.kind == "tweets":
                assert not (meta["kind"][train] == "tweets_opusmt").any()
    # a perfect scorer gives AUC 1 on every source
    sc = source_scores(sources, lambda tr: (lambda rows: y[rows].astype(float)), len(y))
    assert all(r["roc_auc"] == 1.0 for r in matrix_rows(sources, y, sc))


def test_pseudo_documents_are_single_class_runs():
    pairs = _pairs()
    y = np.array([p.label for p in pairs])
    meta = row_meta(pairs)
    docs = pseudo_documents(meta, y, np.arange(len(y)), lo=3, hi=5)
    assert docs and all(3 <= len(d) <= 5 for d in docs)
    for d in docs:
        assert len(set(y[d].tolist())) == 1 and len(set(meta["system"][d].tolist())) == 1


def test_article_model_separates_and_round_trips_through_json():
    rng = np.random.default_rng(0)
    docs = [rng.uniform(0.4, 0.9, 10) for _ in range(30)] + [rng.uniform(0.1, 0.6, 10) for _ in range(30)]
    labels = [1] * 30 + [0] * 30
    am = fit_article_model(docs, labels, ["a"] * 60)
    again = ArticleModel.from_dict(am.to_dict())
    assert again.predict([0.8] * 10) > 0.5 > again.predict([0.2] * 10)
    assert again.predict([0.8] * 10) == am.predict([0.8] * 10)


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
