"""On-disk embedding cache keyed by embedding model, precision and text hash.

Retraining on sentences seen before must not re-encode them. Vectors live in one SQLite
file per embedding model (weights hash in the name), so a different model can never
return stale vectors. SQLite gives atomic commits: a killed run leaves a valid cache.
"""

from __future__ import annotations

import hashlib
import os
import sqlite3
from pathlib import Path
from typing import Sequence

import numpy as np

from .embed import Embedder


def default_cache_dir() -> Path:
    """$MTDETECT_CACHE, else $XDG_CACHE_HOME/mtdetect, else ~/.cache/mtdetect."""
    if os.environ.get("MTDETECT_CACHE"):
        return Path(os.environ["MTDETECT_CACHE"])
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "mtdetect"


def _key(text: str) -> bytes:
    return hashlib.sha1(text.encode("utf-8")).digest()


class CachedEncoder:
    """Wraps an Embedder; `encode` returns exactly what the embedder would, from disk when it can."""

    CHUNK = 2048

    def __init__(self, embedder: Embedder, cache_dir: Path | None = None) -> None:
        self.embedder = embedder
        directory = cache_dir or default_cache_dir()
        directory.mkdir(parents=True, exist_ok=True)
        precision = getattr(embedder, "precision", "fp32")  # bf16 and fp32 vectors never mix
        suffix = "" if precision == "fp32" else f"-{precision}"
        self.path = directory / f"emb-{embedder.weights_sha256}-{embedder.config.max_tokens}{suffix}.sqlite"
        # check_same_thread=False: a Ray Data actor is built in one thread and called in another;
        # one encoder is still used by one thread at a time. timeout: several workers may write.
        self._db = sqlite3.connect(self.path, timeout=60, check_same_thread=False)
        self._db.execute("CREATE TABLE IF NOT EXISTS emb (k BLOB PRIMARY KEY, v BLOB NOT NULL)")
        self.hits = 0
        self.misses = 0

    def _lookup(self, keys: list[bytes]) -> dict[bytes, np.ndarray]:
        found: dict[bytes, np.ndarray] = {}
        for start in range(0, len(keys), 900):  # SQLite's host-parameter limit
            chunk = keys[start : start + 900]
            rows = self._db.execute(
                f"SELECT k, v FROM emb WHERE k IN ({','.join('?' * len(chunk))})", chunk
            ).fetchall()
            for k, v in rows:
                found[k] = np.frombuffer(v, dtype=np.float32)
        return found

    def encode(self, sentences: Sequence[str], progress: bool = False) -> np.ndarray:
        """Unit vectors for `sentences`, computing and storing only the unseen ones."""
        keys = [_key(s) for s in sentences]
        found = self._lookup(sorted(set(keys)))
        missing = sorted({s for s, k in zip(sentences, keys) if k not in found})
        self.hits += len(sentences) - sum(k not in found for k in keys)
        self.misses += len(missing)
        chunks = range(0, len(missing), self.CHUNK)
        if progress and len(missing) > self.CHUNK:
            from .progress import track

            chunks = track(chunks, total=len(chunks), label="embedding", unit_scale=self.CHUNK)
        for start in chunks:  # committed chunk by chunk: a killed run keeps what it encoded
            part = missing[start : start + self.CHUNK]
            vecs = self.embedder.encode(part)
            with self._db:
                self._db.executemany(
                    "INSERT OR REPLACE INTO emb VALUES (?, ?)",
                    [(_key(s), v.astype(np.float32).tobytes()) for s, v in zip(part, vecs)],
                )
            for s, v in zip(part, vecs):
                found[_key(s)] = v
        out = np.zeros((len(sentences), self.embedder.dim), dtype=np.float32)
        for i, k in enumerate(keys):
            out[i] = found[k]
        return out

    def close(self) -> None:
        self._db.close()
