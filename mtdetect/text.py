"""Read, normalise and segment news text.

The pipeline is: bytes --decode_bytes--> str --normalize--> str --split_sentences--> [Sentence].
Segmentation works line by line: every non-empty line is a paragraph (news files usually hold
one paragraph per line, sometimes with blank lines between). Inside a line we only ever split at
a space, so no character is lost or reordered. Pure standard library.
"""

from __future__ import annotations

import os
import re
import stat
import sys
import unicodedata
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Iterator

from .errors import InputError
from .htmltext import html_to_text, looks_like_html
from .limits import MAX_INPUT_BYTES, check_input_size

__all__ = [
    "InputError", "Sentence", "decode_bytes", "read_text", "normalize", "split_sentences", "iter_sentences",
    "tokenize",
]


# --------------------------------------------------------------------------- reading

_TEXT_CONTROLS = "\t\n\r\f\v"
_BINARY_CONTROL_SHARE = 0.05  # more than this share of control characters means "binary"
# Bytes of the C0 controls other than tab / line ends, plus DEL; and every other byte.
_CONTROL_BYTES = bytes(b for b in range(32) if chr(b) not in _TEXT_CONTROLS) + b"\x7f"
_OTHER_BYTES = bytes(b for b in range(256) if b not in _CONTROL_BYTES)
# Byte order marks, longest first: the UTF-32 LE mark begins with the UTF-16 LE one.
_BOMS = (
    (b"\xff\xfe\x00\x00", "utf-32", "UTF-32"),
    (b"\x00\x00\xfe\xff", "utf-32", "UTF-32"),
    (b"\xef\xbb\xbf", "utf-8-sig", "UTF-8"),
    (b"\xff\xfe", "utf-16", "UTF-16"),
    (b"\xfe\xff", "utf-16", "UTF-16"),
)


def _too_many_controls(data: bytes, n_chars: int) -> bool:
    """NUL bytes, or more than 5% control characters other than tab / line ends (C speed).

    `data` is Latin-1 or UTF-8, where a control character is always one byte of its own.
    """
    if b"\x00" in data:
        return True
    return len(data.translate(None, _OTHER_BYTES)) > _BINARY_CONTROL_SHARE * n_chars


def _looks_binary(text: str) -> bool:
    """NUL characters, or many C0 control characters other than tab / line ends."""
    return _too_many_controls(text.encode("utf-8", "surrogatepass"), len(text))


def _bomless_utf16(data: bytes) -> str | None:
    """'utf-16-le'/'utf-16-be' for mostly-ASCII UTF-16 without a BOM (every other byte NUL), else None."""
    head = data[:4096]
    if len(data) % 2 or len(head) < 8:
        return None
    even, odd = head[0::2], head[1::2]
    if odd.count(0) >= 0.9 * len(odd) and even.count(0) <= 0.1 * len(even):
        return "utf-16-le"
    if even.count(0) >= 0.9 * len(even) and odd.count(0) <= 0.1 * len(odd):
        return "utf-16-be"
    return None


def decode_bytes(data: bytes, name: str) -> str:
    """Decode UTF-8 (BOM optional), UTF-16 or UTF-32 with a BOM, or ASCII-range UTF-16 without
    one; normalise CRLF/CR to LF.

    Raises InputError "<name>: binary file, not text", "<name>: not UTF-8 text" (or UTF-16/UTF-32).
    """
    if data == b"\xff\xfe\x00\x00":  # a bare UTF-32 LE mark is also UTF-16 for a NUL: not text either way
        raise InputError(f"{name}: binary file, not text")
    for bom, encoding, label in _BOMS:
        if data.startswith(bom):
            break
    else:
        encoding, label = _bomless_utf16(data), "UTF-16"
        if encoding is None:
            encoding, label = "utf-8", "UTF-8"
            if _too_many_controls(data, len(data)):  # byte-level check before decoding
                raise InputError(f"{name}: binary file, not text")
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError:
        raise InputError(f"{name}: not {label} text") from None
    if _looks_binary(text):
        raise InputError(f"{name}: binary file, not text")
    return text.replace("\r\n", "\n").replace("\r", "\n")


@contextmanager
def file_errors(path: object) -> Iterator[None]:
    """Turn the OS's errors on opening or reading `path` into one-line InputErrors."""
    try:
        yield
    except FileNotFoundError:
        raise InputError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise InputError(f"{path}: is a directory") from None
    except PermissionError:
        raise InputError(f"{path}: permission denied") from None
    except OSError as exc:
        raise InputError(f"{path}: cannot read ({exc.strerror or exc})") from None


