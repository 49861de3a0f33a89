"""The Python API: score a suspect article against its reference, or score sentence pairs.

    from mtdetect.detect.reference import Detector
    det = Detector()                       # shipped model, packaged embedding model
    result = det.score_article(suspect_text, reference_text)
    result.verdict, result.flagged_fraction, result.sentences[0].p_mt

Per suspect sentence: aligned reference sentence(s), calibrated probability of round-trip
MT, flag, and evidence. Sentences identical to their reference are copies (p_mt = 0);
sentences with no counterpart are new material and are not scored.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Sequence

import numpy as np

from mtdetect.align import AlignConfig, Link, align
from mtdetect.embed.minilm import Embedder, pair_cosines
from mtdetect.features import PairFeatures, feature_matrix, uses_cosine
from mtdetect.inputs.guard import check_alignment_size
from mtdetect.card.model import Model, load_model
from mtdetect.results import ArticleResult, SentenceResult
from mtdetect.text import normalize, split_article, tokenize


@dataclass(frozen=True)
class VerdictRule:
    """How sentence results become an article verdict (documented in the README)."""

    copy_share: float = 0.8  # share of suspect sentences identical to the reference
    min_related_share: float = 0.18  # share of suspect sentences aligned with cosine >= related_cosine
    related_cosine: float = 0.7
    mt_share: float = 0.5  # share of scored sentences flagged as MT


def verdict_of(sentences: Sequence[SentenceResult], rule: VerdictRule) -> tuple[str, dict[str, float]]:
    """Article label from sentence results, with the shares it was decided on."""
    n = max(len(sentences), 1)
    scored = [s for s in sentences if s.status == "scored"]
    copies = sum(s.status == "copy" for s in sentences)
    related = sum(s.status != "unmatched" and s.similarity >= rule.related_cosine for s in sentences)
    flagged = sum(s.flagged for s in scored)
    shares = {
        "copy_share": copies / n,
        "related_share": related / n,
        "flagged_fraction": flagged / len(scored) if scored else 0.0,
        "mean_p_mt": float(np.mean([s.p_mt for s in scored])) if scored else 0.0,
    }
    if shares["copy_share"] >= rule.copy_share:
        return "copy", shares
    if shares["related_share"] < rule.min_related_share:
        return "unrelated", shares
    if shares["flagged_fraction"] >= rule.mt_share:
        return "round-trip MT", shares
    return "rewritten", shares


def _pivot_guess(sentences: Sequence[SentenceResult]) -> dict | None:
    """Pivot guess from the flagged sentences' pairs; None when models/pivot is absent."""
    from mtdetect.detect.pivot import guess_pivot, shipped_pivot_model

    model = shipped_pivot_model()
    flagged = [s for s in sentences if s.flagged and s.reference]
    if model is None or not flagged:
        return None
    return guess_pivot([" ".join(s.reference) for s in flagged], [s.text for s in flagged], model)


def _unpair(sentences: Sequence[SentenceResult]) -> None:
    """An unrelated article: no sentence is a translation of the reference, so none is scored;
    each is new material (its alignment similarity is kept)."""
    for s in sentences:
        if s.status == "scored":
            s.status, s.p_mt, s.flagged, s.evidence = "unmatched", None, False, []
            s.reference, s.reference_index, s.alignment = [], [], "unmatched"


def article_probability(model: Model, sentences: Sequence[SentenceResult]) -> float | None:
    """Calibrated probability that the article is round-trip MT, from its scored sentences'
    p_mt (the card's article model); None when the model has none or nothing was scored."""
    am = model.article_model
    ps = [s.p_mt for s in sentences if s.status == "scored" and s.p_mt is not None]
    return am.predict(ps) if am is not None and ps else None


SUBSTITUTION_SCORE = "score: how much rarer the new wording's word pairs are in English web text than the replaced ones'"


