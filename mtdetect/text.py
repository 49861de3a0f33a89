"""Read, normalise and segment news text.

The pipeline is: bytes --decode_bytes--> str --normalize--> str --split_sentences--> [Sentence].
Segmentation works line by line: every non-empty line is a paragraph (news files usually hold
one paragraph per line, sometimes with blank lines between). Inside a line we only ever split at
a space, so no character is lost or reordered. Pure standard library.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Iterator

from mtdetect.inputs import limits
from mtdetect.inputs.budget import BINARY_CONTROL_SHARE, BOMS, CONTROL_BYTES, Budget, BudgetReader, bomless_utf16, file_errors
from mtdetect.inputs.errors import InputError
from mtdetect.inputs.html import html_to_text, looks_like_html

__all__ = [
    "InputError", "file_errors", "Sentence", "decode_bytes", "read_text", "normalize", "split_sentences",
    "iter_sentences", "split_article", "check_runs", "is_empty", "looks_binary", "tokenize",
]


# --------------------------------------------------------------------------- reading

_OTHER_BYTES = bytes(b for b in range(256) if b not in CONTROL_BYTES)


def _too_many_controls(data: bytes, n_chars: int) -> bool:
    """NUL bytes, or more than 5% control characters other than tab / line ends (C speed).

    `data` is Latin-1 or UTF-8, where a control character is always one byte of its own.
    """
    if b"\x00" in data:
        return True
    return len(data.translate(None, _OTHER_BYTES)) > BINARY_CONTROL_SHARE * n_chars


def _looks_binary(text: str) -> bool:
    """NUL characters, or many C0 control characters other than tab / line ends."""
    return _too_many_controls(text.encode("utf-8", "surrogatepass"), len(text))


def decode_bytes(data: bytes, name: str) -> str:
    """Decode UTF-8 (BOM optional), UTF-16 or UTF-32 with a BOM, or ASCII-range UTF-16 without
    one; normalise CRLF/CR to LF.

    Raises InputError "<name>: binary file, not text", "<name>: not UTF-8 text" (or UTF-16/UTF-32).
    """
    if data == b"\xff\xfe\x00\x00":  # a bare UTF-32 LE mark is also UTF-16 for a NUL: not text either way
        raise InputError(f"{name}: binary file, not text")
    for bom, encoding, label in BOMS:
        if data.startswith(bom):
            break
    else:
        encoding, label = bomless_utf16(data), "UTF-16"
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


def read_text(path: str | None) -> str:
    """Read and decode a text file; None or '-' reads stdin. Errors are one-line InputErrors.

    Read through budget.BudgetReader: a file over limits.MAX_INPUT_BYTES is refused before it
    is read, a stream (stdin, FIFO, device) as soon as it passes the limit. An HTML page is
    reduced to its text (htmltext.html_to_text).
    """
    reader = BudgetReader(path, Budget(max_bytes=limits.MAX_INPUT_BYTES, advice="split the article"))
    name = reader.name
    data = reader.read_all()  # a regular file over the limit: refused from its size, unread
    text = decode_bytes(data, name)
    if looks_like_html(text):
        text = html_to_text(text)
    if is_empty(text):
        raise InputError(f"{name}: empty (no text)")
    return text


_ASCII_ALNUM = re.compile(r"[A-Za-z0-9]")


def is_empty(text: str) -> bool:
    """No sentence at all? A text with an ASCII letter or digit (which normalising never drops)
    has one, found without normalising a possibly huge first line."""
    return _ASCII_ALNUM.search(text) is None and next(iter_sentences(text), None) is None


# --------------------------------------------------------------------------- normalising

_LINE_BREAKS = "\r\v\f\x1c\x1d\x1e\x85\u2028\u2029"  # everything str.splitlines() splits on
_ZERO_WIDTH = "\u200b\u200c\u200d\u2060\ufeff\u00ad"  # zero-width spaces/joiners, BOM, soft hyphen
# Bidirectional controls (marks, embeddings, overrides, isolates): invisible, and they would
# otherwise split or join words ("Trojan Source" text); English needs none of them.
_BIDI = "\u200e\u200f\u061c\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
_CHAR_MAP = str.maketrans(
    {
        **{ch: "'" for ch in "\u2018\u2019\u201a\u201b\u2039\u203a\u2032\u2035"},  # ‘ ’ ‚ ‛ ‹ › ′ ‵
        **{ch: '"' for ch in "\u201c\u201d\u201e\u201f\u00ab\u00bb\u2033\u2036"},  # “ ” „ ‟ « » ″ ‶
        **{ch: "-" for ch in "\u2010\u2011\u2012\u2013\u2014\u2015\u2212"},  # ‐ ‑ ‒ – — ― −
        **{ch: "\n" for ch in _LINE_BREAKS},
        **{ch: None for ch in _ZERO_WIDTH + _BIDI},
        "\u2026": "...",
    }
)
_OTHER_SPACE = re.compile(r"[^\S\n]")  # any whitespace except LF (tab, NBSP, thin space, ...)
# Combining diacritical marks (and their extensions, supplement, marks for symbols, half marks):
# what "Zalgo" floods are made of. Marks of other scripts are left alone.
_MARKS = re.compile("[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]")
_MARKED_WORD = re.compile("(?<!\\S)\\S*[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]\\S*")
_LETTER = re.compile(r"[^\W\d_]")
_SPACE_RUN = re.compile(" {2,}")


def _unflood_word(match: re.Match) -> str:
    """A word (in NFD) with more combining marks than half its letters loses them all."""
    word = match.group()
    marks = len(_MARKS.findall(word))
    return _MARKS.sub("", word) if marks >= 2 and 2 * marks > len(_LETTER.findall(word)) else word


def _drop_mark_floods(text: str) -> str:
    """NFC text without combining-mark floods: a word marked more than every other letter loses
    its marks, and a mark that composes with nothing (a stack, a mark on a space) is dropped.
    Accented names ("Łódź", "Nguyễn", "São Paulo") keep their precomposed letters. Word-local,
    so normalising a line or the sentences in it gives the same words."""
    if text.isascii():
        return text
    decomposed = unicodedata.normalize("NFD", text)
    if not _MARKS.search(decomposed):
        return unicodedata.normalize("NFC", text)
    return _MARKS.sub("", unicodedata.normalize("NFC", _MARKED_WORD.sub(_unflood_word, decomposed)))


# In ASCII text only these change under normalize(): other line breaks and spaces, a run of
# spaces, a space at either end of a line. Text with none of them is normal already.
_ASCII_UNNORMAL = re.compile(r"[\t\r\v\f\x1c-\x1f]|  |^ | $", re.MULTILINE)


def normalize(text: str) -> str:
    """NFC; combining-mark floods dropped; ASCII quotes, dashes and '...'; one space between words;
    strip lines; keep line breaks.

    Case and spacing around punctuation are left alone ("four -day" survives). Idempotent.
    """
    if text.isascii() and not _ASCII_UNNORMAL.search(text):
        return text  # the steps below would give it back unchanged (a pair is normalised 4-5 times)
    text = _drop_mark_floods(text).replace("\r\n", "\n").translate(_CHAR_MAP)
    text = _OTHER_SPACE.sub(" ", text)
    lines = (_SPACE_RUN.sub(" ", line).strip(" ") for line in text.split("\n"))
    # Again: removing a zero-width char can bring a letter and a combining mark together.
    return _drop_mark_floods("\n".join(lines))


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
    """Sentences of one normalised, non-empty line (linear time: one pass over its words). A run
    with no sentence end is cut after the word that takes it past limits.MAX_SENTENCE_CHARS: that
    piece is longer than the limit (split_article refuses it), and the rest goes on lazily."""
    limit = limits.MAX_SENTENCE_CHARS
    start: int | None = 0
    here = None
    for after in _CHUNK.finditer(line):
        if start is None:
            start = after.start()
        elif here is not None and _ends_sentence(here.group(), after.group()):
            yield line[start : here.end()]
            start = after.start()
        if after.end() - start > limit:
            yield line[start : after.end()]
            start = here = None
            continue
        here = after
    if start is not None:
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
        found = False
        for sentence in _long_line_sentences(raw) if len(raw) > _PIECE else _line_sentences(normalize(raw)):
            if sentence:
                found = True
                yield Sentence(sentence, par_no, index)
                index += 1
        par_no += found


_PIECE = 1 << 20  # a longer line is normalised and segmented a piece at a time


def _long_line_sentences(raw: str) -> Iterator[str]:
    """_line_sentences(normalize(raw)) for a huge line, a piece at a time: pieces are cut at
    spaces (normalising is word-local) and the last, possibly unfinished sentence of each is
    segmented again with the next, so memory stays a few pieces whatever the line's length."""
    carry = ""
    start = 0
    while start < len(raw):
        end = start + _PIECE
        if end < len(raw):
            cut = raw.rfind(" ", start, end)
            end = cut if cut > start else end  # no space at all: cut hard
        norm = normalize(raw[start:end])
        start = end
        if not norm:
            continue
        sentences = list(_line_sentences(f"{carry} {norm}" if carry else norm))
        carry = sentences.pop()
        yield from sentences
    if carry:
        yield carry


