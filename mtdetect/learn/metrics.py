"""The measures every evaluation uses (training, the model cards, the benchmark, the training
scripts): ROC-AUC, the decision threshold, binary metrics at a threshold, expected calibration
error and the Brier score."""

from __future__ import annotations

import numpy as np


def pick_threshold(y: np.ndarray, p: np.ndarray, rule: str = "youden") -> float:
    """Decision threshold chosen on held-out predictions.

    `fixed`: 0.5, the equal-cost Bayes decision for probabilities calibrated with balanced
    class weights (the default: a false accusation costs at least as much as a miss);
    `youden`: the threshold maximising TPR - FPR on held-out data (balanced accuracy).
    """
    if rule == "fixed" or len(set(y.tolist())) < 2:
        return 0.5
    if rule != "youden":
        raise ValueError(f"unknown threshold rule {rule!r}")
    from sklearn.metrics import roc_curve

    fpr, tpr, thr = roc_curve(y, p)
    best = int(np.argmax(tpr - fpr))
    return float(min(max(thr[best], 0.0), 1.0))


def auc(y, scores) -> float | None:
    """ROC-AUC rounded to 4 places; None when y holds one class only (no ranking to judge)."""
    from sklearn.metrics import roc_auc_score

    y = np.asarray(y)
    return round(float(roc_auc_score(y, scores)), 4) if len(set(y.tolist())) == 2 else None


def ece(conf: np.ndarray, correct: np.ndarray, bins: int = 15) -> float:
    """Expected calibration error of a confidence (e.g. the top-class probability) against
    whether the answer was right, over equal-width bins."""
    conf, correct = np.asarray(conf, dtype=float), np.asarray(correct, dtype=float)
    edges = np.linspace(0, 1, bins + 1)
    idx = np.clip(np.digitize(conf, edges[1:-1]), 0, bins - 1)
    total = 0.0
    for b in range(bins):
        m = idx == b
        if m.any():
            total += m.sum() * abs(conf[m].mean() - correct[m].mean())
    return float(total / max(len(conf), 1))


def brier(P: np.ndarray, y: np.ndarray) -> float:
    """Brier score: mean squared distance of probabilities to the truth. `P` is a vector of
    p(class 1) for binary y, or a matrix of class probabilities for integer class labels."""
    P, y = np.asarray(P, dtype=float), np.asarray(y)
    if P.ndim == 1:
        return float(np.mean((P - y) ** 2))
    onehot = np.zeros_like(P)
    onehot[np.arange(len(y)), y] = 1.0
    return float(np.mean(np.sum((P - onehot) ** 2, axis=1)))


def binary_metrics(y: np.ndarray, p: np.ndarray, threshold: float) -> dict:
    """ROC-AUC, PR-AUC, F1, Brier and confusion matrix; AUCs are None for a one-class set."""
    from sklearn.metrics import average_precision_score, f1_score

    y = np.asarray(y, dtype=int)
    p = np.asarray(p, dtype=float)
    pred = (p >= threshold).astype(int)
    two = len(set(y.tolist())) == 2
    tp = int(((pred == 1) & (y == 1)).sum())
    fp = int(((pred == 1) & (y == 0)).sum())
    fn = int(((pred == 0) & (y == 1)).sum())
    tn = int(((pred == 0) & (y == 0)).sum())
    return {
        "n": int(len(y)),
        "n_mt": int((y == 1).sum()),
        "roc_auc": auc(y, p),
        "pr_auc": round(float(average_precision_score(y, p)), 4) if two else None,
        "f1": round(float(f1_score(y, pred, zero_division=0)), 4),
        "recall": round(tp / (tp + fn), 4) if tp + fn else None,
        "false_positive_rate": round(fp / (fp + tn), 4) if fp + tn else None,
        "brier": round(brier(p, y), 4),
        "confusion": {"tp": tp, "fp": fp, "fn": fn, "tn": tn},
    }
