"""The benchmark: accuracy on data the scored model never trained on, against baselines, and speed.

    mtdetect bench [--quick] [--pairs FILE] [--data DIR] [--out-dir benchmarks/results]

Accuracy rows (all held out):

* seeds: the shipped model on seeds/001..004 against 000 (verdicts from seeds/LABELS.md);
* WMT + Apertium pairs, leave-one-dataset-out cross-fitting: for each WMT dataset, mtdetect's
  classifier (make_classifier + sample_weights, as in training) is fitted on the other
  datasets and scores the held-out one; rows per dataset, per MT system, per Apertium pivot,
  plus leave-one-pivot-out and leave-one-system-family-out (Online-* vs the rest);
* tweets (true neural round trips, never trained on) and `--pairs` files.

Baselines on the same rows: 1 - chrF to the reference, embedding cosine, a candidate-only
char/word n-gram classifier fitted on the same training folds, and a TSRT-style round-trip
stability score (Apertium es, on a subsample). The feature groups are ablated on the same
folds. Speed is measured per pipeline stage, as a ratio to the embedding forward pass.

Outputs (written atomically): report.md, results.json, roc_heldout.png, speed.png, ablation.png.
"""

from __future__ import annotations

import gzip
import json
import os
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any, Callable, Sequence

import numpy as np

from .cache import CachedEncoder
from .embed import pair_cosines
from .features import GROUPS as FEATURE_GROUPS
from .features import feature_matrix, feature_names, group_of
from .features.similarity import chrf
from .metrics import binary_metrics, pick_threshold
from .pairs import Pair, read_pairs
from .progress import log
from .text import split_sentences
from .train import (TrainConfig, grouped_splits, make_classifier, out_of_fold, prepare, sample_weights,
                    transfer_fitter)
from .transfer import (add_baselines, article_transfer, matrix_rows, row_meta, source_auc, source_scores,
                       transfer_sources)

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
WMT_FILE = "wmt_mt_vs_human.jsonl.gz"
TWEETS_FILE = "tweets_opusmt_roundtrips.jsonl.gz"
APERTIUM_FILE = ROOT / "training" / "work" / "roundtrips.jsonl.gz"
BASELINES = ("1-chrF", "cosine", "n-gram")
METHODS = ("mtdetect",) + BASELINES
GROUPS = tuple(FEATURE_GROUPS)
_T0 = time.perf_counter()


def _log(message: str) -> None:
    log(f"[{time.perf_counter() - _T0:4.0f}s] {message}")

# seeds/LABELS.md: expected article verdict of each seed against 000
SEED_EXPECTED = {
    "000": "copy",  # the reference itself
    "001": "round-trip MT",
    "002": "rewritten",
    "003": "rewritten",
    "004": "unrelated",
}


@dataclass(frozen=True)
class Sizes:
    """How much data each part uses (quick: CI-sized; full: the published numbers)."""

    mt_per_system: int  # WMT MT pairs per (dataset, system)
    human_per_dataset: int  # WMT independent human translations per dataset
    rt_per_pivot: int  # Apertium round trips per (dataset, pivot)
    tweets: int
    tsrt_per_dataset: int  # pairs per dataset round-tripped again for the TSRT baseline
    ablation: bool  # feature-group ablation on the left-out sources
    speed_pairs: int  # WMT pairs for the pair-scoring speed rows
    repeats: int  # timing repeats (best of)


QUICK = Sizes(8, 60, 12, 200, 20, ablation=True, speed_pairs=40, repeats=1)
FULL = Sizes(300, 10**9, 600, 2000, 300, ablation=True, speed_pairs=2000, repeats=2)


@dataclass(frozen=True)
class BenchConfig:
    quick: bool = False
    pairs: tuple[str, ...] = ()
    data_dir: Path | None = None  # default: <repo>/../shared/data
    out_dir: Path = Path("benchmarks/results")
    model_dir: Path | None = None  # default: the shipped model
    seed: int = 13
    cache_dir: Path | None = None  # embedding cache (default: ~/.cache/mtdetect or $MTDETECT_CACHE)
    sizes: Sizes | None = None  # override QUICK/FULL (tests)
    tsrt: bool = True
    speed: bool = True

    @property
    def plan(self) -> Sizes:
        return self.sizes or (QUICK if self.quick else FULL)


# --------------------------------------------------------------------------- baselines


def chrf_scores(references: Sequence[str], candidates: Sequence[str]) -> np.ndarray:
    """Baseline (a): 1 - chrF(candidate, reference); a loose paraphrase scores high."""
    return np.array([1.0 - chrf(c, r) for r, c in zip(references, candidates)])


def make_ngram_classifier(seed: int = 13, min_df: int = 2) -> Any:
    """Baseline (c): candidate-only char 1-4 + word 1-2 TF-IDF n-grams, logistic regression."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline, make_union

    return make_pipeline(
        make_union(
            TfidfVectorizer(analyzer="char", ngram_range=(1, 4), min_df=min_df, sublinear_tf=True, max_features=300_000),
            TfidfVectorizer(analyzer="word", ngram_range=(1, 2), min_df=min_df, sublinear_tf=True, max_features=300_000),
        ),
        LogisticRegression(C=4.0, solver="liblinear", max_iter=2000, random_state=seed),
    )


Scorer = Callable[[Any], np.ndarray]


def fit_ngram(texts: Sequence[str], y: np.ndarray, w: np.ndarray | None = None, seed: int = 13) -> Scorer:
    """Fit the n-gram baseline; returns a function candidates -> score."""
    clf = make_ngram_classifier(seed, min_df=2 if len(texts) >= 200 else 1)
    clf.fit(list(texts), y, logisticregression__sample_weight=w)
    return lambda xs: clf.predict_proba(list(xs))[:, 1]


def fit_mtdetect(X: np.ndarray, y: np.ndarray, w: np.ndarray, cols: np.ndarray, tc: TrainConfig) -> Scorer:
    """mtdetect's classifier (uncalibrated; calibration does not change the ranking) on columns `cols`."""
    names = feature_names()
    clf = make_classifier(tc, [names[i] for i in cols]).fit(X[:, cols], y, sample_weight=w)
    return lambda Z: clf.predict_proba(np.asarray(Z)[:, cols])[:, 1]


def tsrt_scores(references: Sequence[str], candidates: Sequence[str], pivot: str = "es") -> np.ndarray:
    """Baseline (d), after TSRT (Nguyen-Son et al. 2021): MT changes less on a further round trip.

    score = chrF(candidate, RT(candidate)) - chrF(reference, RT(reference)), RT through Apertium.
    """
    from .roundtrip import roundtrip

    texts = sorted(set(references) | set(candidates))
    back = dict(zip(texts, roundtrip(texts, pivot)))
    return np.array([chrf(back[c], c) - chrf(back[r], r) for r, c in zip(references, candidates)])


# --------------------------------------------------------------------------- data


def _read_jsonl_gz(path: Path) -> list[dict]:
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def _to_pair(rec: dict) -> Pair:
    meta = {k: rec[k] for k in ("dataset", "system", "kind", "pivot", "seg_id") if rec.get(k) not in (None, "")}
    label = 1 if str(rec.get("label")).lower() in ("mt", "1", "true") else 0
    return Pair(rec["reference"], rec["candidate"], label, meta)


def _sample(rng: random.Random, buckets: dict[tuple, list[dict]], cap: int) -> list[dict]:
    out: list[dict] = []
    for key in sorted(buckets):
        items = buckets[key]
        out.extend(items if len(items) <= cap else rng.sample(items, cap))
    return out


