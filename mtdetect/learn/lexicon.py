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

from typing import Any, Sequence

import numpy as np

from mtdetect.features.edit_lexicon import NAME, Lexicon, LexiconConfig
from mtdetect.features.pivot import feature_matrix
from mtdetect.inputs.pairs import Pair
from mtdetect.learn.fitting import TrainConfig, fit_calibrated, grouped_splits
from mtdetect.learn.weights import balanced_weights, pair_sources
from mtdetect.report.progress import log


def hashed(references: Sequence[str], candidates: Sequence[str]) -> Any:
    """The hashed edit features of pairs (CSR)."""
    return feature_matrix(references, candidates).tocsr()


def fit_lexicon(H: Any, y: np.ndarray, w: np.ndarray, config: LexiconConfig = LexiconConfig()) -> Lexicon:
    """The lexicon on rows H with labels y and (balanced) weights w."""
    import warnings

    from sklearn.exceptions import ConvergenceWarning
    from sklearn.linear_model import LogisticRegression

    clf = LogisticRegression(C=config.C, solver="liblinear", dual=True, max_iter=config.max_iter, random_state=0)
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