def read_text(path: str | None) -> str:
    """Read and decode a text file; None or '-' reads stdin. Errors are one-line InputErrors.

    Files over limits.MAX_INPUT_BYTES are refused before they are read (stdin: after limit + 1
    bytes). An HTML page is reduced to its text (htmltext.html_to_text).
    """
    if path is None or path == "-":
        name = "<stdin>"
        data = sys.stdin.buffer.read(MAX_INPUT_BYTES + 1)  # enough to know it is over
        check_input_size(len(data), name, exact=False)
    else:
        name = path
        if os.path.isdir(path):
            raise InputError(f"{path}: is a directory")
        with file_errors(path), open(path, "rb") as handle:
            info = os.fstat(handle.fileno())
            if stat.S_ISREG(info.st_mode):
                check_input_size(info.st_size, name)
            data = handle.read(MAX_INPUT_BYTES + 1)
        check_input_size(len(data), name, exact=False)  # a pipe or a file that grew
    text = decode_bytes(data, name)
    if looks_like_html(text):
        text = html_to_text(text)
    if next(iter_sentences(text), None) is None:
        raise InputError(f"{name}: empty (no text)")
    return text


# --------------------------------------------------------------------------- normalising

_LINE_BREAKS = "\r\v\f\x1c\x1d\x1e\x85\u2028\u2029"  # everything str.splitlines() splits on
_ZERO_WIDTH = "\u200b\u200c\u200d\u2060\ufeff\u00ad"  # zero-width spaces/joiners, BOM, soft hyphen
_CHAR_MAP = str.maketrans(
    {
        **{ch: "'" for ch in "\u2018\u2019\u201a\u201b\u2039\u203a\u2032\u2035"},  # ‘ ’ ‚ ‛ ‹ › ′ ‵
        **{ch: '"' for ch in "\u201c\u201d\u201e\u201f\u00ab\u00bb\u2033\u2036"},  # “ ” „ ‟ « » ″ ‶
        **{ch: "-" for ch in "\u2010\u2011\u2012\u2013\u2014\u2015\u2212"},  # ‐ ‑ ‒ – — ― −
        **{ch: "\n" for ch in _LINE_BREAKS},
        **{ch: None for ch in _ZERO_WIDTH},
        "\u2026": "...",
    }
)
_OTHER_SPACE = re.compile(r"[^\S\n]")  # any whitespace except LF (tab, NBSP, thin space, ...)


def normalize(text: str) -> str:
    """NFC; ASCII quotes, dashes and '...'; one space between words; strip lines; keep line breaks.

    Case and spacing around punctuation are left alone ("four -day" survives). Idempotent.
    """
    text = unicodedata.normalize("NFC", text).replace("\r\n", "\n").translate(_CHAR_MAP)
    text = _OTHER_SPACE.sub(" ", text)
    lines = (re.sub(" {2,}", " ", line).strip(" ") for line in text.split("\n"))
    # NFC again: removing a zero-width char can bring a letter and a combining mark together.
    return unicodedata.normalize("NFC", "\n".join(lines))


# --------------------------------------------------------------------------- sentences


@dataclass(frozen=True)
class Sentence:
    """One sentence of an article."""

    text: str  # the sentence, normalised, stripped
    paragraph: int  # 0-based index of the paragraph (non-empty line) it came from
    index: int  # 0-based position in the article


_OPENERS = "\"'([{"
_CLOSERS = "\"')]}"
# Never end a sentence: titles, months, Latin shorthands.
_NEVER_FINAL = {
    "mr", "mrs", "ms", "messrs", "dr", "prof", "gen", "sen", "rep", "gov", "st", "lt", "col",
    "capt", "sgt", "adm", "maj", "rev", "hon", "vs", "e.g", "i.e", "cf", "approx", "mt", "ft",
    "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec",
}  # fmt: skip
# May end a sentence, but usually do not: split only before a typical sentence opener.
_RARELY_FINAL = {"inc", "corp", "ltd", "co", "etc", "jr", "sr"}
_STARTERS = {
    "the", "a", "an", "it", "its", "he", "she", "his", "her", "they", "their", "we", "our", "i",
    "you", "but", "and", "or", "so", "yet", "in", "on", "at", "by", "for", "from", "with", "to",
    "after", "before", "during", "since", "despite", "although", "though", "while", "when",
    "if", "as", "because", "this", "that", "these", "those", "there", "here", "some", "many",
    "most", "such", "however", "meanwhile", "moreover", "still", "also", "instead", "then",
    "now", "later", "earlier", "last", "nevertheless", "nonetheless", "indeed", "thus", "both",
    "each", "all", "what", "who", "why", "how",
}  # fmt: skip
_DOTTED_ACRONYM = re.compile(r"(?:[^\W\d_]\.)+[^\W\d_]")  # "U.S", "U.K", "a.m" (final dot cut off)
_INITIAL = re.compile(r"[^\W\d_]\.")  # "J." as the next word


