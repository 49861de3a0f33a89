"""The mode (reference / --reference-free / --index): the one place that picks each worker's scorer."""

from __future__ import annotations

import functools
from typing import Any, Callable

from mtdetect.embed.minilm import BatchEncoder
from mtdetect.inputs.errors import InputError
from mtdetect.scan.batch import BatchScorer, ScanConfig


def _optional(module: str, name: str, option: str) -> Any:
    """`module.name`, or a one-line InputError saying that this build lacks what `option` needs."""
    import importlib

    try:
        return getattr(importlib.import_module(module), name)
    except (ImportError, AttributeError):
        raise InputError(f"{option}: not available in this build of mtdetect ({module}.{name} is missing)") from None


# What each mode needs beyond reference scoring (checked in the driver before any worker starts).
_MODE_NEEDS = {
    "reference-free": [("mtdetect.detect.reference_free", "ReferenceFreeDetector")],
    "index": [("mtdetect.detect.index", "ArchiveIndex"), ("mtdetect.detect.reference", "score_with_index"),
              ("mtdetect.detect.reference_free", "ReferenceFreeDetector")],
}


def _reference_free_fallback(config: ScanConfig, detector: Any) -> Callable[[str], Any]:  # noqa: ARG001
    """Records without a reference, --reference-free: the reference-free model on the text alone."""
    rf = _optional("mtdetect.detect.reference_free", "ReferenceFreeDetector", "--reference-free")(threshold=config.threshold)
    return rf.score_article


def _index_fallback(config: ScanConfig, detector: Any) -> Callable[[str], Any]:
    """Records without a reference, --index: find the original in the archive and score against it
    (reference-free when the archive has none), as `mtdetect score SUSPECT --index` does."""
    archive = _optional("mtdetect.detect.index", "ArchiveIndex", "--index")(config.index)
    score_with_index = _optional("mtdetect.detect.reference", "score_with_index", "--index")
    rf = _optional("mtdetect.detect.reference_free", "ReferenceFreeDetector", "--index")()
    return lambda text: score_with_index(detector, archive, text, rf)


def build_scorer(config: ScanConfig, fallback: Callable | None) -> BatchScorer:
    """What each worker calls once: the embedding model, the Detector, the mode's fallback."""
    from mtdetect.embed.minilm import Embedder
    from mtdetect.detect.reference import Detector

    embedder = Embedder(threads=config.threads)
    if config.cache:
        from mtdetect.embed.cache import CachedEncoder

        encoder = BatchEncoder(CachedEncoder(embedder))
    else:
        encoder = BatchEncoder(embedder)
    detector = Detector(config.model, embedder=encoder, threshold=config.threshold)
    return BatchScorer(detector, encoder, config, fallback(config, detector) if fallback else None)


def scorer_factory(config: ScanConfig) -> Callable[[], BatchScorer]:
    """The one place where the mode picks the scorer: a picklable factory each worker or actor
    calls once. Checks in the caller's process that the mode's modules exist (fail early)."""
    for module, name in _MODE_NEEDS.get(config.mode, []):
        _optional(module, name, f"--{config.mode}")
    fallback = {"reference-free": _reference_free_fallback, "index": _index_fallback}.get(config.mode)
    return functools.partial(build_scorer, config, fallback)
