"""The baselines mtdetect is compared with, and mtdetect's own classifier fitted on chosen columns.

(a) 1 - chrF to the reference, (b) embedding cosine (read from the feature matrix), (c) a
candidate-only char/word n-gram classifier, (d) a TSRT-style round-trip stability score.
"""

from __future__ import annotations

import time
from typing import Any, Sequence

import numpy as np

from ..features import feature_names
from ..features.similarity import chrf
from ..pairs import Pair
from ..train import TrainConfig, make_classifier
from .config import METHODS, Sizes, step
from .evaluation import Fold, Scorer, evaluate, fold_thresholds
from .tables import rows_table


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


def fit_mtdetect(X: np.ndarray, y: np.ndarray, w: np.ndarray, cols: np.ndarray, tc: TrainConfig) -> Scorer:
    """mtdetect's classifier (uncalibrated; calibration does not change the ranking) on columns `cols`."""
    names = feature_names()
    clf = make_classifier(tc, [names[i] for i in cols]).fit(X[:, cols], y, sample_weight=w)
    return lambda Z: clf.predict_proba(np.asarray(Z)[:, cols])[:, 1]


def tsrt_scores(references: Sequence[str], candidates: Sequence[str], pivot: str = "es") -> np.ndarray:
    """Baseline (d), after TSRT (Nguyen-Son et al. 2021): MT changes less on a further round trip.

    score = chrF(candidate, RT(candidate)) - chrF(reference, RT(reference)), RT through Apertium.
    """
    from ..roundtrip import roundtrip

    texts = sorted(set(references) | set(candidates))
    back = dict(zip(texts, roundtrip(texts, pivot)))
    return np.array([chrf(back[c], c) - chrf(back[r], r) for r, c in zip(references, candidates)])


def bench_tsrt(y: np.ndarray, P: list[Pair], dataset: np.ndarray, folds: list[Fold], scores: dict[str, np.ndarray],
               sizes: Sizes, seed: int, notes: list[str]) -> dict | None:
    """TSRT baseline on a per-dataset subsample (half human, half MT), next to every other method."""
    from ..roundtrip import RoundTripError, available_pivots

    if sizes.tsrt_per_dataset <= 0:
        return None
    if "es" not in available_pivots():
        notes.append("TSRT baseline skipped: Apertium with the en-es pair is not installed.")
        return None
    rng = np.random.default_rng(seed)
    pick: list[int] = []
    for f in folds:
        for label in (0, 1):
            idx = f.test[y[f.test] == label]
            pick += rng.choice(idx, min(len(idx), sizes.tsrt_per_dataset // 2), replace=False).tolist()
    sub = np.array(sorted(pick))
    step(f"bench: TSRT round trips of {len(sub)} pairs (Apertium es)")
    t0 = time.perf_counter()
    try:
        tsrt = tsrt_scores([P[i].reference for i in sub], [P[i].candidate for i in sub])
    except RoundTripError as exc:
        notes.append(f"TSRT baseline skipped: {exc}")
        return None
    seconds = time.perf_counter() - t0
    ys, ds = y[sub], dataset[sub]
    sc = {m: scores[m][sub] for m in METHODS} | {"TSRT": tsrt}
    sfolds = [Fold(f.name, np.flatnonzero(ds != f.name), np.flatnonzero(ds == f.name)) for f in folds]
    thr = {m: fold_thresholds(sfolds, ys, s) for m, s in sc.items()}
    rows = [evaluate("tsrt", "all datasets (subsample)", np.ones(len(sub), bool), ys, sc, thr)]
    rows += [evaluate("tsrt", f.name, ds == f.name, ys, sc, thr) for f in folds]
    return {"rows": rows, "n": int(len(sub)), "seconds": round(seconds, 1)}


def render_tsrt(h: dict) -> list[str]:
    """The TSRT baseline section (subsample)."""
    if not h.get("tsrt"):
        return []
    ts = h["tsrt"]
    return ["## TSRT-style round-trip stability baseline (subsample)", "",
            f"{ts['n']} held-out pairs (half human, half MT per dataset) round-tripped again through Apertium es "
            f"({ts['seconds']} s); score = chrF(c, RT(c)) − chrF(r, RT(r)). All methods on the same pairs. Note that "
            "Apertium-es round trips are favourable to this baseline (their second round trip is nearly idempotent).",
            "", rows_table(ts["rows"], METHODS + ("TSRT",)), ""]
