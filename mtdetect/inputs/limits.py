"""Size limits on what mtdetect reads and aligns, so memory and time stay bounded for any input.

Every check raises `InputError` with a one-line message that names the input (exit code 3).
Standard library only. The byte, line and record limits are applied while reading, by
budget.BudgetReader (text.read_text, pairs.read_pairs).

    check_input_size(size, name)               bytes read from a file or stdin
    check_sentence_count(n, name)              sentences per article
    check_sentence_length(n_chars, name, k)    characters in one sentence
    check_alignment_size(n_suspect, n_ref)     cells of the O(n*m) alignment programme
"""

from __future__ import annotations

from mtdetect.inputs.errors import InputError

MAX_INPUT_BYTES = 50 * 1024 * 1024  # one article file (or stdin)
# One pairs file (decompressed). Pairs are held in memory until all are validated, so these
# three bound what reading one can cost: 128 MiB of text in at most 500,000 Pair objects is
# ~400 MB of RSS, ~750 MB with the embedding model loaded to score them (measured by
# benchmarks/hostile_rss.py). The shipped training sets are 12-57 MB and 20-90k pairs each.
MAX_PAIRS_BYTES = 128 * 1024 * 1024
MAX_PAIR_RECORD_CHARS = 200_000  # one pairs line (reference + candidate + the rest): ~15,000 words a side
MAX_PAIRS = 500_000  # records in one pairs file
MAX_SENTENCES = 5000  # sentences per article, on every path (reference, reference-free, index, scan, index build)
# One sentence. Segmentation cuts a run of text with no sentence end after this many characters
# (text.iter_sentences), and scoring refuses an article holding such a run (text.split_article):
# a 10 MB "sentence" is refused in a second instead of costing GBs. Real sentences are < 1,000
# characters; a 10,000-word run-on sentence (~70,000) is still scored (features read its first
# 300 tokens, the embedder its first 256 word pieces).
MAX_SENTENCE_CHARS = 100_000
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


def check_sentence_count(n: int, name: str, limit: int | None = None) -> None:
    """Refuse an article of more than `limit` (default MAX_SENTENCES) sentences."""
    limit = MAX_SENTENCES if limit is None else limit
    if n > limit:
        raise InputError(f"{name}: more than {limit:,} sentences is over the limit for one article; split it")


def check_sentence_length(n_chars: int, name: str, index: int | None, limit: int | None = None) -> None:
    """Refuse a sentence (the `index`-th, 0-based; None: not known) of more than `limit`
    (default MAX_SENTENCE_CHARS) characters."""
    limit = MAX_SENTENCE_CHARS if limit is None else limit
    if n_chars > limit:
        which = "a sentence" if index is None else f"sentence {index + 1:,}"
        raise InputError(f"{name}: {which} runs over the {limit:,}-character limit for one sentence "
                         "(no sentence end); split it")


def check_alignment_size(n_suspect: int, n_reference: int, limit: int | None = None) -> None:
    """Refuse an article pair whose alignment table (n_suspect * n_reference cells) is over
    `limit` (default MAX_ALIGN_CELLS)."""
    limit = MAX_ALIGN_CELLS if limit is None else limit
    if n_suspect * n_reference > limit:
        raise InputError(
            f"{n_suspect:,} suspect x {n_reference:,} reference sentences is over the alignment limit "
            f"of {limit:,} sentence pairs; split the articles into matching parts"
        )