def _starts_sentence(word: str) -> bool:
    """Does this word look like the start of a sentence (capital letter or digit, quotes allowed)?"""
    core = word.lstrip(_OPENERS)
    return bool(core) and (core[0].isdigit() or (core[0].isalpha() and not core[0].islower()))


def _is_starter(word: str) -> bool:
    """Is this word a capitalised function word that typically opens a sentence ("The", "But")?"""
    core = word.lstrip(_OPENERS).rstrip(",;:")
    return core[:1].isupper() and core.lower() in _STARTERS


def _ends_sentence(prev: str, nxt: str) -> bool:
    """Is there a sentence boundary between the whitespace-separated chunks `prev` and `nxt`?"""
    core = prev.rstrip(_CLOSERS)
    if not core or core[-1] not in ".!?" or not _starts_sentence(nxt):
        return False
    if core[-1] in "!?" or core.endswith(".."):
        return True  # "?", "!", "..." before a capital
    word = core[:-1].lstrip(_OPENERS)
    lower = word.lower()
    if lower in _NEVER_FINAL:
        return False
    if lower == "no":  # "No. 5"
        return not nxt.lstrip(_OPENERS)[:1].isdigit()
    if _INITIAL.fullmatch(nxt[:2]) and len(nxt.rstrip(",")) == 2:
        return False  # "J. A. Smith": the next word is itself an initial
    if lower in _RARELY_FINAL or _DOTTED_ACRONYM.fullmatch(word) or (len(word) == 1 and word.isupper()):
        return _is_starter(nxt)  # "in the U.S. The next day" vs "U.S. President", "Donald J. Trump"
    return True


_CHUNK = re.compile(r"[^ ]+")


def _line_sentences(line: str) -> Iterator[str]:
    """Sentences of one normalised, non-empty line (linear time: one pass over its words)."""
    start = 0
    here = None
    for after in _CHUNK.finditer(line):
        if here is not None and _ends_sentence(here.group(), after.group()):
            yield line[start : here.end()]
            start = after.start()
        here = after
    yield line[start:]


def split_sentences(text: str) -> list[Sentence]:
    """Normalise, then split into paragraphs (non-empty lines) and sentences."""
    sentences: list[Sentence] = []
    paragraphs = [line for line in normalize(text).split("\n") if line]
    for par_no, line in enumerate(paragraphs):
        for sentence in _line_sentences(line):
            sentences.append(Sentence(sentence, par_no, len(sentences)))
    return sentences


def iter_sentences(text: str) -> Iterator[Sentence]:
    """The same sentences as split_sentences(text), produced lazily, line by line.

    Costs only what is consumed, so `next(iter_sentences(t), None)` (is there any text?) and
    counting up to a limit stay cheap on a huge input. Normalising line by line gives the same
    lines as normalising the whole text: str.splitlines() splits on exactly the characters
    normalize() turns into line breaks, and no normalisation crosses a line break.
    """
    par_no = index = 0
    for raw in text.splitlines():
        line = normalize(raw)
        if not line:
            continue
        for sentence in _line_sentences(line):
            yield Sentence(sentence, par_no, index)
            index += 1
        par_no += 1


# --------------------------------------------------------------------------- tokens

_TOKEN = re.compile(
    r"(?:[^\W\d_]\.){2,}"  # dotted acronyms kept whole: "U.S.", "a.m."
    r"|\d+(?:[.,]\d+)+(?:-[^\W_]+)*"  # numbers with separators: "20,000", "3.5"
    r"|[^\W_]+(?:['-][^\W_]+)*"  # words with inner apostrophes/hyphens: "Russia's", "four-day"
    r"|\S"  # any other single character: punctuation, symbols
)


def tokenize(sentence: str) -> list[str]:
    """Word, number and punctuation tokens, case preserved ("four -day" -> four, -, day)."""
    return _TOKEN.findall(normalize(sentence))
