"""An archive of originals, searchable for the article a suspect was spun from.

    mtdetect index ARCHIVE... --out INDEX          # build
    mtdetect score SUSPECT --index INDEX           # find the original, then score against it

Two stages, because a round trip changes the wording but not the story:

1. Article level, lexical: TF-IDF over hashed content words, names and numbers (what a
   round trip keeps: "Xi Jinping", "Zakharova", "May 9", "80th") — a sparse matrix, so a
   100,000-article archive is searched in milliseconds and indexed without a model.
2. Sentence level, semantic: the suspect's sentences and those of the top candidates are
   embedded (paraphrase embeddings, cached on disk) and each candidate gets the share of
   suspect sentences that have a counterpart at cosine >= 0.7 (`related_share`), the share
   the article verdict's relatedness rule reads first, and the share of suspect sentences most
   of whose word weight one of its sentences holds (`word_share`, relatedness.word_overlap: a
   loose rewrite keeps the names and numbers where its cosines fall short). The best candidate
   is the match when the larger reaches the share rule's `min_related_share` (a recall-minded
   pre-filter: the scored match is then judged by the fitted rule, detect/relatedness.py, and
   may still be `unrelated`); otherwise there is no original in the archive and the caller
   falls back to reference-free scoring.

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
from mtdetect.inputs.errors import InputError
from mtdetect.outputs import INDEX_DIR, replace_dir
from mtdetect.detect.relatedness import OVERLAP_HIT, word_overlap
from mtdetect.text import normalize, split_article

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


BATCH_DOCS = 2000  # articles transformed and stored together
BATCH_CHARS = 8_000_000  # ... or fewer, when they are long: memory stays bounded
PIECE_CHARS = 1_000_000  # a long article is hashed in pieces this long (counts add up)


def _check_document(doc_id: str, text: str) -> None:
    """What `score` refuses in an article is refused in an archive too (one line naming it)."""
    from mtdetect.inputs.guard import check_article, check_english
    from mtdetect.text import looks_binary

    if looks_binary(text):
        raise InputError(f"{doc_id}: binary file, not text")
    check_article(text, doc_id)
    check_english(text, doc_id)


def _counts(vec: Any, texts: list[str]) -> Any:
    """Hashed term counts, one row per text; a long text hashed in pieces cut at spaces and summed
    (the counts are additive), so one 40 MB article never becomes one 8M-token list."""
    from scipy import sparse

    rows = []
    for text in texts:
        norm = normalize(text)
        if len(norm) <= PIECE_CHARS:
            rows.append(vec.transform([norm]))
            continue
        total = None
        start = 0
        while start < len(norm):
            end = min(len(norm), start + PIECE_CHARS)
            cut = norm.rfind(" ", start, end) if end < len(norm) else end
            end = cut if cut > start else end
            part = vec.transform([norm[start:end]])
            total = part if total is None else total + part
            start = end
        rows.append(total)
    return sparse.vstack(rows).tocsr()


def build_index(documents: Iterable[tuple[str, str]], out_dir: Path, config: IndexConfig = IndexConfig(),
                progress: Any = None, force: bool = False, inputs: Sequence[object] = ()) -> IndexStats:
    """Index (id, text) documents into out_dir, replaced atomically by the output policy
    (outputs.replace_dir: a folder that is not an mtdetect index is refused unless `force`).
    Documents are consumed one at a time; each must pass the limits `score` applies."""
    from scipy import sparse

    t0 = time.perf_counter()
    out_dir = Path(out_dir)
    with replace_dir(out_dir, INDEX_DIR, force=force, inputs=inputs) as tmp:
        db = sqlite3.connect(tmp / "articles.sqlite")
        db.execute("CREATE TABLE articles (row INTEGER PRIMARY KEY, id TEXT UNIQUE, text BLOB)")
        vec = _vectorizer(config)
        blocks, ids, n = [], set(), 0
        batch: list[tuple[str, str]] = []
        chars = 0

        def flush() -> None:
            nonlocal n, chars
            if not batch:
                return
            blocks.append(_counts(vec, [t for _, t in batch]))
            db.executemany("INSERT INTO articles VALUES (?, ?, ?)",
                           [(n + i, d, zlib.compress(t.encode("utf-8"))) for i, (d, t) in enumerate(batch)])
            n += len(batch)
            if progress:
                progress(n)
            batch.clear()
            chars = 0

        for doc_id, text in documents:
            if doc_id in ids:
                raise InputError(f"{doc_id}: the archive has two articles with this id")
            _check_document(doc_id, text)
            ids.add(doc_id)
            batch.append((doc_id, text))
            chars += len(text)
            if len(batch) >= BATCH_DOCS or chars >= BATCH_CHARS:
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
    size = sum(f.stat().st_size for f in out_dir.iterdir())
    return IndexStats(n, round(time.perf_counter() - t0, 2), size, str(out_dir))


@dataclass(frozen=True)
class Candidate:
    row: int
    id: str
    lexical: float
    related_share: float = 0.0
    mean_best_cosine: float = 0.0
    word_share: float = 0.0  # suspect sentences most of whose word weight one of its sentences holds

    @property
    def evidence(self) -> float:
        """What the match is decided on: the larger of the two shares."""
        return max(self.related_share, self.word_share)


MAX_INDEX_ARRAY_BYTES = 768 * 1024 * 1024  # lexical.npz inflated (~1M articles); more is refused unread
_CONFIG_CHECKS = {  # field -> (is it valid?, what it must be)
    "n_features": (lambda v: _int(v) and 2**8 <= v <= 2**24, "an integer from 256 to 16,777,216"),
    "ngram_range": (lambda v: isinstance(v, list) and len(v) == 2 and all(_int(x) for x in v)
                    and 1 <= v[0] <= v[1] <= 3, "two integers 1 <= a <= b <= 3"),
    "top_k": (lambda v: _int(v) and 1 <= v <= 100, "an integer from 1 to 100"),
    "min_lexical": (lambda v: isinstance(v, (int, float)) and not isinstance(v, bool) and 0.0 <= v <= 1.0,
                    "a number from 0 to 1"),
}


def _int(v: Any) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


def _read_meta(path: Path) -> tuple[dict, IndexConfig]:
    """index.json, checked field by field: a damaged or forged manifest is one IndexFileError."""
    from mtdetect.inputs.budget import loads_strict

    meta_path = path / "index.json"
    if not meta_path.is_file():
        raise IndexFileError(f"{path}: not an mtdetect index (index.json missing; build one with "
                             "`mtdetect index ARCHIVE --out INDEX`)")
    try:
        with open(meta_path, "rb") as fh:
            meta = loads_strict(fh.read(1 << 20).decode("utf-8"))
    except (OSError, ValueError, RecursionError) as exc:
        raise IndexFileError(f"{meta_path}: damaged ({str(exc)[:200]})") from None
    if not isinstance(meta, dict):
        raise IndexFileError(f"{meta_path}: damaged (a JSON {type(meta).__name__}, not an object)")
    if meta.get("format") != INDEX_FORMAT:
        raise IndexFileError(f"{meta_path}: index format {str(meta.get('format'))[:40]!r}, expected {INDEX_FORMAT}")
    cfg = meta.get("config")
    if not isinstance(cfg, dict) or set(cfg) != set(_CONFIG_CHECKS):
        raise IndexFileError(f"{meta_path}: damaged ('config' must hold exactly {', '.join(_CONFIG_CHECKS)})")
    for key, (ok, what) in _CONFIG_CHECKS.items():
        if not ok(cfg[key]):
            raise IndexFileError(f"{meta_path}: damaged ('config.{key}' must be {what})")
    if not _int(meta.get("articles")) or meta["articles"] < 1:
        raise IndexFileError(f"{meta_path}: damaged ('articles' must be a positive integer)")
    return meta, IndexConfig(**{**cfg, "ngram_range": tuple(cfg["ngram_range"])})


class ArchiveIndex:
    """A built index, opened read-only. Every file is checked on opening (manifest fields, array
    shapes and sizes before inflating, the database's rows), and every stored text is inflated
    with a bound: damage is an IndexFileError (exit 3) naming the file, never a crash."""

    def __init__(self, path: Path | str) -> None:
        from mtdetect.inputs.budget import check_zip

        self.path = Path(path)
        self.meta, self.config = _read_meta(self.path)
        n, width = self.meta["articles"], self.config.n_features
        lexical, idf = self.path / "lexical.npz", self.path / "idf.npy"
        check_zip(lexical, MAX_INDEX_ARRAY_BYTES, IndexFileError)
        try:
            if idf.stat().st_size > 4 * width + 4096:
                raise ValueError(f"{idf.name} is larger than {width:,} numbers")
            from scipy import sparse

            self.matrix = sparse.load_npz(lexical).tocsr()
            self.matrix.check_format(full_check=True)  # indices in range: never read out of bounds
            self.idf = np.load(idf, allow_pickle=False)
        except (Exception, MemoryError) as exc:  # OSError, ValueError, BadZipFile... from inside numpy / scipy
            raise IndexFileError(f"{self.path}: damaged index ({type(exc).__name__}: {str(exc)[:200]})") from None
        if self.matrix.shape != (n, width) or self.matrix.dtype.kind != "f":
            raise IndexFileError(f"{lexical}: damaged (a {self.matrix.shape} matrix, expected ({n}, {width}))")
        if self.idf.shape != (width,) or self.idf.dtype.kind != "f" or not np.all(np.isfinite(self.idf)):
            raise IndexFileError(f"{idf}: damaged (expected {width:,} finite numbers)")
        if not np.all(np.isfinite(self.matrix.data)):
            raise IndexFileError(f"{lexical}: damaged (non-finite weights)")
        db_path = self.path / "articles.sqlite"
        if not db_path.is_file():
            raise IndexFileError(f"{db_path}: missing (damaged index)")
        try:
            self.db = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True, check_same_thread=False)
        except sqlite3.Error as exc:
            raise IndexFileError(f"{db_path}: not readable ({exc})") from None
        rows = self._query("SELECT count(*) FROM articles")
        if not rows or rows[0] != n:
            raise IndexFileError(f"{db_path}: holds {rows[0] if rows else 0:,} articles, the index {n:,} (damaged)")
        self._vec = _vectorizer(self.config)

    def _query(self, sql: str, *args: Any) -> tuple | None:
        try:
            return self.db.execute(sql, args).fetchone()
        except (sqlite3.Error, ValueError) as exc:  # ValueError: a TEXT column that is not UTF-8
            raise IndexFileError(f"{self.path / 'articles.sqlite'}: damaged ({exc})") from None

    def __len__(self) -> int:
        return int(self.matrix.shape[0])

    def text(self, row: int) -> str:
        """The stored text of an article, inflated with a bound (limits.MAX_INPUT_BYTES)."""
        from mtdetect.inputs import limits
        from mtdetect.inputs.budget import inflate_bounded

        got = self._query("SELECT text FROM articles WHERE row = ?", row)
        name = f"{self.path / 'articles.sqlite'}: article row {row}"
        if got is None:
            raise IndexFileError(f"{name} missing (damaged index)")
        data = inflate_bounded(got[0], limits.MAX_INPUT_BYTES, name, IndexFileError)
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError:
            raise IndexFileError(f"{name}: not UTF-8 text (damaged index)") from None

    def article_id(self, row: int) -> str:
        got = self._query("SELECT id FROM articles WHERE row = ?", row)
        if got is None or not isinstance(got[0], str):
            raise IndexFileError(f"{self.path / 'articles.sqlite'}: article row {row} has no id (damaged index)")
        return got[0]

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
            out.append(Candidate(int(r), self.article_id(int(r)), float(scores[r])))
        return out

    def match(self, suspect: str, encode: Any, related_cosine: float = 0.7,
              min_related_share: float = 0.18) -> tuple[Candidate | None, list[Candidate]]:
        """The archived original of `suspect` (or None) and every candidate considered."""
        sus = [s.text for s in split_article(suspect, "suspect")]
        if not sus:
            return None, []
        cands = self.lexical_candidates(suspect)
        if not cands:
            return None, []
        texts = []
        for c in cands:  # an archived text passed the limits when indexed; a forged one is refused
            try:
                texts.append([s.text for s in split_article(self.text(c.row), f"article {c.id}")])
            except IndexFileError:
                raise
            except InputError as exc:
                raise IndexFileError(f"{self.path}: {exc} (damaged index)") from None
        flat = [s for t in texts for s in t]
        vecs = encode(sus + flat)
        sv, pos = vecs[: len(sus)], len(sus)
        scored = []
        for c, t in zip(cands, texts):
            cv = vecs[pos : pos + len(t)]
            pos += len(t)
            best = (sv @ cv.T).max(axis=1) if len(t) else np.zeros(len(sus))
            words = float((word_overlap(sus, t) >= OVERLAP_HIT).mean())
            scored.append(Candidate(c.row, c.id, c.lexical, float((best >= related_cosine).mean()),
                                    float(best.mean()), words))
        scored.sort(key=lambda c: (-c.evidence, -c.mean_best_cosine, c.row))
        best = scored[0]
        return (best if best.evidence >= min_related_share else None), scored


def match_summary(best: Candidate | None, considered: Sequence[Candidate], index: ArchiveIndex) -> dict:
    """The `match` block of a result: which original, how sure, and the runner-up."""
    runner = considered[1] if len(considered) > 1 else None
    out: dict = {"found": best is not None, "index": str(index.path), "archive_size": len(index),
                 "candidates_considered": len(considered)}
    if best is not None:
        out.update(id=best.id, related_share=round(best.related_share, 4), word_share=round(best.word_share, 4),
                   mean_best_cosine=round(best.mean_best_cosine, 4), lexical=round(best.lexical, 4),
                   margin=round(best.evidence - (runner.evidence if runner else 0.0), 4))
    elif considered:
        top = considered[0]
        out.update(closest_id=top.id, closest_related_share=round(top.related_share, 4),
                   closest_word_share=round(top.word_share, 4))
    return out
