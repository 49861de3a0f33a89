"""A learned pair model on the packaged MiniLM, read as a cross-encoder (issue 22, point 6; measured).

Each pair is one input, `reference [SEP] candidate`, so that self-attention sees both sides at
once; the mean of the last layer's states (the Embedder's own pooling, unit length) is the pair's
encoding. The encoder stays frozen: the learned part is a head, a logistic regression on the 384
values, stacked under the calibrated sentence model exactly as the edit lexicon is
(learn/lexicon.py: out-of-fold values from inner folds grouped by source, refitted inside every
cell of the leave-one-source-out matrix). `training/experiments.py cross` measures it.

Opt-in for measurement only: at scoring it would need torch and a second MiniLM pass per pair,
which the speed budget of issue 23 (no torch on the default path) does not allow.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Sequence

import numpy as np

from mtdetect.report.progress import log


def pair_text(reference: str, candidate: str) -> str:
    return f"{reference} [SEP] {candidate}"


def pair_encodings(references: Sequence[str], candidates: Sequence[str], cache_dir: Path,
                   threads: int = 1) -> np.ndarray:
    """(n, 384) float32 joint encodings, cached in cache_dir by the texts' hash (one thread by
    default: a background job on a shared machine, and the same bits every run)."""
    texts = [pair_text(r, c) for r, c in zip(references, candidates)]
    key = hashlib.sha256("\n".join(texts).encode("utf-8")).hexdigest()[:16]
    path = cache_dir / f"cross-{key}.npy"
    if path.exists():
        return np.load(path)
    from mtdetect.embed.minilm import Embedder

    emb = Embedder(threads=threads)
    log(f"cross: encoding {len(texts):,} pairs jointly with {emb.name} ({emb.precision}, {threads} thread)")
    out = emb.encode(texts, progress=True)
    part = path.with_name(path.name + ".part.npy")
    np.save(part, out)
    part.replace(path)
    return out
