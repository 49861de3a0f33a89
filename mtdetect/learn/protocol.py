"""The evaluation protocol: leave one source out, for every (MT source, human source) pair.

A *source* is a domain and a producer: "essays:gt-fr" (Google Translate round trips of
student essays via French), "wikipedia:apertium" (Apertium round trips of Wikipedia
sentences), "bible:BBE" (the Bible in Basic English, a human retranslation of the KJV),
"news:human" (independent human translations of WMT news). Training pairs name their
source in the `group` field.

For each cell (MT source m, human source h) a model is trained on every other source (m
and h both left out) and scores m and h: ROC-AUC of m against h, recall on m and
false-positive rate on h at the shipped threshold, and article accuracy on documents of m
and h (real documents where the data has them, e.g. essays; else pseudo-documents of
consecutive sentences of one source, 5-25 long). The minimum over the matrix is the
headline: a model that only works where its training data resembles the test shows up as
a low cell.

Each row's *pooled* held-out probability is the mean over the cells that left its source
out; the article model (transfer.ArticleModel) is fitted on documents of those.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Sequence

import numpy as np

from mtdetect.learn.metrics import binary_metrics

Fit = Callable[[np.ndarray], Callable[[np.ndarray], np.ndarray]]
MAX_SOURCES = 40  # more groups than this are folds (e.g. documents), not sources: no matrix
DOC_MIN, DOC_MAX = 5, 25


@dataclass(frozen=True)
class Cell:
    """The held-out result of one (MT source, human source) pair."""

    mt: str
    human: str
    roc_auc: float | None
    recall: float | None
    fpr: float | None
    n_mt: int
    n_human: int
    article_accuracy: float | None = None
    n_docs: int = 0

    def to_dict(self) -> dict:
        return {k: (round(v, 4) if isinstance(v, float) else v) for k, v in self.__dict__.items()}


def sources_by_class(groups: Sequence[str], y: np.ndarray) -> tuple[list[str], list[str]]:
    """(MT sources, human sources): the groups whose pairs are all MT / all human."""
    g = np.asarray(groups)
    mt, human = [], []
    for name in sorted(set(g.tolist())):
        labels = set(y[g == name].tolist())
        if labels == {1}:
            mt.append(name)
        elif labels == {0}:
            human.append(name)
    return mt, human


def domain_of(source: str) -> str:
    return source.split(":", 1)[0]


def documents(groups: Sequence[str], docs: Sequence[str], segs: Sequence[int], rows: np.ndarray,
              seed: int = 13) -> list[np.ndarray]:
    """Single-source documents over `rows`: a real document (same group and doc id) in
    segment order, cut into pseudo-documents of DOC_MIN..DOC_MAX sentences (seeded lengths)."""
    rng = np.random.default_rng(seed)
    by_doc: dict[tuple[str, str], list[int]] = {}
    for i in rows:
        by_doc.setdefault((groups[i], docs[i]), []).append(int(i))
    out: list[np.ndarray] = []
    for key in sorted(by_doc):
        members = sorted(by_doc[key], key=lambda i: (segs[i], i))
        start = 0
        while len(members) - start >= DOC_MIN:
            n = int(rng.integers(DOC_MIN, DOC_MAX + 1))
            out.append(np.array(members[start : start + n]))
            start += n
    return out


def run_matrix(y: np.ndarray, groups: Sequence[str], fit: Fit, threshold: float = 0.5,
               progress: Callable[[str], None] | None = None) -> tuple[list[Cell], np.ndarray, list]:
    """Fit and score every cell; returns the cells (article accuracy not yet filled), the
    pooled held-out probability of each row (NaN for rows of no cell), and each cell's
    (test rows, probabilities) for the article step."""
    g = np.asarray(groups)
    mt_sources, human_sources = sources_by_class(groups, y)
    sums, counts = np.zeros(len(y)), np.zeros(len(y))
    cells: list[Cell] = []
    scored: list[tuple[np.ndarray, np.ndarray]] = []
    for k, m in enumerate(mt_sources):
        for h in human_sources:
            test = np.flatnonzero((g == m) | (g == h))
            train = np.flatnonzero((g != m) & (g != h))
            if len(set(y[train].tolist())) < 2:
                continue
            if progress:
                progress(f"left out {m} + {h} ({k + 1}/{len(mt_sources)} MT sources)")
            p = fit(train)(test)
            sums[test] += p
            counts[test] += 1
            met = binary_metrics(y[test], p, threshold)
            yt = y[test]
            cells.append(Cell(m, h, met.get("roc_auc"),
                              float(np.mean(p[yt == 1] >= threshold)), float(np.mean(p[yt == 0] >= threshold)),
                              int((yt == 1).sum()), int((yt == 0).sum())))
            scored.append((test, p))
    pooled = np.where(counts > 0, sums / np.maximum(counts, 1), np.nan)
    return cells, pooled, scored


def article_accuracy(cells: list[Cell], scored: list, docs: list[np.ndarray], y: np.ndarray,
                     article_p: Callable[[np.ndarray], float]) -> list[Cell]:
    """Fill each cell's article accuracy: its sources' documents, scored with that cell's
    sentence probabilities and aggregated by `article_p` (p_article >= 0.5 means MT)."""
    doc_of = {int(d[0]): d for d in docs}
    out = []
    for cell, (test, p) in zip(cells, scored):
        prob = dict(zip(test.tolist(), p.tolist()))
        hits = []
        for first, d in doc_of.items():
            if first in prob:
                hits.append(int(article_p(np.array([prob[int(i)] for i in d])) >= 0.5) == int(y[first]))
        acc = float(np.mean(hits)) if hits else None
        out.append(Cell(**{**cell.__dict__, "article_accuracy": acc, "n_docs": len(hits)}))
    return out


def summary(cells: Sequence[Cell]) -> dict[str, Any]:
    """Headline numbers: minima over the matrix, and per source the worst cell it is in."""
    def worst(values: list, lowest: bool = True) -> float | None:
        vals = [v for v in values if v is not None]
        return (min(vals) if lowest else max(vals)) if vals else None

    per_mt = {c.mt: [] for c in cells}
    per_h = {c.human: [] for c in cells}
    for c in cells:
        per_mt[c.mt].append(c)
        per_h[c.human].append(c)
    return {
        "min_roc_auc": worst([c.roc_auc for c in cells]),
        "mean_roc_auc": round(float(np.mean([c.roc_auc for c in cells if c.roc_auc is not None])), 4) if cells else None,
        "min_article_accuracy": worst([c.article_accuracy for c in cells]),
        "mt_sources": {m: {"recall": round(float(np.mean([c.recall for c in cs])), 4),
                           "min_roc_auc": worst([c.roc_auc for c in cs])} for m, cs in per_mt.items()},
        "human_sources": {h: {"fpr": round(float(np.mean([c.fpr for c in cs])), 4),
                              "min_roc_auc": worst([c.roc_auc for c in cs])} for h, cs in per_h.items()},
    }
