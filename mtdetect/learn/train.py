"""Training: labelled pairs -> features -> calibrated classifier + card, with grouped held-out metrics.

Validation never uses a random split when the data says where pairs come from: folds are
formed by `group`, else `dataset`, else `system` (a seeded split only when none is given),
so the metrics measure transfer to unseen sources, not memory.
"""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Sequence

import numpy as np

from mtdetect.embed.cache import CachedEncoder
from mtdetect.embed.minilm import Embedder, pair_cosines
from mtdetect.features import feature_matrix, feature_names, uses_cosine
from mtdetect.learn.hashing import data_hash
from mtdetect.inputs.errors import InputError
from mtdetect.learn.metrics import binary_metrics, pick_threshold
from mtdetect.learn.weights import balanced_weights, pair_sources
from mtdetect.card.model import Model, save_model
from mtdetect.inputs.pairs import GROUP_FIELDS, Pair, check_trainable
from mtdetect.report.progress import log
from mtdetect.text import normalize
from mtdetect.learn.documents import build_documents, source_matrix
from mtdetect.detect.article import ArticleModel
from mtdetect.learn.fitting import (TrainConfig, fit_calibrated, grouped_splits, make_classifier,  # noqa: F401
                                    out_of_fold, transfer_fitter)
from mtdetect.features.edit_lexicon import NAME as LEXICON
from mtdetect.learn.lexicon import fit_stacked, hashed, stacked_fitter

@dataclass
class Prepared:
    """Features of a training set, row-aligned with its pairs."""

    X: np.ndarray
    y: np.ndarray
    names: list[str]
    pairs: list[Pair]
    dropped_identical: int
    dropped_duplicates: int
    encode_seconds: float = 0.0
    feature_seconds: float = 0.0


def prepare(pairs: Sequence[Pair], encoder: Any) -> Prepared:
    """Normalise, drop copies and duplicates, embed, and compute features."""
    kept: list[Pair] = []
    seen: set[tuple[str, str, int | None]] = set()
    identical = duplicates = 0
    for p in pairs:
        ref, cand = normalize(p.reference), normalize(p.candidate)
        if not ref or not cand or ref == cand:
            identical += 1  # a copy is not a translation: scored as "copy", never trained on
            continue
        key = (ref, cand, p.label)
        if key in seen:
            duplicates += 1
            continue
        seen.add(key)
        kept.append(Pair(ref, cand, p.label, p.meta, p.where))
    t0 = time.perf_counter()
    refs, cands = [p.reference for p in kept], [p.candidate for p in kept]
    cos = pair_cosines(refs, cands, encoder, progress=True) if uses_cosine() else np.zeros(len(kept))
    t1 = time.perf_counter()
    X, names, _ = feature_matrix(refs, cands, cos, progress=True)
    t2 = time.perf_counter()
    y = np.array([p.label if p.label is not None else -1 for p in kept], dtype=int)
    return Prepared(X, y, names, kept, identical, duplicates, t1 - t0, t2 - t1)


def group_labels(pairs: Sequence[Pair], key: str | None, seed: int, n_folds: int) -> tuple[str, list[str]]:
    """The grouping used for held-out folds and each pair's group."""
    keys = [key] if key else list(GROUP_FIELDS[:3])
    if key:  # asked for by name: never a silent random split instead
        missing = sum(p.group(key) is None for p in pairs)
        if missing or len({p.group(key) for p in pairs}) < 2:
            why = f"{missing:,} of {len(pairs):,} pairs have no '{key}'" if missing else f"every pair has one '{key}'"
            raise InputError(f"--group-by {key}: {why}; held-out folds need the field on every pair, "
                             "with at least 2 values")
    for k in keys:
        values = [p.group(k) for p in pairs]
        if all(v is not None for v in values) and len(set(values)) >= 2:
            return k, [str(v) for v in values]
    rng = np.random.default_rng(seed)
    return "random", [f"fold{int(f)}" for f in rng.integers(0, n_folds, len(pairs))]



def matrix_metrics(X: np.ndarray, y: np.ndarray, pairs: Sequence[Pair], groups: Sequence[str],
                   config: TrainConfig, threshold: float, cols: np.ndarray | None = None,
                   structures: dict | None = None) -> tuple[dict | None, ArticleModel | None]:
    """learn.documents.source_matrix with the shipped recipe on columns `cols`: `transfer_fitter`, or
    with the edit lexicon stacked (config.lexicon, all columns: lexicon.stacked_fitter)."""
    return source_matrix(y, pairs, groups, recipe_fitter(X, y, pairs, groups, config, cols), threshold,
                         config.seed, structures)


