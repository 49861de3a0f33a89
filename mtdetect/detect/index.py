"""An archive of originals, searchable for the article a suspect was spun from.

    mtdetect index ARCHIVE... --out INDEX          # build
    mtdetect score SUSPECT --index INDEX           # find the original, then score against it

Two stages, because a round trip changes the wording but not the story:

1. Article level, lexical: TF-IDF over hashed content words, names and numbers (what a
   round trip keeps: "Xi Jinping", "Zakharova", "May 9", "80th") — a sparse matrix, so a
   100,000-article archive is searched in milliseconds and indexed without a model.
2. Sentence level, semantic: the suspect's sentences and those of the top candidates are
   embedded (paraphrase embeddings, cached on disk) and each candidate gets the share of
   suspect sentences that have a counterpart at cosine >= 0.7 (`related_share`), the same
   measure the article verdict uses. The best candidate is the match when that share
   reaches the verdict rule's `min_related_share`; otherwise there is no original in the
   archive and the caller falls back to reference-free scoring.

An index is a directory: `index.json` (format, settings, idf, counts), `lexical.npz` (the
sparse TF-IDF rows, loaded without pickle) and `articles.sqlite` (id and text of every
archived article, for scoring against the match).
"""

from __future__ import annotations

import json
import sqlite3
import time
import zlib
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Iterable, Sequence

import numpy as np

from mtdetect import __version__
from mtdetect.fsmode import creation_mode
from mtdetect.text import InputError, normalize, split_sentences

INDEX_FORMAT = "mtdetect-index/1"


class IndexFileError(InputError):
    """An index directory that is missing, damaged or of another format."""


@dataclass(frozen=True)
class IndexConfig:
    """How articles are represented for the lexical stage; stored in index.json."""

    n_features: int = 1 << 20
    ngram_range: tuple[int, int] = (1, 1)
    top_k: int = 5  # candidates passed to the sentence-level stage
    min_lexical: float = 0.05  # a candidate needs at least this TF-IDF cosine


def _vectorizer(config: IndexConfig) -> Any:
    from sklearn.feature_extraction.text import HashingVectorizer

    return HashingVectorizer(n_features=config.n_features, alternate_sign=False, norm=None,
                             ngram_range=tuple(config.ngram_range), stop_words="english",
                             token_pattern=r"(?u)\b\w[\w'-]*\w\b|\b\d\b", dtype=np.float32)


def _tfidf(counts: Any, idf: np.ndarray) -> Any:
    from sklearn.preprocessing import normalize as l2

    m = counts.copy()
    m.data = np.log1p(m.data)
    m = m.multiply(idf).tocsr()
    return l2(m, norm="l2", copy=False)


@dataclass
class IndexStats:
    """What `build_index` did."""

    articles: int
    seconds: float
    bytes_on_disk: int
    path: str

    def to_dict(self) -> dict:
        return asdict(self)


def build_index(documents: Iterable[tuple[str, str]], out_dir: Path, config: IndexConfig = IndexConfig(),
                progress: Any = None) -> IndexStats:
    """Index (id, text) documents into out_dir (replaced atomically)."""
    import shutil
    import tempfile

    from scipy import sparse

    t0 = time.perf_counter()
    out_dir = Path(out_dir)
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=".tmp-index-", dir=out_dir.parent))
    try:
        db = sqlite3.connect(tmp / "articles.sqlite")
        db.execute("CREATE TABLE articles (row INTEGER PRIMARY KEY, id TEXT UNIQUE, text BLOB)")
        vec = _vectorizer(config)
        blocks, ids, n = [], set(), 0
        batch: list[tuple[str, str]] = []

        def flush() -> None:
            nonlocal n
            if not batch:
                return
            blocks.append(vec.transform([normalize(t) for _, t in batch]).tocsr())
            db.executemany("INSERT INTO articles VALUES (?, ?, ?)",
                           [(n + i, d, zlib.compress(t.encode("utf-8"))) for i, (d, t) in enumerate(batch)])
            n += len(batch)
            if progress:
                progress(n)
            batch.clear()

        for doc_id, text in documents:
            if doc_id in ids:
                raise InputError(f"{doc_id}: the archive has two articles with this id")
            ids.add(doc_id)
            batch.append((doc_id, text))
            if len(batch) >= 2000:
                flush()
        flush()
        db.commit()
        db.close()
        if n == 0:
            raise InputError("the archive has no articles")
        counts = sparse.vstack(blocks).tocsr()
        df = np.bincount(counts.indices, minlength=config.n_features)
        idf = (np.log((1.0 + n) / (1.0 + df)) + 1.0).astype(np.float32)
        sparse.save_npz(tmp / "lexical.npz", _tfidf(counts, idf).astype(np.float32), compressed=True)
        np.save(tmp / "idf.npy", idf, allow_pickle=False)
        meta = {"format": INDEX_FORMAT, "articles": n, "config": asdict(config),
                "mtdetect": __version__, "created": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}
        (tmp / "index.json").write_text(json.dumps(meta, indent=2) + "\n")
        tmp.chmod(creation_mode(directory=True))
        if out_dir.exists():
            if not (out_dir / "index.json").is_file():
                raise InputError(f"{out_dir}: exists and is not an mtdetect index; not overwriting it")
            shutil.rmtree(out_dir)
        tmp.rename(out_dir)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    size = sum(f.stat().st_size for f in out_dir.iterdir())
    return IndexStats(n, round(time.perf_counter() - t0, 2), size, str(out_dir))


