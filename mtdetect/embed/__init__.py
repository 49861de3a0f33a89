"""Sentence embeddings: the static embedding distilled from MiniLM (static, the default: a lookup
table, no torch), the MiniLM transformer itself (minilm; `--embedder minilm`), the on-disk cache (cache)."""

from __future__ import annotations

from typing import Any

EMBEDDERS = ("static", "minilm")
# Static is the default: measured against MiniLM on held-out documents (the bench's embedder comparison,
# history in benchmarks/results/static_vs_minilm.md) its accuracy is at least MiniLM's and it gets the 5 seed
# verdicts, the condition of issue 23; it scores without torch, several times faster from a cold start.
DEFAULT_EMBEDDER = "static"


def make_embedder(kind: str | None = None, device: str = "auto", threads: int | None = None) -> Any:
    """The aligning embedder by name (None: DEFAULT_EMBEDDER): "minilm" (the transformer, on `device`
    auto|cpu|cuda with `threads` torch threads) or "static" (a lookup table on the CPU, no torch)."""
    kind = kind or DEFAULT_EMBEDDER
    if kind == "static":
        from mtdetect.embed.static import StaticEmbedder

        return StaticEmbedder()
    if kind == "minilm":
        from mtdetect.embed.minilm import Embedder

        return Embedder(threads=threads, device=device)
    raise ValueError(f"embedder must be one of {', '.join(EMBEDDERS)}, not {kind!r}")
