"""Binary-classification metrics used by training, the model card and the benchmark."""

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


def binary_metrics(y: np.ndarray, p: np.ndarray, threshold: float) -> dict:
    """ROC-AUC, PR-AUC, F1, Brier and confusion matrix; AUCs are None for a one-class set."""
    from sklearn.metrics import average_precision_score, brier_score_loss, f1_score, roc_auc_score

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
        "roc_auc": round(float(roc_auc_score(y, p)), 4) if two else None,
        "pr_auc": round(float(average_precision_score(y, p)), 4) if two else None,
        "f1": round(float(f1_score(y, pred, zero_division=0)), 4),
        "recall": round(tp / (tp + fn), 4) if tp + fn else None,
        "false_positive_rate": round(fp / (fp + tn), 4) if fp + tn else None,
        "brier": round(float(brier_score_loss(y, p)), 4),
        "confusion": {"tp": tp, "fp": fp, "fn": fn, "tn": tn},
    }