@dataclass(frozen=True)
class Candidate:
    row: int
    id: str
    lexical: float
    related_share: float = 0.0
    mean_best_cosine: float = 0.0


class ArchiveIndex:
    """A built index, opened read-only."""

    def __init__(self, path: Path | str) -> None:
        from scipy import sparse

        self.path = Path(path)
        meta_path = self.path / "index.json"
        if not meta_path.is_file():
            raise IndexFileError(f"{self.path}: not an mtdetect index (index.json missing; build one with "
                              "`mtdetect index ARCHIVE --out INDEX`)")
        try:
            self.meta = json.loads(meta_path.read_text(encoding="utf-8"))
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise IndexFileError(f"{meta_path}: damaged ({exc})") from None
        if self.meta.get("format") != INDEX_FORMAT:
            raise IndexFileError(f"{meta_path}: index format {self.meta.get('format')!r}, expected {INDEX_FORMAT}")
        cfg = dict(self.meta["config"])
        cfg["ngram_range"] = tuple(cfg["ngram_range"])
        self.config = IndexConfig(**cfg)
        try:
            self.matrix = sparse.load_npz(self.path / "lexical.npz").tocsr()
            self.idf = np.load(self.path / "idf.npy", allow_pickle=False)
        except (OSError, ValueError) as exc:
            raise IndexFileError(f"{self.path}: damaged index ({exc})") from None
        self.db = sqlite3.connect(f"file:{self.path / 'articles.sqlite'}?mode=ro", uri=True,
                                  check_same_thread=False)
        self._vec = _vectorizer(self.config)

    def __len__(self) -> int:
        return int(self.matrix.shape[0])

    def text(self, row: int) -> str:
        got = self.db.execute("SELECT text FROM articles WHERE row = ?", (row,)).fetchone()
        if got is None:
            raise IndexFileError(f"{self.path}: article row {row} missing (damaged index)")
        return zlib.decompress(got[0]).decode("utf-8")

    def lexical_candidates(self, text: str, k: int | None = None) -> list[Candidate]:
        """Top-k archived articles by TF-IDF cosine with the suspect."""
        q = _tfidf(self._vec.transform([normalize(text)]).tocsr(), self.idf)
        scores = (self.matrix @ q.T).toarray().ravel()
        k = min(k or self.config.top_k, len(scores))
        top = np.argpartition(-scores, k - 1)[:k]
        top = top[np.argsort(-scores[top], kind="stable")]
        out = []
        for r in top:
            if scores[r] < self.config.min_lexical:
                break
            doc_id = self.db.execute("SELECT id FROM articles WHERE row = ?", (int(r),)).fetchone()[0]
            out.append(Candidate(int(r), doc_id, float(scores[r])))
        return out

    def match(self, suspect: str, encode: Any, related_cosine: float = 0.7,
              min_related_share: float = 0.18) -> tuple[Candidate | None, list[Candidate]]:
        """The archived original of `suspect` (or None) and every candidate considered."""
        sus = [s.text for s in split_sentences(suspect)]
        if not sus:
            return None, []
        cands = self.lexical_candidates(suspect)
        if not cands:
            return None, []
        texts = [[s.text for s in split_sentences(self.text(c.row))] for c in cands]
        flat = [s for t in texts for s in t]
        vecs = encode(sus + flat)
        sv, pos = vecs[: len(sus)], len(sus)
        scored = []
        for c, t in zip(cands, texts):
            cv = vecs[pos : pos + len(t)]
            pos += len(t)
            best = (sv @ cv.T).max(axis=1) if len(t) else np.zeros(len(sus))
            scored.append(Candidate(c.row, c.id, c.lexical, float((best >= related_cosine).mean()),
                                    float(best.mean())))
        scored.sort(key=lambda c: (-c.related_share, -c.mean_best_cosine, c.row))
        best = scored[0]
        return (best if best.related_share >= min_related_share else None), scored


def match_summary(best: Candidate | None, considered: Sequence[Candidate], index: ArchiveIndex) -> dict:
    """The `match` block of a result: which original, how sure, and the runner-up."""
    runner = considered[1] if len(considered) > 1 else None
    out: dict = {"found": best is not None, "index": str(index.path), "archive_size": len(index),
                 "candidates_considered": len(considered)}
    if best is not None:
        out.update(id=best.id, related_share=round(best.related_share, 4),
                   mean_best_cosine=round(best.mean_best_cosine, 4), lexical=round(best.lexical, 4),
                   margin=round(best.related_share - (runner.related_share if runner else 0.0), 4))
    elif considered:
        top = considered[0]
        out.update(closest_id=top.id, closest_related_share=round(top.related_share, 4))
    return out
