"""The transfer matrix on the bench sample (each source scored by a model trained without it), the
feature-group ablation, and the matrix sections of the report (the card's and the bench's)."""

from __future__ import annotations

from typing import Any

import numpy as np

from ..features import group_of
from ..pairs import Pair
from ..train import TrainConfig, grouped_splits, out_of_fold, sample_weights, transfer_fitter
from ..transfer import add_baselines, article_transfer, matrix_rows, row_meta, source_auc, source_scores, transfer_sources
from .config import GROUPS, Sizes, step
from .tables import fmt, table


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
    step(f"bench: transfer matrix over {len(sources)} left-out sources")
    scores = source_scores(sources, transfer_fitter(X, y, P, groups, tc, trainable=trainable), n)
    rows = matrix_rows(sources, y, scores)
    add_baselines(rows, scores, y, X, names)
    step("bench: pooled leave-one-dataset-out probabilities for the article model")
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
        step(f"bench: ablation without {g}")
        without = aucs(np.flatnonzero(group != g))
        lost = {k: round(full[k] - without[k], 4) for k in full if full[k] is not None and without[k] is not None}
        out[g] = {"n_features": int((group == g).sum()), "per_source_without": without, "per_source_lost": lost,
                  "mean_auc_without": mean(without), "auc_lost_without": round(mean(full) - mean(without), 4),
                  "sources_helped": sum(v > 0 for v in lost.values()), "n_sources": len(lost)}
    return out


def matrix_table(tr: dict, articles: list[dict] | None) -> str:
    art = {(a["kind"], a["name"]): a for a in articles or []}
    body = []
    for r in tr:
        a = art.get((r["kind"], r["name"]))
        b = r.get("baselines") or {}
        body.append([r["kind"], r["name"], r["n"], r["n_mt"], r["folds"], fmt(r["roc_auc"]),
                     fmt(b.get("1-chrF")), fmt(b.get("cosine")), fmt(r["recall"]), fmt(r["false_positive_rate"]),
                     f"{fmt(a['accuracy'])} ({a['n_docs']} docs, {a['n_mt_docs']} MT)" if a else "–",
                     fmt(a.get("balanced_accuracy")) if a else "–",
                     f"{fmt(a['mt_docs_flagged'])} / {fmt(a['human_docs_flagged'])}" if a else "–"])
    return table(["left out", "source", "n", "n MT", "folds", "mtdetect AUC", "1-chrF AUC", "cosine AUC",
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
              matrix_table(card["sentence"], card.get("article")), "",
              f"Minimum sentence AUC over left-out sources: {fmt(card.get('min_sentence_auc'))}; mean "
              f"{fmt(card.get('mean_sentence_auc'))}; minimum article accuracy {fmt(card.get('min_article_accuracy'))}.", ""]
    tr = res.get("transfer") or {}
    if tr.get("sentence"):
        L += ["## Transfer matrix on this bench's sample", "",
              f"{tr['n']} pairs ({tr['n_mt']} MT): the bench's WMT + Apertium sample plus its tweet sample, same "
              "protocol as the card (calibrated recipe per fold); baselines' AUC on the same rows.", "",
              matrix_table(tr["sentence"], tr.get("article")), ""]
    ab = tr.get("ablation")
    if ab:
        srcs = list(ab["full"]["per_source"])
        L += ["## Feature-group ablation on the left-out sources", "",
              f"AUC of the model without each group on every left-out source (uncalibrated fits; full model mean "
              f"{ab['full']['mean_auc']:.3f}); *lost* = full − without (positive: the group helps on that source).", "",
              table(["group", "features", "mean AUC without", "mean AUC lost", "sources helped"]
                     + [k.split(":", 1)[1] for k in srcs],
                     [[g, ab[g]["n_features"], fmt(ab[g]["mean_auc_without"]), f"{ab[g]['auc_lost_without']:+.3f}",
                       f"{ab[g]['sources_helped']}/{ab[g]['n_sources']}"]
                      + [f"{ab[g]['per_source_lost'][k]:+.3f}" if k in ab[g]["per_source_lost"] else "–" for k in srcs]
                      for g in GROUPS]), ""]
        useless = [g for g in GROUPS if ab[g]["auc_lost_without"] <= 0]
        if useless:
            L += [f"Removing {', '.join(useless)} does not lower the mean left-out AUC here.", ""]
    return L
