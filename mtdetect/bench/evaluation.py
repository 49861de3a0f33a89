"""Cross-fitting over folds, per-fold thresholds, and one table row of every method's metrics."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Sequence

import numpy as np

from ..metrics import binary_metrics, pick_threshold

Scorer = Callable[[Any], np.ndarray]


@dataclass
class Fold:
    name: str
    train: np.ndarray
    test: np.ndarray


def cross_fit(folds: Sequence[Fold], fit: Callable[[np.ndarray], Scorer], take: Callable[[np.ndarray], Any],
              n: int) -> tuple[np.ndarray, list[Scorer]]:
    """Held-out score of every test row (NaN elsewhere) and the fitted scorer of each fold."""
    oof = np.full(n, np.nan)
    scorers = []
    for f in folds:
        scorer = fit(f.train)
        oof[f.test] = scorer(take(f.test))
        scorers.append(scorer)
    return oof, scorers


def fold_thresholds(folds: Sequence[Fold], y: np.ndarray, scores: np.ndarray, ref: np.ndarray | None = None) -> np.ndarray:
    """Per-row threshold: the Youden threshold picked on the fold's *training* rows.

    `ref` gives the held-out scores of the training rows (the main cross-fit), when `scores`
    does not cover them.
    """
    ref = scores if ref is None else ref
    thr = np.full(len(y), np.nan)
    for f in folds:
        tr = f.train[~np.isnan(ref[f.train])]
        thr[f.test] = pick_threshold(y[tr], ref[tr]) if len(tr) else 0.5
    return thr


def row_metrics(y: np.ndarray, s: np.ndarray, thr: np.ndarray | float) -> dict:
    """ROC-AUC / PR-AUC of the scores; F1, recall, FPR of the flags s >= thr (thr may vary by row)."""
    lo, hi = (float(np.min(s)), float(np.max(s))) if len(s) else (0.0, 1.0)
    m = binary_metrics(y, (s - lo) / (hi - lo) if hi > lo else np.zeros(len(s)), 0.5)  # monotone: same AUCs
    flags = binary_metrics(y, (s >= thr).astype(float), 0.5)
    out = {k: m[k] for k in ("n", "n_mt", "roc_auc", "pr_auc")}
    out.update({k: flags[k] for k in ("f1", "recall", "false_positive_rate")})
    return out


def evaluate(section: str, name: str, mask: np.ndarray, y: np.ndarray, scores: dict[str, np.ndarray],
             thr: dict[str, np.ndarray], note: str = "") -> dict:
    """One table row: every method's metrics on the same rows."""
    m = mask & ~np.isnan(scores["mtdetect"])
    row = {"section": section, "name": name, "n": int(m.sum()), "n_mt": int(y[m].sum()), "note": note, "methods": {}}
    for method, s in scores.items():
        t = thr[method] if np.ndim(thr[method]) == 0 else thr[method][m]
        row["methods"][method] = row_metrics(y[m], s[m], t) if m.any() else None
    return row


def roc_points(y: np.ndarray, s: np.ndarray) -> dict:
    from sklearn.metrics import roc_curve

    if len(set(y.tolist())) < 2:
        return {"fpr": [], "tpr": []}
    fpr, tpr, _ = roc_curve(y, s)
    keep = np.unique(np.linspace(0, len(fpr) - 1, min(len(fpr), 200)).astype(int))  # enough to draw
    return {"fpr": fpr[keep].round(4).tolist(), "tpr": tpr[keep].round(4).tolist()}
