"""Sentence embeddings: the MiniLM transformer (minilm), the static embedding distilled from it
(static, the default for alignment: no torch), the on-disk cache (cache)."""

from __future__ import annotations

from typing import Any

EMBEDDERS = ("static", "minilm")
DEFAULT_EMBEDDER = "static"  # measured against MiniLM before the switch: benchmarks/static_vs_minilm.py


def make_embedder(kind: str | None = None, device: str = "auto", threads: int | None = None) -> Any:
    """The aligning embedder by name: "static" (the default: a lookup table, no torch) or "minilm" (the
    transformer, on `device` auto|cpu|cuda with `threads` torch threads). The static one runs on the CPU."""
    kind = kind or DEFAULT_EMBEDDER
    if kind == "static":
        from mtdetect.embed.static import StaticEmbedder

        return StaticEmbedder()
    if kind == "minilm":
        from mtdetect.embed.minilm import Embedder

        return Embedder(threads=threads, device=device)
    raise ValueError(f"embedder must be one of {', '.join(EMBEDDERS)}, not {kind!r}")
