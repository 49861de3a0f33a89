"""The reference-free sentence model: feature families -> one calibrated linear score.

Families (names stable, listed in the card): `solo` (standalone/solo.py), `fluency`,
`funcpunct`, `chargram` (standalone/profile.py) and `minilm` (all-MiniLM-L6-v2 vectors). Each
sentence is first passed through `mask_cues` (what gives a training source away), then each
chosen family is computed. Dense families are clipped to their training range and
standardised; character n-grams are a sparse, L2-normalised hashed vector; MiniLM vectors are
already unit length. One L2 logistic regression reads their concatenation; Platt scaling of
its held-out margins makes the probability.

Scoring runs in numpy from plain arrays (`RFScorer`), the numbers saved beside the skops
classifier and covered by the card's hash, so it needs neither scikit-learn nor skops.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Sequence

import numpy as np

from mtdetect.learn.calibration import platt_probability
from mtdetect.features.standalone.profile import (FLUENCY_NAMES, FUNCPUNCT_NAMES, HASH_DIM, MaskConfig, chargram_dot,
                                                  chargram_indices, chargram_matrix, fluency, funcpunct, mask_cues)

FAMILIES = ("solo", "fluency", "funcpunct", "minilm", "chargram")
DENSE = ("solo", "fluency", "funcpunct")
# Bump when the mask or any family changes: a model built on another version is refused.
RF_FEATURE_VERSION = "2"


def rf_feature_names() -> list[str]:
    """Every family's column names (minilm and chargram as one entry each: dimension only)."""
    return [f"{f}:{n}" for f in DENSE for n in family_names(f)] + ["minilm:384", f"chargram:{HASH_DIM}"]


def family_names(family: str) -> list[str]:
    """Column names of one family."""
    if family == "solo":
        from mtdetect.features.standalone.solo import solo_feature_names

        return solo_feature_names()
    if family == "fluency":
        return list(FLUENCY_NAMES)
    if family == "funcpunct":
        return list(FUNCPUNCT_NAMES)
    if family == "minilm":
        return [f"emb_{i}" for i in range(384)]
    if family == "chargram":
        return [f"cg_{i}" for i in range(HASH_DIM)]
    raise ValueError(f"unknown feature family {family!r}")


def family_matrix(family: str, masked: Sequence[str], encoder: Any = None) -> Any:
    """One family's rows for already-masked sentences: ndarray, or CSR for chargram."""
    if family == "solo":
        from mtdetect.features.standalone.solo import solo_matrix

        return solo_matrix(list(masked))[0]
    if family == "fluency":
        return np.array([fluency(s) for s in masked]).reshape(len(masked), len(FLUENCY_NAMES))
    if family == "funcpunct":
        return np.array([funcpunct(s) for s in masked]).reshape(len(masked), len(FUNCPUNCT_NAMES))
    if family == "minilm":
        if encoder is None:
            raise ValueError("the minilm family needs a sentence encoder")
        return np.asarray(encoder.encode(list(masked)), dtype=np.float64)
    if family == "chargram":
        return chargram_matrix(list(masked))
    raise ValueError(f"unknown feature family {family!r}")


def scoring_blocks(families: Sequence[str], masked: Sequence[str], encoder: Any = None) -> dict[str, Any]:
    """What RFScorer reads: family_matrix's blocks, but chargram as its rows (chargram_indices),
    which the scorer multiplies without building a scipy matrix (scoring imports no scipy)."""
    return {f: [chargram_indices(s) for s in masked] if f == "chargram" else family_matrix(f, masked, encoder)
            for f in families}


def masked_sentences(sentences: Sequence[str], config: MaskConfig = MaskConfig()) -> list[str]:
    return [mask_cues(s, config) for s in sentences]


