"""What every detector is: one interface for scoring an article, whatever it compares against.

    detector.score_article(suspect, reference=None) -> ArticleResult
    detector.signature -> str        # what decided the scores (card/signature.py)
    detector.threshold -> float      # p(MT) at or above which a sentence is flagged
    detector.mode -> str             # "reference", "index" or "reference-free"

Implemented by `detect.reference.Detector` (against the original: `reference` is required),
`detect.reference_free.ReferenceFreeDetector` (the suspect on its own: no `reference`) and
`detect.select.IndexDetector` (the original found in an archive: no `reference`).
`detect/select.py` picks one for the command line and for `mtdetect scan`.
"""

from __future__ import annotations

from typing import Protocol, runtime_checkable

from mtdetect.results import ArticleResult


@runtime_checkable
class ArticleDetector(Protocol):
    mode: str
    threshold: float

    @property
    def signature(self) -> str: ...

    def score_article(self, suspect: str, reference: str | None = None) -> ArticleResult: ...


def needs_reference(detector: object, reference: str | None) -> str:
    """`reference`, or a ValueError naming the detector that needs one."""
    if reference is None:
        raise ValueError(f"{type(detector).__name__} scores against an original: give the reference text")
    return reference


def takes_no_reference(detector: object, reference: str | None) -> None:
    """A ValueError when a reference is given to a detector that does not read one."""
    if reference is not None:
        raise ValueError(f"{type(detector).__name__} finds or needs no original; use detect.reference.Detector")
