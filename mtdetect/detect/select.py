"""Which detector scores a suspect: written once, for `mtdetect score` and `mtdetect scan`.

| the user gives            | mode             | detector                                           |
|---------------------------|------------------|----------------------------------------------------|
| the original (--reference)| `reference`      | detect.reference.Detector                          |
| an archive (--index)      | `index`          | IndexDetector: find the original, score against it; reference-free when none matches |
| neither                   | `reference-free` | detect.reference_free.ReferenceFreeDetector        |

`--threshold` is the flag threshold of the detector that scores: with an archive it applies to
the reference model, and a fallback to reference-free scoring flags at that model's own.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from mtdetect.detect.base import ArticleDetector, takes_no_reference
from mtdetect.results import ArticleResult

MODES = ("reference", "index", "reference-free")


def pick_mode(has_reference: bool, index: Path | str | None) -> str:
    """The mode of a request (a reference and an index together are refused by the caller)."""
    return "reference" if has_reference else "index" if index is not None else "reference-free"


class IndexDetector:
    """The original found in an archive index (detect/index.py), then scored against it; with no
    match, reference-free (detect.reference.score_with_index). An ArticleDetector."""

    mode = "index"

    def __init__(self, detector: Any, index: Any, fallback: Any = None) -> None:
        from mtdetect.detect.index import ArchiveIndex

        self.detector = detector
        self.index = index if isinstance(index, ArchiveIndex) else ArchiveIndex(index)
        self.fallback = fallback
        self.threshold = detector.threshold

    @property
    def signature(self) -> str:
        return self.detector.signature

    def score_article(self, suspect: str, reference: str | None = None) -> ArticleResult:
        from mtdetect.detect.reference import score_with_index

        takes_no_reference(self, reference)
        return score_with_index(self.detector, self.index, suspect, self.fallback)


def reference_detector(model: Path | str | None = None, threshold: float | None = None,
                       embedder: Any = None) -> ArticleDetector:
    from mtdetect.detect.reference import Detector

    return Detector(model, embedder=embedder, threshold=threshold)


def without_reference(mode: str, detector: Any, index: Path | str | Any | None = None,
                      rf_model: Path | str | None = None, threshold: float | None = None) -> ArticleDetector | None:
    """What scores a suspect that comes with no reference in `mode`, given the reference
    `detector`: None in `reference` mode, else the mode's detector (`threshold` applies to a
    reference-free detector only in `reference-free` mode)."""
    if mode not in MODES:
        raise ValueError(f"unknown mode {mode!r} (known: {', '.join(MODES)})")
    if mode == "reference":
        return None
    from mtdetect.detect.reference_free import ReferenceFreeDetector

    if mode == "reference-free":
        return ReferenceFreeDetector(rf_model, threshold=threshold)
    return IndexDetector(detector, index, ReferenceFreeDetector(rf_model))


def detector_for(mode: str, model: Path | str | None = None, rf_model: Path | str | None = None,
                 index: Path | str | None = None, threshold: float | None = None,
                 embedder: Any = None) -> ArticleDetector:
    """The detector of `mode` with its models loaded (the shipped ones by default)."""
    if mode == "reference-free":
        return without_reference(mode, None, rf_model=rf_model, threshold=threshold)
    detector = reference_detector(model, threshold, embedder)
    return detector if mode == "reference" else without_reference(mode, detector, index, rf_model)
