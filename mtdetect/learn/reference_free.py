"""Training and held-out evaluation of the reference-free model (scikit-learn; not on the scoring path).

Leave one source out: for each MT source S (asap-fr, tweets-ru, apertium-es, ...), the groups
(essays, pseudo-documents of tweets or originals) of S's domain are split in two halves by a
hash of the group; S's round trips in one half and the originals of that half are the test.
The model is trained on every other source minus that half's groups, so no fold sees either
side of a pair it is tested on, nor another pivot's round trip of the same original.

The held-out sentence margins of all sources together calibrate the sentence probability
(Platt) and the article probability (a logistic model of the mean margin and
mean margin x sqrt(n), both weights >= 0, fitted on held-out documents and on random
sub-documents of 3-40 sentences of them, so short articles get a calibrated answer too).
"""

from __future__ import annotations

import hashlib
import json
import random
import time
import zlib
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Sequence

import numpy as np

from mtdetect.learn.reference_free_data import Unit
from mtdetect.features.standalone.families import (DENSE, Standardiser, balanced_weights, design, export_arrays, family_matrix, fit_logistic,
                      fit_platt, masked_sentences, sigmoid)

MIN_DOC_SENTENCES = 10


@dataclass(frozen=True)
class RFConfig:
    """How the reference-free model is trained; stored in its card."""

    families: tuple[str, ...] = ("solo", "fluency", "funcpunct", "minilm", "chargram")
    C: float = 0.5
    dense_weight: float = 0.3
    seed: int = 15
    min_doc_sentences: int = MIN_DOC_SENTENCES
    balance_domains: bool = True


def bucket(u: Unit) -> str:
    """Weighting bucket: the domain, except that all Apertium round trips share one, so six
    rule-based pivots on three domains do not outweigh the neural round trips."""
    return "apertium" if u.source.startswith("apertium") else u.domain


def compute_blocks(texts: Sequence[str], families: Sequence[str], encoder: Any = None,
                   misspellings: bool = True) -> dict[str, Any]:
    masked = masked_sentences(texts, misspellings=misspellings)
    return {f: family_matrix(f, masked, encoder) for f in families}


def _auc(y: Sequence[int], s: Sequence[float]) -> float | None:
    from sklearn.metrics import roc_auc_score

    return round(float(roc_auc_score(y, s)), 4) if len(set(np.asarray(y).tolist())) == 2 else None


def half(group: str) -> int:
    return zlib.crc32(group.encode("utf-8")) % 2


def fit_sentence_model(blocks: dict[str, Any], y: np.ndarray, sources: Sequence[str], config: RFConfig,
                       domains: Sequence[str] | None = None):
    """(classifier, standardiser) on all rows given."""
    fams = config.families
    w = balanced_weights(y, list(sources), domains if config.balance_domains else None)
    std = (Standardiser.fit(np.hstack([blocks[f] for f in fams if f in DENSE]), w)
           if any(f in DENSE for f in fams) else None)
    return fit_logistic(design(blocks, fams, std, config.dense_weight), y, w, config.C), std


def _rows(blocks: dict[str, Any], mask: np.ndarray, families: Sequence[str]) -> dict[str, Any]:
    return {f: blocks[f][mask] for f in families}


def doc_means(docs: np.ndarray, y: np.ndarray, m: np.ndarray, min_n: int) -> tuple[list[float], list[int], list[int]]:
    """Mean margin, label and size of each document with at least min_n sentences."""
    out_m, out_y, out_n = [], [], []
    for d in sorted(set(docs.tolist())):
        k = docs == d
        if k.sum() >= min_n:
            out_m.append(float(m[k].mean()))
            out_y.append(int(y[k][0]))
            out_n.append(int(k.sum()))
    return out_m, out_y, out_n


@dataclass
class Heldout:
    """Leave-one-source-out results: metrics per source and the held-out margins."""

    per_source: dict[str, dict] = field(default_factory=dict)
    index: list[np.ndarray] = field(default_factory=list)  # test rows of each source
    margins: list[np.ndarray] = field(default_factory=list)
    source: list[str] = field(default_factory=list)


