"""Fitting the sentence model: its config, the base classifier, grouped folds and calibration.

The pieces every recipe shares (the shipped one in learn/train.py, the stacked edit lexicon in
learn/lexicon.py, the matrix in learn/protocol.py via `transfer_fitter`): one definition each.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Sequence

import numpy as np

from mtdetect.inputs.pairs import Pair
from mtdetect.learn.weights import balanced_weights, pair_sources
from mtdetect.features import feature_names

@dataclass(frozen=True)
class TrainConfig:
    """How a model is trained; stored in its card."""

    seed: int = 13
    n_folds: int = 5
    classifier: str = "logistic"  # "logistic" (ClippedLogistic) or "hgb" (boosted trees)
    C: float = 0.3
    sign_constraints: bool = True  # bound logistic weights to the direction a round trip implies
    max_iter: int = 300
    learning_rate: float = 0.06
    max_leaf_nodes: int = 15
    l2_regularization: float = 1.0
    calibration: str = "sigmoid"  # Platt scaling: the base model is already logistic
    threshold_rule: str = "fixed"  # 0.5: Bayes decision on calibrated, class-balanced probabilities
    group_key: str | None = None  # None: first of group/dataset/system present in the data
    use_cache: bool = True
    lexicon: bool = False  # stack the learned edit lexicon as one column (learn/lexicon.py)


def make_classifier(config: TrainConfig, names: Sequence[str] | None = None) -> Any:
    """The base estimator: clipped logistic regression (default) or boosted trees.

    `names`: the feature columns it will see (default: all, in feature_names() order).
    """
    if config.classifier == "logistic":
        from mtdetect.features import feature_directions
        from mtdetect.card.model import ClippedLogistic

        signs = tuple(feature_directions(names)) if config.sign_constraints else None
        return ClippedLogistic(C=config.C, signs=signs)
    from sklearn.ensemble import HistGradientBoostingClassifier

    return HistGradientBoostingClassifier(
        max_iter=config.max_iter,
        learning_rate=config.learning_rate,
        max_leaf_nodes=config.max_leaf_nodes,
        l2_regularization=config.l2_regularization,
        random_state=config.seed,
    )


def grouped_splits(groups: Sequence[str], y: np.ndarray, n_folds: int) -> list[tuple[np.ndarray, np.ndarray]]:
    """Folds that never split a group; each test fold holds whole groups, and both sides of
    every fold hold both classes (a calibrator fitted on one class is meaningless).

    Groups that are sources hold one class each (all MT or all human): then each class's
    groups are spread over the folds separately (biggest first into the smallest fold), with
    as many folds as the scarcer class has groups (at most n_folds).
    """
    garr = np.array(groups)
    names = sorted(set(groups))
    sizes = {g: int((garr == g).sum()) for g in names}
    labels = {g: frozenset(y[garr == g].tolist()) for g in names}
    by_class = [[g for g in names if labels[g] == frozenset({c})] for c in (0, 1)]
    mixed = [g for g in names if len(labels[g]) == 2]
    k = min(n_folds, len(names))
    if by_class[0] and by_class[1]:
        k = max(min(k, len(by_class[0]) + len(mixed), len(by_class[1]) + len(mixed)), 2)
    folds: list[list[str]] = [[] for _ in range(k)]
    for members in (mixed, by_class[0], by_class[1]):
        load = [sum(sizes[g] for g in f if g in members) for f in folds]
        for g in sorted(members, key=lambda g: (-sizes[g], g)):
            i = int(np.argmin(load))
            folds[i].append(g)
            load[i] += sizes[g]
    out = []
    for members in folds:
        test = np.flatnonzero(np.isin(garr, members))
        train = np.flatnonzero(~np.isin(garr, members))
        if len(test) and len(set(y[train].tolist())) == 2 and len(set(y[test].tolist())) == 2:
            out.append((train, test))
    return out


def fit_calibrated(X: np.ndarray, y: np.ndarray, w: np.ndarray, splits: list, config: TrainConfig,
                   names: Sequence[str] | None = None) -> Any:
    """The base classifier (over columns `names`, default all features), calibrated on held-out
    groups: one calibrator per fold, averaged."""
    from sklearn.calibration import CalibratedClassifierCV

    from threadpoolctl import threadpool_limits

    clf = CalibratedClassifierCV(make_classifier(config, names), method=config.calibration, cv=splits)
    with threadpool_limits(1):  # deterministic sums, and faster than 2 threads on a busy machine
        clf.fit(X, y, sample_weight=w)
    # The fitted folds are in calibrated_classifiers_; keeping the index arrays of the splits
    # would only add megabytes of training-row numbers to the model file.
    clf.cv = len(splits)
    return clf


def out_of_fold(
    X: np.ndarray, y: np.ndarray, w: np.ndarray, groups: Sequence[str], splits: list, config: TrainConfig
) -> np.ndarray:
    """Held-out calibrated probability for every row covered by a test fold (NaN elsewhere).

    Each outer fold gets the full recipe (inner grouped calibration folds included), so the
    metrics and the threshold describe exactly the kind of model that is shipped.
    """
    p = np.full(len(y), np.nan)
    garr = np.asarray(groups)
    for train, test in splits:
        inner = grouped_splits(list(garr[train]), y[train], config.n_folds)
        if not inner:
            continue
        clf = fit_calibrated(X[train], y[train], w[train], inner, config)
        p[test] = clf.predict_proba(X[test])[:, 1]
    return p


def transfer_fitter(X: np.ndarray, y: np.ndarray, pairs: Sequence[Pair], groups: Sequence[str],
                    config: TrainConfig, cols: np.ndarray | None = None, calibrated: bool = True) -> Any:
    """`fit(train_rows) -> scorer(rows)` for the transfer evaluation: the shipped recipe
    (weights recomputed on the training rows, grouped calibration folds) on columns `cols`.

    `calibrated=False` fits the base classifier only (same ranking, for AUC-only ablations).
    """
    names = feature_names()
    cols = np.arange(X.shape[1]) if cols is None else np.asarray(cols)
    garr = np.asarray(groups)

    def fit(train: np.ndarray) -> Any:
        w = balanced_weights(y[train], *pair_sources([pairs[i] for i in train]))
        Xt = X[np.ix_(train, cols)]
        if calibrated:
            inner = grouped_splits(list(garr[train]), y[train], config.n_folds)
            clf = fit_calibrated(Xt, y[train], w, inner, config, [names[c] for c in cols])
        else:
            from threadpoolctl import threadpool_limits

            with threadpool_limits(1):
                clf = make_classifier(config, [names[c] for c in cols]).fit(Xt, y[train], sample_weight=w)
        return lambda rows: clf.predict_proba(X[np.ix_(rows, cols)])[:, 1]

    return fit
