"""Documents for the article model: the training rows grouped into real documents (whole) and
pseudo-documents (protocol.documents), each with the evidence that does not depend on the
sentence model (features/article.py)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np

from mtdetect.detect.article import ArticleModel, DocEvidence, fit_article_model
from mtdetect.features.article import pair_evidence
from mtdetect.inputs.pairs import Pair
from mtdetect.learn.protocol import (MAX_SOURCES, Fit, article_cells, documents, run_matrix, sources_by_class,
                                     summary)
from mtdetect.report.progress import log


def _position(p: Pair) -> int:
    """A pair's place in its document (`pos`, else `seg_id`; 0 when neither is a number)."""
    try:
        return int(p.meta.get("pos") or p.meta.get("seg_id") or 0)
    except (TypeError, ValueError):
        return 0


@dataclass
class Documents:
    """Documents of the rows that have a held-out probability, and each one's evidence that does
    not depend on the sentence model: structure (real documents only) and pair evidence."""

    rows: list[np.ndarray]
    labels: np.ndarray
    groups: list[str]
    structure: list[dict | None]
    pairs: list[dict]

    def evidence(self, k: int, p: np.ndarray) -> DocEvidence:
        return DocEvidence(tuple(float(x) for x in p), self.structure[k], self.pairs[k])

    def fit(self, idx: Sequence[int], held_out: np.ndarray, threshold: float) -> ArticleModel | None:
        """The article model on documents `idx` (None unless both classes are there)."""
        idx = list(idx)
        if len({int(self.labels[k]) for k in idx}) < 2:
            return None
        return fit_article_model([self.evidence(k, held_out[self.rows[k]]) for k in idx],
                                 [int(self.labels[k]) for k in idx], [self.groups[k] for k in idx], threshold)


def build_documents(pairs: Sequence[Pair], y: np.ndarray, groups: Sequence[str], held_out: np.ndarray, seed: int,
                    structures: dict | None = None) -> Documents:
    """protocol.documents over the rows with a held-out probability (a pair's `doc`, else
    `doc_id`); a (group, doc) in `structures` is a real document, kept whole."""
    structures = structures or {}
    keys = [str(p.meta.get("doc") or p.meta.get("doc_id") or "") for p in pairs]
    rows = documents(list(groups), keys, [_position(p) for p in pairs], np.flatnonzero(~np.isnan(held_out)), seed,
                     real=set(structures))
    struct = [structures.get((str(groups[int(d[0])]), keys[int(d[0])])) for d in rows]
    ev = [pair_evidence([(pairs[int(i)].reference, pairs[int(i)].candidate) for i in d],
                        [_position(pairs[int(i)]) for i in d]) for d in rows]
    return Documents(rows, np.array([int(y[d[0]]) for d in rows]), [str(groups[int(d[0])]) for d in rows],
                     struct, [{k: v for k, v in e.items() if k != "altered"} for e in ev])


def source_matrix(y: np.ndarray, pairs: Sequence[Pair], groups: Sequence[str], fit: Fit, threshold: float,
                  seed: int, structures: dict | None = None) -> tuple[dict | None, ArticleModel | None]:
    """The (MT source, human source) leave-one-source-out matrix (protocol.py), at sentence and
    article level, and the article model fitted on documents of the pooled held-out
    probabilities. None when the groups are not sources (all of one class each, at most
    protocol.MAX_SOURCES of them)."""
    mt, human = sources_by_class(groups, y)
    if not mt or not human or len(set(groups)) > MAX_SOURCES:
        return None, None
    log(f"transfer evaluation: leave one source out ({len(mt)} MT x {len(human)} human sources)")
    cells, pooled, scored = run_matrix(y, groups, fit, threshold, progress=log)
    docs = build_documents(pairs, y, groups, pooled, seed, structures)

    def fit_article(idx: list[int]):  # type: ignore[no-untyped-def]
        am = docs.fit(idx, pooled, threshold)
        if am is None:
            return lambda k, p: float(np.mean(p >= threshold))
        return lambda k, p: am.predict(docs.evidence(k, p))

    cells = article_cells(cells, scored, docs.rows, y, groups, [s is not None for s in docs.structure], fit_article,
                          progress=log)
    am = docs.fit(range(len(docs.rows)), pooled, threshold)
    out = {"what": "leave one source out: each (MT source, human source) cell is scored by a model trained "
                   "on every other source, its documents judged by an article model fitted on the documents "
                   "of every other source (mtdetect/learn/protocol.py)",
           "threshold": threshold, "cells": [c.to_dict() for c in cells], **summary(cells),
           "n_article_docs": len(docs.rows), "n_real_docs": sum(s is not None for s in docs.structure)}
    return out, am
