"""Reference-free scoring: a suspect article judged on its own English, with no original.

    from mtdetect.reffree import ReferenceFreeDetector
    result = ReferenceFreeDetector().score_article(text)     # ArticleResult, mode "reference-free"

Per sentence: a calibrated probability from features of the sentence alone
(`features/solo.py`: collocations English does not use, word-frequency profile, surface
traces). Per article: the mean sentence log-odds, calibrated on held-out pseudo-documents
(`p_article`). Far weaker than scoring against the original — the model card and
`mtdetect bench` give its held-out numbers next to the reference-based ones — so every
result says it is reference-free.

Training (`train_reference_free`) uses the same discipline as the reference model: folds
hold out whole sources, weights balance class, kind of data and system.
"""

from __future__ import annotations

import math
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Sequence

import numpy as np

from .features.solo import SoloFeatures, solo_directions, solo_matrix
from .model import Model, load_model, reference_free_spec, save_model
from .results import ArticleResult, SentenceResult
from .text import normalize, split_sentences, tokenize

VERDICT_MT, VERDICT_NONE, VERDICT_UNSURE = "round-trip MT", "no MT evidence", "inconclusive"
DECISIVE = 0.7  # the article probability must reach 0.7 (or fall to 0.3) for a verdict either way


def _fit_article(scores: np.ndarray, labels: np.ndarray) -> tuple[float, float]:
    """Platt scaling of mean sentence log-odds, class-balanced, with the slope held >= 0:
    more MT-like sentences can never make the article less MT-like. Where held-out data
    shows no such relation the slope is 0 and every article gets 0.5 (inconclusive)."""
    from sklearn.linear_model import LogisticRegression

    lr = LogisticRegression(class_weight="balanced").fit(scores[:, None], labels)
    a, b = float(lr.coef_[0, 0]), float(lr.intercept_[0])
    return (a, b) if a > 0 else (0.0, 0.0)


@dataclass(frozen=True)
class SoloExample:
    """One labelled sentence for the reference-free model."""

    text: str
    label: int  # 1 MT, 0 human
    group: str  # held-out fold unit (dataset or source)
    system: str  # MT system or human source, for weighting and per-system metrics
    kind: str  # family of data (wmt_mt, wmt_human, apertium, reference, ...)
    doc: str  # pseudo-document the sentence belongs to, for article-level metrics


@dataclass(frozen=True)
class ReferenceFreeConfig:
    """How the reference-free model is trained; stored in its card."""

    seed: int = 13
    C: float = 0.3
    n_folds: int = 6
    min_doc_sentences: int = 5


def examples_from_pairs(pairs: Sequence[Any], references_as_human: bool = True) -> list[SoloExample]:
    """Labelled pairs -> sentences: each candidate with its label, and (by default) each
    distinct reference as human text — the original of a round trip is human English."""
    out: list[SoloExample] = []
    seen: set[tuple[str, int]] = set()

    def add(text: str, label: int, p: Any, system: str, kind: str) -> None:
        text = normalize(text)
        if text and (text, label) not in seen:
            seen.add((text, label))
            group = p.group("group") or p.group("dataset") or p.group("system") or "all"
            seg = p.meta.get("seg_id")
            doc = f"{group}|{system}|{p.group('doc_id') or (int(seg) // 12 if isinstance(seg, int) else '')}"
            out.append(SoloExample(text, label, group, system, kind, doc))

    for p in pairs:
        if references_as_human:
            add(p.reference, 0, p, "reference", "reference")
        if p.label is not None and normalize(p.candidate) != normalize(p.reference):
            add(p.candidate, int(p.label), p, p.group("system") or p.group("pivot") or "?",
                p.group("kind") or ("mt" if p.label else "human"))
    return out


def _weights(ex: Sequence[SoloExample], y: np.ndarray) -> np.ndarray:
    """Half the weight per class; within a class equal shares per kind, then per system."""
    w = np.zeros(len(ex))
    for label in (0, 1):
        fam: dict[str, dict[str, list[int]]] = {}
        for i in np.flatnonzero(y == label):
            fam.setdefault(ex[i].kind, {}).setdefault(ex[i].system, []).append(int(i))
        for systems in fam.values():
            for members in systems.values():
                w[members] = 1.0 / (len(fam) * len(systems) * len(members))
    return w * len(ex) / 2.0