def load_wmt_sample(data_dir: Path, sizes: Sizes, seed: int, notes: list[str]) -> list[Pair]:
    """Stratified sample of WMT pairs (and Apertium round trips of their references, when built)."""
    rng = random.Random(seed)
    mt: dict[tuple, list[dict]] = {}
    human: dict[tuple, list[dict]] = {}
    for rec in _read_jsonl_gz(data_dir / WMT_FILE):
        if rec["reference"].strip() == rec["candidate"].strip():
            continue  # copies are never scored as translations
        bucket = mt if rec["label"] == "mt" else human
        bucket.setdefault((rec["dataset"], rec.get("system", "")) if rec["label"] == "mt" else (rec["dataset"],), []).append(rec)
    recs = _sample(rng, mt, sizes.mt_per_system) + _sample(rng, human, sizes.human_per_dataset)
    if APERTIUM_FILE.exists():
        rt: dict[tuple, list[dict]] = {}
        for rec in _read_jsonl_gz(APERTIUM_FILE):
            rt.setdefault((rec["dataset"], rec["pivot"]), []).append(rec)
        recs += _sample(rng, rt, sizes.rt_per_pivot)
    else:
        notes.append(f"Apertium round-trip pairs skipped: {APERTIUM_FILE.relative_to(ROOT)} is absent "
                     "(run training/make_roundtrips.py).")
    return [_to_pair(r) for r in recs]


def wmt_speed_samples(data_dir: Path, n: int, seed: int) -> dict[str, list[tuple[str, str]]]:
    """Two samples of n WMT (reference, candidate) pairs for the speed rows: random pairs, and a
    contiguous run of the file from a random start (several candidates per reference)."""
    recs = [(r["reference"], r["candidate"]) for r in _read_jsonl_gz(data_dir / WMT_FILE)]
    rng = random.Random(seed)
    start = rng.randrange(max(1, len(recs) - n))
    return {"random": rng.sample(recs, min(n, len(recs))), "file order": recs[start : start + n]}


def load_tweets(data_dir: Path, n: int, seed: int) -> list[Pair]:
    recs = [r for r in _read_jsonl_gz(data_dir / TWEETS_FILE) if r["reference"].strip() != r["candidate"].strip()]
    recs = random.Random(seed).sample(recs, min(n, len(recs)))
    for r in recs:
        r["kind"] = "tweets_opusmt"
    return [_to_pair(r) for r in recs]


# --------------------------------------------------------------------------- evaluation helpers


@dataclass
class Fold:
    name: str
    train: np.ndarray
    test: np.ndarray


def cross_fit(folds: Sequence[Fold], fit: Callable[[np.ndarray], Scorer], take: Callable[[np.ndarray], Any],
              n: int) -> tuple[np.ndarray, list[Scorer]]:
    """Held-out score of every test row (NaN elsewhere) and the fitted scorer of each fold."""
    oof = np.full(n, np.nan)
    scorers = []
    for f in folds:
        scorer = fit(f.train)
        oof[f.test] = scorer(take(f.test))
        scorers.append(scorer)
    return oof, scorers


def fold_thresholds(folds: Sequence[Fold], y: np.ndarray, scores: np.ndarray, ref: np.ndarray | None = None) -> np.ndarray:
    """Per-row threshold: the Youden threshold picked on the fold's *training* rows.

    `ref` gives the held-out scores of the training rows (the main cross-fit), when `scores`
    does not cover them.
    """
    ref = scores if ref is None else ref
    thr = np.full(len(y), np.nan)
    for f in folds:
        tr = f.train[~np.isnan(ref[f.train])]
        thr[f.test] = pick_threshold(y[tr], ref[tr]) if len(tr) else 0.5
    return thr


def row_metrics(y: np.ndarray, s: np.ndarray, thr: np.ndarray | float) -> dict:
    """ROC-AUC / PR-AUC of the scores; F1, recall, FPR of the flags s >= thr (thr may vary by row)."""
    lo, hi = (float(np.min(s)), float(np.max(s))) if len(s) else (0.0, 1.0)
    m = binary_metrics(y, (s - lo) / (hi - lo) if hi > lo else np.zeros(len(s)), 0.5)  # monotone: same AUCs
    flags = binary_metrics(y, (s >= thr).astype(float), 0.5)
    out = {k: m[k] for k in ("n", "n_mt", "roc_auc", "pr_auc")}
    out.update({k: flags[k] for k in ("f1", "recall", "false_positive_rate")})
    return out


def evaluate(section: str, name: str, mask: np.ndarray, y: np.ndarray, scores: dict[str, np.ndarray],
             thr: dict[str, np.ndarray], note: str = "") -> dict:
    """One table row: every method's metrics on the same rows."""
    m = mask & ~np.isnan(scores["mtdetect"])
    row = {"section": section, "name": name, "n": int(m.sum()), "n_mt": int(y[m].sum()), "note": note, "methods": {}}
    for method, s in scores.items():
        t = thr[method] if np.ndim(thr[method]) == 0 else thr[method][m]
        row["methods"][method] = row_metrics(y[m], s[m], t) if m.any() else None
    return row


# --------------------------------------------------------------------------- accuracy parts


def bench_seeds(detector: Any) -> tuple[list[dict], list[tuple[str, str, int]]]:
    """Each seed against 000 with the shipped model; also the scored sentence pairs (ref, cand, label)."""
    files = sorted(SEEDS.glob("0*.txt"))
    ref_text = files[0].read_text(encoding="utf-8")
    rows, pairs = [], []
    for f in files:
        t = time.perf_counter()
        res = detector.score_article(f.read_text(encoding="utf-8"), ref_text)
        seconds = time.perf_counter() - t
        sid = f.name[:3]
        expected = SEED_EXPECTED.get(sid, "?")
        rows.append({"file": f.name, "expected": expected, "verdict": res.verdict, "ok": res.verdict == expected,
                     "flagged_fraction": round(res.flagged_fraction, 4), "mean_p_mt": round(res.mean_p_mt, 4),
                     "p_article": None if res.p_article is None else round(res.p_article, 4),
                     "n_sentences": res.n_sentences, "n_scored": res.n_scored, "seconds": round(seconds, 3)})
        if sid in ("001", "002", "003"):  # 001: round trip (MT); 002/003: human rewrites
            pairs += [(" ".join(s.reference), s.text, int(sid == "001")) for s in res.sentences if s.status == "scored"]
    return rows, pairs


