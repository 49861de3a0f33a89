"""The article model (mtdetect/transfer.py) and literal swaps; the leave-one-source-out
protocol itself is tested in test_protocol.py."""

import numpy as np

from mtdetect.detect.article import ArticleModel, article_features, fit_article_model


def test_article_model_separates_and_round_trips_through_json():
    rng = np.random.default_rng(0)
    docs = [rng.uniform(0.4, 0.9, 10) for _ in range(30)] + [rng.uniform(0.1, 0.6, 10) for _ in range(30)]
    labels = [1] * 30 + [0] * 30
    am = fit_article_model(docs, labels, ["a"] * 60)
    again = ArticleModel.from_dict(am.to_dict())
    assert again.predict([0.8] * 10) > 0.5 > again.predict([0.2] * 10)
    assert again.predict([0.8] * 10) == am.predict([0.8] * 10)


def test_article_features_summarise_a_document():
    f = article_features([0.2, 0.8, 0.9, 0.9], threshold=0.5)
    assert f[0] == np.mean([0.2, 0.8, 0.9, 0.9]) and f[1] == 0.75
    assert article_features([]).tolist() == [0.5, 0.0, 0.5, 0.5, 0.5, 0.0]


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
