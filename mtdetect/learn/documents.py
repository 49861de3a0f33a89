"""Documents for the article model: the training rows grouped into real documents (whole) and
pseudo-documents (protocol.documents), each with the evidence that does not depend on the
sentence model (features/article.py), and, when a learn/shift.HeldOutShift is given, its
translationese shift held out by source (pooled: without its own source's domain; in a
matrix cell: without the cell's two sources' domains)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Sequence

import numpy as np

from mtdetect.detect.article import ARTICLE_FEATURES, WITH_SHIFT, ArticleModel, DocEvidence, fit_article_model
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
    sentences: list[tuple[list[str], list[str]]] | None = None  # (suspect, reference) sentences of each
    shift: Any = None  # learn/shift.HeldOutShift; None: no translationese shift

    def __post_init__(self) -> None:
        self._pooled = [self.shift_of(k, (g,)) for k, g in enumerate(self.groups)] if self.shift else None

    @property
    def features(self) -> tuple[str, ...]:
        return WITH_SHIFT if self.shift is not None else ARTICLE_FEATURES

    def shift_of(self, k: int, left_out: Sequence[str]) -> float | None:
        """Document k's translationese shift from a reference-free model without `left_out`'s domains."""
        if self.shift is None or self.sentences is None:
            return None
        sus, ref = self.sentences[k]
        return self.shift.shift(sus, ref, left_out)

    def evidence(self, k: int, p: np.ndarray, left_out: Sequence[str] | None = None) -> DocEvidence:
        """Document k's evidence; its shift pooled (held out from its own source), or held out
        from the sources `left_out` (a matrix cell's two)."""
        shift = self._pooled[k] if self._pooled is not None and left_out is None else self.shift_of(k, left_out or ())
        return DocEvidence(tuple(float(x) for x in p), self.structure[k], self.pairs[k], shift)

    def fit(self, idx: Sequence[int], held_out: np.ndarray, threshold: float) -> ArticleModel | None:
        """The article model on documents `idx` (None unless both classes are there)."""
        idx = list(idx)
        if len({int(self.labels[k]) for k in idx}) < 2:
            return None
        return fit_article_model([self.evidence(k, held_out[self.rows[k]]) for k in idx],
                                 [int(self.labels[k]) for k in idx], [self.groups[k] for k in idx], threshold,
                                 features=self.features)


def build_documents(pairs: Sequence[Pair], y: np.ndarray, groups: Sequence[str], held_out: np.ndarray, seed: int,
                    structures: dict | None = None, shift: Any = None, sentences: dict | None = None) -> Documents:
    """protocol.documents over the rows with a held-out probability (a pair's `doc`, else
    `doc_id`); a (group, doc) in `structures` is a real document, kept whole. `shift`: a
    learn/shift.HeldOutShift; a document's shift reads all its sentences when `sentences`
    ((group, doc) -> (suspect, reference) sentences) has them, else its pairs' two sides."""
    structures = structures or {}
    keys = [str(p.meta.get("doc") or p.meta.get("doc_id") or "") for p in pairs]
    rows = documents(list(groups), keys, [_position(p) for p in pairs], np.flatnonzero(~np.isnan(held_out)), seed,
                     real=set(structures))
    struct = [structures.get((str(groups[int(d[0])]), keys[int(d[0])])) for d in rows]
    ev = [pair_evidence([(pairs[int(i)].reference, pairs[int(i)].candidate) for i in d],
                        [_position(pairs[int(i)]) for i in d]) for d in rows]
    sides = None
    if shift is not None:
        sentences = sentences or {}
        sides = [sentences.get((str(groups[int(d[0])]), keys[int(d[0])]))
                 or ([pairs[int(i)].candidate for i in d], list(dict.fromkeys(pairs[int(i)].reference for i in d)))
                 for d in rows]
    return Documents(rows, np.array([int(y[d[0]]) for d in rows]), [str(groups[int(d[0])]) for d in rows],
                     struct, [{k: v for k, v in e.items() if k != "altered"} for e in ev], sides, shift)


def source_matrix(y: np.ndarray, pairs: Sequence[Pair], groups: Sequence[str], fit: Fit, threshold: float,
                  seed: int, structures: dict | None = None, shift: Any = None, sentences: dict | None = None,
                  matrix: tuple | None = None) -> tuple[dict | None, ArticleModel | None]:
    """The (MT source, human source) leave-one-source-out matrix (protocol.py), at sentence and
    article level, and the article model fitted on documents of the pooled held-out
    probabilities. None when the groups are not sources (all of one class each, at most
    protocol.MAX_SOURCES of them). `shift`, `sentences`: the translationese shift as article
    evidence (build_documents); `matrix`: run_matrix's result, when already computed (the same
    sentence probabilities judged with and without the shift)."""
    mt, human = sources_by_class(groups, y)
    if not mt or not human or len(set(groups)) > MAX_SOURCES:
        return None, None
    log(f"transfer evaluation: leave one source out ({len(mt)} MT x {len(human)} human sources)")
    cells, pooled, scored = matrix or run_matrix(y, groups, fit, threshold, progress=log)
    docs = build_documents(pairs, y, groups, pooled, seed, structures, shift, sentences)

    def fit_article(idx: list[int], cell: Any):  # type: ignore[no-untyped-def]
        am = docs.fit(idx, pooled, threshold)
        if am is None:
            return lambda k, p: float(np.mean(p >= threshold))
        return lambda k, p: am.predict(docs.evidence(k, p, (cell.mt, cell.human)))

    cells = article_cells(cells, scored, docs.rows, y, groups, [s is not None for s in docs.structure], fit_article,
                          progress=log)
    am = docs.fit(range(len(docs.rows)), pooled, threshold)
    out = {"what": "leave one source out: each (MT source, human source) cell is scored by a model trained "
                   "on every other source, its documents judged by an article model fitted on the documents "
                   "of every other source (mtdetect/learn/protocol.py)",
           "threshold": threshold, "cells": [c.to_dict() for c in cells], **summary(cells),
           "n_article_docs": len(docs.rows), "n_real_docs": sum(s is not None for s in docs.structure)}
    return out, am
