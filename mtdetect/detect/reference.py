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
from mtdetect.card.load import load_model
from mtdetect.card.model import Model, ModelError
from mtdetect.detect.base import needs_reference
from mtdetect.features import PairFeatures, feature_matrix, uses_cosine
from mtdetect.features.article import document_structure, pair_evidence
from mtdetect.inputs.guard import check_alignment_size
from mtdetect.results import ARTICLE_THRESHOLD, ArticleResult, SentenceResult
from mtdetect.text import normalize, split_article, tokenize
from mtdetect.detect.article import DocEvidence, SentenceContext
from mtdetect.detect.reference_free import translationese_shift
from mtdetect.detect.relatedness import THRESHOLD as RELATED_P, RelatednessRule, relatedness_evidence, rule_for, word_overlap


@dataclass(frozen=True)
class VerdictRule:
    """How sentence results become an article verdict (documented in the README)."""

    copy_share: float = 0.8  # share of suspect sentences identical to the reference
    min_related_share: float = 0.18  # without a fitted relatedness rule: share of suspect sentences
    related_cosine: float = 0.7  # aligned with cosine >= related_cosine (set from the seeds)
    mt_share: float = 0.5  # share of scored sentences flagged as MT
    relatedness: RelatednessRule | None = None  # fitted on ../shared for the aligning embedder (card)


def embedder_thresholds(embedder: Any) -> tuple[AlignConfig, float]:
    """The alignment config and related cosine on the aligning embedder's scale: MiniLM's
    defaults, or the static model's equivalents from its card (fitted to make the same
    decisions as MiniLM's)."""
    scale = getattr(embedder, "cosine_thresholds", None) or {}
    return (AlignConfig(min_similarity=scale.get("align_min_similarity", AlignConfig().min_similarity)),
            scale.get("related_cosine", VerdictRule().related_cosine))


def verdict_of(sentences: Sequence[SentenceResult], rule: VerdictRule,
               overlap: Sequence[float] = ()) -> tuple[str, dict[str, float]]:
    """Article label from sentence results (and the suspect sentences' `word_overlap` with the
    reference, for the relatedness rule), with the shares it was decided on."""
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
    if rule.relatedness is not None:
        shares["p_related"] = rule.relatedness.p_related(relatedness_evidence(
            [s.similarity for s in sentences], [s.status != "unmatched" for s in sentences], rule.related_cosine,
            overlap))
    if shares["copy_share"] >= rule.copy_share:
        return "copy", shares
    unrelated = (shares["p_related"] < RELATED_P if "p_related" in shares
                 else shares["related_share"] < rule.min_related_share)
    if unrelated:
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


def article_probability(model: Model, sentences: Sequence[SentenceResult], structure: dict | None = None,
                        pairs: dict | None = None, shift: float | None = None) -> float | None:
    """Calibrated probability that the article is round-trip MT, from its scored sentences'
    own p(MT), its structure, pair evidence and translationese shift (the card's article model,
    detect/article.py; the shift is read only by a model built with it); None when the model has
    none or nothing was scored."""
    am = model.article_model
    ps = [s.p_own if s.p_own is not None else s.p_mt for s in sentences if s.status == "scored" and s.p_mt is not None]
    return am.predict(ps, structure, pairs, shift) if am is not None and ps else None