_NOT_ALNUM = bytes(b for b in range(256) if not chr(b).isalnum())
_ENDS = ".!?\u2026\n" + _LINE_BREAKS  # a sentence ends only at these (or a line break)


def check_runs(text: str, name: str) -> None:
    """Refuse, before normalising anything, a text with a run free of sentence ends that holds
    more than limits.MAX_SENTENCE_CHARS ASCII letters and digits: normalising never drops those,
    so that run is a sentence over the limit. One linear pass (runs start only after an end)."""
    limit = limits.MAX_SENTENCE_CHARS
    if len(text) <= limit:  # nearly every article: nothing to look for
        return
    ends = re.escape(_ENDS)
    for m in re.finditer(f"(?:^|(?<=[{ends}]))[^{ends}]{{{limit},}}", text):
        if len(m.group().encode("ascii", "ignore").translate(None, _NOT_ALNUM)) > limit:
            limits.check_sentence_length(limit + 1, name, None)


def split_article(text: str, name: str = "article") -> list[Sentence]:
    """split_sentences for scoring: refuses (InputError, one line naming `name`) an article of
    more than limits.MAX_SENTENCES sentences or with a sentence over limits.MAX_SENTENCE_CHARS,
    reading no further than the limit, so a hostile text costs what the limits allow."""
    check_runs(text, name)
    sentences: list[Sentence] = []
    for s in iter_sentences(text):
        limits.check_sentence_length(len(s.text), name, s.index)
        limits.check_sentence_count(len(sentences) + 1, name)
        sentences.append(s)
    return sentences


def looks_binary(text: str) -> bool:
    """What read_text refuses as binary: NUL, or over 5% control characters other than tab / line ends."""
    return _looks_binary(text)


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
