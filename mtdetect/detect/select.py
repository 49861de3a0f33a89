"""What `mtdetect score` does with its inputs: the one place that picks the scoring mode (against a
reference, through an archive index, reference-free, or sentence pairs) and the embedder that aligns.

`status` reports each stage (progress.Status); `emb` is (embedder name, device) as the CLI took them.
"""

from __future__ import annotations

from pathlib import Path
from typing import Optional


def score_pairs_file(pairs: str, model: Optional[Path], threshold: Optional[float], status,  # noqa: ANN001
                     emb: tuple = (None, "auto")) -> list:
    """`score --pairs`: each record of the pairs file (or stdin) with its p_mt."""
    from mtdetect.inputs.pairs import read_pairs
    from mtdetect.detect.reference import Detector, score_pairs_records

    status.stage("reading the pairs")
    records = read_pairs([pairs], require_label=False)
    status.stage("loading the models")
    det = Detector(model, embedder=emb[0], device=emb[1], threshold=threshold)
    status.stage(f"embedding and scoring {len(records):,} pairs")
    return score_pairs_records(det, records)


def score_article_files(suspect: Optional[str], suspect_name: str, reference: Optional[str], index: Optional[Path],
                        model: Optional[Path], rf_model: Optional[Path], threshold: Optional[float], status,  # noqa: ANN001
                        emb: tuple = (None, "auto")):  # noqa: ANN201
    """The article result of `score`: against the reference, through the index, or reference-free."""
    from mtdetect.inputs.guard import check_article_pair, check_english
    from mtdetect.text import read_text

    status.stage("reading the input")
    suspect_text = read_text(suspect)
    if reference is None:
        check_english(suspect_text, suspect_name)
        from mtdetect.detect.reference_free import ReferenceFreeDetector

        status.stage("loading the models")
        rf = ReferenceFreeDetector(rf_model, threshold=threshold if index is None else None)
        if index is None:
            status.stage("scoring")
            return rf.score_article(suspect_text)
        from mtdetect.detect.index import ArchiveIndex
        from mtdetect.detect.reference import Detector, score_with_index

        detector = Detector(model, embedder=emb[0], device=emb[1], threshold=threshold)
        status.stage("searching the archive, embedding and scoring")
        return score_with_index(detector, ArchiveIndex(index), suspect_text, rf)
    reference_text = read_text(reference)
    check_article_pair(suspect_text, suspect_name, reference_text, reference if reference != "-" else "<stdin>")
    from mtdetect.detect.reference import Detector

    status.stage("loading the models")
    detector = Detector(model, embedder=emb[0], device=emb[1], threshold=threshold)
    status.stage("embedding, aligning and scoring")
    return detector.score_article(suspect_text, reference_text)