def bench_without_reference(detector: Any) -> dict:
    """Issue 6 on the seeds, live: reference-free verdicts, archive matching (000 archived), the
    pivot guess for 001; and the reference-free model's held-out AUC per source (its card)
    next to the reference model's left-out AUC for the same source (its card)."""
    import tempfile

    from .index import ArchiveIndex, build_index
    from .model import default_model_dir, reference_free_spec
    from .reffree import ReferenceFreeDetector
    from .score import score_with_index

    files = sorted(SEEDS.glob("0*.txt"))
    rf = ReferenceFreeDetector()
    out: dict = {"seeds": []}
    with tempfile.TemporaryDirectory() as tmp:
        build_index([(files[0].name, files[0].read_text(encoding="utf-8"))], Path(tmp) / "index")
        index = ArchiveIndex(Path(tmp) / "index")
        for f in files:
            text = f.read_text(encoding="utf-8")
            r = rf.score_article(text)
            m = score_with_index(detector, index, text, rf)
            out["seeds"].append({
                "file": f.name, "rf_verdict": r.verdict, "rf_flagged_fraction": round(r.flagged_fraction, 4),
                "rf_p_article": None if r.p_article is None else round(r.p_article, 4),
                "index_match": (m.match or {}).get("id"), "index_verdict": m.verdict,
                "pivot": (m.pivot or {}).get("language"),
            })
    rf_card = json.loads((default_model_dir(reference_free_spec()) / "card.json").read_text(encoding="utf-8"))
    ref_rows = {r["name"]: r for r in (detector.model.card.get("metrics", {}).get("transfer", {}) or {}).get("sentence", [])}
    per = rf_card["metrics"]["heldout"]["sentence"]["per_group"]
    same = {"tweets": "tweets (opus-mt)"}  # the two cards name this source differently
    out["auc_by_source"] = [{"source": g, "reference_free": m["roc_auc"],
                             "reference_based": (ref_rows.get(same.get(g, g)) or {}).get("roc_auc")}
                            for g, m in per.items()]
    return out


def render_without_reference(w: dict) -> list[str]:
    L = ["## Without the original (archive index, reference-free, pivot)", "",
         "Seeds, live: reference-free verdicts; `score --index` with 000 as the archive; the pivot guess "
         "where the verdict is round-trip MT.", "",
         _table(["file", "reference-free verdict", "rf flagged", "rf p_article", "index match", "verdict via index",
                 "pivot"],
                [[r["file"], r["rf_verdict"], _f(r["rf_flagged_fraction"]), _f(r["rf_p_article"]),
                  r["index_match"] or "none (falls back to reference-free)", r["index_verdict"], r["pivot"] or ""]
                 for r in w["seeds"]]), "",
         "Held-out sentence ROC-AUC per source: the reference-free model (its card, folds hold out whole "
         "sources) next to the reference-based model left out of the same source (its card's transfer matrix).", "",
         _table(["source", "reference-free", "reference-based"],
                [[r["source"], _f(r["reference_free"]), _f(r["reference_based"])] for r in w["auc_by_source"]]), ""]
    return L


def bench_heldout(pairs: list[Pair], encoder: Any, sizes: Sizes, tc: TrainConfig, data_dir: Path,
                  model: Any, seed: int, notes: list[str]) -> dict:
    """Leave-one-dataset-out cross-fitting of mtdetect and the baselines, with all derived rows."""
    t0 = time.perf_counter()
    _log(f"bench: features of {len(pairs)} held-out pairs")
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
    _log(f"bench: leave-one-dataset-out over {len(folds)} datasets")
    scores = {"1-chrF": 1.0 - X[:, names.index("sim_chrf")], "cosine": X[:, names.index("sim_emb_cos")]}
    scores["mtdetect"], tree_scorers = cross_fit(folds, trees(all_cols), take_X, n)
    _log("bench: mtdetect folds fitted")
    scores["n-gram"], ngram_scorers = cross_fit(folds, ngram, take_c, n)
    _log("bench: n-gram folds fitted")
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
    roc = {d: {m: _roc(y[meta["dataset"] == d], scores[m][meta["dataset"] == d]) for m in METHODS} for d in datasets}
    return {"rows": rows, "tweets": tweets, "_data": data, "tsrt": tsrt, "roc": roc,
            "counts": {"pairs": n, "mt": int(y.sum()), "human": int((y == 0).sum()), "apertium": int(is_rt.sum()),
                       "features": len(names), "datasets": datasets},
            "global_thresholds": {m: pick_threshold(y, s) for m, s in scores.items()},
            "_ngram_all": ngram_all, "seconds_crossfit": round(t_fit, 1)}


def _roc(y: np.ndarray, s: np.ndarray) -> dict:
    from sklearn.metrics import roc_curve

    if len(set(y.tolist())) < 2:
        return {"fpr": [], "tpr": []}
    fpr, tpr, _ = roc_curve(y, s)
    keep = np.unique(np.linspace(0, len(fpr) - 1, min(len(fpr), 200)).astype(int))  # enough to draw
    return {"fpr": fpr[keep].round(4).tolist(), "tpr": tpr[keep].round(4).tolist()}


def bench_transfer(data: Any, tweets: Any, tc: TrainConfig, sizes: Sizes, seed: int) -> dict:
    """The transfer matrix on the bench sample: each source scored by a model trained without it
    (calibrated recipe), baselines' AUC on the same rows, article accuracy, and the ablation.

    Tweets are evaluation-only, as in training (build_model.py): MT only, never fitted on."""
    X, y, P = data.X, data.y, list(data.pairs)
    n_train = len(y)
    if tweets is not None and len(tweets.y):
        for p in tweets.pairs:
            p.meta["kind"] = "tweets_opusmt"
        X, y, P = np.vstack([X, tweets.X]), np.r_[y, tweets.y], P + list(tweets.pairs)
    names = data.names
    n = len(y)
    trainable = np.arange(n) < n_train
    groups = [p.group("dataset") or "eval-only" for p in P]
    meta = row_meta(P)
    sources = transfer_sources(meta, y)
    _log(f"bench: transfer matrix over {len(sources)} left-out sources")
    scores = source_scores(sources, transfer_fitter(X, y, P, groups, tc, trainable=trainable), n)
    rows = matrix_rows(sources, y, scores)
    add_baselines(rows, scores, y, X, names)
    _log("bench: pooled leave-one-dataset-out probabilities for the article model")
    tg = groups[:n_train]
    pooled = np.full(n, np.nan)
    pooled[:n_train] = out_of_fold(X[:n_train], y[:n_train], sample_weights(P[:n_train], y[:n_train]), tg,
                                   grouped_splits(tg, y[:n_train], len(set(tg))), tc)
    articles = article_transfer(sources, y, meta, pooled, scores, seed)
    out: dict[str, Any] = {"sentence": rows, "article": articles, "n": n, "n_mt": int(y.sum())}
    if sizes.ablation:
        out["ablation"] = transfer_ablation(X, y, P, groups, names, sources, tc, trainable)
    return out


def transfer_ablation(X: np.ndarray, y: np.ndarray, P: list[Pair], groups: list[str], names: list[str],
                      sources: list, tc: TrainConfig, trainable: np.ndarray) -> dict:
    """Per feature group: the AUC on each left-out source without the group, and what that loses.

    Uncalibrated fits (calibration does not change a fold's ranking)."""
    group = np.array([group_of(nm) for nm in names])

    def aucs(cols: np.ndarray) -> dict[str, float | None]:
        sc = source_scores(sources, transfer_fitter(X, y, P, groups, tc, cols, calibrated=False,
                                                    trainable=trainable), len(y))
        return {f"{s.kind}:{s.name}": source_auc(y, v) for s, v in zip(sources, sc)}

    def mean(d: dict) -> float:
        return round(float(np.mean([v for v in d.values() if v is not None])), 4)

    full = aucs(np.arange(len(names)))
    out: dict[str, Any] = {"full": {"per_source": full, "mean_auc": mean(full)}}
    for g in GROUPS:
        _log(f"bench: ablation without {g}")
        without = aucs(np.flatnonzero(group != g))
        lost = {k: round(full[k] - without[k], 4) for k in full if full[k] is not None and without[k] is not None}
        out[g] = {"n_features": int((group == g).sum()), "per_source_without": without, "per_source_lost": lost,
                  "mean_auc_without": mean(without), "auc_lost_without": round(mean(full) - mean(without), 4),
                  "sources_helped": sum(v > 0 for v in lost.values()), "n_sources": len(lost)}
    return out


