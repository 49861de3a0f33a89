"""The training core: one definition each of weights, data hash, metrics, the leave-one-source-out
split and the article calibration (learn/)."""

import numpy as np
import pytest

from mtdetect.learn.calibration import article_probability, platt_probability
from mtdetect.learn.hashing import data_hash
from mtdetect.learn.metrics import auc, brier, ece
from mtdetect.learn.protocol import leave_sources_out
from mtdetect.learn.weights import balanced_weights


def test_balanced_weights_split_evenly_by_class_domain_and_source():
    y = np.array([1, 1, 1, 1, 0, 0, 0, 0, 0, 0])
    src = ["a", "a", "a", "b", "h", "h", "h", "h", "k", "k"]
    dom = ["x", "x", "x", "y", "x", "x", "x", "x", "x", "x"]
    w = balanced_weights(y, src, dom)
    assert w.sum() == pytest.approx(len(y))
    assert w[y == 1].sum() == pytest.approx(w[y == 0].sum())
    # MT: domains x and y get half each (3 rows of a vs 1 row of b); human: sources h and k half each
    assert w[:3].sum() == pytest.approx(w[3]) and w[4:8].sum() == pytest.approx(w[8:].sum())
    assert np.array_equal(balanced_weights(y, src), balanced_weights(y, src, ["d"] * len(y)))
    assert balanced_weights(np.array([-1, 1, 0]), ["s", "s", "t"])[0] == 0.0  # unlabelled rows weigh nothing


def test_data_hash_ignores_order_but_not_content():
    rows = [["a", "b", 1], ["c", "d", 0]]
    assert data_hash(rows) == data_hash(reversed(rows)) != data_hash([["a", "b", 0], ["c", "d", 0]])


def test_metrics():
    y = np.array([0, 0, 1, 1])
    assert auc(y, [0.1, 0.2, 0.3, 0.4]) == 1.0 and auc([1, 1], [0.2, 0.3]) is None
    assert brier(np.array([0.0, 0.0, 1.0, 1.0]), y) == 0.0 and brier(np.array([1.0, 1.0, 0.0, 0.0]), y) == 1.0
    assert brier(np.array([[0.5, 0.5], [1.0, 0.0]]), np.array([0, 1])) == pytest.approx((0.5 + 2.0) / 2)
    assert ece(np.array([0.9, 0.9]), np.array([1.0, 1.0])) == pytest.approx(0.1)


def test_leave_sources_out_keeps_the_test_and_its_scope_out_of_training():
    src = np.array(["m", "m", "h", "o", "o", "x"])
    train, test = leave_sources_out(src, ["m", "h"])
    assert test.tolist() == [True, True, True, False, False, False] and np.array_equal(train, ~test)
    scope = np.array([True, False, True, True, False, False])
    train, test = leave_sources_out(src, ["m"], scope=scope, with_test=src == "o")
    assert test.tolist() == [True, False, False, True, False, False]
    assert train.tolist() == [False, False, False, False, True, True]  # nothing of the scope, nothing of m


def test_article_calibration_formula():
    cal = {"coef_mean": 1.0, "coef_mean_sqrt_n": 0.5, "intercept": -0.2}
    assert article_probability(cal, 0.0, 0) == 0.5
    z = 1.0 * 0.4 + 0.5 * 0.4 * 3.0 - 0.2
    assert article_probability(cal, 0.4, 9) == pytest.approx(1 / (1 + np.exp(-z)))
    assert platt_probability((2.0, 0.0), np.array([0.0]))[0] == 0.5


def test_one_source_vocabulary():
    from mtdetect.learn.source_names import canonical, matrix_source

    assert canonical("asap-fr") == "essays:gt-fr" == canonical("essays:gt-fr")
    assert canonical("tweets-ru") == "tweets:opus-mt-ru" and matrix_source("tweets-ru") == "tweets:opus-mt"
    assert canonical("wmt-human") == "news:human" and canonical("asset-rewrite") == "wikipedia:crowd"
    assert matrix_source("apertium-es") == "wikipedia:apertium" and canonical("bible-original") == "bible:original"
