"""Held-out accuracy: leave-one-dataset-out cross-fitting of mtdetect and the baselines on WMT and
Apertium pairs, with rows per dataset, system, pivot and kind; and rows scored by the shipped model."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any, Callable, Sequence

import numpy as np

from ..metrics import pick_threshold
from ..pairs import Pair, read_pairs
from ..train import TrainConfig, grouped_splits, prepare, sample_weights
from .baselines import bench_tsrt, fit_mtdetect, fit_ngram
from .config import METHODS, Sizes, step
from .evaluation import Fold, Scorer, cross_fit, evaluate, fold_thresholds, roc_points
from .tables import rows_table
from .tweets import bench_tweets


def bench_heldout(pairs: list[Pair], encoder: Any, sizes: Sizes, tc: TrainConfig, data_dir: Path,
                  model: Any, seed: int, notes: list[str]) -> dict:
    """Leave-one-dataset-out cross-fitting of mtdetect and the baselines, with all derived rows."""
    t0 = time.perf_counter()
    step(f"bench: features of {len(pairs)} held-out pairs")
    data = prepare(pairs, encoder)
    X, y, names, P = data.X, data.y, data.names, data.pairs
    n = len(y)
    meta = {k: np.array([p.group(k) or "" for p in P]) for k in ("dataset", "system", "kind", "pivot")}
    is_rt = meta["kind"] == "apertium_roundtrip"
    cands = [p.candidate for p in P]
    all_cols = np.arange(X.shape[1])

    def weights(idx: np.ndarray) -> np.ndarray:
        return sample_weights([P[i] for i in idx], y[idx])

    def trees(cols: np.ndarray) -> Callable[[np.ndarray], Scorer]:
        return lambda idx: fit_mtdetect(X[idx], y[idx], weights(idx), cols, tc)

    def ngram(idx: np.ndarray) -> Scorer:
        return fit_ngram([cands[i] for i in idx], y[idx], weights(idx), seed)

    take_X = lambda idx: X[idx]  # noqa: E731
    take_c = lambda idx: [cands[i] for i in idx]  # noqa: E731
    datasets = sorted(set(meta["dataset"]))
    splits = grouped_splits(list(meta["dataset"]), y, len(datasets))
    folds = [Fold(meta["dataset"][te[0]], tr, te) for tr, te in splits]
    step(f"bench: leave-one-dataset-out over {len(folds)} datasets")
    scores = {"1-chrF": 1.0 - X[:, names.index("sim_chrf")], "cosine": X[:, names.index("sim_emb_cos")]}
    scores["mtdetect"], tree_scorers = cross_fit(folds, trees(all_cols), take_X, n)
    step("bench: mtdetect folds fitted")
    scores["n-gram"], ngram_scorers = cross_fit(folds, ngram, take_c, n)
    step("bench: n-gram folds fitted")
    scores = {m: scores[m] for m in METHODS}
    thr = {m: fold_thresholds(folds, y, s) for m, s in scores.items()}
    t_fit = time.perf_counter() - t0

    everything = np.ones(n, bool)
    rows = [evaluate("overall", "all held-out datasets (pooled)", everything, y, scores, thr)]
    rows += [evaluate("dataset", d, meta["dataset"] == d, y, scores, thr) for d in datasets]
    humans = y == 0
    for s in sorted(set(meta["system"][(y == 1) & ~is_rt])):
        own = (meta["system"] == s) & (y == 1) & ~is_rt
        rows.append(evaluate("system", s, own | (humans & np.isin(meta["dataset"], meta["dataset"][own])), y, scores, thr))
    for pv in sorted(set(meta["pivot"][is_rt])):
        own = is_rt & (meta["pivot"] == pv)
        rows.append(evaluate("pivot", f"apertium-{pv}", own | humans, y, scores, thr))
    rows.append(evaluate("kind", "WMT MT systems vs human", ~is_rt, y, scores, thr))
    if is_rt.any():
        rows.append(evaluate("kind", "Apertium round trips vs human", is_rt | humans, y, scores, thr))

    tweets = bench_tweets(data_dir, sizes, encoder, model, folds, tree_scorers, ngram_scorers, y, scores, thr, seed)
    tsrt = bench_tsrt(y, P, meta["dataset"], folds, scores, sizes, seed, notes)
    ngram_all = ngram(np.arange(n))
    roc = {d: {m: roc_points(y[meta["dataset"] == d], scores[m][meta["dataset"] == d]) for m in METHODS} for d in datasets}
    return {"rows": rows, "tweets": tweets, "_data": data, "tsrt": tsrt, "roc": roc,
            "counts": {"pairs": n, "mt": int(y.sum()), "human": int((y == 0).sum()), "apertium": int(is_rt.sum()),
                       "features": len(names), "datasets": datasets},
            "global_thresholds": {m: pick_threshold(y, s) for m, s in scores.items()},
            "_ngram_all": ngram_all, "seconds_crossfit": round(t_fit, 1)}


def bench_extra_pairs(files: Sequence[str], encoder: Any, model: Any, ngram_all: Scorer | None,
                      global_thr: dict[str, float] | None) -> list[dict]:
    """Each --pairs file scored by the shipped model (and the training-free baselines) as its own row."""
    rows = []
    for path in files:
        data = prepare(read_pairs([path], require_label=True), encoder)
        rows.append(shipped_row("pairs", Path(path).name, [p.reference for p in data.pairs],
                                 [p.candidate for p in data.pairs], data.y, data.X, data.names, model,
                                 ngram_all, global_thr))
    return rows


def shipped_row(section: str, name: str, refs: list[str], cands: list[str], y: np.ndarray, X: np.ndarray,
                 names: list[str], model: Any, ngram_all: Scorer | None, global_thr: dict[str, float] | None) -> dict:
    """A row scored by the shipped model; baselines use thresholds picked on the held-out WMT scores."""
    scores = {"mtdetect": model.predict_proba(X), "1-chrF": 1.0 - X[:, names.index("sim_chrf")],
              "cosine": X[:, names.index("sim_emb_cos")]}
    if ngram_all is not None:
        scores["n-gram"] = ngram_all(cands)
    g = global_thr or {}
    thr = {m: np.float64(model.threshold if m == "mtdetect" else g.get(m, 0.5)) for m in scores}
    return evaluate(section, name, np.ones(len(y), bool), y, scores, thr,
                    note="shipped model (never trained on these pairs)")


def render_heldout(h: dict) -> list[str]:
    """The held-out sections: pooled, per dataset, system, pivot and kind."""
    if not h.get("rows"):
        return []
    c = h["counts"]
    L = ["## Held-out WMT + Apertium pairs (leave-one-dataset-out)", "",
         f"{c['pairs']} pairs ({c['mt']} MT incl. {c['apertium']} Apertium round trips, {c['human']} human), "
         f"{c['features']} features. For each WMT dataset, mtdetect's classifier (make_classifier, sample_weights) "
         "and the n-gram baseline are fitted on the other datasets and score the held-out one. F1 uses the "
         "threshold picked (Youden) on the other datasets' held-out scores. A system row is that system's MT "
         "pairs vs the human pairs of the same datasets; a pivot row is that pivot's Apertium round trips vs "
         "all human pairs.", ""]
    for section, title in (("overall", "Pooled"), ("dataset", "Per held-out dataset"), ("system", "Per MT system"),
                           ("pivot", "Per Apertium pivot (pivot seen in training: see the transfer matrix)"),
                           ("kind", "Per kind of MT")):
        rows = [r for r in h["rows"] if r["section"] == section]
        if rows:
            L += [f"### {title}", "", rows_table(rows, METHODS), ""]
    return L


def render_pairs(res: dict) -> list[str]:
    """The --pairs files, each a row scored by the shipped model."""
    if not res.get("pairs_rows"):
        return []
    return ["## --pairs files (shipped model)", "", rows_table(res["pairs_rows"], METHODS), ""]
