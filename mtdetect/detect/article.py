"""The article model: a document's evidence -> a calibrated p(article is a round trip).

Evidence (ARTICLE_FEATURES): the distribution of the sentences' own p(MT) (mean, share
flagged, quartiles) and `evidence` = mean(logit p - logit neutral_p) * sqrt(n), plus what only
a whole article gives (features/article.py): shape, verbatim share, altered quotes and how
evenly the edits are spread. A model may also read the translationese shift (WITH_SHIFT: the
reference-free model's mean p(MT) of the suspect minus that of its reference,
detect/reference_free.translationese_shift), fitted on shifts held out by source
(learn/shift.py); the features a model reads are in its card, and a card naming any other
list is refused.

Monotone where the direction is known: every weight is bound to its direction (a higher
sentence p, more 1:1 in-order sentences, more altered quotes, a larger translationese shift can
only count towards MT; more verbatim long sentences and more uneven edits only towards a
rewrite), and each p-feature is non-decreasing in every sentence's p. So more flagged sentences
of the same strength never lower p_article, and a longer article with the same mean evidence is
more certain, in the direction of that evidence (the sqrt(n) term), never less.

Missing evidence (no long sentence, no quote, a pseudo-document's shape, no reference-free
model for the shift) is z = 0 when fitting and when predicting, and each feature's range, centre
and scale come from the documents that have it (card/linear.ClippedLogistic): such a document
adds nothing to that weight's fit, so shape and verbatim weights are learned from real documents
only, on their own spread (not one shrunk by the many pseudo-documents that lack them). When the
training documents lack real documents of either class, the structural weights are 0.

`fit_article_model` is called by learn/train.py (learn/documents.py) on documents of held-out sentence probabilities;
the model is stored as plain numbers in the card (`article_model`), no scikit-learn at scoring.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Sequence

import numpy as np

from mtdetect.learn.weights import balanced_weights

ARTICLE_FEATURES = ("mean_p", "share_flagged", "q25", "q75", "evidence",
                    "in_order_1to1", "reference_covered", "verbatim_share", "quote_altered_share", "edit_cv")
SHIFT = "translationese_shift"
WITH_SHIFT = ARTICLE_FEATURES + (SHIFT,)
FEATURE_SETS = (ARTICLE_FEATURES, WITH_SHIFT)  # what a card may name
DIRECTION = {"verbatim_share": -1, "edit_cv": -1}  # every other feature counts towards MT (+1)
STRUCTURAL = ("in_order_1to1", "reference_covered", "verbatim_share")
NEUTRAL_GRID = tuple(round(0.15 + 0.025 * k, 3) for k in range(15))  # 0.15 .. 0.5
LOGIT_CLIP = 4.0


def signs_of(features: Sequence[str]) -> tuple[int, ...]:
    """The direction each feature's weight is bound to (DIRECTION; +1: towards MT)."""
    return tuple(DIRECTION.get(n, 1) for n in features)


def _logit(p: np.ndarray | float) -> Any:
    p = np.clip(p, 1e-6, 1 - 1e-6)
    return np.clip(np.log(p / (1 - p)), -LOGIT_CLIP, LOGIT_CLIP)


@dataclass(frozen=True)
class DocEvidence:
    """One document's inputs to the article model: its scored sentences' own p(MT), its
    structure (features/article.document_structure; None for a pseudo-document) and its
    pairs' evidence (features/article.pair_evidence; None when not measured)."""

    p: tuple[float, ...]
    structure: dict | None = None
    pairs: dict | None = None
    shift: float | None = None  # the translationese shift (None: not measured)


def article_features(p: Sequence[float], structure: dict | None = None, pairs: dict | None = None,
                     neutral_p: float = 0.5, threshold: float = 0.5, shift: float | None = None,
                     features: Sequence[str] = ARTICLE_FEATURES) -> np.ndarray:
    """`features` (ARTICLE_FEATURES or WITH_SHIFT) of one document (NaN = missing)."""
    p = np.asarray(p, dtype=float)
    if len(p):
        q25, q75 = np.quantile(p, [0.25, 0.75])
        e = float(np.mean(_logit(p) - _logit(neutral_p)))
        head = [p.mean(), float((p >= threshold).mean()), q25, q75, e * math.sqrt(len(p))]
    else:
        head = [neutral_p, 0.0, neutral_p, neutral_p, 0.0]
    s, q = structure or {}, pairs or {}
    tail = [s.get("in_order_1to1"), s.get("reference_covered"), s.get("verbatim_share"),
            q.get("quote_altered_share"), q.get("edit_cv")] + ([shift] if SHIFT in features else [])
    return np.array(head + [np.nan if v is None else float(v) for v in tail], dtype=float)


