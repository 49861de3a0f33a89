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
def bigram_counts() -> dict[str, float]:
    """'w1 w2' -> count, from wordsegment's bigrams.txt."""
    import wordsegment

    path = Path(wordsegment.__file__).with_name("bigrams.txt")
    fields = path.read_text(encoding="utf-8").split()  # "w1 w2<TAB>count" lines: triples
    if len(fields) % 3:
        raise RuntimeError(f"{path}: unexpected format")
    return dict(zip(map(" ".join, zip(fields[0::3], fields[1::3])), map(float, fields[2::3])))


def bigram_log_count(w1: str, w2: str) -> float:
    """log10(1 + count) of a lowercased bigram in Google web counts; 0 when absent."""
    return math.log10(1.0 + bigram_counts().get(f"{w1.lower()} {w2.lower()}", 0.0))


@lru_cache(maxsize=200_000)
def zipf(word: str) -> float:
    """wordfreq Zipf frequency of a word (0 for unseen words)."""
    from wordfreq import zipf_frequency

    return float(zipf_frequency(word, "en"))


@lru_cache(maxsize=200_000)
def is_content(word: str) -> bool:
    """A content word: alphabetic or numeric, not a stopword (cached: the features ask about each
    token several times)."""
    return any(ch.isalnum() for ch in word) and word.lower() not in STOPWORDS