def _evidence(pf: PairFeatures, limit: int = 8) -> list[dict]:
    """The checkable traces: surface markers first, then the oddest substitutions.

    A substitution's score is how much rarer (log10 web counts) its word pairs are than those of
    the wording it replaced; at or below 0 the swap is not odd in itself, and its note says so."""
    surface = [e for e in pf.evidence if e.kind != "substitution"]
    subs = [e for e in pf.evidence if e.kind == "substitution"]
    out = [e.to_dict() for e in (surface + subs)[:limit]]
    for e in out:
        if e["kind"] == "substitution":
            odd = "rarer: odd wording" if e["score"] > 0 else "not rarer: a swapped word, not odd in itself"
            e["note"] = "; ".join(x for x in (e["note"], f"{SUBSTITUTION_SCORE} ({odd})") if x)
    return out


class Detector:
    """Reference-based round-trip MT detector: embedding model + trained classifier."""

    def __init__(
        self,
        model: Model | str | Path | None = None,
        embedder: Embedder | Any | None = None,
        align_config: AlignConfig = AlignConfig(),
        verdict_rule: VerdictRule = VerdictRule(),
        threshold: float | None = None,
        min_words: int = 4,
    ) -> None:
        self.min_words = min_words
        self.embedder = embedder or Embedder()
        self.model = model if isinstance(model, Model) else load_model(model, self.embedder.weights_sha256)
        self.align_config = align_config
        self.verdict_rule = verdict_rule
        self.threshold = self.model.threshold if threshold is None else float(threshold)

    @property
    def signature(self) -> str:
        return self.model.signature_at(self.threshold, getattr(self.embedder, "precision", None))

    def _probabilities(self, refs: list[str], cands: list[str], cos: np.ndarray) -> tuple[np.ndarray, list]:
        X, names, rows = feature_matrix(refs, cands, cos)
        if names != self.model.feature_names:  # load_model checks this; keep the invariant local too
            raise RuntimeError("feature names differ from the model card")
        return self.model.predict_proba(X), rows

    def score_pairs(self, references: Sequence[str], candidates: Sequence[str]) -> np.ndarray:
        """p_mt for each (reference, candidate) pair; identical pairs (copies) get 0."""
        refs = [normalize(r) for r in references]
        cands = [normalize(c) for c in candidates]
        out = np.zeros(len(refs))
        todo = [i for i in range(len(refs)) if refs[i] != cands[i] and refs[i] and cands[i]]
        if not todo:
            return out
        todo_refs, todo_cands = [refs[i] for i in todo], [cands[i] for i in todo]
        # Feature sets from v5 on do not read the pair's cosine: then no embedding is needed at all.
        cos = (pair_cosines(todo_refs, todo_cands, self.embedder) if uses_cosine(self.model.feature_names)
               else np.zeros(len(todo)))
        p, _ = self._probabilities(todo_refs, todo_cands, cos)
        out[todo] = p
        return out

    def score_article(self, suspect: str, reference: str) -> ArticleResult:
        """Segment, align, extract features, classify, and decide the article verdict."""
        sus = [s.text for s in split_article(suspect, "suspect")]  # the sentence limits of every path
        ref = [s.text for s in split_article(reference, "reference")]
        check_alignment_size(len(sus), len(ref))
        links = align(sus, ref, self.embedder.encode, self.align_config)
        return self._assemble(sus, ref, links)

    def _assemble(self, sus: list[str], ref: list[str], links: list[Link]) -> ArticleResult:
        results: list[SentenceResult] = []
        to_score: list[tuple[int, str, str, float]] = []
        for link in links:
            text = " ".join(sus[i] for i in link.suspect)
            ref_text = [ref[j] for j in link.reference]
            joined = " ".join(ref_text)
            if not link.reference:
                status = "unmatched"
            elif len([t for t in tokenize(text) if t[:1].isalnum()]) < self.min_words:
                status = "short"  # a fragment like "Reuters" carries no evidence either way
            elif normalize(text) == normalize(joined):
                status = "copy"
            else:
                status = "scored"
                to_score.append((len(results), joined, text, link.similarity))
            results.append(SentenceResult(
                index=link.suspect[0], text=text, status=status, reference=ref_text,
                reference_index=list(link.reference), alignment=link.kind, similarity=link.similarity,
                p_mt=0.0 if status == "copy" else None, flagged=False,
            ))
        if to_score:
            p, rows = self._probabilities([t[1] for t in to_score], [t[2] for t in to_score],
                                          np.array([t[3] for t in to_score]))
            for (k, _, _, _), prob, pf in zip(to_score, p, rows):
                results[k].p_mt = float(prob)
                results[k].flagged = bool(prob >= self.threshold)
                results[k].evidence = _evidence(pf)
        verdict, shares = verdict_of(results, self.verdict_rule)
        if verdict == "unrelated":  # its sentences only met reference sentences by chance
            _unpair(results)
            shares.update(flagged_fraction=0.0, mean_p_mt=0.0)
        p_article = article_probability(self.model, results)
        if p_article is not None and verdict in ("round-trip MT", "rewritten"):
            # the whole article's evidence decides between the two (transfer.ArticleModel)
            verdict = "round-trip MT" if p_article >= 0.5 else "rewritten"
        return ArticleResult(
            verdict=verdict, flagged_fraction=shares["flagged_fraction"], mean_p_mt=shares["mean_p_mt"],
            related_share=shares["related_share"], copy_share=shares["copy_share"],
            n_sentences=len(results), n_scored=sum(r.status == "scored" for r in results),
            n_unmatched=sum(r.status == "unmatched" for r in results), threshold=self.threshold,
            signature=self.signature, sentences=results, reference_sentences=list(ref), p_article=p_article,
            pivot=_pivot_guess(results) if verdict == "round-trip MT" else None,
        )


