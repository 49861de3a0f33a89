"""The article model: a document's sentence probabilities -> a calibrated article probability.

`ArticleModel` is fitted (`fit_article_model`) on documents of held-out sentence
probabilities: train.matrix_metrics fits it on the documents of the leave-one-source-out
matrix (protocol.py), and it is stored in the model card. `article_features` summarises one
document's sentence probabilities.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Sequence

import numpy as np

# --------------------------------------------------------------------------- articles

ARTICLE_FEATURES = ("mean_p", "share_flagged", "q25", "q50", "q75", "evidence")


def article_features(p: Sequence[float], threshold: float = 0.5) -> np.ndarray:
    """Summary of one document's sentence probabilities (ARTICLE_FEATURES order).

    `evidence` = (mean p - 0.5) * sqrt(n): more sentences, more certainty either way.
    """
    p = np.asarray(p, dtype=float)
    if not len(p):
        return np.array([0.5, 0.0, 0.5, 0.5, 0.5, 0.0])
    q25, q50, q75 = np.quantile(p, [0.25, 0.5, 0.75])
    return np.array([p.mean(), float((p >= threshold).mean()), q25, q50, q75, (p.mean() - 0.5) * math.sqrt(len(p))])


@dataclass(frozen=True)
class ArticleModel:
    """Logistic model on ARTICLE_FEATURES of standardised document summaries (plain JSON)."""

    mean: tuple[float, ...]
    scale: tuple[float, ...]
    coef: tuple[float, ...]
    intercept: float
    threshold: float = 0.5

    def predict(self, sentence_p: Sequence[float]) -> float:
        """Calibrated probability that the whole document is a round trip / MT."""
        z = (article_features(sentence_p, self.threshold) - np.array(self.mean)) / np.array(self.scale)
        return float(1.0 / (1.0 + math.exp(-(float(z @ np.array(self.coef)) + self.intercept))))

    def to_dict(self) -> dict:
        return {"features": list(ARTICLE_FEATURES), "mean": list(self.mean), "scale": list(self.scale),
                "coef": list(self.coef), "intercept": self.intercept, "sentence_threshold": self.threshold}

    @classmethod
    def from_dict(cls, d: dict) -> "ArticleModel":
        if list(d.get("features", [])) != list(ARTICLE_FEATURES):
            raise ValueError("article model built for other document features")
        return cls(tuple(d["mean"]), tuple(d["scale"]), tuple(d["coef"]), float(d["intercept"]),
                   float(d.get("sentence_threshold", 0.5)))


def fit_article_model(docs_p: Sequence[Sequence[float]], labels: Sequence[int], groups: Sequence[str],
                      threshold: float = 0.5, C: float = 1.0) -> ArticleModel:
    """Fit on documents; each (group, class) carries equal weight so no source dominates."""
    from sklearn.linear_model import LogisticRegression

    F = np.array([article_features(p, threshold) for p in docs_p])
    y = np.asarray(labels, dtype=int)
    g = np.asarray(groups)
    w = np.zeros(len(y))
    for label in (0, 1):
        cls = y == label
        keys = sorted(set(g[cls].tolist()))
        for k in keys:
            m = cls & (g == k)
            w[m] = 1.0 / (2 * len(keys) * m.sum())
    w *= len(y)
    mean = F.mean(axis=0)
    scale = np.where(F.std(axis=0) > 0, F.std(axis=0), 1.0)
    lr = LogisticRegression(C=C, max_iter=1000).fit((F - mean) / scale, y, sample_weight=w)
    return ArticleModel(tuple(np.round(mean, 6)), tuple(np.round(scale, 6)), tuple(np.round(lr.coef_[0], 6)),
                        round(float(lr.intercept_[0]), 6), threshold)