@dataclass
class Standardiser:
    """Clip each dense column to its 0.5-99.5% training quantiles, then standardise."""

    lower: np.ndarray
    upper: np.ndarray
    mean: np.ndarray
    scale: np.ndarray

    @classmethod
    def fit(cls, X: np.ndarray, w: np.ndarray | None = None) -> "Standardiser":
        lo, hi = np.quantile(X, 0.005, axis=0), np.quantile(X, 0.995, axis=0)
        flat = lo == hi
        lo, hi = np.where(flat, X.min(axis=0), lo), np.where(flat, X.max(axis=0), hi)
        C = np.clip(X, lo, hi)
        mean = np.average(C, axis=0, weights=w)
        std = np.sqrt(np.average((C - mean) ** 2, axis=0, weights=w))
        return cls(lo, hi, mean, np.where(std > 0, std, 1.0))

    def __call__(self, X: np.ndarray) -> np.ndarray:
        return (np.clip(X, self.lower, self.upper) - self.mean) / self.scale


def design(blocks: dict[str, Any], families: Sequence[str], std: Standardiser | None, dense_weight: float,
           dense: Sequence[str] = DENSE):
    """The model's input: standardised `dense` families (scaled by dense_weight), minilm, chargram (CSR)."""
    from scipy.sparse import csr_matrix, hstack

    parts = []
    dense_blocks = [blocks[f] for f in families if f in dense]
    if dense_blocks:
        parts.append(csr_matrix(std(np.hstack(dense_blocks)) * dense_weight))
    if "minilm" in families:
        parts.append(csr_matrix(blocks["minilm"]))
    if "chargram" in families:
        parts.append(blocks["chargram"])
    return hstack(parts, format="csr")


def fit_logistic(X: Any, y: np.ndarray, w: np.ndarray, C: float) -> Any:
    from sklearn.linear_model import LogisticRegression
    from threadpoolctl import threadpool_limits

    with threadpool_limits(1):
        return LogisticRegression(C=C, max_iter=3000, solver="lbfgs").fit(X, y, sample_weight=w)


class RFScorer:
    """p(MT) of masked sentences from the model's arrays (the numpy scoring path); chargram is a
    CSR matrix (family_matrix) or its rows (scoring_blocks), the same margins either way."""

    def __init__(self, arrays: dict[str, np.ndarray], families: Sequence[str], dense_weight: float) -> None:
        self.families = list(families)
        self.dense_weight = float(dense_weight)
        self.coef = np.asarray(arrays["coef"], dtype=np.float64)
        self.intercept = float(arrays["intercept"][0])
        self.platt = np.asarray(arrays["platt"], dtype=np.float64)
        self.std = (Standardiser(arrays["std_lower"], arrays["std_upper"], arrays["std_mean"], arrays["std_scale"])
                    if any(f in DENSE for f in self.families) else None)

    def margins(self, blocks: dict[str, Any]) -> np.ndarray:
        first = blocks[self.families[0]]
        n = len(first) if isinstance(first, list) else first.shape[0]
        z = np.full(n, self.intercept)
        col = 0
        dense = [blocks[f] for f in self.families if f in DENSE]
        if dense:
            D = self.std(np.hstack(dense)) * self.dense_weight
            z += D @ self.coef[col:col + D.shape[1]]
            col += D.shape[1]
        if "minilm" in self.families:
            z += blocks["minilm"] @ self.coef[col:col + 384]
            col += 384
        if "chargram" in self.families:
            rows, w = blocks["chargram"], self.coef[col:col + HASH_DIM]
            z += chargram_dot(rows, w) if isinstance(rows, list) else rows @ w
            col += HASH_DIM
        return z

    def predict_proba(self, blocks: dict[str, Any]) -> np.ndarray:
        return platt_probability(self.platt, self.margins(blocks))


def export_arrays(clf: Any, std: Standardiser | None, platt: tuple[float, float]) -> dict[str, np.ndarray]:
    out = {"coef": clf.coef_[0].astype(np.float64), "intercept": np.array([float(clf.intercept_[0])]),
           "platt": np.array(platt, dtype=np.float64)}
    if std is not None:
        out.update(std_lower=std.lower, std_upper=std.upper, std_mean=std.mean, std_scale=std.scale)
    return out
