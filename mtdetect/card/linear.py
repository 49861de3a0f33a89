"""The sign-constrained, clipped logistic regression that both detectors use."""

from __future__ import annotations

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin


class ClippedLogistic(ClassifierMixin, BaseEstimator):
    """L2 logistic regression on standardised features clipped to their training range,
    with optional sign constraints on the weights.

    Linear on purpose: it transfers across MT engines and domains better than boosted trees
    in our leave-one-dataset-out runs, and its weights can be read.
    * Clipping (each feature to its 0.5-99.5% training quantiles) stops extrapolation: a
      one-word sentence aligned to a long one has a length ratio far outside anything seen
      in training. Features constant at those quantiles (rare counts such as added
      honorifics) keep their full training range.
    * Missing values (NaN: evidence a row does not have, such as a pseudo-document's shape)
      take no part in a feature's range, centre or scale and sit at its centre (z = 0), so
      they add nothing to its weight, and a feature seen on few rows keeps the spread it
      has on them instead of one shrunk by imputed values.
    * `signs` (+1, -1 or 0 per feature) bound each weight to the direction a round trip
      implies (e.g. keeping the reference's numbers can only count towards MT), so the
      model cannot learn a trait of its training corpora backwards.
    """

    def __init__(self, C: float = 0.3, quantile: float = 0.005, signs: tuple[int, ...] | None = None) -> None:
        self.C = C
        self.quantile = quantile
        self.signs = signs

    def fit(self, X: np.ndarray, y: np.ndarray, sample_weight: np.ndarray | None = None) -> "ClippedLogistic":
        from scipy.optimize import minimize

        X = np.asarray(X, dtype=np.float64)
        y = np.asarray(y, dtype=np.float64)
        w = np.ones(len(y)) if sample_weight is None else np.asarray(sample_weight, dtype=np.float64)
        seen = ~np.isnan(X)
        lo, hi, mean, std = (np.zeros(X.shape[1]) for _ in range(4))
        for j in range(X.shape[1]):  # range, centre and scale of the values seen (NaN = missing)
            x, wj = X[seen[:, j], j], w[seen[:, j]]
            if len(x) and wj.sum() > 0:
                lo[j], hi[j] = np.quantile(x, [self.quantile, 1.0 - self.quantile])
                if lo[j] == hi[j]:
                    lo[j], hi[j] = x.min(), x.max()
                c = np.clip(x, lo[j], hi[j])
                mean[j] = np.average(c, weights=wj)
                std[j] = np.sqrt(np.average((c - mean[j]) ** 2, weights=wj))
        self.lower_, self.upper_, self.mean_ = lo, hi, mean
        self.scale_ = np.where(std > 0, std, 1.0)
        Z = self._z(X)
        d = Z.shape[1]

        def loss(theta: np.ndarray) -> tuple[float, np.ndarray]:  # C * sum w*logloss + |coef|^2 / 2
            margin = Z @ theta[:d] + theta[d]
            p = 1.0 / (1.0 + np.exp(-margin))
            ll = np.sum(w * (np.logaddexp(0.0, margin) - y * margin))
            g = w * (p - y)
            grad = np.concatenate([self.C * (Z.T @ g) + theta[:d], [self.C * g.sum()]])
            return self.C * ll + 0.5 * float(theta[:d] @ theta[:d]), grad

        signs = self.signs or (0,) * d
        if len(signs) != d:
            raise ValueError(f"signs has {len(signs)} entries for {d} features")
        bounds = [(0, None) if s > 0 else (None, 0) if s < 0 else (None, None) for s in signs] + [(None, None)]
        res = minimize(loss, np.zeros(d + 1), jac=True, method="L-BFGS-B", bounds=bounds,
                       options={"maxiter": 2000})
        self.coef_ = res.x[:d]
        self.intercept_ = float(res.x[d])
        self.classes_ = np.array([0, 1])
        return self

    def _z(self, X: np.ndarray) -> np.ndarray:
        """Clip to the training range, then standardise; a missing value (NaN) is 0, the centre."""
        z = (np.clip(np.asarray(X, dtype=np.float64), self.lower_, self.upper_) - self.mean_) / self.scale_
        return np.where(np.isnan(z), 0.0, z)

    def decision_function(self, X: np.ndarray) -> np.ndarray:
        return self._z(X) @ self.coef_ + self.intercept_

    def predict_proba(self, X: np.ndarray) -> np.ndarray:
        p = 1.0 / (1.0 + np.exp(-self.decision_function(X)))
        return np.column_stack([1.0 - p, p])

    def predict(self, X: np.ndarray) -> np.ndarray:
        return (self.decision_function(X) > 0).astype(int)

    def weights(self, names: list[str]) -> dict[str, float]:
        """Standardised weight of each feature (positive = evidence of MT)."""
        return {n: round(float(c), 4) for n, c in zip(names, self.coef_)}