def article_evidence(model: Model, sus: list[str], ref: list[str], links: Sequence[Link],
                     results: list[SentenceResult], context: SentenceContext,
                     shift: bool) -> tuple[float | None, dict]:
    """p_article and the article evidence a person can check; puts each scored sentence's p(MT)
    in its article's context (its own evidence stays in `p_own`)."""
    structure = document_structure(sus, ref, [(k.suspect, k.reference) for k in links])
    scored = [s for s in results if s.status == "scored" and s.p_mt is not None]
    pev = pair_evidence([(" ".join(s.reference), s.text) for s in scored], [s.index for s in scored])
    pairs = {k: v for k, v in pev.items() if k != "altered"}
    for s in scored:
        s.p_own = s.p_mt
    am = model.article_model
    reads = am is not None and am.reads_shift  # then it decides the score: measured whatever `shift` says
    ts = translationese_shift(sus, ref) if (shift or reads) and scored else None
    value = ts["shift"] if ts and reads else None  # no reference-free model installed: neutral
    p_article = article_probability(model, results, structure, pairs, value)
    ev = {"shape": {k: (round(v, 4) if isinstance(v, float) else v) for k, v in structure.items()
                    if k != "verbatim_share"},
          "verbatim_share": None if structure["verbatim_share"] is None else round(structure["verbatim_share"], 4),
          "quotes": {"n_quotes": pev["n_quotes"], "altered": pev["altered"]},
          "edit_cv": None if pev["edit_cv"] is None else round(pev["edit_cv"], 4),
          "translationese_shift": ts,
          "mean_p_own": round(float(np.mean([s.p_own for s in scored])), 4) if scored else None}
    if am is not None and scored:
        ev["contributions"] = am.contributions(DocEvidence(tuple(s.p_own for s in scored), structure, pairs, value))
    if p_article is not None:
        for s in scored:
            s.p_mt = context.apply(float(s.p_own), p_article)
            s.flagged = bool(s.p_mt >= model.threshold)
    return p_article, ev


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
    """Reference-based round-trip MT detector: embedding model + trained classifier
    (an ArticleDetector, detect/base.py)."""

    mode = "reference"

    def __init__(
        self,
        model: Model | str | Path | None = None,
        embedder: Any | str | None = None,
        device: str = "auto",
        align_config: AlignConfig | None = None,
        verdict_rule: VerdictRule | None = None,
        threshold: float | None = None,
        min_words: int = 4,
        context: SentenceContext = SentenceContext(),
        translationese: bool = False,
    ) -> None:
        from mtdetect.embed import make_embedder

        self.min_words = min_words
        self.context = context
        # measure and show the translationese shift (loads the reference-free model; ~0.15 s of a cold
        # score): not used by the verdict unless the card's article model reads it, so asked for (--shift)
        self.translationese = translationese
        # An Embedder-like object, or a name ("static", the default, or "minilm"): it aligns the sentences.
        self.embedder = (make_embedder(embedder, device) if embedder is None or isinstance(embedder, str)
                         else embedder)
        minilm = getattr(self.embedder, "kind", "minilm") == "minilm"
        self.model = model if isinstance(model, Model) else load_model(model, self.embedder.weights_sha256 if minilm
                                                                       else None)
        if not minilm and uses_cosine(self.model.feature_names):
            raise ModelError(f"{self.model.path}: this model reads the MiniLM embedding cosine as a feature; "
                             "score it with --embedder minilm")
        own_align, related_cosine = embedder_thresholds(self.embedder)
        self.align_config = align_config or own_align
        self.verdict_rule = verdict_rule or VerdictRule(
            related_cosine=related_cosine,
            relatedness=rule_for(self.model.card, self.embedder.name, self.embedder.weights_sha256))
        self.threshold = self.model.threshold if threshold is None else float(threshold)

    @property
    def signature(self) -> str:
        e = self.embedder
        precision = getattr(e, "precision", None)
        return str(self.model.signature_of(self.threshold, precision).aligned_by(e.name, e.weights_sha256, precision))

    def _probabilities(self, refs: list[str], cands: list[str], cos: np.ndarray, pool: Any = None
                       ) -> tuple[np.ndarray, list]:
        X, names, rows = feature_matrix(refs, cands, cos, pool=pool)
        if names != self.model.feature_names[: len(names)]:  # load_model checks this; keep the invariant local too
            raise RuntimeError("feature names differ from the model card")
        return self.model.predict_proba(X, refs, cands), rows

    def score_pairs(self, references: Sequence[str], candidates: Sequence[str], pool: Any = None) -> np.ndarray:
        """p_mt for each (reference, candidate) pair; identical pairs (copies) get 0. `pool`: worker
        processes for the features (features.feature_pool), the same values."""
        from mtdetect.features import chunked_map

        texts = chunked_map(_normalized, [*references, *candidates], pool)  # in the workers, with a pool
        refs, cands = texts[: len(references)], texts[len(references) :]
        out = np.zeros(len(refs))
        todo = [i for i in range(len(refs)) if refs[i] != cands[i] and refs[i] and cands[i]]
        if not todo:
            return out
        todo_refs, todo_cands = [refs[i] for i in todo], [cands[i] for i in todo]
        # Feature sets from v5 on do not read the pair's cosine: then no embedding is needed at all.
        if uses_cosine(self.model.feature_names):
            from mtdetect.embed.minilm import pair_cosines  # (not imported on the static path: 14 kB to compile)

            cos = pair_cosines(todo_refs, todo_cands, self.embedder)
        else:
            cos = np.zeros(len(todo))
        p, _ = self._probabilities(todo_refs, todo_cands, cos, pool)
        out[todo] = p
        return out

    def score_article(self, suspect: str, reference: str | None = None) -> ArticleResult:
        """Segment, align, extract features, classify, and decide the article verdict."""
        sus = [s.text for s in split_article(suspect, "suspect")]  # the sentence limits of every path
        ref = [s.text for s in split_article(needs_reference(self, reference), "reference")]
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
                index=link.suspect[0], suspect_index=list(link.suspect), text=text, status=status,
                reference=ref_text, reference_index=list(link.reference), alignment=link.kind, similarity=link.similarity,
                p_mt=0.0 if status == "copy" else None, flagged=False,
            ))
        if to_score:
            p, rows = self._probabilities([t[1] for t in to_score], [t[2] for t in to_score],
                                          np.array([t[3] for t in to_score]))
            for (k, _, _, _), prob, pf in zip(to_score, p, rows):
                results[k].p_mt = float(prob)
                results[k].flagged = bool(prob >= self.threshold)
                results[k].evidence = _evidence(pf)
        overlap = word_overlap(sus, ref) if self.verdict_rule.relatedness is not None else ()
        verdict, shares = verdict_of(results, self.verdict_rule, overlap)
        evidence = None
        if verdict == "unrelated":  # its sentences only met reference sentences by chance
            _unpair(results)
            shares.update(flagged_fraction=0.0, mean_p_mt=0.0)
            p_article = None
        else:
            p_article, evidence = article_evidence(self.model, sus, ref, links, results, self.context,
                                                   self.translationese)
        if p_article is not None and verdict in ("round-trip MT", "rewritten"):
            # the whole article's evidence decides between the two (detect/article.py); the
            # sentences' p(MT) are now in the article's context (their own evidence in p_own)
            verdict = "round-trip MT" if p_article >= ARTICLE_THRESHOLD else "rewritten"
            _, shares = verdict_of(results, self.verdict_rule, overlap)
        return ArticleResult(
            verdict=verdict, flagged_fraction=shares["flagged_fraction"], mean_p_mt=shares["mean_p_mt"],
            related_share=shares["related_share"], copy_share=shares["copy_share"],
            n_sentences=len(sus), n_scored=sum(r.status == "scored" for r in results),
            n_unmatched=sum(r.status == "unmatched" for r in results), threshold=self.threshold,
            signature=self.signature, sentences=results, reference_sentences=list(ref), p_article=p_article,
            pivot=_pivot_guess(results) if verdict == "round-trip MT" else None, article_evidence=evidence,
            p_related=shares.get("p_related"),
        )


def _normalized(texts: list[str]) -> list[str]:
    return [normalize(t) for t in texts]


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
