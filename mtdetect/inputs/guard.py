"""Guards against hostile or unsuitable input: size limits, non-English text, HTML pages.

Every check raises `InputError` with a one-line message that names the input, so the CLI
reports it on stderr with exit code 3. Standard library only, plus wordfreq's English word
list (`zipf.py`, read on the first language check). The size limits live in `limits.py` and the HTML
reader in `htmltext.py` (`text.read_text` applies both, so they cannot depend on this
module, which segments text); they are importable from here too.

    check_input_size(size, name)               bytes read from a file or stdin
    check_english(text, name)                  mtdetect scores English only
    check_sentence_count(n, name)              sentences per article
    check_alignment_size(n_suspect, n_ref)     cells of the O(n*m) alignment programme
    check_article_pair(sus, sus_name, ref, ref_name)   all of the above, for `score`
"""

from __future__ import annotations

import itertools
import re
from functools import lru_cache

from mtdetect.inputs.errors import InputError
from mtdetect.inputs.html import html_to_text, looks_like_html
from mtdetect.inputs.limits import (MAX_ALIGN_CELLS, MAX_INPUT_BYTES, MAX_PAIR_RECORD_CHARS, MAX_PAIRS, MAX_PAIRS_BYTES,
                                    MAX_SENTENCES, check_alignment_size, check_input_size, check_sentence_count,
                                    check_sentence_length)
from mtdetect.text import check_runs, iter_sentences

__all__ = [
    "MAX_INPUT_BYTES", "MAX_PAIRS_BYTES", "MAX_PAIR_RECORD_CHARS", "MAX_PAIRS", "MAX_SENTENCES", "MAX_ALIGN_CELLS",
    "MIN_ENGLISH_SHARE", "check_input_size", "english_share", "looks_english", "check_english", "looks_like_html",
    "html_to_text", "check_sentence_count", "check_alignment_size", "check_article", "check_article_pair",
]  # fmt: skip

# --------------------------------------------------------------------------- language

MIN_ENGLISH_SHARE = 0.5
MIN_WORDS_TO_JUDGE = 12  # fewer word tokens than this: too little text to tell, accept it
ENGLISH_ZIPF = 2.5  # wordfreq Zipf frequency (log10 per billion words + 9) of a known English word
SAMPLE_TOKENS = 20_000
_SAMPLE_WINDOWS = 100
_WINDOW_CHARS = 2_000
_WORD = re.compile(r"[^\W\d_]+")
# Function words of other European languages that English corpora contain often enough to pass
# ENGLISH_ZIPF (French 'les', German 'die', Spanish 'los'); without this list a French or
# Spanish paragraph scores about 50% English. Words that are also common English ('a', 'no',
# 'per', 'war', 'am', 'come', 'son', 'also') are left out on purpose.
_FOREIGN_FUNCTION_WORDS = frozenset("""
le la les des du de et est une un qui qu pour dans par sur pas mais ce cette ces il elle ils elles
sont avec au aux à où été leur nous vous selon l d n s c j aussi très entre
der die das und ist nicht mit von zu zur zum den dem ein eine einen einer eines sich auf für
im auch es sie sind wird werden hat haben nach bei aus dass daß noch wie oder aber über
el los las y que con para por del se su sus es lo como pero más fue según sobre ha este esta
il di che gli della delle dei degli sono è nel nella alla anche più
het een van en zijn niet op te met voor dat er maar ook om door naar bij wordt worden
os não com uma dos das na ao pela pelo em são o
""".split())  # fmt: skip


def _latin(ch: str) -> bool:
    """Is this letter in one of the Latin blocks (Basic, Latin-1, Extended-A/B/Additional)?"""
    o = ord(ch)
    return o < 0x250 or 0x1E00 <= o <= 0x1EFF or 0xFF21 <= o <= 0xFF5A


