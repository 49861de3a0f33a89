"""Tweets: true neural round trips, never trained on; recall of the shipped model and a cross-domain row."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from ..train import prepare
from .config import METHODS, TWEETS_FILE, Sizes, step
from .data import load_tweets
from .evaluation import Fold, Scorer, evaluate, row_metrics
from .tables import rows_table


def bench_tweets(data_dir: Path, sizes: Sizes, encoder: Any, model: Any, folds: list[Fold],
                 tree_scorers: list[Scorer], ngram_scorers: list[Scorer], y: np.ndarray,
                 scores: dict[str, np.ndarray], thr: dict[str, np.ndarray], seed: int) -> dict | None:
    """Tweets: recall of the shipped model, and cross-domain AUC of tweets vs held-out WMT humans."""
    if not (data_dir / TWEETS_FILE).exists():
        return None
    step("bench: tweets")
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


def render_tweets(h: dict) -> list[str]:
    """The tweets section (cross-domain)."""
    if not h.get("tweets"):
        return []
    return ["## Tweets (cross-domain)", "", "Tweet chunk k is scored by the fold-k model and compared with fold k's "
            "held-out WMT human pairs: **cross-domain**, the AUC also rewards telling tweets from news.", "",
            rows_table([h["tweets"]["cross_domain_row"]], METHODS), ""]
