"""English word frequencies on wordfreq's Zipf scale, read straight from wordfreq's own data.

`zipf_frequency(word)` is exactly `wordfreq.zipf_frequency(word, "en")` (`tests/test_word_tables.py`
compares the two on every word of the list, on the tokens of real text and on made-up edge
cases), without importing wordfreq on the common path: its import (langcodes, ftfy, regex) and
its dict of 321k words were a fifth of a cold `mtdetect score`. The English list (`large_en`,
what wordfreq's "best" list is for English) is read from the installed package's data folder
into {word: centibel band} (UTF-8 bytes), one `dict.fromkeys` per band.

wordfreq looks a word up by its tokens (a Unicode word-break tokenizer) with digit runs
"smashed" to zeros. For the shapes that make up English text the tokens are known without that
tokenizer (`_tokens`): Latin letters (case-folded), ASCII letters and digits, numbers with separators, one
inner apostrophe (split after a one- or two-letter prefix before a vowel: "l'amour", as wordfreq
splits it), dotted acronyms ("u.s." -> "u.s"), and pieces of these joined by hyphens (a hyphen
always splits). Any other word goes through wordfreq's own tokenizer (imported then), with the
same table and the same arithmetic.
"""

from __future__ import annotations

import math
import re
import unicodedata
from functools import lru_cache
from pathlib import Path

ENGLISH_LIST = "large_en.msgpack.gz"  # wordfreq's 'best' list for English: 'large' where there is one
MIN_FREQ = 10**0.0 / 1e9  # wordfreq.zipf_to_freq(0.0): zipf_frequency's floor (Zipf 0)

_ASCII_ALNUM = re.compile(r"[a-z0-9]+")
_NUMBER = re.compile(r"[0-9]+(?:[.,][0-9]+)+")  # "20,000", "3.5": one token (mid-number punctuation)
_DOTTED = re.compile(r"([a-z]+(?:\.[a-z]+)+)\.?")  # "u.s." -> "u.s" (a final dot is no part of a token)
_APOSTROPHE = re.compile(r"([^\W\d_]+)'([^\W\d_]+)")
# wordfreq.tokens.INITIAL_VOWEL_EXPR: after a one- or two-letter prefix and an apostrophe, a vowel
# starts a new token ("l'amour" -> "l", "amour"; "it's" stays whole)
_VOWELS = frozenset("AEHIOUYÁÉÍÓÚÀÈÌÒÙÂÊÎÔÛÅÏÖŒaehiouyáéíóúàèìòùâêîôûåïöœ")
# wordfreq.numbers: a run of digits with inner . or , is smashed to zeros and priced by digit_freq
_MULTI_DIGIT = re.compile(r"[0-9][0-9.,]+")
_PURE_DIGITS = re.compile(r"[0-9]+")
_DIGIT_FREQS = [0.009, 0.300, 0.175, 0.124, 0.096, 0.078, 0.066, 0.057, 0.050, 0.045]
_YEAR_LOG_PEAK, _NOT_YEAR_PROB, _REFERENCE_YEAR, _PLATEAU_WIDTH = -1.9185, 0.1, 2019, 20


class WordListError(RuntimeError):
    """wordfreq's English list is missing or not in the format this reader knows."""


def _list_path() -> Path:
    import importlib.util

    spec = importlib.util.find_spec("wordfreq")
    if spec is None or not spec.submodule_search_locations:
        raise WordListError("wordfreq is not installed (pip install wordfreq)")
    return Path(next(iter(spec.submodule_search_locations))) / "data" / ENGLISH_LIST


@lru_cache(maxsize=1)
def bands() -> tuple[dict[bytes, int], tuple[float, ...]]:
    """({word in UTF-8: band}, frequency of each band): band i holds the words of frequency
    10**(-i/100), as wordfreq.get_frequency_dict builds it (a word listed twice: its last band).
    The words stay UTF-8 bytes (msgpack's raw mode): a quarter less time than decoding them."""
    import gzip

    import msgpack  # wordfreq's own reader of these files

    path = _list_path()
    try:
        data = msgpack.unpackb(gzip.decompress(path.read_bytes()), raw=True)
    except (OSError, ValueError, msgpack.UnpackException) as exc:
        raise WordListError(f"{path}: cannot read wordfreq's English list ({exc})") from None
    header = data[0] if isinstance(data, list) and data else None
    if not isinstance(header, dict) or header.get(b"format") != b"cB" or header.get(b"version") != 1:
        raise WordListError(f"{path}: unexpected header {header!r}")
    table: dict[bytes, int] = {}
    for index, bucket in enumerate(data[1:]):
        table.update(dict.fromkeys(bucket, index))
    return table, tuple(10 ** (-index / 100) for index in range(len(data) - 1))


