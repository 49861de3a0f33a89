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


@lru_cache(maxsize=1)
def bigram_texts() -> dict[str, str]:
    """'w1 w2' -> count as written in wordsegment's bigrams.txt. The pair features convert only the
    counts they look up (bigram_log_count): parsing all 258k numbers up front was a tenth of a cold
    `mtdetect score`."""
    import wordsegment

    path = Path(wordsegment.__file__).with_name("bigrams.txt")
    text = path.read_text(encoding="utf-8")  # "w1 w2<TAB>count" lines; a repeated bigram: the last line counts
    # one split into [key, count, key, count, ...] and a dict of the pairs: the same dict as one
    # line.split("\t") per line, in a third of the time (a tenth of a cold `score` before)
    fields = text.replace("\t", "\n").split("\n")
    if fields and fields[-1] == "":
        fields.pop()
    if text.count("\n") + (not text.endswith("\n")) != text.count("\t") or len(fields) % 2:
        raise RuntimeError(f"{path}: unexpected format")  # each line one key and one count
    return dict(zip(fields[0::2], fields[1::2]))


def bigram_count(key: str) -> float:
    """The web count of the lowercased bigram 'w1 w2' (0 when absent), converted only when asked."""
    count = bigram_texts().get(key)
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
def unigram_texts() -> dict[str, str]:
    """word -> count as written in wordsegment's unigrams.txt (converted on lookup, as the bigrams)."""
    import wordsegment

    fields = Path(wordsegment.__file__).with_name("unigrams.txt").read_text(encoding="utf-8").split()
    return dict(zip(fields[0::2], fields[1::2]))


def unigram_count(word: str) -> float:
    """The web count of a lowercased word (0 when absent)."""
    count = unigram_texts().get(word)
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