def bench_tweets(data_dir: Path, sizes: Sizes, encoder: Any, model: Any, folds: list[Fold],
                 tree_scorers: list[Scorer], ngram_scorers: list[Scorer], y: np.ndarray,
                 scores: dict[str, np.ndarray], thr: dict[str, np.ndarray], seed: int) -> dict | None:
    """Tweets: recall of the shipped model, and cross-domain AUC of tweets vs held-out WMT humans."""
    if not (data_dir / TWEETS_FILE).exists():
        return None
    _log("bench: tweets")
    tw = prepare(load_tweets(data_dir, sizes.tweets, seed), encoder)
    p = model.predict_proba(tw.X)
    shipped = row_metrics(np.ones(len(p), int), p, model.threshold)
    by_pivot = {pv: round(float((p[m] >= model.threshold).mean()), 4)
                for pv in sorted({q.group("pivot") or "" for q in tw.pairs})
                if (m := np.array([q.group("pivot") == pv for q in tw.pairs])).any()}
    # cross-domain: tweet chunk k is scored by the model of fold k, against fold k's held-out humans
    chunk = np.arange(len(p)) % len(folds)
    names = tw.names
    ts = {"1-chrF": 1.0 - tw.X[:, names.index("sim_chrf")], "cosine": tw.X[:, names.index("sim_emb_cos")],
          "mtdetect": np.zeros(len(p)), "n-gram": np.zeros(len(p))}
    tthr = {m: np.zeros(len(p)) for m in METHODS}
    cands = [q.candidate for q in tw.pairs]
    for k, f in enumerate(folds):
        m = chunk == k
        ts["mtdetect"][m] = tree_scorers[k](tw.X[m])
        ts["n-gram"][m] = ngram_scorers[k]([c for c, keep in zip(cands, m) if keep])
        for meth in METHODS:
            tthr[meth][m] = thr[meth][f.test[0]]
    humans = np.flatnonzero(y == 0)
    yy = np.r_[np.ones(len(p), int), np.zeros(len(humans), int)]
    comb = {m: np.r_[ts[m], scores[m][humans]] for m in METHODS}
    cthr = {m: np.r_[tthr[m], thr[m][humans]] for m in METHODS}
    row = evaluate("tweets", "tweets (opus-mt round trips) vs held-out WMT human pairs — cross-domain",
                   np.ones(len(yy), bool), yy, comb, cthr,
                   note="cross-domain: tweets differ from news in topic and style, so every score is also a domain detector")
    return {"n": int(len(p)), "shipped_threshold": model.threshold, "recall_shipped": shipped["recall"],
            "mean_p_mt": round(float(p.mean()), 4), "recall_by_pivot": by_pivot, "cross_domain_row": row}


