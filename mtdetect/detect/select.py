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
                       embedder: Any = None, device: str = "auto", shift: bool = False) -> ArticleDetector:
    """The reference Detector; `embedder` is an Embedder, a name (`minilm`, `static`) or None for
    the default, `device` where MiniLM runs (auto, cpu, cuda); `shift`: also measure the
    translationese shift (shown, not used by the verdict)."""
    from mtdetect.detect.reference import Detector

    return Detector(model, embedder=embedder, device=device, threshold=threshold, translationese=shift)


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
                 embedder: Any = None, device: str = "auto", shift: bool = False) -> ArticleDetector:
    """The detector of `mode` with its models loaded (the shipped ones by default)."""
    if mode == "reference-free":
        return without_reference(mode, None, rf_model=rf_model, threshold=threshold)
    detector = reference_detector(model, threshold, embedder, device, shift)
    return detector if mode == "reference" else without_reference(mode, detector, index, rf_model)


def score_pairs_file(pairs: str, model: Path | None, threshold: float | None, status: Any,
                     emb: tuple = (None, "auto")) -> list:
    """`score --pairs`: each record of the pairs file (or stdin) with its p_mt; `emb` is
    (embedder name, device) as the CLI took them."""
    from mtdetect.detect.pairs import score_pairs_records
    from mtdetect.inputs.pairs import read_pairs

    status.stage("reading the pairs")
    records = read_pairs([pairs], require_label=False)
    status.stage("loading the models")
    det = reference_detector(model, threshold, *emb)
    status.stage(f"embedding and scoring {len(records):,} pairs")
    return score_pairs_records(det, records)


def score_article_files(suspect: str | None, suspect_name: str, reference: str | None, index: Path | None,
                        model: Path | None, rf_model: Path | None, threshold: float | None, status: Any,
                        emb: tuple = (None, "auto"), shift: bool = False) -> ArticleResult:
    """The article result of `score`: against the reference, through the index, or reference-free."""
    from mtdetect.inputs.guard import check_article, check_article_pair, check_english
    from mtdetect.text import read_text

    status.stage("reading the input")
    suspect_text = read_text(suspect)
    reference_text = None
    if reference is None:
        check_article(suspect_text, suspect_name)  # the sentence limits, as with --reference
        check_english(suspect_text, suspect_name)
    else:
        reference_text = read_text(reference)
        check_article_pair(suspect_text, suspect_name, reference_text, reference if reference != "-" else "<stdin>")
    mode = pick_mode(reference is not None, index)
    status.stage("loading the models")
    detector = detector_for(mode, model=model, rf_model=rf_model, index=index, threshold=threshold,
                            embedder=emb[0], device=emb[1], shift=shift)
    status.stage({"reference": "embedding, aligning and scoring", "index": "searching the archive, embedding and "
                  "scoring"}.get(mode, "scoring"))
    return detector.score_article(suspect_text, reference_text)
