"""What scoring returns: one result per suspect sentence and one per article, and the verdicts.

Shared by every way of scoring (against a reference, through an archive index, reference-free),
so it depends on nothing else in the package.
"""

from __future__ import annotations

from dataclasses import dataclass, field

VERDICTS = ("round-trip MT", "rewritten", "copy", "unrelated")
ARTICLE_THRESHOLD = 0.5  # p(article is MT) at which the verdict is round-trip MT (detect.reference)


@dataclass
class SentenceResult:
    """One suspect sentence (or a group of two that together match one reference sentence).

    Numbering: `index` and `suspect_index` are 0-based positions in the suspect's sentences (as
    in JSON output); people read them 1-based (`label`: "4", or "4–5" for a merged pair).
    """

    index: int
    text: str
    status: str  # "scored" | "copy" | "unmatched" (new material) | "short" (too short to judge)
    reference: list[str]
    reference_index: list[int]
    alignment: str  # "1:1", "1:2", "2:1", "unmatched"
    similarity: float
    p_mt: float | None
    flagged: bool
    evidence: list[dict] = field(default_factory=list)
    suspect_index: list[int] = field(default_factory=list)  # every suspect sentence of the row (0-based)
    p_own: float | None = None  # its own evidence's p(MT), before its article's context (p_mt)

    def __post_init__(self) -> None:
        if not self.suspect_index:
            self.suspect_index = [self.index]

    @property
    def label(self) -> str:
        """The row's sentence number(s) for people: 1-based, "4–5" for a merged pair."""
        return sentence_label(self.suspect_index)

    def to_dict(self, threshold: float = 0.5) -> dict:
        return {
            "index": self.index, "suspect_index": list(self.suspect_index), "text": self.text, "status": self.status, "alignment": self.alignment,
            "reference": " ".join(self.reference), "reference_index": self.reference_index,
            "similarity": round(self.similarity, 4),
            "p_mt": round_probability(self.p_mt, threshold),
            "flagged": self.flagged, "evidence": self.evidence,
            **({"p_own": round_probability(self.p_own, threshold)} if self.p_own is not None else {}),
        }


def same_side_digits(p: float, threshold: float, digits: int) -> int | None:
    """The fewest decimals, from `digits`, at which p rounded is on the same side of `threshold`
    as p and not equal to it unless p is (beside 0.5: 0.4956 -> 3, "0.496"; 0.501 -> 3, "0.501");
    None when even 6 decimals would not do."""
    for d in range(digits, 7):
        r = round(p, d)
        if (r >= threshold) == (p >= threshold) and (r != threshold or p == threshold):
            return d
    return None


def round_probability(p: float | None, threshold: float, digits: int = 4) -> float | None:
    """p rounded for JSON, never onto the other side of the threshold (then unrounded)."""
    if p is None:
        return None
    d = same_side_digits(p, threshold, digits)
    return float(p) if d is None else round(p, d)


def sentence_label(indices: list[int], prefix: str = "") -> str:
    """0-based sentence positions as people number them: "S4", or "S4–S5" for a merged pair."""
    if not indices:
        return ""
    lo, hi = min(indices) + 1, max(indices) + 1
    return f"{prefix}{lo}" if lo == hi else f"{prefix}{lo}\u2013{prefix}{hi}"


@dataclass
class ArticleResult:
    """Per-sentence results and the article verdict."""

    verdict: str
    flagged_fraction: float
    mean_p_mt: float
    related_share: float
    copy_share: float
    n_sentences: int  # sentences of the suspect (a merged pair is two sentences in one row)
    n_scored: int
    n_unmatched: int
    threshold: float
    signature: str
    sentences: list[SentenceResult]
    mode: str = "reference"  # "reference" | "reference-free" | "index"
    p_article: float | None = None  # calibrated article-level probability, where the mode has one
    match: dict | None = None  # index mode: which archived article was matched, and how surely
    # Every reference sentence, so that a report can also show those no suspect sentence took up.
    reference_sentences: list[str] | None = None
    pivot: dict | None = None  # pivot-language guess for a round-trip MT verdict (mtdetect.detect.pivot)
    # What the whole article shows (detect.reference.article_evidence): shape, verbatim share,
    # altered quotes with both wordings, evenness of edits, translationese shift, weights' shares.
    article_evidence: dict | None = None
    p_related: float | None = None  # p(the suspect derives from the reference), detect/relatedness.py

    def to_dict(self) -> dict:
        extra = {k: v for k, v in (("p_article", round_probability(self.p_article, ARTICLE_THRESHOLD)),
                                   ("p_related", None if self.p_related is None else round(self.p_related, 4)),
                                   ("match", self.match), ("pivot", self.pivot),
                                   ("article_evidence", self.article_evidence)) if v is not None}
        out = {
            "verdict": self.verdict, "mode": self.mode, **extra,
            "flagged_fraction": round(self.flagged_fraction, 4), "mean_p_mt": round(self.mean_p_mt, 4),
            "related_share": round(self.related_share, 4), "copy_share": round(self.copy_share, 4),
            "n_sentences": self.n_sentences, "n_scored": self.n_scored, "n_unmatched": self.n_unmatched,
            "threshold": self.threshold, "signature": self.signature,
            "sentences": [s.to_dict(self.threshold) for s in self.sentences],
        }
        if self.reference_sentences is not None:
            out["reference_sentences"] = list(self.reference_sentences)
        return out
