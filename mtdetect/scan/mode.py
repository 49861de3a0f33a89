"""The scan's mode (reference / --reference-free / --index): builds each worker's scorer with the
detectors detect/select.py picks (the same choice `mtdetect score` makes)."""

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


def _without_reference(config: ScanConfig, detector: Any) -> Callable[[str], Any]:
    """Records without a reference: the mode's detector (detect/select.py), as `mtdetect score`
    picks it — reference-free on the text alone, or the original found in the --index archive."""
    from mtdetect.detect.select import without_reference

    return without_reference(config.mode, detector, index=config.index, threshold=config.threshold).score_article


def build_scorer(config: ScanConfig, fallback: Callable | None) -> BatchScorer:
    """What each worker calls once: the embedding model, the Detector, the mode's fallback."""
    from mtdetect.detect.select import reference_detector
    from mtdetect.embed import make_embedder

    embedder = make_embedder(config.embedder, config.device, config.threads)
    if config.cache:
        from mtdetect.embed.cache import CachedEncoder

        encoder = BatchEncoder(CachedEncoder(embedder))
    else:
        encoder = BatchEncoder(embedder)
    detector = reference_detector(config.model, config.threshold, encoder, shift=config.shift)
    return BatchScorer(detector, encoder, config, fallback(config, detector) if fallback else None)


def scorer_factory(config: ScanConfig) -> Callable[[], BatchScorer]:
    """The one place where the mode picks the scorer: a picklable factory each worker or actor
    calls once. Checks in the caller's process that the mode's modules exist (fail early)."""
    for module, name in _MODE_NEEDS.get(config.mode, []):
        _optional(module, name, f"--{config.mode}")
    fallback = _without_reference if config.mode in ("reference-free", "index") else None
    return functools.partial(build_scorer, config, fallback)
