"""What scoring returns: one result per suspect sentence and one per article, and the verdicts.

Shared by every way of scoring (against a reference, through an archive index, reference-free),
so it depends on nothing else in the package.
"""

from __future__ import annotations

from dataclasses import dataclass, field

VERDICTS = ("round-trip MT", "rewritten", "copy", "unrelated")


@dataclass
class SentenceResult:
    """One suspect sentence (or a group of two that together match one reference sentence)."""

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

    def to_dict(self) -> dict:
        return {
            "index": self.index, "text": self.text, "status": self.status, "alignment": self.alignment,
            "reference": " ".join(self.reference), "reference_index": self.reference_index,
            "similarity": round(self.similarity, 4),
            "p_mt": None if self.p_mt is None else round(self.p_mt, 4),
            "flagged": self.flagged, "evidence": self.evidence,
        }


@dataclass
class ArticleResult:
    """Per-sentence results and the article verdict."""

    verdict: str
    flagged_fraction: float
    mean_p_mt: float
    related_share: float
    copy_share: float
    n_sentences: int
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

    def to_dict(self) -> dict:
        extra = {k: v for k, v in (("p_article", None if self.p_article is None else round(self.p_article, 4)),
                                   ("match", self.match), ("pivot", self.pivot)) if v is not None}
        out = {
            "verdict": self.verdict, "mode": self.mode, **extra,
            "flagged_fraction": round(self.flagged_fraction, 4), "mean_p_mt": round(self.mean_p_mt, 4),
            "related_share": round(self.related_share, 4), "copy_share": round(self.copy_share, 4),
            "n_sentences": self.n_sentences, "n_scored": self.n_scored, "n_unmatched": self.n_unmatched,
            "threshold": self.threshold, "signature": self.signature,
            "sentences": [s.to_dict() for s in self.sentences],
        }
        if self.reference_sentences is not None:
            out["reference_sentences"] = list(self.reference_sentences)
        return out
