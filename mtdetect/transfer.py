"""Transfer evaluation: accuracy on sources the model never trained on (the headline number).

A *source* is one place training pairs come from: a WMT dataset (year x language pair), an
MT system family, an Apertium pivot of true round trips, or the opus-mt tweet round trips.
For each source the model is trained on everything else and scores that source:

* WMT dataset D: train on every other dataset (and on the round trips of *their* references
  only, so no reference of D is seen), test on D's MT and human pairs.
* MT system family F, Apertium pivot P, tweets: these are MT only, so their negatives are
  human pairs of a WMT dataset that is *also* left out. One fold per WMT dataset D: train
  without F (or P, or tweets) and without D; test on F's pairs of D (P's round trips of D's
  references; for tweets, a 1/len(datasets) share of them) against D's human pairs. The
  source's AUC pools its folds. For tweets this is also cross-domain (tweets vs news).

System families (from the WMT system names; see `system_family`): `Online-*` (the anonymised
commercial online engines), academic (university and research-institute submissions), and
industry/other (companies and unaffiliated teams).

Article level: WMT and the round trips have no document ids, so documents are *pseudo-
documents*: runs of consecutive seg_ids of one dataset and one system (or pivot, or human
translator), 5-25 sentences long (seeded); tweets: runs of consecutive tweets of one pivot.
Each is one class. `ArticleModel` turns a document's sentence probabilities into a
calibrated article probability.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Callable, Sequence

import numpy as np

ACADEMIC = frozenset({
    "CUNI-DocTransformer", "CUNI-Transformer", "CUNI-Transformer2018", "ALMAnaCH-Inria", "AISP-SJTU", "DLUT",
    "ICL", "SMU", "UEdin", "UF",
})
FAMILIES = ("Online-*", "academic", "industry/other")
RT_KIND = "apertium_roundtrip"
TWEET_KIND = "tweets_opusmt"
HUMAN_KIND = "human_translation_independent"


def system_family(system: str) -> str:
    """Family of a WMT system name: Online-* (commercial online), academic, or industry/other."""
    if system.startswith("Online-"):
        return "Online-*"
    return "academic" if system in ACADEMIC else "industry/other"


def row_meta(pairs: Sequence[Any]) -> dict[str, np.ndarray]:
    """Per-row source fields (dataset, system, kind, pivot, family, seg) of training pairs."""
    def get(p: Any, k: str) -> str:
        return p.group(k) or ""

    kind = np.array([get(p, "kind") or (TWEET_KIND if p.meta.get("engine") else "") for p in pairs])
    system = np.array([get(p, "system") for p in pairs])
    meta = {
        "dataset": np.array([get(p, "dataset") for p in pairs]),
        "system": system,
        "kind": kind,
        "pivot": np.array([get(p, "pivot") for p in pairs]),
        "doc": np.array([get(p, "doc_id") for p in pairs]),
        "seg": np.array([_seg(p.meta.get("seg_id")) for p in pairs]),
    }
    is_wmt_mt = (kind != RT_KIND) & (kind != TWEET_KIND) & (kind != HUMAN_KIND)
    meta["family"] = np.array([system_family(s) if m and s else "" for s, m in zip(system, is_wmt_mt)])
    return meta


def _seg(v: Any) -> int:
    try:
        return int(v)
    except (TypeError, ValueError):
        return -1


@dataclass(frozen=True)
class Source:
    """One left-out source: its folds (train rows, test rows) and how the test is built."""

    kind: str  # "dataset" | "family" | "pivot" | "tweets"
    name: str
    folds: tuple[tuple[np.ndarray, np.ndarray], ...]
    note: str = ""


def transfer_sources(meta: dict[str, np.ndarray], y: np.ndarray, min_mt: int = 5) -> list[Source]:
    """Every left-out source the data allows, with its folds (see the module docstring)."""
    kind, dataset = meta["kind"], meta["dataset"]
    is_rt, is_tw = kind == RT_KIND, kind == TWEET_KIND
    is_wmt = ~is_rt & ~is_tw & (dataset != "")
    humans = is_wmt & (y == 0)
    datasets = sorted(str(d) for d in set(dataset[is_wmt]))
    out: list[Source] = []
    for d in datasets:
        test = np.flatnonzero(is_wmt & (dataset == d))
        train = np.flatnonzero(dataset != d)
        if len(set(y[test].tolist())) == 2 and len(set(y[train].tolist())) == 2:
            out.append(Source("dataset", d, ((train, test),), "other datasets' pairs and round trips"))

    def mt_only(kind_: str, name: str, own: np.ndarray, note: str) -> None:
        folds = []
        tw_chunk = np.cumsum(own) % max(len(datasets), 1)  # tweets: an equal share per fold
        for k, d in enumerate(datasets):
            pos = own & ((dataset == d) if kind_ != "tweets" else (tw_chunk == k))
            if pos.sum() < min_mt or not (humans & (dataset == d)).any():
                continue
            train = np.flatnonzero(~own & (dataset != d))
            if len(set(y[train].tolist())) < 2:
                continue
            folds.append((train, np.flatnonzero(pos | (humans & (dataset == d)))))
        if folds:
            out.append(Source(kind_, name, tuple(folds), note))

    for f in FAMILIES:
        mt_only("family", f, meta["family"] == f, "vs human pairs of a left-out dataset")
    for pv in sorted(set(meta["pivot"][is_rt])):
        mt_only("pivot", f"apertium-{str(pv)}", is_rt & (meta["pivot"] == pv), "vs human pairs of the references' dataset")
    if is_tw.any():
        mt_only("tweets", "tweets (opus-mt)", is_tw, "cross-domain: vs human news pairs of a left-out dataset")
    return out


Fit = Callable[[np.ndarray], Callable[[np.ndarray], np.ndarray]]


def source_scores(sources: Sequence[Source], fit: Fit, n: int,
                  progress: Callable[[str], None] | None = None) -> list[np.ndarray]:
    """Held-out score of each source's test rows (NaN elsewhere), one array per source.

    `fit(train_rows)` returns a scorer `rows -> scores`.
    """
    out = []
    for s in sources:
        if progress:
            progress(f"transfer: leave out {s.kind} {s.name}")
        sc = np.full(n, np.nan)
        for train, test in s.folds:
            sc[test] = fit(train)(test)
        out.append(sc)
    return out


def source_auc(y: np.ndarray, scores: np.ndarray) -> float | None:
    from sklearn.metrics import roc_auc_score

    m = ~np.isnan(scores)
    if len(set(y[m].tolist())) < 2:
        return None
    return round(float(roc_auc_score(y[m], scores[m])), 4)


def matrix_rows(sources: Sequence[Source], y: np.ndarray, scores: Sequence[np.ndarray],
                threshold: float = 0.5) -> list[dict]:
    """One row per left-out source: n, n_mt, ROC-AUC, recall and FPR at `threshold`."""
    rows = []
    for s, sc in zip(sources, scores):
        m = ~np.isnan(sc)
        yy, pp = y[m], sc[m]
        flag = pp >= threshold
        rows.append({
            "kind": s.kind, "name": s.name, "n": int(m.sum()), "n_mt": int(yy.sum()), "folds": len(s.folds),
            "roc_auc": source_auc(y, sc),
            "recall": round(float(flag[yy == 1].mean()), 4) if (yy == 1).any() else None,
            "false_positive_rate": round(float(flag[yy == 0].mean()), 4) if (yy == 0).any() else None,
            "note": s.note,
        })
    return rows


def add_baselines(rows: list[dict], scores: Sequence[np.ndarray], y: np.ndarray, X: np.ndarray,
                  names: Sequence[str]) -> None:
    """Add the training-free baselines' AUC (1 - chrF, embedding cosine) on each row's test rows."""
    base = {"1-chrF": 1.0 - X[:, list(names).index("sim_chrf")], "cosine": X[:, list(names).index("sim_emb_cos")]}
    for r, sc in zip(rows, scores):
        m = ~np.isnan(sc)
        r["baselines"] = {k: source_auc(y[m], v[m]) for k, v in base.items()}


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


def pseudo_documents(meta: dict[str, np.ndarray], y: np.ndarray, rows: np.ndarray, seed: int = 13,
                     lo: int = 5, hi: int = 25) -> list[np.ndarray]:
    """Split `rows` into single-class pseudo-documents of lo..hi consecutive sentences.

    Runs are formed within one (dataset, system or pivot, label), in seg_id order (tweets:
    within one pivot, in document order); the length of each is drawn (seeded) in [lo, hi].
    """
    rng = np.random.default_rng(seed)
    buckets: dict[tuple, list[int]] = {}
    for i in rows:
        key = (meta["kind"][i], meta["dataset"][i], meta["system"][i], meta["pivot"][i], int(y[i]))
        buckets.setdefault(key, []).append(int(i))
    docs = []
    for key in sorted(buckets):
        idx = buckets[key]
        if meta["kind"][idx[0]] == TWEET_KIND:
            idx.sort(key=lambda i: (_seg(meta["doc"][i].removeprefix("tweet")), i))
        else:
            idx.sort(key=lambda i: (meta["seg"][i], i))
        start = 0
        while start < len(idx):
            size = int(rng.integers(lo, hi + 1))
            chunk = idx[start : start + size]
            start += size
            if len(chunk) >= lo:
                docs.append(np.array(chunk))
    return docs


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


def doc_group(meta: dict[str, np.ndarray], i: int) -> str:
    """The source a document belongs to, for balancing (system family, pivot, tweets, human)."""
    k = meta["kind"][i]
    if k == RT_KIND:
        return f"apertium-{meta['pivot'][i]}"
    if k == TWEET_KIND:
        return "tweets"
    if k == HUMAN_KIND:
        return f"human:{meta['dataset'][i]}"
    return meta["family"][i] or "mt"


def article_transfer(sources: Sequence[Source], y: np.ndarray, meta: dict[str, np.ndarray],
                     pooled: np.ndarray, per_source: Sequence[np.ndarray], seed: int = 13,
                     threshold: float = 0.5) -> list[dict]:
    """Article accuracy per left-out source.

    The article model for source S is fitted on pseudo-documents of every other source, with
    the held-out (`pooled`, e.g. leave-one-dataset-out) sentence probabilities; S's documents
    are built from S's test rows and scored with S's own held-out probabilities.
    """
    covered = np.flatnonzero(~np.isnan(pooled))
    all_docs = pseudo_documents(meta, y, covered, seed)
    rows = []
    for s, sc in zip(sources, per_source):
        test_rows = np.flatnonzero(~np.isnan(sc))
        test_set = set(test_rows.tolist())
        out_rows = set()
        for _, te in s.folds:
            out_rows.update(te[y[te] == 1].tolist())
        # train on documents that share no row with the source's MT or its test datasets
        test_datasets = set(meta["dataset"][test_rows].tolist())
        train_docs = [d for d in all_docs if not (set(d.tolist()) & out_rows)
                      and not (s.kind == "dataset" and meta["dataset"][d[0]] in test_datasets)]
        if len({int(y[d[0]]) for d in train_docs}) < 2:
            continue
        am = fit_article_model([pooled[d] for d in train_docs], [int(y[d[0]]) for d in train_docs],
                               [doc_group(meta, int(d[0])) for d in train_docs], threshold)
        docs = pseudo_documents(meta, y, np.array(sorted(test_set)), seed + 1)
        if not docs:
            continue
        pa = np.array([am.predict(sc[d]) for d in docs])
        yd = np.array([int(y[d[0]]) for d in docs])
        correct = (pa >= 0.5) == (yd == 1)
        rows.append({
            "kind": s.kind, "name": s.name, "n_docs": len(docs), "n_mt_docs": int(yd.sum()),
            "accuracy": round(float(correct.mean()), 4),
            "balanced_accuracy": round(float(np.mean([correct[yd == c].mean() for c in (0, 1) if (yd == c).any()])), 4),
            "mt_docs_flagged": round(float((pa[yd == 1] >= 0.5).mean()), 4) if (yd == 1).any() else None,
            "human_docs_flagged": round(float((pa[yd == 0] >= 0.5).mean()), 4) if (yd == 0).any() else None,
            "mean_sentences": round(float(np.mean([len(d) for d in docs])), 1),
        })
    return rows
