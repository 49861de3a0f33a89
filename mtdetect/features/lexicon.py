"""Real English usage counts, loaded once and shared by the feature groups.

* Bigrams: the Google web-trillion-word bigram counts shipped by `wordsegment`
  (the ~258k most frequent bigrams, lowercased).
* Unigrams: Zipf frequencies from `wordfreq` (log10 per billion words; 0 = unseen).
"""

from __future__ import annotations

import math
from functools import lru_cache
from pathlib import Path

# A small list of English function words: articles, prepositions, pronouns, auxiliaries.
STOPWORDS = frozenset(
    """a an the of in on at to for from by with about as into onto over under between through during
    before after above below against among around without within upon via than and or but nor so yet
    if then that this these those which who whom whose what when where why how there here
    i me my we us our you your he him his she her it its they them their one ones
    is are was were be been being am do does did done have has had having will would shall should
    can could may might must not no also just very more most much many such only own same other
    some any all each both either neither few less least""".split()
)


def _count_table(name: str) -> dict[bytes, bytes]:
    """{key: count} as written in wordsegment's `name` ("key<TAB>count" lines; a key listed twice:
    its last line), in UTF-8 bytes. One split of the whole file into [key, count, key, ...] and a
    dict of the pairs: the counts are converted only when looked up, and bytes keys and one split
    take half the time of str keys and a split per line (the two tables were a quarter of a cold
    `mtdetect score`). tests/test_word_tables.py checks they decode to the tables read line by line."""
    import wordsegment

    path = Path(wordsegment.__file__).with_name(name)
    raw = path.read_bytes()
    fields = raw.replace(b"\t", b"\n").split(b"\n")
    if fields and fields[-1] == b"":
        fields.pop()
    try:
        raw.decode("utf-8")  # read as strictly as a text file would be
    except UnicodeDecodeError as exc:
        raise RuntimeError(f"{path}: not UTF-8 ({exc})") from None
    if b"\r" in raw or len(fields) != 2 * raw.count(b"\t"):
        raise RuntimeError(f"{path}: unexpected format")  # each line one key and one count
    return dict(zip(fields[0::2], fields[1::2]))


def _key(text: str) -> bytes:
    # a lone surrogate (possible in JSON input) encodes to bytes no UTF-8 file holds: not found, as before
    return text.encode("utf-8", "surrogatepass")


@lru_cache(maxsize=1)
def bigram_texts() -> dict[bytes, bytes]:
    """b'w1 w2' -> count as written in wordsegment's bigrams.txt (~258k bigrams)."""
    return _count_table("bigrams.txt")


def bigram_count(key: str) -> float:
    """The web count of the lowercased bigram 'w1 w2' (0 when absent), converted only when asked."""
    count = bigram_texts().get(_key(key))
    return float(count) if count is not None else 0.0


@lru_cache(maxsize=1)
def bigram_floor() -> float:
    """The smallest count in bigrams.txt (how rare a bigram can be and still be listed)."""
    return min(map(float, bigram_texts().values()))


def bigram_log_count(w1: str, w2: str) -> float:
    """log10(1 + count) of a lowercased bigram in Google web counts; 0 when absent."""
    return math.log10(1.0 + bigram_count(f"{w1.lower()} {w2.lower()}"))


WEB_TOKENS = 1_024_908_267_229.0  # tokens in the corpus the web counts come from (wordsegment.TOTAL)


@lru_cache(maxsize=1)
def unigram_texts() -> dict[bytes, bytes]:
    """b'word' -> count as written in wordsegment's unigrams.txt (converted on lookup, as the bigrams)."""
    return _count_table("unigrams.txt")


def unigram_count(word: str) -> float:
    """The web count of a lowercased word (0 when absent)."""
    count = unigram_texts().get(_key(word))
    return float(count) if count is not None else 0.0


@lru_cache(maxsize=200_000)
def zipf(word: str) -> float:
    """wordfreq Zipf frequency of a word (0 for unseen words)."""
    from mtdetect.inputs.zipf import zipf_frequency  # = wordfreq.zipf_frequency(word, "en"), read faster

    return float(zipf_frequency(word))


@lru_cache(maxsize=200_000)
def is_content(word: str) -> bool:
    """A content word: alphabetic or numeric, not a stopword (cached: the features ask about each
    token several times)."""
    return any(ch.isalnum() for ch in word) and word.lower() not in STOPWORDS
