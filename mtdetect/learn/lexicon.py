"""The learned edit lexicon, stacked under the calibrated sentence model as one column.

The lexicon is a logistic regression on the hashed words, character n-grams and substitutions
of each edit (features/pivot.feature_matrix: "comeback>return", inserted and deleted words).
Its clipped logit is the stacked column `lexicon` of the sentence model, bound to count
towards MT only (features.feature_directions).

No row's column is computed by a lexicon that saw it: the training rows get out-of-fold values
from inner folds grouped by source (fitting.grouped_splits, the same folds as the sentence
model's calibration); rows scored later (a held-out source, a user's pair) get the lexicon
fitted on every training row. In the leave-one-source-out matrix (`stacked_fitter`) all of it
is refitted inside each cell, so the cell's sources never reach its lexicon.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any, Sequence

import numpy as np

from mtdetect.features.pivot import N_FEATURES, PIVOT_FEATURE_VERSION, feature_matrix, hashed_logits
from mtdetect.inputs.pairs import Pair
from mtdetect.learn.fitting import TrainConfig, fit_calibrated, grouped_splits
from mtdetect.learn.weights import balanced_weights, pair_sources
from mtdetect.report.progress import log

NAME = "lexicon"  # the stacked column's feature name


@dataclass(frozen=True)
class LexiconConfig:
    """How the lexicon is learned and applied; stored in the card."""

    C: float = 0.3  # L2 strength of the lexicon's logistic regression (liblinear, dual)
    clip: float = 8.0  # the column is the lexicon's logit clipped to [-clip, clip]
    max_iter: int = 300
    n_features: int = N_FEATURES  # hashed width (features/pivot.py, murmur3 as FeatureHasher)
    hashing: str = f"pivot-features-v{PIVOT_FEATURE_VERSION}"


@dataclass(frozen=True)
class Lexicon:
    """A fitted lexicon: one weight per hashed feature and an intercept."""

    coef: np.ndarray
    intercept: float
    config: LexiconConfig

    def column(self, H: Any) -> np.ndarray:
        """The stacked column for rows of a hashed matrix H."""
        return np.clip(np.asarray(H @ self.coef).ravel() + self.intercept, -self.config.clip, self.config.clip)

    def column_of_texts(self, references: Sequence[str], candidates: Sequence[str]) -> np.ndarray:
        """The same from the texts, in plain numpy (no scikit-learn: the scoring path)."""
        z = hashed_logits(references, candidates, self.coef[None, :], np.array([self.intercept]))[:, 0]
        return np.clip(z, -self.config.clip, self.config.clip)

    def arrays(self) -> dict[str, np.ndarray]:
        return {"lexicon_coef": self.coef.astype(np.float64), "lexicon_intercept": np.array([self.intercept])}

    def card(self) -> dict:
        return {"feature": NAME, **asdict(self.config), "nonzero": int(np.count_nonzero(self.coef)),
                "applied": "clip(hashed pair features (features/pivot.py) . lexicon_coef + lexicon_intercept)"}

    @classmethod
    def from_arrays(cls, arrays: Any, card: dict) -> "Lexicon":
        fields = {k: card[k] for k in LexiconConfig.__dataclass_fields__ if k in card}
        return cls(np.asarray(arrays["lexicon_coef"], dtype=np.float64), float(arrays["lexicon_intercept"][0]),
                   LexiconConfig(**fields))


def hashed(references: Sequence[str], candidates: Sequence[str]) -> Any:
    """The hashed edit features of pairs (CSR)."""
    return feature_matrix(references, candidates).tocsr()


def fit_lexicon(H: Any, y: np.ndarray, w: np.ndarray, config: LexiconConfig = LexiconConfig()) -> Lexicon:
    """The lexicon on rows H with labels y and (balanced) weights w."""
    import warnings

    from sklearn.exceptions import ConvergenceWarning
    from sklearn.linear_model import LogisticRegression

    clf = LogisticRegression(C=config.C, solver="liblinear", dual=True, max_iter=config.max_iter)
    with warnings.catch_warnings():  # the dual solver's last digits do not move the column
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf.fit(H, y, sample_weight=w)
    return Lexicon(clf.coef_[0].copy(), float(clf.intercept_[0]), config)


def _weights(y: np.ndarray, pairs: Sequence[Pair]) -> np.ndarray:
    return balanced_weights(y, *pair_sources(pairs))


def out_of_fold_column(H: Any, y: np.ndarray, pairs: Sequence[Pair], splits: list,
                       config: LexiconConfig = LexiconConfig()) -> np.ndarray:
    """Each row's column from a lexicon fitted on the other folds (`splits`: grouped folds, so
    the row's own source is never in it). A row no fold tests (none in practice) gets 0."""
    out = np.zeros(len(y))
    covered = np.zeros(len(y), dtype=bool)
    for train, test in splits:
        lex = fit_lexicon(H[train], y[train], _weights(y[train], [pairs[i] for i in train]), config)
        out[test] = lex.column(H[test])
        covered[test] = True
    if not covered.all():
        log(f"lexicon: {int((~covered).sum())} rows in no inner fold get 0")
    return out


def fit_stacked(X: np.ndarray, H: Any, y: np.ndarray, pairs: Sequence[Pair], groups: Sequence[str],
                config: TrainConfig, names: list[str], lex_config: LexiconConfig = LexiconConfig(),
                splits: list | None = None) -> tuple[Any, Lexicon, np.ndarray]:
    """The stacked recipe on these rows: (calibrated classifier over X + the column, the lexicon
    fitted on every row, the training column). `splits`: the grouped folds (default: by `groups`)."""
    splits = splits if splits is not None else grouped_splits(list(groups), y, config.n_folds)
    col = out_of_fold_column(H, y, pairs, splits, lex_config)
    w = _weights(y, pairs)
    lexicon = fit_lexicon(H, y, w, lex_config)
    clf = fit_calibrated(np.column_stack([X, col]), y, w, splits, config, names + [NAME])
    return clf, lexicon, col


def stacked_fitter(X: np.ndarray, H: Any, y: np.ndarray, pairs: Sequence[Pair], groups: Sequence[str],
                   config: TrainConfig, names: list[str], lex_config: LexiconConfig = LexiconConfig()) -> Any:
    """`fit(train_rows) -> scorer(rows)` for the matrix (protocol.run_matrix): everything, the
    lexicon and its inner folds included, is fitted on the cell's training rows only."""
    garr = np.asarray(groups)

    def fit(train: np.ndarray) -> Any:
        clf, lexicon, _ = fit_stacked(X[train], H[train], y[train], [pairs[i] for i in train], list(garr[train]),
                                      config, names, lex_config)
        return lambda rows: clf.predict_proba(np.column_stack([X[rows], lexicon.column(H[rows])]))[:, 1]

    return fit