@dataclass(frozen=True)
class ArticleModel:
    """Sign-bound logistic model on clipped, standardised ARTICLE_FEATURES (plain numbers)."""

    lower: tuple[float, ...]
    upper: tuple[float, ...]
    mean: tuple[float, ...]
    scale: tuple[float, ...]
    coef: tuple[float, ...]
    intercept: float
    neutral_p: float = 0.5
    threshold: float = 0.5
    features: tuple[str, ...] = ARTICLE_FEATURES  # one of FEATURE_SETS

    def _z(self, doc: DocEvidence) -> np.ndarray:
        f = article_features(doc.p, doc.structure, doc.pairs, self.neutral_p, self.threshold, doc.shift,
                             self.features)
        with np.errstate(invalid="ignore"):
            z = (np.clip(f, self.lower, self.upper) - np.array(self.mean)) / np.array(self.scale)
        return np.where(np.isnan(f), 0.0, z)  # missing evidence is neutral

    def contributions(self, doc: DocEvidence) -> dict[str, float]:
        """Each feature's share of the article's log-odds (weight x standardised value)."""
        return {n: round(float(c * z), 4) for n, c, z in zip(self.features, self.coef, self._z(doc))}

    @property
    def reads_shift(self) -> bool:
        return SHIFT in self.features

    def predict(self, p: Sequence[float] | DocEvidence, structure: dict | None = None,
                pairs: dict | None = None, shift: float | None = None) -> float:
        """Calibrated probability that the whole document is a round trip."""
        doc = p if isinstance(p, DocEvidence) else DocEvidence(tuple(p), structure, pairs, shift)
        z = float(self._z(doc) @ np.array(self.coef)) + self.intercept
        return 1.0 / (1.0 + math.exp(-max(min(z, 700.0), -700.0)))

    def to_dict(self) -> dict:
        return {"features": list(self.features), "signs": list(signs_of(self.features)),
                **{k: list(getattr(self, k)) for k in ("lower", "upper", "mean", "scale", "coef")},
                "intercept": self.intercept, "neutral_p": self.neutral_p, "sentence_threshold": self.threshold}

    @classmethod
    def from_dict(cls, d: dict) -> "ArticleModel":
        features = tuple(d.get("features", []))
        if features not in FEATURE_SETS:
            raise ValueError("article model built for other document features")
        arrays = tuple(tuple(float(x) for x in d[k]) for k in ("lower", "upper", "mean", "scale", "coef"))
        if any(len(a) != len(features) for a in arrays):
            raise ValueError("article model's arrays do not match its features")
        return cls(*arrays, float(d["intercept"]), float(d["neutral_p"]), float(d.get("sentence_threshold", 0.5)),
                   features)


def _as_doc(d: Any) -> DocEvidence:
    return d if isinstance(d, DocEvidence) else DocEvidence(tuple(float(x) for x in d))


def fit_article_model(docs: Sequence[DocEvidence | Sequence[float]], labels: Sequence[int], groups: Sequence[str],
                      threshold: float = 0.5, C: float = 1.0,
                      features: Sequence[str] = ARTICLE_FEATURES) -> ArticleModel:
    """Fit on documents (neutral_p picked on a grid by weighted log-loss); `features`: one of
    FEATURE_SETS (WITH_SHIFT reads each document's `shift`)."""
    from mtdetect.card.linear import ClippedLogistic

    features = tuple(features)
    if features not in FEATURE_SETS:
        raise ValueError(f"unknown article feature set {features}")
    docs_ = [_as_doc(d) for d in docs]
    y = np.asarray(labels, dtype=int)
    w = balanced_weights(y, list(groups))
    structural = [features.index(n) for n in STRUCTURAL]
    real = np.array([d.structure is not None for d in docs_])
    best: tuple[float, ArticleModel] | None = None
    # features at neutral_p 0.5 once; only `evidence` depends on neutral_p: minus logit(c) * sqrt(n)
    F0 = np.array([article_features(d.p, d.structure, d.pairs, 0.5, threshold, d.shift, features) for d in docs_])
    root_n = np.sqrt([len(d.p) for d in docs_])
    ev = features.index("evidence")
    for c in NEUTRAL_GRID:
        F = F0.copy()
        F[:, ev] = F0[:, ev] - float(_logit(c)) * root_n
        if len(set(y[real].tolist())) < 2:  # no real documents of both classes: no shape weights
            F[:, structural] = np.nan
        clf = ClippedLogistic(C=C, signs=signs_of(features)).fit(F, y, sample_weight=w)
        p = clf.predict_proba(F)[:, 1]
        loss = float(np.sum(w * -(y * np.log(np.clip(p, 1e-9, 1)) + (1 - y) * np.log(np.clip(1 - p, 1e-9, 1)))))
        r = lambda a: tuple(float(x) for x in np.round(a, 6))  # noqa: E731
        flat = clf.scale_ < 1e-6  # a constant column (rounding must not leave a zero scale)
        scale, coef = np.where(flat, 1.0, clf.scale_), np.where(flat, 0.0, clf.coef_)
        am = ArticleModel(r(clf.lower_), r(clf.upper_), r(clf.mean_), r(scale), r(coef),
                          round(float(clf.intercept_), 6), c, threshold, features)
        if best is None or loss < best[0] - 1e-9:
            best = (loss, am)
    assert best is not None
    return best[1]


@dataclass(frozen=True)
class SentenceContext:
    """How a sentence's p(MT) reflects its article: a round trip is made article-wide, so the
    prior of a sentence is mt_in_mt (share of MT sentences in a round-trip article) or
    mt_in_human (in a rewrite), mixed by p_article; its own calibrated p (a likelihood ratio
    on balanced classes) is then added in log-odds."""

    mt_in_mt: float = 0.95
    mt_in_human: float = 0.05

    def apply(self, p_own: float, p_article: float) -> float:
        prior = p_article * self.mt_in_mt + (1 - p_article) * self.mt_in_human
        z = float(_logit(prior)) + float(_logit(p_own))
        return 1.0 / (1.0 + math.exp(-z))
