"""Issue 22's acceptance targets, asserted on the shipped card's leave-one-source-out metrics
(`metrics.transfer`, written by training/build_model.py). A target not yet met is marked
xfail(strict=True): the test turns red the day it holds, so the mark must then go.

Article level: each neural round-trip source caught >= 90% and each human source flagged
<= 5%, on real documents and pseudo-documents apart (a source's number is the mean over the
matrix cells that left it out, each judged by an article model fitted without the cell's
sources). Sentence level: the mean AUC over the cells of the v5 matrix (6 MT x 5 human
sources) does not fall below v5's 0.7052.
"""

import json

import pytest

from mtdetect.card.kinds import default_model_dir

NEURAL = ("essays:gt-fr", "essays:gt-zh", "tweets:opus-mt")
HUMAN = ("articles:teachers", "essays:crowd", "tweets:people", "wikipedia:crowd", "bible:BBE", "bible:Webster",
         "bible:YLT", "news:human-rt", "news:human")
V5_MT = ("bible:apertium", "essays:gt-fr", "essays:gt-zh", "news:apertium", "tweets:opus-mt", "wikipedia:apertium")
V5_HUMAN = ("bible:BBE", "bible:Webster", "bible:YLT", "news:human", "wikipedia:crowd")
V5_MEAN_AUC = 0.7052

# not met by the shipped model (card metrics.transfer, training/build_model.py): essays caught
# 0.80 / 0.84 of real documents (0.28 / 0.13 in the cells that leave articles:teachers out, where no
# human real document teaches the shape weights), tweets 0.02; human pseudo-documents flagged
# YLT 0.44, JFLEG 0.19, news:human 0.17 (human round trips: 0.043 since the article model scales
# its features on the documents that have them)
NOT_MET: set[tuple[str, str]] = {("recall", "essays:gt-fr"), ("recall", "essays:gt-zh"), ("recall", "tweets:opus-mt"),
                                 ("fpr", "bible:YLT"), ("fpr", "essays:crowd"), ("fpr", "news:human")}


@pytest.fixture(scope="module")
def transfer() -> dict:
    card = json.loads((default_model_dir() / "card.json").read_text(encoding="utf-8"))
    tr = (card.get("metrics") or {}).get("transfer")
    if not tr or "article_recall" not in next(iter(tr["mt_sources"].values())):
        pytest.skip("the shipped card has no article-level leave-one-source-out matrix")
    return tr


def _mark(kind: str, source: str):  # type: ignore[no-untyped-def]
    return pytest.mark.xfail(strict=True, reason="target not met by the shipped model") \
        if (kind, source) in NOT_MET else ()


@pytest.mark.parametrize("source", [pytest.param(s, marks=_mark("recall", s)) for s in NEURAL])
def test_each_neural_round_trip_source_is_caught_at_article_level(transfer, source):
    r = transfer["mt_sources"][source]
    values = [v for v in (r["article_recall"], r["article_recall_real"]) if v is not None]
    assert values and min(values) >= 0.90, r


@pytest.mark.parametrize("source", [pytest.param(s, marks=_mark("fpr", s)) for s in HUMAN])
def test_each_human_source_is_rarely_flagged_at_article_level(transfer, source):
    r = transfer["human_sources"][source]
    values = [v for v in (r["article_fpr"], r["article_fpr_real"]) if v is not None]
    assert values and max(values) <= 0.05, r


def test_sentence_matrix_mean_auc_does_not_fall(transfer):
    aucs = [c["roc_auc"] for c in transfer["cells"] if c["mt"] in V5_MT and c["human"] in V5_HUMAN
            and c["roc_auc"] is not None]
    assert len(aucs) == len(V5_MT) * len(V5_HUMAN)
    assert sum(aucs) / len(aucs) >= V5_MEAN_AUC
