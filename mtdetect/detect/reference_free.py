"""Reference-free scoring: a suspect article judged on its own English, with no original.

    from mtdetect.detect.reference_free import ReferenceFreeDetector
    result = ReferenceFreeDetector().score_article(text)     # ArticleResult, mode "reference-free"

Per sentence: the sentence is masked (`features/profile.mask_cues`: misspellings, placeholders,
French spacing, hashtags), its feature families are computed (`features.standalone.families`: solo traces, fluency
against real English counts, function-word and punctuation profile, MiniLM vector, character
n-grams) and one linear model gives a calibrated p(MT). Per article: a calibrated probability
from the mean sentence margin and the number of sentences (`article_calibration` in the card),
and a verdict that is `inconclusive` only when that probability is less confident than the
card's `verdict_rule.decisive` (where held-out documents stop being right 90% of the time).

Trained on originals and their own real round trips (`training/build_reffree.py`,
`learn/reference_free.py`): every number in the card is held out by source.
"""

from __future__ import annotations

import math
from functools import lru_cache
from pathlib import Path
from typing import Any, Sequence

import numpy as np

from mtdetect.features.standalone.solo import SoloFeatures, solo_features
from mtdetect.card.card import ModelError
from mtdetect.detect.base import takes_no_reference
from mtdetect.card.load import load_model
from mtdetect.card.model import Model
from mtdetect.results import ArticleResult, SentenceResult
from mtdetect.features.standalone.families import FAMILIES, RFScorer, masked_sentences, scoring_blocks
from mtdetect.learn.calibration import article_probability, platt_probability
from mtdetect.text import split_article, tokenize

VERDICT_MT, VERDICT_NONE, VERDICT_UNSURE = "round-trip MT", "no MT evidence", "inconclusive"
DECISIVE = 0.7  # for a card without a verdict_rule: p_article >= 0.7 (or <= 0.3) for a verdict


def verdict_of(p_article: float, n_scored: int, decisive: float = DECISIVE) -> str:
    """`inconclusive` only between the bounds: the model's `verdict_rule.decisive` is the
    confidence at which held-out documents were right 90% of the time."""
    if n_scored == 0:
        return VERDICT_UNSURE
    return VERDICT_MT if p_article >= decisive else VERDICT_NONE if p_article <= 1 - decisive else VERDICT_UNSURE


def _evidence(sf: SoloFeatures, limit: int = 8) -> list[dict]:
    return [e.to_dict() for e in sorted(sf.evidence, key=lambda e: -e.score)[:limit]]


def _number(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)


def _check_card(model: Model) -> None:
    """The fields and arrays reference-free scoring reads have the types and sizes it needs (a
    sealed card can still be forged): a ModelError (exit 4) naming the field, never a crash."""
    from mtdetect.card.model import ModelError
    from mtdetect.features.standalone.families import DENSE, family_names

    card, arrays = model.card, model.classifier

    def bad(field: str, what: str) -> None:
        raise ModelError(f"{model.path}: damaged reference-free card: '{field}' must be {what}")

    families = card.get("families")
    if not isinstance(families, list) or not families or not all(isinstance(f, str) for f in families) \
            or not set(families) <= set(FAMILIES) or len(set(families)) != len(families):
        bad("families", f"a list of distinct names from {', '.join(FAMILIES)}")
    if not isinstance(card.get("train_config"), dict) or not _number(card["train_config"].get("dense_weight")):
        bad("train_config", "an object with a numeric 'dense_weight'")
    cal = card.get("article_calibration")
    if not isinstance(cal, dict) or not all(_number(cal.get(k)) for k in ("coef_mean", "coef_mean_sqrt_n", "intercept")):
        bad("article_calibration", "an object with numeric coef_mean, coef_mean_sqrt_n and intercept")
    rule = card.get("verdict_rule")
    if rule is not None and (not isinstance(rule, dict) or not _number(rule.get("decisive", DECISIVE))
                             or not 0.5 <= rule.get("decisive", DECISIVE) <= 1.0):
        bad("verdict_rule", "an object whose 'decisive' is a number from 0.5 to 1")
    if not isinstance(arrays, dict):
        raise ModelError(f"{model.path}: reference-free model has no arrays")
    width = sum(len(family_names(f)) for f in families)
    dense = sum(len(family_names(f)) for f in families if f in DENSE)
    shapes = {"coef": (width,), "intercept": (1,), "platt": (2,)}
    if dense:
        shapes.update({k: (dense,) for k in ("std_lower", "std_upper", "std_mean", "std_scale")})
    for key, shape in shapes.items():
        a = arrays.get(key)
        if not isinstance(a, np.ndarray) or a.shape != shape or a.dtype.kind != "f" or not np.all(np.isfinite(a)):
            raise ModelError(f"{model.path}: arrays '{key}' must be {shape[0]} finite numbers for families {families}")