def _fit(X: np.ndarray, y: np.ndarray, w: np.ndarray, splits: list, config: ReferenceFreeConfig) -> Any:
    from sklearn.calibration import CalibratedClassifierCV
    from threadpoolctl import threadpool_limits

    from .linear import ClippedLogistic

    base = ClippedLogistic(C=config.C, signs=tuple(solo_directions()))
    clf = CalibratedClassifierCV(base, method="sigmoid", cv=splits)
    with threadpool_limits(1):
        clf.fit(X, y, sample_weight=w)
    clf.cv = len(splits)
    return clf


def _logit(p: np.ndarray) -> np.ndarray:
    p = np.clip(p, 1e-6, 1 - 1e-6)
    return np.log(p / (1 - p))


def _doc_scores(p: np.ndarray, y: np.ndarray, docs: np.ndarray, groups: np.ndarray, min_n: int):
    """Mean sentence log-odds per pseudo-document (documents of one class only)."""
    out_s, out_y, out_g = [], [], []
    for d in sorted(set(docs.tolist())):
        m = docs == d
        if m.sum() < min_n or len(set(y[m].tolist())) != 1:
            continue
        out_s.append(float(_logit(p[m]).mean()))
        out_y.append(int(y[m][0]))
        out_g.append(str(groups[m][0]))
    return np.array(out_s), np.array(out_y), np.array(out_g)


def train_reference_free(examples: Sequence[SoloExample], out_dir: Path,
                         config: ReferenceFreeConfig = ReferenceFreeConfig(),
                         extra_card: dict | None = None) -> tuple[Model, dict]:
    """Fit the sentence model and the article calibration, evaluate on held-out sources, save."""
    from .metrics import binary_metrics
    from .progress import log
    from .train import grouped_splits

    t0 = time.perf_counter()
    ex = list(examples)
    y = np.array([e.label for e in ex])
    if len(set(y.tolist())) < 2:
        raise ValueError("reference-free training needs both MT and human sentences")
    X, names, _ = solo_matrix([e.text for e in ex], progress=True)
    w = _weights(ex, y)
    groups = np.array([e.group for e in ex])
    docs = np.array([e.doc for e in ex])
    splits = grouped_splits(list(groups), y, config.n_folds)
    log(f"reference-free: {len(ex)} sentences, {len(splits)} held-out folds by source")
    oof = np.full(len(y), np.nan)
    for train, test in splits:
        inner = grouped_splits(list(groups[train]), y[train], config.n_folds)
        if inner:
            oof[test] = _fit(X[train], y[train], w[train], inner, config).predict_proba(X[test])[:, 1]
    cov = ~np.isnan(oof)
    sent = {"overall": binary_metrics(y[cov], oof[cov], 0.5),
            "per_group": {g: binary_metrics(y[m], oof[m], 0.5)
                          for g in sorted(set(groups.tolist())) if (m := cov & (groups == g)).any()
                          and len(set(y[m].tolist())) == 2}}
    # Article level: calibrate the mean sentence log-odds of held-out pseudo-documents.
    ds, dy, dg = _doc_scores(oof[cov], y[cov], docs[cov], groups[cov], config.min_doc_sentences)
    doc_oof = np.full(len(dy), np.nan)
    for g in sorted(set(dg.tolist())):  # calibration itself held out by source too
        tr, te = dg != g, dg == g
        if len(set(dy[tr].tolist())) == 2:
            a, b = _fit_article(ds[tr], dy[tr])
            doc_oof[te] = 1.0 / (1.0 + np.exp(-(a * ds[te] + b)))
    dc = ~np.isnan(doc_oof)
    note = "pseudo-documents: consecutive sentences of one source and system (no real doc ids)"
    if len(set(dy[dc].tolist())) == 2:
        art = {"overall": binary_metrics(dy[dc], doc_oof[dc], 0.5),
               "per_group": {g: binary_metrics(dy[m], doc_oof[m], 0.5)
                             for g in sorted(set(dg.tolist())) if (m := dc & (dg == g)).any()
                             and len(set(dy[m].tolist())) == 2},
               "documents": note}
    else:
        art = {"overall": None, "per_group": {}, "documents": "too few pseudo-documents to evaluate"}
    if len(set(dy.tolist())) == 2:
        a, b = _fit_article(ds, dy)
        calibration = {"coef": round(a, 6), "intercept": round(b, 6)}
    else:  # nothing to calibrate on: the article probability is the mean sentence log-odds, as is
        calibration = {"coef": 1.0, "intercept": 0.0, "note": "uncalibrated (no pseudo-documents of both classes)"}
    clf = _fit(X, y, w, splits, config)
    counts = {"sentences": len(ex), "mt": int(y.sum()), "human": int((y == 0).sum()),
              "by_kind": {k: sum(e.kind == k for e in ex) for k in sorted({e.kind for e in ex})}}
    card = {
        "embedding": None,
        "feature_names": names,
        "threshold": 0.5,
        "threshold_rule": "fixed",
        "article_calibration": {**calibration, "of": "mean sentence log-odds"},
        "train_config": asdict(config),
        "training_data": {"sha256": data_hash_solo(ex), "counts": counts},
        "metrics": {"heldout": {"grouped_by": "source", "sentence": sent, "article": art}},
        "seconds": {"total": round(time.perf_counter() - t0, 1)},
        "created": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }
    card.update(extra_card or {})
    model = save_model(clf, card, out_dir, reference_free_spec())
    return model, card["metrics"]["heldout"]


