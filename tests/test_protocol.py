"""The leave-one-source-out protocol and the source loader, on tiny synthetic data."""

from __future__ import annotations

import gzip
import json

import numpy as np
import pytest

from mtdetect.learn.protocol import article_cells, documents, run_matrix, sources_by_class, summary
from mtdetect.learn.sources import Caps, load_sources


def _toy(shift_human_b: float = 0.0):
    """Two MT and two human sources; feature 0 separates the classes, except where shifted."""
    rng = np.random.default_rng(0)
    groups, X, y = [], [], []
    for name, label, mu in [("a:mt1", 1, 1.0), ("b:mt2", 1, 1.0), ("a:h1", 0, -1.0), ("b:h2", 0, -1.0 + shift_human_b)]:
        for _ in range(60):
            groups.append(name)
            X.append([rng.normal(mu, 0.5), rng.normal()])
            y.append(label)
    return np.array(X), np.array(y), groups


def _fit_mean_rule(X, y):
    def fit(train):
        mid = (X[train][y[train] == 1, 0].mean() + X[train][y[train] == 0, 0].mean()) / 2
        return lambda rows: 1 / (1 + np.exp(-4 * (X[rows, 0] - mid)))
    return fit


def test_sources_by_class_ignores_mixed_groups():
    y = np.array([1, 1, 0, 0, 1, 0])
    assert sources_by_class(["m", "m", "h", "h", "x", "x"], y) == (["m"], ["h"])


def test_every_cell_leaves_both_sources_out():
    X, y, groups = _toy()
    seen = []

    def fit(train):
        seen.append(set(np.asarray(groups)[train].tolist()))
        return _fit_mean_rule(X, y)(train)

    cells, pooled, scored = run_matrix(y, groups, fit)
    assert [(c.mt, c.human) for c in cells] == [("a:mt1", "a:h1"), ("a:mt1", "b:h2"), ("b:mt2", "a:h1"),
                                                ("b:mt2", "b:h2")]
    for c, s in zip(cells, seen):
        assert c.mt not in s and c.human not in s and len(s) == 2
    assert not np.isnan(pooled).any()
    assert all(c.roc_auc > 0.95 and c.recall > 0.9 and c.fpr < 0.1 for c in cells)


def test_a_human_source_that_looks_like_mt_is_the_matrix_minimum():
    X, y, groups = _toy(shift_human_b=2.2)  # b:h2 sits on the MT side of the boundary
    cells, _, _ = run_matrix(y, groups, _fit_mean_rule(X, y))
    s = summary(cells)
    assert s["human_sources"]["b:h2"]["fpr"] > 0.5 and s["human_sources"]["a:h1"]["fpr"] < 0.1
    assert s["min_roc_auc"] == min(c.roc_auc for c in cells) < 0.8


def test_documents_are_single_source_runs_in_order():
    groups = ["s"] * 12 + ["t"] * 3
    docs = ["d"] * 12 + ["d"] * 3
    segs = list(range(12, 0, -1)) + [0, 1, 2]
    out = documents(groups, docs, segs, np.arange(15))
    assert out and all(len({groups[i] for i in d}) == 1 for d in out)
    assert all(5 <= len(d) <= 25 for d in out)  # "t" has too few sentences for a document
    first = out[0]
    assert [segs[i] for i in first] == sorted(segs[i] for i in first)


def test_article_cells_use_each_cells_probabilities_and_a_judge_fitted_without_its_sources():
    X, y, groups = _toy()
    cells, _, scored = run_matrix(y, groups, _fit_mean_rule(X, y))
    docs = documents(groups, ["d"] * len(y), list(range(len(y))), np.arange(len(y)))
    src = [groups[int(d[0])] for d in docs]
    seen = []

    def fit_article(idx, cell):
        seen.append({src[k] for k in idx})
        return lambda k, p: float(np.mean(p))

    filled = article_cells(cells, scored, docs, y, groups, [False] * len(docs), fit_article)
    assert all(c.article_accuracy == 1.0 and c.n_docs > 0 for c in filled)
    assert all(c.article_recall == 1.0 and c.article_fpr == 0.0 and c.article_recall_real is None for c in filled)
    assert all({c.mt, c.human}.isdisjoint(s) for c, s in zip(filled, seen))  # held out at article level too


def test_real_documents_are_kept_whole():
    groups, docs = ["s"] * 40, ["a"] * 40
    out = documents(groups, docs, list(range(40)), np.arange(40), real={("s", "a")})
    assert len(out) == 1 and len(out[0]) == 40


def _write(path, rows):
    with gzip.open(path, "wt", encoding="utf-8") as fh:
        for r in rows:
            fh.write(json.dumps(r) + "\n")


def test_load_sources_tags_domain_and_producer(tmp_path):
    shared, work = tmp_path / "shared", tmp_path / "work"
    shared.mkdir()
    work.mkdir()
    _write(shared / "tweets_opusmt_roundtrips.jsonl.gz", [
        {"reference": f"Tweet number {i} is here", "candidate": f"Tweet nr {i} is here", "label": "mt",
         "pivot": "de", "doc_id": f"tweet{i}"} for i in range(5)])
    _write(shared / "asset_human_rewrites.jsonl.gz", [
        {"reference": "A long sentence about a county.", "candidate": "A sentence about a county.",
         "label": "human", "seg_id": 1, "annotator_slot": 0},
        {"reference": "Same.", "candidate": "Same.", "label": "human", "seg_id": 2, "annotator_slot": 0}])
    _write(work / "roundtrips-asset.jsonl.gz", [
        {"reference": "A long sentence about a county.", "candidate": "A long sentence on a county.",
         "label": "mt", "pivot": "fr_es", "dataset": "asset", "seg_id": 1}])
    pairs, notes = load_sources(shared, work, Caps(tweets=3))
    by = {}
    for p in pairs:
        by.setdefault(p.meta["group"], []).append(p)
    assert set(by) == {"tweets:opus-mt", "wikipedia:crowd", "wikipedia:apertium"}
    assert len(by["tweets:opus-mt"]) == 3  # capped
    assert len(by["wikipedia:crowd"]) == 1  # the identical rewrite is a copy, not a training pair
    assert by["wikipedia:apertium"][0].label == 1 and by["wikipedia:crowd"][0].label == 0
    assert any("asap-pairs" in n for n in notes)


@pytest.mark.parametrize("seed", [1, 2])
def test_load_sources_is_deterministic(tmp_path, seed):
    shared, work = tmp_path / "s", tmp_path / "w"
    shared.mkdir()
    work.mkdir()
    _write(shared / "tweets_opusmt_roundtrips.jsonl.gz", [
        {"reference": f"Tweet {i} here now", "candidate": f"Tweet {i} here", "label": "mt", "pivot": p,
         "doc_id": f"tweet{i}"} for i in range(20) for p in ("de", "ru")])
    a, _ = load_sources(shared, work, Caps(tweets=6, seed=seed))
    b, _ = load_sources(shared, work, Caps(tweets=6, seed=seed))
    assert [p.candidate for p in a] == [p.candidate for p in b]
    assert sorted(p.meta["pivot"] for p in a) == ["de"] * 3 + ["ru"] * 3  # spread over the pivots