def _latin_word(w: str) -> bool:
    """Latin letters only, already case-folded and NFC: one token, itself, for wordfreq."""
    return w.isalpha() and max(w) < "\u0250" and w.casefold() == w and unicodedata.is_normalized("NFC", w)


def _piece_tokens(piece: str) -> list[str] | None:
    """The tokens of a hyphen-free piece, or None where this module does not know them."""
    if _latin_word(piece) or _ASCII_ALNUM.fullmatch(piece) or _NUMBER.fullmatch(piece):
        return [piece]
    if piece.isalpha() and unicodedata.is_normalized("NFC", piece) and _latin_word(piece.casefold()):
        return [piece.casefold()]  # wordfreq case-folds first: "Moscow" -> "moscow", "straße" -> "strasse"
    m = _DOTTED.fullmatch(piece)
    if m:
        return [m.group(1)]
    m = _APOSTROPHE.fullmatch(piece)
    if m and _latin_word(m.group(1)) and _latin_word(m.group(2)):
        pre, post = m.groups()
        return [pre, post] if len(pre) <= 2 and post[0] in _VOWELS else [piece]
    return None


def _tokens(word: str) -> list[str] | None:
    """wordfreq.lossy_tokenize(word, "en") for the shapes listed in the module doc, else None."""
    tokens: list[str] = []
    for piece in word.split("-"):
        if not piece:
            return None
        got = _piece_tokens(piece)
        if got is None:
            return None
        tokens += got
    return tokens


def _smash(token: str) -> str:
    return _MULTI_DIGIT.sub(lambda m: re.sub("[0-9]", "0", m.group(0)), token)


def _benford(digits: str) -> float:
    return _DIGIT_FREQS[int(digits[0])] / 10 ** (len(digits) - 1)


def _year(digits: str) -> float:
    year = int(digits)
    if year <= _REFERENCE_YEAR:
        log_freq = _YEAR_LOG_PEAK - 0.0083 * (_REFERENCE_YEAR - year)
    elif _REFERENCE_YEAR < year <= _REFERENCE_YEAR + _PLATEAU_WIDTH:
        log_freq = _YEAR_LOG_PEAK
    else:
        log_freq = _YEAR_LOG_PEAK - 0.2 * (year - (_REFERENCE_YEAR + _PLATEAU_WIDTH))
    return 10.0**log_freq + _NOT_YEAR_PROB * _benford(digits)


def _digit_freq(token: str) -> float:
    freq = 1.0
    for match in _MULTI_DIGIT.findall(token):
        for digits in _PURE_DIGITS.findall(match):
            freq *= _year(digits) if len(digits) == 4 else _benford(digits)
    return freq


def _frequency(tokens: list[str], smash, digit_freq) -> float:
    """wordfreq's _word_frequency for English, on its tokens, with floor MIN_FREQ."""
    if not tokens:
        return MIN_FREQ
    table, freq_of = bands()
    one_over_result = 0.0
    for token in tokens:
        smashed = smash(token)
        band = table.get(smashed.encode("utf-8", "surrogatepass"))  # a lone surrogate: in no list
        if band is None:
            return MIN_FREQ
        freq = freq_of[band]
        if smashed != token:
            freq *= digit_freq(token)
        one_over_result += 1.0 / freq
    unrounded = max(1.0 / one_over_result, MIN_FREQ)
    if unrounded == 0.0:
        return 0.0
    return round(unrounded, math.floor(-math.log(unrounded, 10)) + 3)


@lru_cache(maxsize=200_000)  # bounded; text asks about the same words again and again
def zipf_frequency(word: str) -> float:
    """wordfreq.zipf_frequency(word, "en"): log10 of the frequency per billion words, to 0.01; 0 unseen."""
    tokens = _tokens(word)
    if tokens is not None:
        freq = _frequency(tokens, _smash, _digit_freq)
    else:  # a shape only wordfreq's tokenizer knows (other scripts, symbols, odd punctuation)
        from wordfreq.numbers import digit_freq, smash_numbers
        from wordfreq.tokens import lossy_tokenize

        freq = _frequency(lossy_tokenize(word, "en"), smash_numbers, digit_freq)
    return round(math.log(freq, 10) + 9, 2)