def data_hash_solo(examples: Sequence[SoloExample]) -> str:
    """SHA-256 over the (text, label) pairs, order-independent."""
    import hashlib
    import json

    h = hashlib.sha256()
    for line in sorted(json.dumps([e.text, e.label]) for e in examples):
        h.update(line.encode("utf-8"))
    return h.hexdigest()


def _evidence(sf: SoloFeatures, limit: int = 8) -> list[dict]:
    return [e.to_dict() for e in sorted(sf.evidence, key=lambda e: -e.score)[:limit]]


class ReferenceFreeDetector:
    """Scores an article with no reference: per-sentence and article probabilities."""

    def __init__(self, model: Model | str | Path | None = None, threshold: float | None = None,
                 min_words: int = 4) -> None:
        self.model = model if isinstance(model, Model) else load_model(model, spec=reference_free_spec())
        self.threshold = self.model.threshold if threshold is None else float(threshold)
        self.min_words = min_words
        cal = self.model.card["article_calibration"]
        self._a, self._b = float(cal["coef"]), float(cal["intercept"])

    @property
    def signature(self) -> str:
        return self.model.signature_at(self.threshold)

    def sentence_probabilities(self, sentences: Sequence[str]) -> tuple[np.ndarray, list[SoloFeatures]]:
        """Calibrated p(MT) of each sentence on its own."""
        X, names, rows = solo_matrix([normalize(s) for s in sentences])
        if names != self.model.feature_names:
            raise RuntimeError("feature names differ from the model card")
        return self.model.predict_proba(X), rows

    def article_probability(self, p: Sequence[float]) -> float:
        """Calibrated probability that the whole article is machine translated."""
        if len(p) == 0:
            return 0.0
        z = self._a * float(_logit(np.asarray(p, dtype=float)).mean()) + self._b
        return 1.0 / (1.0 + math.exp(-z))

    def score_article(self, suspect: str) -> ArticleResult:
        """Segment, score each sentence on its own, and decide the article verdict."""
        sus = [s.text for s in split_sentences(suspect)]
        results: list[SentenceResult] = []
        todo: list[int] = []
        for i, text in enumerate(sus):
            short = len([t for t in tokenize(text) if t[:1].isalnum()]) < self.min_words
            results.append(SentenceResult(index=i, text=text, status="short" if short else "scored",
                                          reference=[], reference_index=[], alignment="none",
                                          similarity=0.0, p_mt=None, flagged=False))
            if not short:
                todo.append(i)
        p, rows = self.sentence_probabilities([sus[i] for i in todo]) if todo else (np.zeros(0), [])
        for i, prob, sf in zip(todo, p, rows):
            results[i].p_mt = float(prob)
            results[i].flagged = bool(prob >= self.threshold)
            results[i].evidence = _evidence(sf)
        p_article = self.article_probability(p)
        flagged = float(np.mean(p >= self.threshold)) if len(p) else 0.0
        return ArticleResult(
            verdict=(VERDICT_MT if p_article >= DECISIVE else VERDICT_NONE if p_article <= 1 - DECISIVE
                     else VERDICT_UNSURE), flagged_fraction=flagged,
            mean_p_mt=float(p.mean()) if len(p) else 0.0, related_share=0.0, copy_share=0.0,
            n_sentences=len(results), n_scored=len(todo), n_unmatched=0, threshold=self.threshold,
            signature=self.signature, sentences=results, mode="reference-free", p_article=p_article,
        )