def _sample(text: str) -> str:
    """The whole text if short, else evenly spaced windows of it (deterministic, ~200k chars)."""
    if len(text) <= _SAMPLE_WINDOWS * _WINDOW_CHARS:
        return text
    step = len(text) // _SAMPLE_WINDOWS
    parts = []
    for k in range(_SAMPLE_WINDOWS):
        window = text[k * step : k * step + _WINDOW_CHARS]
        # Drop the partial words at both ends of the window.
        parts.append(window.partition(" ")[2].rpartition(" ")[0])
    return "\n".join(parts)


@lru_cache(maxsize=100_000)  # bounded; a pairs file asks about the same words again and again
def _english_word(word: str) -> bool:
    """A lowercased word is English: not a foreign function word, Latin letters, frequent enough."""
    from mtdetect.inputs.zipf import zipf_frequency  # = wordfreq.zipf_frequency(word, "en")

    return (word not in _FOREIGN_FUNCTION_WORDS and all(_latin(ch) for ch in word)
            and zipf_frequency(word) >= ENGLISH_ZIPF)


def _english_stats(text: str) -> tuple[float, int]:
    """(English share, number of word tokens judged) of a sample of `text`."""
    tokens = _WORD.findall(_sample(text))
    if len(tokens) > SAMPLE_TOKENS:
        step = len(tokens) / SAMPLE_TOKENS
        tokens = [tokens[int(k * step)] for k in range(SAMPLE_TOKENS)]
    if not tokens:
        return 1.0, 0
    english = letters = latin = 0
    for token in tokens:
        known = _english_word(token.lower())
        english += known
        letters += len(token)
        latin += len(token) if known else sum(_latin(ch) for ch in token)
    return min(english / len(tokens), latin / letters), len(tokens)


def english_share(text: str) -> float:
    """min(share of word tokens that are English words, share of letters that are Latin),
    on at most SAMPLE_TOKENS tokens spread over the text; 1.0 when there are no words."""
    return _english_stats(text)[0]


def looks_english(text: str, min_share: float | None = None) -> bool:
    """True unless `text` has at least MIN_WORDS_TO_JUDGE words and an english_share under
    `min_share` (default MIN_ENGLISH_SHARE)."""
    min_share = MIN_ENGLISH_SHARE if min_share is None else min_share
    share, n_words = _english_stats(text)
    return n_words < MIN_WORDS_TO_JUDGE or share >= min_share


def check_english(text: str, name: str, min_share: float | None = None) -> None:
    """Refuse text with an english_share under `min_share` (default MIN_ENGLISH_SHARE); text of
    under MIN_WORDS_TO_JUDGE words is accepted (too little to tell)."""
    min_share = MIN_ENGLISH_SHARE if min_share is None else min_share
    share, n_words = _english_stats(text)
    if n_words >= MIN_WORDS_TO_JUDGE and share < min_share:
        raise InputError(
            f"{name}: does not look like English text ({share:.0%} English words); mtdetect scores English only"
        )


# --------------------------------------------------------------------------- article pairs


def count_sentences(text: str, stop_after: int) -> int:
    """Number of sentences, counting at most `stop_after` (so a huge text costs little)."""
    return sum(1 for _ in itertools.islice(iter_sentences(text), stop_after))


def check_article(text: str, name: str) -> int:
    """The sentence limits every scoring path applies (limits.MAX_SENTENCES sentences, none over
    limits.MAX_SENTENCE_CHARS), read no further than the limit; the number of sentences."""
    check_runs(text, name)  # a huge run with no sentence end: refused before normalising it
    n = 0
    for s in iter_sentences(text):
        check_sentence_length(len(s.text), name, s.index)
        n += 1
        check_sentence_count(n, name)
    return n


def check_article_pair(suspect: str, suspect_name: str, reference: str, reference_name: str) -> None:
    """Everything `score SUSPECT --reference ORIGINAL` needs before embedding: both English,
    each within the sentence limits, and their alignment under MAX_ALIGN_CELLS."""
    counts = [check_article(suspect, suspect_name), check_article(reference, reference_name)]
    check_alignment_size(*counts)
    check_english(suspect, suspect_name)
    check_english(reference, reference_name)