def bench_tsrt(y: np.ndarray, P: list[Pair], dataset: np.ndarray, folds: list[Fold], scores: dict[str, np.ndarray],
               sizes: Sizes, seed: int, notes: list[str]) -> dict | None:
    """TSRT baseline on a per-dataset subsample (half human, half MT), next to every other method."""
    from .roundtrip import RoundTripError, available_pivots

    if sizes.tsrt_per_dataset <= 0:
        return None
    if "es" not in available_pivots():
        notes.append("TSRT baseline skipped: Apertium with the en-es pair is not installed.")
        return None
    rng = np.random.default_rng(seed)
    pick: list[int] = []
    for f in folds:
        for label in (0, 1):
            idx = f.test[y[f.test] == label]
            pick += rng.choice(idx, min(len(idx), sizes.tsrt_per_dataset // 2), replace=False).tolist()
    sub = np.array(sorted(pick))
    _log(f"bench: TSRT round trips of {len(sub)} pairs (Apertium es)")
    t0 = time.perf_counter()
    try:
        tsrt = tsrt_scores([P[i].reference for i in sub], [P[i].candidate for i in sub])
    except RoundTripError as exc:
        notes.append(f"TSRT baseline skipped: {exc}")
        return None
    seconds = time.perf_counter() - t0
    ys, ds = y[sub], dataset[sub]
    sc = {m: scores[m][sub] for m in METHODS} | {"TSRT": tsrt}
    sfolds = [Fold(f.name, np.flatnonzero(ds != f.name), np.flatnonzero(ds == f.name)) for f in folds]
    thr = {m: fold_thresholds(sfolds, ys, s) for m, s in sc.items()}
    rows = [evaluate("tsrt", "all datasets (subsample)", np.ones(len(sub), bool), ys, sc, thr)]
    rows += [evaluate("tsrt", f.name, ds == f.name, ys, sc, thr) for f in folds]
    return {"rows": rows, "n": int(len(sub)), "seconds": round(seconds, 1)}


def bench_extra_pairs(files: Sequence[str], encoder: Any, model: Any, ngram_all: Scorer | None,
                      global_thr: dict[str, float] | None) -> list[dict]:
    """Each --pairs file scored by the shipped model (and the training-free baselines) as its own row."""
    rows = []
    for path in files:
        data = prepare(read_pairs([path], require_label=True), encoder)
        rows.append(_shipped_row("pairs", Path(path).name, [p.reference for p in data.pairs],
                                 [p.candidate for p in data.pairs], data.y, data.X, data.names, model,
                                 ngram_all, global_thr))
    return rows


def _shipped_row(section: str, name: str, refs: list[str], cands: list[str], y: np.ndarray, X: np.ndarray,
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


# --------------------------------------------------------------------------- speed


def _best_time(fn: Callable[[], Any], repeats: int) -> float:
    best = float("inf")
    for _ in range(max(1, repeats)):
        t = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t)
    return best


def _run_child(cmd: list[str]) -> tuple[float, int, float | None]:
    """Wall seconds, exit status and peak RSS (MiB, VmHWM polled from /proc) of one child process.

    getrusage/wait4 would report at least this (large) process's RSS: a forked child inherits it.
    """
    env = dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    t = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    peak = None
    while proc.poll() is None:
        try:
            for line in Path(f"/proc/{proc.pid}/status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    peak = max(peak or 0, int(line.split()[1]) / 1024)
        except (OSError, ValueError):
            pass
        time.sleep(0.05)
    return time.perf_counter() - t, proc.returncode, peak


def _shown_path(path: Path) -> str:
    """A path relative to the repository when inside it (reports are committed)."""
    root = Path(__file__).resolve().parent.parent
    try:
        return str(Path(path).resolve().relative_to(root))
    except ValueError:
        return str(path)


def bench_speed(detector: Any, model_dir: Path | None, pair_samples: dict[str, list[tuple[str, str]]], sizes: Sizes,
                seeds_seconds: float) -> dict:
    """Sentences/s per stage on the seeds, and pairs/s on each named sample of WMT pairs, each as
    a ratio to the embedding floor. Pair throughput is bound by the distinct texts to embed, so
    each sample reports how many it has per pair."""
    from .align import align

    files = sorted(SEEDS.glob("0*.txt"))
    ref_text = files[0].read_text(encoding="utf-8")
    suspects = [f.read_text(encoding="utf-8") for f in files[1:]]
    emb, reps = detector.embedder, sizes.repeats
    split = lambda: [([s.text for s in split_sentences(t)], [s.text for s in split_sentences(ref_text)]) for t in suspects]  # noqa: E731
    docs = split()
    n_sent = sum(len(s) for s, _ in docs)
    texts = [t for s, r in docs for t in s + r]  # alignment embeds each article's sentences once
    emb.encode(texts[:8])  # warm-up
    vecs = {}

    def embed() -> None:  # one call per article, as Detector.score_article makes
        for s, r in docs:
            vecs.update(zip(s + r, emb.encode(s + r)))

    lookup = lambda xs: np.stack([vecs[x] for x in xs])  # noqa: E731
    links: list = []

    def do_align() -> None:
        links[:] = [align(s, r, lookup, detector.align_config) for s, r in docs]

    stages: dict[str, float] = {"segmentation": _best_time(split, reps), "embedding": _best_time(embed, reps)}
    stages["alignment (DP)"] = _best_time(do_align, reps)
    trip = [(" ".join(r[j] for j in lk.reference), " ".join(s[i] for i in lk.suspect), lk.similarity)
            for (s, r), ls in zip(docs, links) for lk in ls if lk.reference]
    X: list = []
    stages["features"] = _best_time(lambda: X.__setitem__(slice(None), [feature_matrix(*zip(*trip))[0]]), reps)
    stages["classification"] = _best_time(lambda: detector.model.predict_proba(X[0]), reps)
    e2e = _best_time(lambda: [detector.score_article(t, ref_text) for t in suspects], reps - 1) if reps > 1 else np.inf
    stages["end to end (score_article)"] = min(e2e, seeds_seconds)  # the seeds run timed it once already
    floor = stages["embedding"]
    article = {k: {"seconds": round(v, 4), "sentences_per_s": round(n_sent / v, 1), "ratio_to_embedding": round(v / floor, 3)}
               for k, v in stages.items()}
    out: dict[str, Any] = {"articles": {"n_suspect_sentences": n_sent, "n_texts_embedded": len(texts), "stages": article}}

    pair_samples = {k: v for k, v in pair_samples.items() if v}
    out["pairs"] = {}
    for name, sample in pair_samples.items():
        refs, cands = [r for r, _ in sample], [c for _, c in sample]
        distinct = sorted(set(refs) | set(cands))
        t_emb = _best_time(lambda: emb.encode(distinct), reps)
        t_all = _best_time(lambda: detector.score_pairs(refs, cands), reps)
        out["pairs"][name] = {
            "n_pairs": len(sample), "distinct_texts": len(distinct), "embedding_s": round(t_emb, 3),
            "texts_per_s_embedding": round(len(distinct) / t_emb, 1), "score_pairs_s": round(t_all, 3),
            "pairs_per_s": round(len(sample) / t_all, 1), "ratio_to_embedding": round(t_all / t_emb, 3)}

    cli: dict[str, Any] = {}
    model_args = ["--model", str(model_dir)] if model_dir else []
    score_args = ["score", str(files[1]), "--reference", str(files[0]), "--format", "json", "-q"] + model_args
    commands = {"python -m mtdetect.cli score": [sys.executable, "-m", "mtdetect.cli"] + score_args}
    entry = shutil.which("mtdetect") or (Path(sys.executable).parent / "mtdetect")
    if Path(entry).exists():
        commands["mtdetect score (entry point)"] = [str(entry)] + score_args
    else:
        cli["entry_point"] = "not installed (pip install -e . provides it)"
    for name, cmd in commands.items():
        # Fresh processes, best of `reps`: one run can stall on the shared machine (12 s once, 3-4 s
        # before and after); every run's time is kept beside the best.
        runs = [_run_child(cmd) for _ in range(max(reps, 1))]
        secs, rc, rss = min(runs, key=lambda r: (r[1] != 0, r[0]))
        cli[name] = {"seconds": round(secs, 2), "exit": rc, "peak_rss_mib": rss and round(rss, 1),
                     "all_seconds": [round(r[0], 2) for r in runs]}
    for name, sample in pair_samples.items():
        with tempfile.TemporaryDirectory() as tmp:
            f = Path(tmp) / "pairs.jsonl"
            f.write_text("".join(json.dumps({"reference": r, "candidate": c}) + "\n" for r, c in sample))
            secs, rc, rss = _run_child([sys.executable, "-m", "mtdetect.cli", "score", "--pairs", str(f), "-q",
                                        "-o", str(Path(tmp) / "out.jsonl")] + model_args)
        cli[f"score --pairs ({name})"] = {"seconds": round(secs, 2), "exit": rc, "peak_rss_mib": rss and round(rss, 1),
                                          "pairs_per_s_incl_start": round(len(sample) / secs, 1)}
    out["cli"] = cli
    out["load_average_1min"] = round(os.getloadavg()[0], 2)
    out["peak_rss_mib_bench_process"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    return out


# --------------------------------------------------------------------------- report

# The speed targets of the detector's issue: a cold CLI score of an article, and --pairs throughput.
COLD_SCORE_TARGET_S = 5.0
PAIRS_TARGET_PER_S = 200.0


def _speed_targets(sp: dict) -> list[str]:
    """A table of the speed targets, each with this run's figure and whether it is met."""
    rows = []
    cold = sp["cli"].get("python -m mtdetect.cli score")
    if isinstance(cold, dict) and cold["exit"] == 0:
        rows.append(["cold `mtdetect score` of seed 001 against 000 (fresh process)", f"≤ {COLD_SCORE_TARGET_S:g} s",
                     f"{cold['seconds']} s", "met" if cold["seconds"] <= COLD_SCORE_TARGET_S else "**not met**"])
    for name, run in sp["cli"].items():
        if name.startswith("score --pairs") and isinstance(run, dict) and run["exit"] == 0:
            rate = run["pairs_per_s_incl_start"]
            rows.append([f"`{name}` (fresh process, start-up included)", f"≥ {PAIRS_TARGET_PER_S:g} pairs/s",
                         f"{rate} pairs/s", "met" if rate >= PAIRS_TARGET_PER_S else "**not met**"])
    if not rows:
        return []
    return ["Targets:", "", _table(["what", "target", "this run", ""], rows), ""]



def _f(x: Any, nd: int = 3) -> str:
    return "–" if x is None else f"{x:.{nd}f}" if isinstance(x, float) else str(x)


def _auc_cell(method: str, m: dict | None) -> str:
    if not m or m["roc_auc"] is None:
        return "–"
    cell = _f(m["roc_auc"])
    return cell + " (inverted)" if method == "cosine" and m["roc_auc"] < 0.5 else cell


def _table(headers: list[str], rows: list[list[Any]]) -> str:
    lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    lines += ["| " + " | ".join(str(c) for c in r) + " |" for r in rows]
    return "\n".join(lines)


def _rows_table(rows: list[dict], methods: Sequence[str]) -> str:
    head = ["row", "n", "n MT", "mtdetect ROC-AUC", "mtdetect PR-AUC", "mtdetect F1"]
    head += [f"{m} AUC" for m in methods if m != "mtdetect"] + [f"{m} F1" for m in methods if m != "mtdetect"]
    body = []
    for r in rows:
        ms = r["methods"]
        md = ms.get("mtdetect") or {}
        body.append([r["name"], r["n"], r["n_mt"], _auc_cell("mtdetect", md), _f(md.get("pr_auc")), _f(md.get("f1"))]
                    + [_auc_cell(m, ms.get(m)) for m in methods if m != "mtdetect"]
                    + [_f((ms.get(m) or {}).get("f1")) for m in methods if m != "mtdetect"])
    return _table(head, body)


def loss_sentences(rows: list[dict]) -> list[str]:
    """One plain sentence per (row, baseline) where mtdetect's ROC-AUC is not higher."""
    out = []
    for r in rows:
        mine = (r["methods"].get("mtdetect") or {}).get("roc_auc")
        for m, v in r["methods"].items():
            auc = (v or {}).get("roc_auc")
            if m != "mtdetect" and mine is not None and auc is not None and auc >= mine:
                inv = " (and that baseline is inverted there)" if m == "cosine" and auc < 0.5 else ""
                out.append(f"On **{r['name']}** ({r['section']}), mtdetect does not beat {m}: "
                           f"ROC-AUC {mine:.3f} vs {auc:.3f}{inv}.")
    return out


def inverted_sentences(rows: list[dict]) -> list[str]:
    return [f"The cosine baseline is inverted on **{r['name']}** (AUC {r['methods']['cosine']['roc_auc']:.3f} < 0.5): "
            "there MT output is *less* similar to the reference than human translation is."
            for r in rows if (r["methods"].get("cosine") or {}).get("roc_auc") is not None
            and r["methods"]["cosine"]["roc_auc"] < 0.5]


def all_rows(res: dict) -> list[dict]:
    h = res.get("heldout") or {}
    rows = list(h.get("rows", []))
    if h.get("tweets"):
        rows.append(h["tweets"]["cross_domain_row"])
    rows += (h.get("tsrt") or {}).get("rows", []) + res.get("seeds_pairs_rows", []) + res.get("pairs_rows", [])
    return rows


def _matrix_table(tr: dict, articles: list[dict] | None) -> str:
    art = {(a["kind"], a["name"]): a for a in articles or []}
    body = []
    for r in tr:
        a = art.get((r["kind"], r["name"]))
        b = r.get("baselines") or {}
        body.append([r["kind"], r["name"], r["n"], r["n_mt"], r["folds"], _f(r["roc_auc"]),
                     _f(b.get("1-chrF")), _f(b.get("cosine")), _f(r["recall"]), _f(r["false_positive_rate"]),
                     f"{_f(a['accuracy'])} ({a['n_docs']} docs, {a['n_mt_docs']} MT)" if a else "–",
                     _f(a.get("balanced_accuracy")) if a else "–",
                     f"{_f(a['mt_docs_flagged'])} / {_f(a['human_docs_flagged'])}" if a else "–"])
    return _table(["left out", "source", "n", "n MT", "folds", "mtdetect AUC", "1-chrF AUC", "cosine AUC",
                   "recall@0.5", "FPR@0.5", "article accuracy", "article balanced acc.",
                   "MT / human docs flagged"], body)


def render_transfer(res: dict) -> list[str]:
    """The transfer matrix (card and bench sample), article accuracy and the ablation."""
    L: list[str] = []
    card = (res.get("card_transfer") or {})
    if card.get("sentence"):
        L += ["## Transfer matrix of the shipped model (model card, full training data)", "",
              "Each source is scored by a model trained without it (mtdetect/transfer.py): a WMT dataset against "
              "every other dataset (and only the round trips of their references); an MT system family, an "
              "Apertium pivot or the opus-mt tweets (MT only) against the human pairs of a WMT dataset that is "
              "*also* left out, one fold per dataset, pooled. The tweets row is cross-domain (tweets vs news "
              "humans). Article accuracy: pseudo-documents of 5–25 consecutive segments of one dataset and "
              "system/pivot/translator (tweets: consecutive tweets of one pivot), scored by an article model "
              "fitted on the other sources' documents.", "",
              _matrix_table(card["sentence"], card.get("article")), "",
              f"Minimum sentence AUC over left-out sources: {_f(card.get('min_sentence_auc'))}; mean "
              f"{_f(card.get('mean_sentence_auc'))}; minimum article accuracy {_f(card.get('min_article_accuracy'))}.", ""]
    tr = res.get("transfer") or {}
    if tr.get("sentence"):
        L += ["## Transfer matrix on this bench's sample", "",
              f"{tr['n']} pairs ({tr['n_mt']} MT): the bench's WMT + Apertium sample plus its tweet sample, same "
              "protocol as the card (calibrated recipe per fold); baselines' AUC on the same rows.", "",
              _matrix_table(tr["sentence"], tr.get("article")), ""]
    ab = tr.get("ablation")
    if ab:
        srcs = list(ab["full"]["per_source"])
        L += ["## Feature-group ablation on the left-out sources", "",
              f"AUC of the model without each group on every left-out source (uncalibrated fits; full model mean "
              f"{ab['full']['mean_auc']:.3f}); *lost* = full − without (positive: the group helps on that source).", "",
              _table(["group", "features", "mean AUC without", "mean AUC lost", "sources helped"]
                     + [k.split(":", 1)[1] for k in srcs],
                     [[g, ab[g]["n_features"], _f(ab[g]["mean_auc_without"]), f"{ab[g]['auc_lost_without']:+.3f}",
                       f"{ab[g]['sources_helped']}/{ab[g]['n_sources']}"]
                      + [f"{ab[g]['per_source_lost'][k]:+.3f}" if k in ab[g]["per_source_lost"] else "–" for k in srcs]
                      for g in GROUPS]), ""]
        useless = [g for g in GROUPS if ab[g]["auc_lost_without"] <= 0]
        if useless:
            L += [f"Removing {', '.join(useless)} does not lower the mean left-out AUC here.", ""]
    return L


def render_report(res: dict) -> str:
    """report.md from the results dict."""
    h = res.get("heldout") or {}
    L = [f"# mtdetect benchmark ({res['mode']})", "",
         f"Model signature: `{res['signature']}`  ", f"Model: `{res['model_dir']}`  ",
         f"Created {res['created']} in {res['seconds']['total']:.0f} s on {res['machine']}.", ""]
    if res["skipped"]:
        L += ["**Skipped:**", ""] + [f"- {s}" for s in res["skipped"]] + [""]
    L += ["## Headline", ""]
    head = []
    overall = next((r for r in h.get("rows", []) if r["section"] == "overall"), None)
    if overall:
        head.append(["held-out ROC-AUC, all WMT datasets pooled (leave-one-dataset-out)"] +
                    [_auc_cell(m, overall["methods"][m]) for m in METHODS])
        per = [r for r in h["rows"] if r["section"] == "dataset"]
        head.append(["mean over held-out datasets"] + [_f(float(np.mean([r["methods"][m]["roc_auc"] for r in per])))
                                                      for m in METHODS])
    if h.get("tweets"):
        t = h["tweets"]
        head.append(["tweets vs WMT human (cross-domain) ROC-AUC"] + [_auc_cell(m, t["cross_domain_row"]["methods"][m]) for m in METHODS])
    L += [_table(["", *METHODS], head) if head else "_No held-out data rows (data absent)._", ""]
    seeds_ok = sum(r["ok"] for r in res["seeds"])
    L += [f"- Seeds: {seeds_ok}/{len(res['seeds'])} verdicts as expected (seeds/LABELS.md)."]
    if h.get("tweets"):
        t = h["tweets"]
        L += [f"- Tweets (true neural round trips, never trained on: an evaluation-only source): recall "
              f"{_f(t['recall_shipped'])} at the shipped "
              f"threshold {t['shipped_threshold']:g} (n={t['n']}; by pivot {t['recall_by_pivot']})."]
    sp = res.get("speed")
    if sp:
        e2e = sp["articles"]["stages"]["end to end (score_article)"]
        L += [f"- Speed: end to end {e2e['sentences_per_s']} sentences/s, {e2e['ratio_to_embedding']}× the embedding "
              f"forward pass; cold CLI start {sp['cli'].get('python -m mtdetect.cli score', {}).get('seconds')} s."]
    L += [""]
    L += render_transfer(res)
    if res.get("without_reference"):
        L += render_without_reference(res["without_reference"])
    losses = loss_sentences(all_rows(res))
    for r in (res.get("transfer") or {}).get("sentence", []):
        for m, auc in (r.get("baselines") or {}).items():
            if r["roc_auc"] is not None and auc is not None and auc >= r["roc_auc"]:
                losses.append(f"On left-out **{r['name']}** (transfer matrix, bench sample), mtdetect does not beat "
                              f"{m}: ROC-AUC {r['roc_auc']:.3f} vs {auc:.3f}.")
    L += ["## Where mtdetect loses", ""]
    L += ([f"- {s}" for s in losses] if losses else ["mtdetect beats every baseline on every row."]) + [""]
    inv = inverted_sentences(all_rows(res))
    if inv:
        L += [f"- {s}" for s in inv] + [""]

    L += ["## Seeds (shipped model, article verdicts against 000)", "",
          _table(["file", "expected", "verdict", "ok", "flagged fraction", "mean p_mt", "p_article",
                  "scored / sentences"],
                 [[r["file"], r["expected"], r["verdict"], "yes" if r["ok"] else "**NO**", _f(r["flagged_fraction"]),
                   _f(r["mean_p_mt"]), _f(r.get("p_article")), f"{r['n_scored']}/{r['n_sentences']}"]
                  for r in res["seeds"]]), ""]
    if res.get("seeds_pairs_rows"):
        L += ["Sentence level (001's scored sentences are MT, 002/003's are human rewrites; baselines' thresholds "
              "picked on held-out WMT scores):", "", _rows_table(res["seeds_pairs_rows"], METHODS), ""]

    if h.get("rows"):
        c = h["counts"]
        L += ["## Held-out WMT + Apertium pairs (leave-one-dataset-out)", "",
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
                L += [f"### {title}", "", _rows_table(rows, METHODS), ""]
    if h.get("tsrt"):
        ts = h["tsrt"]
        L += ["## TSRT-style round-trip stability baseline (subsample)", "",
              f"{ts['n']} held-out pairs (half human, half MT per dataset) round-tripped again through Apertium es "
              f"({ts['seconds']} s); score = chrF(c, RT(c)) − chrF(r, RT(r)). All methods on the same pairs. Note that "
              "Apertium-es round trips are favourable to this baseline (their second round trip is nearly idempotent).",
              "", _rows_table(ts["rows"], METHODS + ("TSRT",)), ""]
    if h.get("tweets"):
        L += ["## Tweets (cross-domain)", "", "Tweet chunk k is scored by the fold-k model and compared with fold k's "
              "held-out WMT human pairs: **cross-domain**, the AUC also rewards telling tweets from news.", "",
              _rows_table([h["tweets"]["cross_domain_row"]], METHODS), ""]
    if res.get("pairs_rows"):
        L += ["## --pairs files (shipped model)", "", _rows_table(res["pairs_rows"], METHODS), ""]
    if sp:
        a = sp["articles"]
        L += ["## Speed and memory", "",
              f"Seeds 001–004 against 000: {a['n_suspect_sentences']} suspect sentences, {a['n_texts_embedded']} texts "
              "embedded (each article's sentences, one call per article as alignment makes them; one "
              "call per article end to end). Best of "
              f"{res['plan']['repeats']}; ratio = stage time / embedding time in the same run (embedding = the floor).", "",
              _table(["stage", "seconds", "sentences/s", "× embedding"],
                     [[k, v["seconds"], v["sentences_per_s"], v["ratio_to_embedding"]] for k, v in a["stages"].items()]), ""]
        if sp.get("pairs"):
            L += ["Pairs (`Detector.score_pairs`, in process). Throughput is bound by the distinct texts to "
                  "embed: *random* WMT pairs are nearly all distinct; a run of the file in *file order* has "
                  "several systems' outputs per reference, as an evaluation file does.", "",
                  _table(["sample", "pairs", "distinct texts", "texts/s (embedding)", "pairs/s", "× embedding"],
                         [[k, p["n_pairs"], p["distinct_texts"], p["texts_per_s_embedding"], p["pairs_per_s"],
                           p["ratio_to_embedding"]] for k, p in sp["pairs"].items()]), ""]
        L += [_table(["command (fresh process)", "seconds (best)", "every run", "exit", "peak RSS MiB"],
                     [[k, v["seconds"], " / ".join(map(str, v.get("all_seconds", [v["seconds"]]))), v["exit"],
                       v["peak_rss_mib"]] for k, v in sp["cli"].items() if isinstance(v, dict)]), ""]
        failed = [k for k, v in sp["cli"].items() if isinstance(v, dict) and v["exit"] != 0]
        if failed:
            L += [f"**{', '.join(failed)} failed (non-zero exit): the timings above are not valid for those commands.** "
                  "Run the command by hand to see why (e.g. the model no longer matches the current features).", ""]
        L += _speed_targets(sp)
        if isinstance(sp["cli"].get("entry_point"), str):
            L += [f"`mtdetect` entry point: {sp['cli']['entry_point']}.", ""]
        L += [f"Load average (1 min) when measured: {sp['load_average_1min']} on {os.cpu_count()} CPUs "
              "(other work on the machine slows every stage alike; the ratios are more stable than the rates).", ""]
        L += [f"Peak RSS of the benchmark process itself: {sp['peak_rss_mib_bench_process']} MiB.", ""]
    L += ["## Time", "", _table(["part", "seconds"], [[k, v] for k, v in res["seconds"].items()]), ""]
    return "\n".join(L)


def _atomic_write(path: Path, text: str) -> None:
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.chmod(tmp, 0o644)  # mkstemp makes 0600 files
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _save_fig(fig: Any, path: Path) -> None:
    import matplotlib.pyplot as plt

    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    try:
        fig.savefig(tmp, format="png", dpi=110, bbox_inches="tight")
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    finally:
        plt.close(fig)
        Path(tmp).unlink(missing_ok=True)


def write_plots(res: dict, out_dir: Path) -> list[str]:
    """roc_heldout.png, speed.png, ablation.png (those with data)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    written = []
    h = res.get("heldout") or {}
    if h.get("roc"):
        ds = list(h["roc"])
        cols = min(3, len(ds))
        rows = -(-len(ds) // cols)
        fig, axes = plt.subplots(rows, cols, figsize=(4.2 * cols, 4 * rows), squeeze=False)
        for ax, d in zip(axes.flat, ds):
            for m in METHODS:
                c = h["roc"][d][m]
                ax.plot(c["fpr"], c["tpr"], label=m, lw=2 if m == "mtdetect" else 1)
            ax.plot([0, 1], [0, 1], ":", color="grey")
            ax.set_title(f"held out: {d}", fontsize=9)
            ax.set_xlabel("false positive rate")
            ax.set_ylabel("true positive rate")
        for ax in list(axes.flat)[len(ds):]:
            ax.axis("off")
        axes.flat[0].legend(fontsize=8)
        _save_fig(fig, out_dir / "roc_heldout.png")
        written.append("roc_heldout.png")
    sp = res.get("speed")
    if sp:
        st = sp["articles"]["stages"]
        fig, ax = plt.subplots(figsize=(7, 3.5))
        ax.barh(list(st), [v["ratio_to_embedding"] for v in st.values()], color="tab:blue")
        ax.axvline(1.0, color="grey", ls=":")
        ax.set_xscale("log")
        ax.set_xlabel("time relative to the embedding forward pass (log scale)")
        ax.invert_yaxis()
        ax.set_title("mtdetect speed breakdown on the seeds")
        _save_fig(fig, out_dir / "speed.png")
        written.append("speed.png")
    ab = (res.get("transfer") or {}).get("ablation")
    if ab:
        fig, ax = plt.subplots(figsize=(7, 3.5))
        x = np.arange(len(GROUPS))
        ax.bar(x, [ab[g]["mean_auc_without"] for g in GROUPS], 0.6, label="without the group")
        ax.axhline(ab["full"]["mean_auc"], color="k", ls="--", label="all features")
        ax.set_xticks(x, GROUPS)
        ax.set_ylim(0.4, 1.0)
        ax.set_ylabel("mean ROC-AUC on left-out sources")
        ax.legend(fontsize=8)
        _save_fig(fig, out_dir / "ablation.png")
        written.append("ablation.png")
    return written


# --------------------------------------------------------------------------- driver


@dataclass
class BenchReport:
    results: dict
    out_dir: Path
    files: list[str] = field(default_factory=list)

    def summary(self) -> str:
        """A few lines for the terminal: where the report is and the headline numbers."""
        r = self.results
        lines = [f"benchmark ({r['mode']}) written to {self.out_dir}: {', '.join(self.files)}",
                 f"signature: {r['signature']}",
                 "seeds: " + ", ".join(f"{s['file'][:3]} {s['verdict']}{'' if s['ok'] else ' (expected ' + s['expected'] + ')'}"
                                       for s in r["seeds"])]
        for row in (r.get("heldout") or {}).get("rows", []):
            if row["section"] in ("overall", "dataset"):
                lines.append(f"  {row['name']}: " + "  ".join(f"{m} {_auc_cell(m, row['methods'][m])}" for m in METHODS))
        if r["skipped"]:
            lines += [f"skipped: {s}" for s in r["skipped"]]
        lines.append(f"total {r['seconds']['total']:.0f} s")
        return "\n".join(lines)


def _strip_private(obj: Any) -> Any:
    if isinstance(obj, dict):
        return {k: _strip_private(v) for k, v in obj.items() if not str(k).startswith("_")}
    if isinstance(obj, list):
        return [_strip_private(v) for v in obj]
    if isinstance(obj, (np.floating, np.integer)):
        return obj.item()
    return obj


def run_bench(config: BenchConfig) -> BenchReport:
    """Run every part the environment allows and write report.md, results.json and the plots."""
    from .embed import Embedder
    from .score import Detector

    global _T0
    t_start = _T0 = time.perf_counter()
    sizes = config.plan
    out_dir = Path(config.out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    data_dir = Path(config.data_dir) if config.data_dir else ROOT.parent / "shared" / "data"
    tc = TrainConfig(seed=config.seed)
    skipped: list[str] = []
    seconds: dict[str, float] = {}

    _log("bench: loading the embedding model and the shipped classifier")
    embedder = Embedder()
    detector = Detector(config.model_dir, embedder=embedder)
    encoder = CachedEncoder(embedder, config.cache_dir)
    res: dict[str, Any] = {
        "mode": "quick" if config.quick else "full", "signature": detector.signature,
        "model_dir": _shown_path(detector.model.path), "created": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "machine": f"{os.cpu_count()} CPUs, Python {sys.version.split()[0]}", "plan": asdict(sizes),
        "skipped": skipped,
    }

    t = time.perf_counter()
    _log("bench: seeds")
    res["seeds"], seed_pairs = bench_seeds(detector)
    seconds["seeds"] = round(time.perf_counter() - t, 1)
    t = time.perf_counter()
    _log("bench: without the original (reference-free, index, pivot)")
    res["without_reference"] = bench_without_reference(detector)
    seconds["without_reference"] = round(time.perf_counter() - t, 1)

    heldout = None
    if (data_dir / WMT_FILE).exists():
        t = time.perf_counter()
        pairs = load_wmt_sample(data_dir, sizes, config.seed, skipped)
        if not config.tsrt:
            sizes = replace(sizes, tsrt_per_dataset=0)
        from threadpoolctl import threadpool_limits

        with threadpool_limits(limits=1):  # one thread per fit: far faster than OpenMP on a shared CPU
            heldout = bench_heldout(pairs, encoder, sizes, tc, data_dir, detector.model, config.seed, skipped)
        if heldout["tweets"] is None:
            skipped.append(f"tweets row skipped: {data_dir / TWEETS_FILE} is absent.")
        seconds["held-out accuracy"] = round(time.perf_counter() - t, 1)
        t = time.perf_counter()
        tweets = (prepare(load_tweets(data_dir, sizes.tweets, config.seed), encoder)
                  if (data_dir / TWEETS_FILE).exists() else None)
        with threadpool_limits(limits=1):
            res["transfer"] = bench_transfer(heldout["_data"], tweets, tc, sizes, config.seed)
        seconds["transfer matrix"] = round(time.perf_counter() - t, 1)
    else:
        skipped.append(f"WMT/Apertium/tweets rows and baselines skipped: {data_dir / WMT_FILE} is absent.")
    res["heldout"] = heldout
    res["card_transfer"] = (detector.model.card.get("metrics") or {}).get("transfer")
    ngram_all = heldout["_ngram_all"] if heldout else None
    gthr = heldout["global_thresholds"] if heldout else None

    if seed_pairs:
        refs, cands, labels = zip(*seed_pairs)
        cos = pair_cosines(refs, cands, encoder)
        X, names, _ = feature_matrix(refs, cands, cos)
        res["seeds_pairs_rows"] = [_shipped_row("seeds", "seed sentences: 001 (MT) vs 002+003 (human)", list(refs),
                                                list(cands), np.array(labels), X, names, detector.model, ngram_all, gthr)]
    if config.pairs:
        res["pairs_rows"] = bench_extra_pairs(config.pairs, encoder, detector.model, ngram_all, gthr)

    if config.speed:
        t = time.perf_counter()
        _log("bench: speed")
        samples: dict[str, list[tuple[str, str]]] = {}
        if heldout and sizes.speed_pairs:
            samples = wmt_speed_samples(data_dir, sizes.speed_pairs, config.seed)
        else:
            samples = {"seed sentences": [(r, c) for r, c, _ in seed_pairs][: sizes.speed_pairs]}
        res["speed"] = bench_speed(detector, config.model_dir, samples, sizes,
                                   sum(r["seconds"] for r in res["seeds"] if r["file"][:3] != "000"))
        seconds["speed"] = round(time.perf_counter() - t, 1)
    seconds["total"] = round(time.perf_counter() - t_start, 1)
    res["seconds"] = seconds

    res = _strip_private(res)
    files = write_plots(res, out_dir)
    _atomic_write(out_dir / "results.json", json.dumps(res, indent=1, ensure_ascii=False) + "\n")
    _atomic_write(out_dir / "report.md", render_report(res))
    return BenchReport(res, out_dir, ["report.md", "results.json"] + files)
