"""The baselines mtdetect is compared with, on the cells of the leave-one-source-out matrix.

(a) 1 - chrF to the reference and (b) the cosine of the two sentence embeddings
(embed.pair_cosines; no longer a feature since v5): training-free scores; (c) a
candidate-only char/word n-gram classifier that never sees the reference, fitted per cell
on the same training sources as mtdetect's cell model (it can only learn what a source's
text looks like: genre, topic, casing).
"""

from __future__ import annotations

from typing import Any, Sequence

import numpy as np

from mtdetect.features.similarity import chrf
from mtdetect.learn.metrics import pick_threshold
from mtdetect.inputs.pairs import Pair
from mtdetect.learn.protocol import run_matrix, summary
from mtdetect.learn.train import sample_weights
from mtdetect.bench.config import step
from mtdetect.bench.evaluation import Scorer


def chrf_scores(references: Sequence[str], candidates: Sequence[str]) -> np.ndarray:
    """Baseline (a): 1 - chrF(candidate, reference); a loose paraphrase scores high."""
    return np.array([1.0 - chrf(c, r) for r, c in zip(references, candidates)])


def make_ngram_classifier(seed: int = 13, min_df: int = 2) -> Any:
    """Baseline (c): candidate-only char 1-4 + word 1-2 TF-IDF n-grams, logistic regression."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline, make_union

    return make_pipeline(
        make_union(
            TfidfVectorizer(analyzer="char", ngram_range=(1, 4), min_df=min_df, sublinear_tf=True, max_features=300_000),
            TfidfVectorizer(analyzer="word", ngram_range=(1, 2), min_df=min_df, sublinear_tf=True, max_features=300_000),
        ),
        LogisticRegression(C=4.0, solver="liblinear", max_iter=2000, random_state=seed),
    )


def fit_ngram(texts: Sequence[str], y: np.ndarray, w: np.ndarray | None = None, seed: int = 13) -> Scorer:
    """Fit the n-gram baseline; returns a function candidates -> score."""
    clf = make_ngram_classifier(seed, min_df=2 if len(texts) >= 200 else 1)
    clf.fit(list(texts), y, logisticregression__sample_weight=w)
    return lambda xs: clf.predict_proba(list(xs))[:, 1]


def baseline_scores(pairs: Sequence[Pair], cosines: np.ndarray) -> dict[str, np.ndarray]:
    """The training-free baselines' score of every pair, in [0, 1] (the protocol's metrics read
    scores as probabilities; rescaling keeps the ranking)."""
    return {"1-chrF": np.clip(chrf_scores([p.reference for p in pairs], [p.candidate for p in pairs]), 0.0, 1.0),
            "cosine": np.clip((np.asarray(cosines, dtype=float) + 1.0) / 2.0, 0.0, 1.0)}


def baseline_matrix(pairs: Sequence[Pair], y: np.ndarray, groups: Sequence[str], cosines: np.ndarray,
                    ngram: bool, seed: int) -> dict[str, Any]:
    """Each baseline on every (MT source, human source) cell (AUC per cell, as mtdetect's), and a
    threshold per baseline for rows scored outside the matrix (--pairs, seed sentences): picked
    (Youden) on the whole sample for the training-free scores, on the pooled held-out cell
    scores for the n-gram classifier, which is then refitted on the whole sample."""
    scores = baseline_scores(pairs, cosines)
    out: dict[str, Any] = {"cells": {}, "summary": {}, "thresholds": {}}
    for name, s in scores.items():
        cells, _, _ = run_matrix(y, groups, lambda train, s=s: (lambda rows: s[rows]))
        out["cells"][name] = [c.to_dict() for c in cells]
        out["summary"][name] = {k: summary(cells)[k] for k in ("min_roc_auc", "mean_roc_auc")}
        out["thresholds"][name] = pick_threshold(y, s)
    out["_ngram"] = None
    if ngram:
        cands = [p.candidate for p in pairs]

        def fit(train: np.ndarray) -> Any:
            sc = fit_ngram([cands[i] for i in train], y[train], sample_weights([pairs[i] for i in train], y[train]),
                           seed)
            return lambda rows: sc([cands[i] for i in rows])

        step("bench: n-gram baseline on every cell")
        cells, pooled, _ = run_matrix(y, groups, fit)
        out["cells"]["n-gram"] = [c.to_dict() for c in cells]
        out["summary"]["n-gram"] = {k: summary(cells)[k] for k in ("min_roc_auc", "mean_roc_auc")}
        covered = ~np.isnan(pooled)
        out["thresholds"]["n-gram"] = pick_threshold(y[covered], pooled[covered])
        whole = fit_ngram(cands, y, sample_weights(list(pairs), y), seed)
        out["_ngram"] = whole
    return out
