"""Size limits on what mtdetect reads and aligns, so memory and time stay bounded for any input.

Every check raises `InputError` with a one-line message that names the input (exit code 3).
Standard library only.

    check_input_size(size, name)               bytes read from a file or stdin
    gunzip_limited(data, name)                 a .gz file, refused past the limit (no .gz bombs)
    check_sentence_count(n, name)              sentences per article
    check_alignment_size(n_suspect, n_ref)     cells of the O(n*m) alignment programme
"""

from __future__ import annotations

import zlib

from .errors import InputError

MAX_INPUT_BYTES = 50 * 1024 * 1024  # one article file (or stdin)
MAX_PAIRS_BYTES = 1024 * 1024 * 1024  # one pairs file, decompressed (training sets are large)
MAX_SENTENCES = 5000  # sentences per article
# The alignment is a dynamic programme in pure Python: ~10 us and ~200 bytes per cell
# (n_suspect * n_reference). 1.5 M cells is ~15 s and ~300 MB; 5000 x 5000 would be minutes
# and several GB, so this limit, not MAX_SENTENCES, is the one that binds for two long articles.
MAX_ALIGN_CELLS = 1_500_000


def check_input_size(size: int, name: str, limit: int | None = None, exact: bool = True) -> None:
    """Refuse an input of `size` bytes over `limit` (default MAX_INPUT_BYTES); `exact=False`: the
    size is only known to be more than the limit (a stream read up to limit + 1 bytes)."""
    limit = MAX_INPUT_BYTES if limit is None else limit
    if size > limit:
        what = f"{size:,} bytes is over" if exact else "over"
        raise InputError(f"{name}: {what} the {limit:,}-byte limit; split the article")


def gunzip_limited(data: bytes, name: str, limit: int | None = None) -> bytes:
    """Decompress gzip data, refusing output over `limit` (default MAX_INPUT_BYTES: a .gz bomb)
    without inflating all of it."""
    limit = MAX_INPUT_BYTES if limit is None else limit
    out = zlib.decompressobj(wbits=31)  # gzip header; concatenated members are handled below
    chunks: list[bytes] = []
    total = 0
    try:
        while data:
            chunk = out.decompress(data, limit + 1 - total)
            chunks.append(chunk)
            total += len(chunk)
            check_input_size(total, name, limit, exact=False)
            data = out.unconsumed_tail
            if out.eof:  # another gzip member may follow
                data = out.unused_data
                out = zlib.decompressobj(wbits=31) if data else out
        if not out.eof:
            raise zlib.error("truncated gzip data")
    except zlib.error as exc:
        raise InputError(f"{name}: not a valid gzip file ({exc})") from None
    return b"".join(chunks)


def check_sentence_count(n: int, name: str, limit: int | None = None) -> None:
    """Refuse an article of more than `limit` (default MAX_SENTENCES) sentences."""
    limit = MAX_SENTENCES if limit is None else limit
    if n > limit:
        raise InputError(f"{name}: more than {limit:,} sentences is over the limit for one article; split it")


def check_alignment_size(n_suspect: int, n_reference: int, limit: int | None = None) -> None:
    """Refuse an article pair whose alignment table (n_suspect * n_reference cells) is over
    `limit` (default MAX_ALIGN_CELLS)."""
    limit = MAX_ALIGN_CELLS if limit is None else limit
    if n_suspect * n_reference > limit:
        raise InputError(
            f"{n_suspect:,} suspect x {n_reference:,} reference sentences is over the alignment limit "
            f"of {limit:,} sentence pairs; split the articles into matching parts"
        )
