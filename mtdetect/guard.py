"""Guards against hostile or unsuitable input: size limits, non-English text, HTML pages.

Every check raises `InputError` with a one-line message that names the input, so the CLI
reports it on stderr with exit code 3. Standard library only, plus `wordfreq` (imported
lazily, on the first language check).

    check_input_size(size, name)               bytes read from a file or stdin
    check_english(text, name)                  mtdetect scores English only
    check_sentence_count(n, name)              sentences per article
    check_alignment_size(n_suspect, n_ref)     cells of the O(n*m) alignment programme
    check_article_pair(sus, sus_name, ref, ref_name)   all of the above, for `score`
"""

from __future__ import annotations

import itertools
import re
from html.parser import HTMLParser

from .text import InputError, iter_sentences

__all__ = [
    "MAX_INPUT_BYTES", "MAX_PAIRS_BYTES", "MAX_PAIR_RECORD_CHARS", "MAX_PAIRS", "MAX_SENTENCES", "MAX_ALIGN_CELLS",
    "MIN_ENGLISH_SHARE", "check_input_size", "english_share", "looks_english", "check_english", "looks_like_html",
    "html_to_text", "check_sentence_count", "check_alignment_size", "check_article_pair",
]  # fmt: skip

# --------------------------------------------------------------------------- size limits

MAX_INPUT_BYTES = 50 * 1024 * 1024  # one article file (or stdin)
# One pairs file (decompressed). Pairs are held in memory until all are validated, so these
# three bound what reading one can cost: 128 MiB of text in at most 500,000 Pair objects is
# ~400 MB of RSS, ~750 MB with the embedding model loaded to score them (measured by
# benchmarks/hostile_rss.py). The shipped training sets are 12-57 MB and 20-90k pairs each.
MAX_PAIRS_BYTES = 128 * 1024 * 1024
MAX_PAIR_RECORD_CHARS = 200_000  # one pairs line (reference + candidate + the rest): ~15,000 words a side
MAX_PAIRS = 500_000  # records in one pairs file
MAX_SENTENCES = 5000  # sentences per article
# The alignment is a dynamic programme in pure Python: ~10 us and ~200 bytes per cell
# (n_suspect * n_reference). 1.5 M cells is ~15 s and ~300 MB; 5000 x 5000 would be minutes
# and several GB, so this limit, not MAX_SENTENCES, is the one that binds for two long articles.
MAX_ALIGN_CELLS = 1_500_000


def check_input_size(size: int, name: str, limit: int | None = None, exact: bool = True) -> None:
    """Refuse an input of `size` bytes over `limit` (default MAX_INPUT_BYTES); `exact=False`: the
    size is only known to be more than the limit. Readers use budget.BudgetReader instead."""
    limit = MAX_INPUT_BYTES if limit is None else limit
    if size > limit:
        what = f"{size:,} bytes is over" if exact else "over"
        raise InputError(f"{name}: {what} the {limit:,}-byte limit; split the article")


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


def _english_stats(text: str) -> tuple[float, int]:
    """(English share, number of word tokens judged) of a sample of `text`."""
    from wordfreq import zipf_frequency

    tokens = _WORD.findall(_sample(text))
    if len(tokens) > SAMPLE_TOKENS:
        step = len(tokens) / SAMPLE_TOKENS
        tokens = [tokens[int(k * step)] for k in range(SAMPLE_TOKENS)]
    if not tokens:
        return 1.0, 0
    verdicts: dict[str, bool] = {}
    english = letters = latin = 0
    for token in tokens:
        word = token.lower()
        known = verdicts.get(word)
        if known is None:
            known = verdicts[word] = (
                word not in _FOREIGN_FUNCTION_WORDS
                and all(_latin(ch) for ch in word)
                and zipf_frequency(word, "en") >= ENGLISH_ZIPF
            )
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


# --------------------------------------------------------------------------- HTML

_HTML_START = re.compile(r"\s*(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html|head|body)\b", re.I | re.S)
_HTML_TAG = re.compile(r"</?(?:p|div|br|li|ul|ol|h[1-6]|span|a|table|tr|td|article|section|meta|link|script)\b[^>]*>", re.I)
_SKIP = frozenset({"script", "style", "head", "nav", "footer", "noscript", "template"})
_BLOCK = frozenset({
    "p", "div", "br", "li", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "article", "section", "header",
    "main", "aside", "blockquote", "figure", "figcaption", "ul", "ol", "dl", "dt", "dd", "table", "pre",
    "hr", "title", "body", "html",
})  # fmt: skip
_SPACES = re.compile(r"[ \t\r\n\f\v]+")  # HTML whitespace: a run of it is one space


def looks_like_html(text: str) -> bool:
    """An HTML document (doctype/<html>/<head>/<body> first), or text dense with HTML tags."""
    head = text[:65536].lstrip("\ufeff")
    if _HTML_START.match(head):
        return True
    tags = len(_HTML_TAG.findall(head))
    return tags >= 5 and tags * 200 >= len(head)  # at least one tag per 200 characters


class _TextExtractor(HTMLParser):
    """Collects text outside skipped elements; block elements become line breaks."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skipping: list[str] = []  # open skipped elements, innermost last

    def handle_starttag(self, tag: str, attrs: list) -> None:  # noqa: ARG002 - attrs unused
        if tag == "body":  # </head> may be omitted: the body ends the head
            self.skipping = [t for t in self.skipping if t != "head"]
        if tag in _SKIP:
            self.skipping.append(tag)
        if tag in _BLOCK:
            self.parts.append("\n")

    def handle_startendtag(self, tag: str, attrs: list) -> None:
        if tag in _BLOCK:  # <br/>, <hr/>
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in self.skipping:
            while self.skipping and self.skipping.pop() != tag:
                pass
        if tag in _BLOCK:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self.skipping:
            self.parts.append(_SPACES.sub(" ", data))


def html_to_text(text: str) -> str:
    """The readable text of an HTML page: one line per block element, entities unescaped."""
    parser = _TextExtractor()
    parser.feed(text)
    parser.close()
    lines = (line.strip(" ") for line in "".join(parser.parts).split("\n"))  # entities: unescaped by the parser
    return "\n".join(line for line in lines if line)


# --------------------------------------------------------------------------- article pairs


def count_sentences(text: str, stop_after: int) -> int:
    """Number of sentences, counting at most `stop_after` (so a huge text costs little)."""
    return sum(1 for _ in itertools.islice(iter_sentences(text), stop_after))


def check_article_pair(suspect: str, suspect_name: str, reference: str, reference_name: str) -> None:
    """Everything `score SUSPECT --reference ORIGINAL` needs before embedding: both English,
    each under MAX_SENTENCES, and their alignment under MAX_ALIGN_CELLS."""
    counts = []
    for text, name in ((suspect, suspect_name), (reference, reference_name)):
        n = count_sentences(text, MAX_SENTENCES + 1)  # stops counting past the limit
        check_sentence_count(n, name)
        counts.append(n)
    check_alignment_size(*counts)
    check_english(suspect, suspect_name)
    check_english(reference, reference_name)