def leave_one_source_out(units: Sequence[Unit], blocks: dict[str, Any], config: RFConfig,
                         sources: Sequence[str] | None = None, log: Any = None) -> Heldout:
    y = np.array([u.label for u in units])
    src = np.array([u.source for u in units])
    dom = np.array([u.domain for u in units])
    buckets = np.array([bucket(u) for u in units])
    fold = np.array([half(u.group) for u in units])
    kind = np.array([u.kind for u in units])
    docs = np.array([u.doc for u in units])
    out = Heldout()
    for S in sources or sorted({u.source for u in units if u.label == 1}):
        d = dom[src == S][0]
        test_groups = (dom == d) & (fold == half(S))
        test = test_groups & ((src == S) | (kind == "original"))
        train = (src != S) & ~test_groups
        clf, std = fit_sentence_model(_rows(blocks, train, config.families), y[train], src[train].tolist(), config,
                                      buckets[train].tolist())
        m = clf.decision_function(design(_rows(blocks, test, config.families), config.families, std,
                                         config.dense_weight))
        ds, dy, _ = doc_means(docs[test], y[test], m, config.min_doc_sentences)
        res = {"sentence_auc": _auc(y[test], m), "n_sentences": int(test.sum()), "n_mt": int(y[test].sum()),
               "article_auc": _auc(dy, ds), "n_docs": len(dy), "n_mt_docs": int(sum(dy))}
        out.per_source[S] = res
        out.index.append(np.flatnonzero(test))
        out.margins.append(m)
        out.source.append(S)
        if log:
            log(f"  {S:16s} " + " ".join(f"{k}={v}" for k, v in res.items()))
    return out


def article_samples(units: Sequence[Unit], held: Heldout, rng: random.Random, per_doc: int = 3):
    """(mean margin, n, label, source) of held-out documents and of random sub-documents of them."""
    docs = np.array([u.doc for u in units])
    y = np.array([u.label for u in units])
    rows = []
    for idx, m, S in zip(held.index, held.margins, held.source):
        d = docs[idx]
        for doc in sorted(set(d.tolist())):
            k = np.flatnonzero(d == doc)
            rows.append((float(m[k].mean()), len(k), int(y[idx][k][0]), S))
            for _ in range(per_doc):
                n = rng.randint(3, 40)
                if n < len(k):
                    pick = rng.sample(list(k), n)
                    rows.append((float(m[pick].mean()), n, int(y[idx][k][0]), S))
    return rows


def fit_article(rows) -> dict:
    """z = a * mean + b * mean * sqrt(n) + c, a, b >= 0, class- and source-balanced log loss."""
    from scipy.optimize import minimize

    mean = np.array([r[0] for r in rows])
    n = np.array([r[1] for r in rows], dtype=np.float64)
    y = np.array([r[2] for r in rows], dtype=np.float64)
    w = balanced_weights(y.astype(int), [r[3] if r[2] else f"human:{r[3]}" for r in rows])
    X = np.column_stack([mean, mean * np.sqrt(n), np.ones(len(rows))])

    def loss(t):
        z = X @ t
        p = sigmoid(z)
        return float(np.sum(w * (np.logaddexp(0.0, z) - y * z))) + 1e-3 * float(t[:2] @ t[:2]), X.T @ (w * (p - y)) + np.r_[2e-3 * t[:2], 0.0]

    res = minimize(loss, np.zeros(3), jac=True, method="L-BFGS-B", bounds=[(0, None), (0, None), (None, None)])
    a, b, c = (float(v) for v in res.x)
    return {"coef_mean": round(a, 6), "coef_mean_sqrt_n": round(b, 6), "intercept": round(c, 6)}


TARGET_ACCURACY = 0.9


def decisive_bound(p: np.ndarray, y: np.ndarray, sources: Sequence[str]) -> float:
    """The smallest confidence max(p, 1-p) at which held-out documents at least that confident
    are right TARGET_ACCURACY of the time, each source weighted equally (1.0: never decisive)."""
    src = np.asarray(sources)
    w = np.array([1.0 / np.sum(src == s) for s in src])
    conf = np.maximum(p, 1 - p)
    right = (p >= 0.5) == y.astype(bool)
    for t in np.arange(0.6, 0.995, 0.01):
        k = conf >= t
        if k.sum() >= 20 and np.sum(w[k] * right[k]) / np.sum(w[k]) >= TARGET_ACCURACY:
            return round(float(t), 2)
    return 1.0


def article_probability(cal: dict, mean_margin: float, n: int) -> float:
    z = cal["coef_mean"] * mean_margin + cal["coef_mean_sqrt_n"] * mean_margin * np.sqrt(n) + cal["intercept"]
    return float(sigmoid(z))


def data_hash(units: Sequence[Unit]) -> str:
    h = hashlib.sha256()
    for line in sorted(json.dumps([u.text, u.label]) for u in units):
        h.update(line.encode("utf-8"))
    return h.hexdigest()