def recipe_fitter(X: np.ndarray, y: np.ndarray, pairs: Sequence[Pair], groups: Sequence[str], config: TrainConfig,
                  cols: np.ndarray | None = None, H: Any = None) -> Any:
    """`fit(train_rows) -> scorer(rows)` of the recipe `config` names (H: the pairs' hashed edits)."""
    if not config.lexicon or cols is not None:
        return transfer_fitter(X, y, pairs, groups, config, cols)
    H = hashed([p.reference for p in pairs], [p.candidate for p in pairs]) if H is None else H
    return stacked_fitter(X, H, y, pairs, groups, config, feature_names())


def feature_weights(clf: Any, names: list[str]) -> dict[str, float] | None:
    """Mean standardised logistic weight per feature over the calibrated folds (None for trees)."""
    models = [c.estimator for c in getattr(clf, "calibrated_classifiers_", [])]
    if not models or not all(hasattr(m, "weights") for m in models):
        return None
    per = [m.weights(names) for m in models]
    return {n: round(float(np.mean([d[n] for d in per])), 4) for n in names}


def per_value_metrics(y: np.ndarray, p: np.ndarray, covered: np.ndarray, values: np.ndarray, threshold: float) -> dict:
    """Held-out metrics for each value of a field (e.g. each MT system).

    A value whose pairs are all MT (a system) is measured against every held-out human pair,
    so its AUC says how well that system's output is told apart from human translation.
    """
    out = {}
    humans = covered & (y == 0)
    for v in sorted(set(values.tolist()) - {""}):
        m = covered & (values == v)
        if not m.any():
            continue
        if len(set(y[m].tolist())) < 2:
            m = m | humans
        out[v] = binary_metrics(y[m], p[m], threshold)
    return out


@dataclass
class TrainReport:
    model: Model
    metrics: dict
    seconds: dict = field(default_factory=dict)


