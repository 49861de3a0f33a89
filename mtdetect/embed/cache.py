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

from mtdetect.embed.minilm import Embedder
from mtdetect.text import InputError


def default_cache_dir() -> Path:
    """$MTDETECT_CACHE, else $XDG_CACHE_HOME/mtdetect, else ~/.cache/mtdetect."""
    if os.environ.get("MTDETECT_CACHE"):
        return Path(os.environ["MTDETECT_CACHE"])
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "mtdetect"


def prepare_cache_dir(cache_dir: Path | None = None) -> Path:
    """The cache directory, created if need be; a one-line InputError (exit 3) when it cannot be
    used: MTDETECT_CACHE naming a file, an unwritable HOME, a read-only disk."""
    directory = cache_dir or default_cache_dir()
    source = " (from MTDETECT_CACHE)" if cache_dir is None and os.environ.get("MTDETECT_CACHE") else ""
    advice = "set MTDETECT_CACHE to a writable directory, or run without the cache"
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except FileExistsError:
        raise InputError(f"{directory}: embedding cache directory{source} is a file, not a directory; {advice}") from None
    except OSError as exc:
        raise InputError(f"{directory}: cannot create the embedding cache directory{source} "
                         f"({exc.strerror or exc}); {advice}") from None
    if not os.access(directory, os.W_OK | os.X_OK):
        raise InputError(f"{directory}: embedding cache directory{source} is not writable; {advice}")
    return directory


def _key(text: str) -> bytes:
    return hashlib.sha1(text.encode("utf-8")).digest()


class CachedEncoder:
    """Wraps an Embedder; `encode` returns exactly what the embedder would, from disk when it can."""

    CHUNK = 2048

    def __init__(self, embedder: Embedder, cache_dir: Path | None = None) -> None:
        self.embedder = embedder
        directory = prepare_cache_dir(cache_dir)
        precision = getattr(embedder, "precision", "fp32")  # bf16 and fp32 vectors never mix
        suffix = "" if precision == "fp32" else f"-{precision}"
        self.path = directory / f"emb-{embedder.weights_sha256}-{embedder.config.max_tokens}{suffix}.sqlite"
        # check_same_thread=False: a Ray Data actor is built in one thread and called in another;
        # one encoder is still used by one thread at a time. timeout: several workers may write.
        try:
            self._db = sqlite3.connect(self.path, timeout=60, check_same_thread=False)
            self._db.execute("CREATE TABLE IF NOT EXISTS emb (k BLOB PRIMARY KEY, v BLOB NOT NULL)")
        except sqlite3.DatabaseError as exc:  # not a database, read-only, locked for a minute
            raise InputError(f"{self.path}: cannot use this embedding cache file ({exc}); remove it or set "
                             "MTDETECT_CACHE to another directory") from None
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
            from mtdetect.report.progress import track

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