def train_reference_free(units: Sequence[Unit], out_dir: Path, config: RFConfig = RFConfig(), encoder: Any = None,
                         blocks: dict[str, Any] | None = None, extra_card: dict | None = None, log: Any = None):
    """Held-out evaluation by source, calibration on the held-out margins, final fit on all, save."""
    from mtdetect.card.model import reference_free_spec, save_model
    from mtdetect.features.standalone.families import rf_feature_names

    t0 = time.perf_counter()
    units = list(units)
    y = np.array([u.label for u in units])
    if len(set(y.tolist())) < 2:
        raise ValueError("reference-free training needs both MT and human sentences")
    if blocks is None:
        blocks = compute_blocks([u.text for u in units], config.families, encoder)
    held = leave_one_source_out(units, blocks, config, log=log)
    idx = np.concatenate(held.index)
    margins = np.concatenate(held.margins)
    srcs = [u.source for u in units]
    w = balanced_weights(y[idx], [srcs[i] if y[i] else f"human:{s}" for i, s in
                                  zip(idx, np.repeat(held.source, [len(i) for i in held.index]))])
    platt = fit_platt(margins, y[idx], w)
    rows = article_samples(units, held, random.Random(config.seed))
    art = fit_article(rows)
    # How the calibrated article probability does on the held-out documents it was fitted on,
    # and the verdict rule: an article verdict is given only where held-out documents that
    # confident were right at least TARGET_ACCURACY of the time (each source weighted equally).
    full = [r for r in rows if r[1] >= config.min_doc_sentences]
    p_art = np.array([article_probability(art, r[0], r[1]) for r in full])
    decisive = decisive_bound(p_art, np.array([r[2] for r in full]), [r[3] for r in full])
    conf = np.maximum(p_art, 1 - p_art) >= decisive
    right = (p_art >= 0.5) == np.array([bool(r[2]) for r in full])
    art_summary = {"documents": len(full), "auc": _auc([r[2] for r in full], p_art),
                   "decisive_bound": decisive, "decisive_share": round(float(conf.mean()), 4) if full else None,
                   "accuracy_when_decisive": round(float(right[conf].mean()), 4) if conf.any() else None,
                   "per_source": {S: {"auc": _auc([r[2] for r, k in zip(full, m) if k], p_art[m]),
                                      "decisive_share": round(float(conf[m].mean()), 4),
                                      "accuracy_when_decisive": round(float(right[m & conf].mean()), 4)
                                      if (m & conf).any() else None}
                                  for S in sorted({r[3] for r in full})
                                  if (m := np.array([r[3] == S for r in full])).any()}}
    clf, std = fit_sentence_model(_rows(blocks, np.ones(len(y), bool), config.families), y, srcs, config,
                                  [bucket(u) for u in units])
    counts: dict[str, int] = {}
    for u in units:
        counts[u.source] = counts.get(u.source, 0) + 1
    emb = getattr(encoder, "embedder", encoder)  # a CachedEncoder wraps the Embedder
    card = {
        "embedding": ({"name": emb.name, "weights_sha256": emb.weights_sha256,
                       "precision": getattr(emb, "precision", "fp32")}
                      if "minilm" in config.families and emb is not None else None),
        "feature_names": rf_feature_names(),
        "families": list(config.families),
        "threshold": 0.5,
        "threshold_rule": "fixed: the equal-cost decision for probabilities calibrated with balanced classes",
        "sentence_calibration": {"a": round(platt[0], 6), "b": round(platt[1], 6), "of": "held-out margins, all sources"},
        "article_calibration": {**art, "of": "mean sentence margin (before Platt) and n sentences"},
        "verdict_rule": {"decisive": art_summary["decisive_bound"], "target_accuracy": TARGET_ACCURACY,
                         "rule": "round-trip MT if p_article >= decisive, no MT evidence if <= 1 - decisive, "
                                 "else inconclusive; decisive chosen on held-out documents"},
        "train_config": asdict(config),
        "training_data": {"sha256": data_hash(units), "counts": {"sentences": len(units), "mt": int(y.sum()),
                                                                 "human": int((y == 0).sum()), "by_source": counts}},
        "metrics": {"heldout": {
            "grouped_by": "leave one source out; test and training groups disjoint",
            "per_source": held.per_source, "article_calibrated": art_summary,
            # the shape `mtdetect bench` reads: ROC-AUC per left-out source, sentences and documents
            "sentence": {"per_group": {k: {"roc_auc": v["sentence_auc"], "n": v["n_sentences"]}
                                       for k, v in held.per_source.items()}},
            "article": {"per_group": {k: {"roc_auc": v["article_auc"], "n": v["n_docs"]}
                                      for k, v in held.per_source.items()},
                        "documents": f"documents of >= {config.min_doc_sentences} sentences"}}},
        "seconds": {"total": round(time.perf_counter() - t0, 1)},
        "created": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }
    card.update(extra_card or {})
    model = save_model(clf, card, out_dir, reference_free_spec(), arrays=export_arrays(clf, std, platt))
    return model, card["metrics"]["heldout"]