def pair_problem(pair: Any) -> str | None:
    """Why a pair cannot be scored, checked like an article: a side with no text, or a side that
    is not English; None when it can be."""
    from mtdetect.inputs.guard import looks_english
    from mtdetect.text import iter_sentences

    for side in ("reference", "candidate"):
        if next(iter_sentences(getattr(pair, side)), None) is None:
            return f"empty {side} (no text): not scored"
    for side in ("reference", "candidate"):
        if not looks_english(getattr(pair, side)):
            return f"{side} is not English text: not scored"
    return None


def score_pairs_records(detector: Detector, pairs: Sequence[Any], batch_size: int = 2048) -> list[dict]:
    """Each input record back with "p_mt" added, in input order (None, with an "error", for a
    pair with an empty or non-English side: pair_problem); render.render_pairs writes them in
    any --format.

    Records are scored in batches (a batch's distinct texts are embedded together); the
    result does not depend on the batch size.
    """
    records = []
    for start in range(0, len(pairs), batch_size):
        chunk = pairs[start : start + batch_size]
        problems = [pair_problem(p) for p in chunk]
        scored = [p for p, problem in zip(chunk, problems) if problem is None]
        probs = iter(detector.score_pairs([p.reference for p in scored], [p.candidate for p in scored]))
        for p, problem in zip(chunk, problems):
            rec = {"reference": p.reference, "candidate": p.candidate, **p.meta}
            if problem is None:
                rec["p_mt"] = round(float(next(probs)), 6)
            else:  # scoring it as if it were English text would give a meaningless number
                rec["p_mt"] = None
                rec["error"] = problem
            rec["signature"] = detector.signature
            records.append(rec)
    return records


def score_with_index(detector: Detector, index: Any, suspect: str, fallback: Any = None) -> ArticleResult:
    """Find the suspect's original in an archive index and score against it; with no match,
    score reference-free (`fallback`, default the shipped reference-free model).

    The result's `match` block says which archived article was used and how surely.
    """
    import copy

    from mtdetect.embed.minilm import BatchEncoder
    from mtdetect.detect.index import match_summary

    rule = detector.verdict_rule
    # The match stage embeds the suspect's sentences and the candidates' (the original's among
    # them); scoring against the original reuses those vectors instead of encoding them again.
    shared = BatchEncoder(detector.embedder)
    best, considered = index.match(suspect, shared.encode, rule.related_cosine, rule.min_related_share)
    if best is None:
        from mtdetect.detect.reference_free import ReferenceFreeDetector

        result = (fallback or ReferenceFreeDetector()).score_article(suspect)
    else:
        scoped = copy.copy(detector)
        scoped.embedder = shared
        result = scoped.score_article(suspect, index.text(best.row))  # checks the alignment size
        result.mode = "index"
    result.match = match_summary(best, considered, index)
    return result
