"""Calibration: margins -> probabilities. The one place for the Platt fit and for the
reference-free article formula, used both when a model is trained and when it scores.

Article calibration (reference-free model, `article_calibration` in its card):

    z = a * mean + b * mean * sqrt(n) + c,   a, b >= 0,   p_article = 1 / (1 + exp(-z))

where `mean` is the mean uncalibrated sentence margin of the n scored sentences: more
sentences saying the same thing make the answer surer. Scoring needs numpy only; the fits
import scikit-learn / scipy when called.
"""

from __future__ import annotations

import math
from typing import Sequence

import numpy as np


def sigmoid(z: np.ndarray | float) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-np.asarray(z, dtype=np.float64)))


def platt_probability(platt: Sequence[float], margins: np.ndarray) -> np.ndarray:
    """Sentence probabilities from margins with the card's Platt pair (a, b)."""
    a, b = platt
    return 1.0 / (1.0 + np.exp(-(a * np.asarray(margins, dtype=np.float64) + b)))


def article_probability(cal: dict, mean_margin: float, n: int) -> float:
    """p_article from the mean sentence margin of n sentences (0.5 when n is 0)."""
    if n == 0:
        return 0.5
    m = float(mean_margin)
    z = cal["coef_mean"] * m + cal["coef_mean_sqrt_n"] * m * math.sqrt(n) + cal["intercept"]
    return 1.0 / (1.0 + math.exp(-max(min(z, 700.0), -700.0)))


def fit_platt(margins: np.ndarray, y: np.ndarray, w: np.ndarray | None = None) -> tuple[float, float]:
    """p = 1 / (1 + exp(-(a * margin + b))), a >= 0, fitted on held-out margins."""
    from sklearn.linear_model import LogisticRegression

    lr = LogisticRegression(C=1e4).fit(margins[:, None], y, sample_weight=w)
    a, b = float(lr.coef_[0, 0]), float(lr.intercept_[0])
    return (a, b) if a > 0 else (0.0, 0.0)


def fit_article(mean: Sequence[float], n: Sequence[int], y: Sequence[int], w: np.ndarray) -> dict:
    """The article formula's a, b >= 0 and c, by weighted log loss (a light L2 on a and b)."""
    from scipy.optimize import minimize

    mean = np.asarray(mean, dtype=np.float64)
    n = np.asarray(n, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    X = np.column_stack([mean, mean * np.sqrt(n), np.ones(len(mean))])

    def loss(t):
        z = X @ t
        p = sigmoid(z)
        return float(np.sum(w * (np.logaddexp(0.0, z) - y * z))) + 1e-3 * float(t[:2] @ t[:2]), X.T @ (w * (p - y)) + np.r_[2e-3 * t[:2], 0.0]

    res = minimize(loss, np.zeros(3), jac=True, method="L-BFGS-B", bounds=[(0, None), (0, None), (None, None)])
    a, b, c = (float(v) for v in res.x)
    return {"coef_mean": round(a, 6), "coef_mean_sqrt_n": round(b, 6), "intercept": round(c, 6)}
