"""One table row of every method's metrics on the same pairs (the --pairs files, the seed sentences)."""

from __future__ import annotations

from typing import Any, Callable

import numpy as np

from mtdetect.learn.metrics import binary_metrics

Scorer = Callable[[Any], np.ndarray]


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
