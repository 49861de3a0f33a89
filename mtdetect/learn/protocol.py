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

At article level (`article_cells`) each cell is held out too: an article model fitted on the
documents of every *other* source (their pooled held-out probabilities) judges the cell's
documents, scored with the cell's sentence probabilities. Real documents (whole essays and
articles, aligned as a user's article is) and pseudo-documents (consecutive pairs of one
source) are reported apart: recall on the MT source's documents, false-positive rate on the
human source's.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Sequence

import numpy as np

from mtdetect.learn.metrics import binary_metrics

Fit = Callable[[np.ndarray], Callable[[np.ndarray], np.ndarray]]
MAX_SOURCES = 40  # more groups than this are folds (e.g. documents), not sources: no matrix
DOC_MIN, DOC_MAX = 5, 25
REAL_MIN = 3  # a real document needs this many scored sentences to be judged


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
    article_recall: float | None = None  # share of the MT source's pseudo-documents judged MT
    article_fpr: float | None = None  # share of the human source's pseudo-documents judged MT
    article_recall_real: float | None = None  # the same on real documents (None: the source has none)
    article_fpr_real: float | None = None
    n_docs_real: int = 0

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
              seed: int = 13, real: frozenset | set = frozenset()) -> list[np.ndarray]:
    """Single-source documents over `rows`, in segment order: a real document ((group, doc id)
    in `real`) whole, any other run of one (group, doc id) cut into pseudo-documents of
    DOC_MIN..DOC_MAX sentences (seeded lengths)."""
    rng = np.random.default_rng(seed)
    by_doc: dict[tuple[str, str], list[int]] = {}
    for i in rows:
        by_doc.setdefault((groups[i], docs[i]), []).append(int(i))
    out: list[np.ndarray] = []
    for key in sorted(by_doc):
        members = sorted(by_doc[key], key=lambda i: (segs[i], i))
        if key in real:
            if len(members) >= REAL_MIN:
                out.append(np.array(members))
            continue
        start = 0
        while len(members) - start >= DOC_MIN:
            n = int(rng.integers(DOC_MIN, DOC_MAX + 1))
            out.append(np.array(members[start : start + n]))
            start += n
    return out


def leave_sources_out(sources: Sequence[str], left_out: Sequence[str], scope: np.ndarray | None = None,
                      with_test: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """THE leave-one-source-out split, for every model (boolean masks `train`, `test`).

    The test is the rows of the left-out sources; training is every row of every other source.
    `scope` (optional): the rows the test is drawn from, all kept out of training too (the
    reference-free model's half of a domain, so that no fold trains on one side of a pair it is
    tested on, nor on another pivot's round trip of the same original); `with_test`: rows of
    other sources tested alongside the left-out ones (the originals they are told from)."""
    src = np.asarray(sources)
    out = np.isin(src, list(left_out))
    train = ~out if scope is None else ~out & ~scope
    test = out if with_test is None else out | with_test
    return train, (test if scope is None else test & scope)


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
            train, test = (np.flatnonzero(k) for k in leave_sources_out(g, [m, h]))
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


def article_cells(cells: list[Cell], scored: list, docs: list[np.ndarray], y: np.ndarray, groups: Sequence[str],
                  real: Sequence[bool], fit_article: Callable[[list[int], Cell], Callable[[int, np.ndarray], float]],
                  progress: Callable[[str], None] | None = None) -> list[Cell]:
    """Each cell's article metrics, held out: `fit_article(train doc indices, cell)` returns a
    judge `(doc index, its sentence p) -> p_article` fitted on the documents of every other
    source; it judges the cell's documents with the cell's sentence probabilities (and any
    evidence of its own held out from the cell's two sources)."""
    src = [groups[int(d[0])] for d in docs]
    out = []
    for cell, (test, p) in zip(cells, scored):
        mine = [k for k in range(len(docs)) if src[k] in (cell.mt, cell.human)]
        judge = fit_article([k for k in range(len(docs)) if src[k] not in (cell.mt, cell.human)], cell)
        prob = dict(zip(test.tolist(), p.tolist()))
        res: dict[tuple[int, bool], list[int]] = {}
        for k in mine:
            if int(docs[k][0]) in prob:
                flag = int(judge(k, np.array([prob[int(i)] for i in docs[k]])) >= 0.5)
                res.setdefault((int(y[docs[k][0]]), bool(real[k])), []).append(flag)
        rate = lambda key: float(np.mean(res[key])) if res.get(key) else None  # noqa: E731
        hits = [f == c for (c, _), fs in res.items() for f in fs]
        out.append(Cell(**{**cell.__dict__, "article_accuracy": float(np.mean(hits)) if hits else None,
                           "n_docs": len(hits), "article_recall": rate((1, False)), "article_fpr": rate((0, False)),
                           "article_recall_real": rate((1, True)), "article_fpr_real": rate((0, True)),
                           "n_docs_real": sum(len(res.get((c, True), [])) for c in (0, 1))}))
        if progress:
            progress(f"articles: {cell.mt} + {cell.human}")
    return out


def _mean(values: list) -> float | None:
    vals = [v for v in values if v is not None]
    return round(float(np.mean(vals)), 4) if vals else None


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
                           "min_roc_auc": worst([c.roc_auc for c in cs]),
                           "article_recall": _mean([c.article_recall for c in cs]),
                           "min_article_recall": worst([c.article_recall for c in cs]),
                           "article_recall_real": _mean([c.article_recall_real for c in cs]),
                           "min_article_recall_real": worst([c.article_recall_real for c in cs])}
                       for m, cs in per_mt.items()},
        "human_sources": {h: {"fpr": round(float(np.mean([c.fpr for c in cs])), 4),
                              "min_roc_auc": worst([c.roc_auc for c in cs]),
                              "article_fpr": _mean([c.article_fpr for c in cs]),
                              "max_article_fpr": worst([c.article_fpr for c in cs], lowest=False),
                              "article_fpr_real": _mean([c.article_fpr_real for c in cs]),
                              "max_article_fpr_real": worst([c.article_fpr_real for c in cs], lowest=False)}
                          for h, cs in per_h.items()},
    }