class ReferenceFreeDetector:
    """Scores an article with no reference: per-sentence and article probabilities
    (an ArticleDetector, detect/base.py)."""

    mode = "reference-free"

    def __init__(self, model: Model | str | Path | None = None, threshold: float | None = None,
                 min_words: int = 4, embedder: Any = None) -> None:
        self.model = model if isinstance(model, Model) else load_model(model, kind="reference-free")
        card = self.model.card
        _check_card(self.model)
        self.families = list(card["families"])
        if not set(self.families) <= set(FAMILIES) or not isinstance(self.model.classifier, dict):
            raise ModelError(f"{self.model.path}: reference-free card names unknown families or has no arrays")
        self.scorer = RFScorer(self.model.classifier, self.families, card["train_config"]["dense_weight"])
        self.threshold = self.model.threshold if threshold is None else float(threshold)
        self.decisive = float((card.get("verdict_rule") or {}).get("decisive", DECISIVE))
        self.min_words = min_words
        self._embedder = embedder
        self._precision: str | None = None

    def _encoder(self) -> Any:
        if self._embedder is None:
            from mtdetect.embed.minilm import default_embedder

            self._embedder = default_embedder()
        emb = self.model.card.get("embedding") or {}
        if emb and emb.get("weights_sha256") != self._embedder.weights_sha256:
            raise ModelError(f"{self.model.path}: model trained with embedding weights {emb.get('weights_sha256')}, "
                             f"installed weights are {self._embedder.weights_sha256}")
        self._precision = getattr(self._embedder, "precision", None)
        return self._embedder

    @property
    def signature(self) -> str:
        return str(self.model.signature_of(self.threshold, self._precision))

    def margins(self, sentences: Sequence[str]) -> np.ndarray:
        """Uncalibrated linear margins of the sentences (what the article probability reads)."""
        masked = masked_sentences(sentences)
        enc = self._encoder() if "minilm" in self.families else None
        return self.scorer.margins(scoring_blocks(self.families, masked, enc))

    def probabilities(self, sentences: Sequence[str]) -> np.ndarray:
        """Calibrated p(MT) of each sentence on its own."""
        return platt_probability(self.scorer.platt, self.margins(sentences)) if sentences else np.zeros(0)

    def sentence_probabilities(self, sentences: Sequence[str]) -> tuple[np.ndarray, list[SoloFeatures]]:
        """Calibrated p(MT) of each sentence on its own, and the evidence features of each."""
        return self.probabilities(sentences), [solo_features(s) for s in sentences]

    def article_probability_of(self, margins: np.ndarray) -> float:
        margins = np.asarray(margins)
        mean = float(np.mean(margins)) if len(margins) else 0.0
        return article_probability(self.model.card["article_calibration"], mean, len(margins))

    def score_article(self, suspect: str, reference: str | None = None) -> ArticleResult:
        """Segment, score each sentence on its own, and decide the article verdict."""
        takes_no_reference(self, reference)
        sus = [s.text for s in split_article(suspect, "suspect")]  # the sentence limits of every path
        results: list[SentenceResult] = []
        todo: list[int] = []
        for i, text in enumerate(sus):
            short = len([t for t in tokenize(text) if t[:1].isalnum()]) < self.min_words
            results.append(SentenceResult(index=i, text=text, status="short" if short else "scored",
                                          reference=[], reference_index=[], alignment="none",
                                          similarity=0.0, p_mt=None, flagged=False))
            if not short:
                todo.append(i)
        texts = [sus[i] for i in todo]
        m = self.margins(texts) if texts else np.zeros(0)
        p = platt_probability(self.scorer.platt, m) if len(m) else np.zeros(0)
        for i, prob in zip(todo, p):
            results[i].p_mt = float(prob)
            results[i].flagged = bool(prob >= self.threshold)
            results[i].evidence = _evidence(solo_features(sus[i]))
        p_article = self.article_probability_of(m)
        flagged = float(np.mean(p >= self.threshold)) if len(p) else 0.0
        return ArticleResult(
            verdict=verdict_of(p_article, len(todo), self.decisive), flagged_fraction=flagged,
            mean_p_mt=float(p.mean()) if len(p) else 0.0, related_share=0.0, copy_share=0.0,
            n_sentences=len(results), n_scored=len(todo), n_unmatched=0, threshold=self.threshold,
            signature=self.signature, sentences=results, mode="reference-free", p_article=p_article,
        )


@lru_cache(maxsize=1)
def _shift_model() -> Any:
    """The shipped reference-free detector, loaded once per process (None when not installed)."""
    try:
        return ReferenceFreeDetector()
    except (ModelError, OSError):
        return None


def translationese_shift(suspect: Sequence[str], reference: Sequence[str]) -> dict | None:
    """The reference-free model's mean sentence p(MT) of the suspect minus that of its own
    original (it cancels the author's style); None when that model is not installed. Always
    shown as evidence; read by an article model only when it was built with it (detect/article.py
    WITH_SHIFT), whose weight was fitted on shifts from reference-free models refit without the
    judged sources (learn/shift.py), since this shipped model saw essay and tweet round trips."""
    rf = _shift_model()
    if rf is None:
        return None
    try:
        ps, pr = _mean_probability(rf, tuple(suspect)), _mean_probability(rf, tuple(reference))
    except (ModelError, OSError):
        return None
    if ps is None or pr is None:
        return None
    return {"suspect": round(float(ps), 4), "reference": round(float(pr), 4), "shift": round(float(ps - pr), 4)}


@lru_cache(maxsize=16)  # one original is often scored against many suspects (a scan of copies)
def _mean_probability(rf: Any, sentences: tuple[str, ...]) -> Any:
    p = rf.probabilities(list(sentences))
    return p.mean() if len(p) else None


def heldout_table(card: dict) -> list[dict]:
    """The reference-free card's leave-one-source-out numbers, one row per left-out source
    (for `mtdetect bench` and the README): sentence and article ROC-AUC and their sizes. Sources
    are named domain:producer (learn/source_names.py), whatever names the card keeps."""
    from mtdetect.learn.source_names import canonical

    per = card.get("metrics", {}).get("heldout", {}).get("per_source", {})
    return sorted(({"source": canonical(s), "sentence_auc": r.get("sentence_auc"), "article_auc": r.get("article_auc"),
                    "n_sentences": r.get("n_sentences"), "n_docs": r.get("n_docs")} for s, r in per.items()),
                  key=lambda row: row["source"])