def train(
    pairs: Sequence[Pair],
    out_dir: Path,
    config: TrainConfig = TrainConfig(),
    embedder: Embedder | None = None,
    cache_dir: Path | None = None,
    extra_card: dict | None = None,
    structures: dict | None = None,
    force: bool = False,
    inputs: Sequence[object] = (),
    shift: Any = None,
    sentences: dict | None = None,
) -> TrainReport:
    """Train, evaluate on held-out groups, pick the threshold, and save model + card.

    When the groups are sources (each all MT or all human: `domain:producer`, as
    training/build_model.py tags them), the card's `metrics.transfer` is the (MT source,
    human source) leave-one-source-out matrix (protocol.py). `structures`: (group, doc) ->
    structure of the real documents (sources.load_structures). `shift`: a function of the prepared
    pairs that gives their learn/shift.HeldOutShift, and `sentences` (the real documents'
    sentences): the article model reads the translationese shift, held out by source
    (learn/documents.py).
    """
    check_trainable(list(pairs))
    t_start = time.perf_counter()
    embedder = embedder or Embedder()
    needs_embedding = uses_cosine()  # v5 on: no cosine, so nothing is embedded and no cache is opened or written
    encoder = CachedEncoder(embedder, cache_dir) if config.use_cache and needs_embedding else embedder
    log(f"read {len(pairs)} pairs")
    data = prepare(pairs, encoder)
    log(f"{len(data.pairs)} pairs to train on: {data.dropped_identical} copies and {data.dropped_duplicates} duplicates "
        "dropped" + ("; nothing to embed (no cosine feature), so no embedding cache" if not needs_embedding else ""))
    check_trainable(data.pairs)
    w = balanced_weights(data.y, *pair_sources(data.pairs))
    key, groups = group_labels(data.pairs, config.group_key, config.seed, config.n_folds)
    if key == "random":
        log("no grouping field (--group-by; group, dataset, system): RANDOM held-out folds put pairs of one document, "
            "writer or engine on both sides, so they overstate accuracy on a new source; give a grouping field")
    splits = grouped_splits(groups, data.y, config.n_folds)
    if not splits:
        raise InputError(f"grouping by {key}: no held-out fold has both classes on its training side (each "
                         "group holds one class); group by a field whose groups mix MT and human pairs")
    log(f"held-out evaluation: {len(splits)} folds grouped by {key}")
    t_fit = time.perf_counter()
    H = hashed([p.reference for p in data.pairs], [p.candidate for p in data.pairs]) if config.lexicon else None
    if config.lexicon:  # each outer fold: the whole stacked recipe, its lexicon and inner folds included
        oof = np.full(len(data.y), np.nan)
        fitter = recipe_fitter(data.X, data.y, data.pairs, groups, config, H=H)
        for train_rows, test_rows in splits:
            oof[test_rows] = fitter(train_rows)(test_rows)
    else:
        oof = out_of_fold(data.X, data.y, w, groups, splits, config)
    covered = ~np.isnan(oof)
    threshold = pick_threshold(data.y[covered], oof[covered], config.threshold_rule)
    metrics = {
        "grouped_by": key,
        "overall": binary_metrics(data.y[covered], oof[covered], threshold),
        "per_group": {
            g: binary_metrics(data.y[m], oof[m], threshold)
            for g in sorted(set(groups))
            if (m := covered & (np.array(groups) == g)).any()
        },
    }
    for k in ("dataset", "system", "pivot"):
        values = np.array([p.group(k) or "" for p in data.pairs])
        if k != key and (values != "").any():
            metrics[f"per_{k}"] = per_value_metrics(data.y, oof, covered, values, threshold)
    t_tr = time.perf_counter()
    transfer, article_model = source_matrix(data.y, data.pairs, groups,
                                            recipe_fitter(data.X, data.y, data.pairs, groups, config, H=H),
                                            threshold, config.seed, structures,
                                            shift(data.pairs) if shift else None, sentences)
    if transfer is None:
        log(f"no transfer evaluation (leave one source out): the {key} groups are not all-MT or all-human sources")
    if article_model is None:  # groups are folds, not sources: documents of the held-out folds
        fold_docs = build_documents(data.pairs, data.y, groups, oof, config.seed, structures)
        article_model = fold_docs.fit(range(len(fold_docs.rows)), oof, threshold)
    metrics["transfer"] = transfer
    transfer_seconds = time.perf_counter() - t_tr
    log("fitting the final calibrated model")
    names, lexicon, arrays = data.names, None, None
    if config.lexicon:
        clf, lexicon, _ = fit_stacked(data.X, H, data.y, data.pairs, groups, config, data.names, splits=splits)
        names, arrays = data.names + [LEXICON], lexicon.arrays()
    else:
        clf = fit_calibrated(data.X, data.y, w, splits, config)
    seconds = {
        "encode": round(data.encode_seconds, 1),
        "features": round(data.feature_seconds, 1),
        "fit_and_validate": round(time.perf_counter() - t_fit, 1),
        "transfer": round(transfer_seconds, 1),
        "total": round(time.perf_counter() - t_start, 1),
    }
    counts: dict[str, Any] = {"pairs": len(data.pairs), "mt": int((data.y == 1).sum()),
                              "human": int((data.y == 0).sum()), "dropped_identical": data.dropped_identical,
                              "dropped_duplicates": data.dropped_duplicates}
    for k in ("dataset", "system", "pivot"):
        vals = [p.group(k) for p in data.pairs if p.group(k)]
        if vals:
            counts[f"by_{k}"] = {v: vals.count(v) for v in sorted(set(vals))}
    card = {
        "embedding": {"name": embedder.name, "weights_sha256": embedder.weights_sha256,
                      **asdict(embedder.config), "precision": embedder.precision},
        "feature_names": names,
        "threshold": round(float(threshold), 4),
        "feature_weights": feature_weights(clf, names),
        **({"lexicon": lexicon.card()} if lexicon else {}),
        "threshold_rule": config.threshold_rule,
        "train_config": asdict(config),
        "training_data": {"sha256": data_hash([p.reference, p.candidate, p.label] for p in data.pairs), "counts": counts},
        "metrics": {"heldout": {k: v for k, v in metrics.items() if k != "transfer"},
                    "transfer": metrics.get("transfer")},
        "article_model": article_model.to_dict() if article_model else None,
        "seconds": seconds,
        "created": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }
    card.update(extra_card or {})
    if "relatedness" not in card:
        card.update(shipped_relatedness())
    model = save_model(clf, card, out_dir, arrays=arrays, force=force, inputs=inputs)
    if isinstance(encoder, CachedEncoder):
        seconds["cache_hits"] = encoder.hits
        seconds["cache_misses"] = encoder.misses
    return TrainReport(model, metrics, seconds)


def shipped_relatedness() -> dict:
    """The shipped reference model's relatedness rules, for a model trained here without its own.

    The rule reads the alignment and the words (detect/relatedness.py), never the sentence
    classifier, so it holds for any classifier aligned by the same embedders; kept in the new
    card (and so in its seal and signature) with the shipped card's seal it came from. Without
    it a new model would fall back to the 18% share rule set from the seeds."""
    from mtdetect.card.card import CARD_FILE, ModelError, read_card
    from mtdetect.card.kinds import shipped_models_dir, spec_for

    try:
        shipped = read_card(shipped_models_dir() / spec_for("reference").default_dir / CARD_FILE)
    except ModelError:  # unreadable or not a card: the new model keeps the share rule
        return {}
    block = shipped.get("relatedness")
    if not isinstance(block, dict):
        return {}
    return {"relatedness": {**block, "inherited_from": f"card {str(shipped.get('card_sha256', ''))[:12]} "
                                                        "(the shipped reference model)"}}
