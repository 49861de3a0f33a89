"""The word tables are read faster than the libraries read them (issue 23), with the same values.

mtdetect.inputs.zipf reads wordfreq's English list itself (issue 23: importing wordfreq and
building its dict was a fifth of a cold `score`); every value must be wordfreq's own: the table
is wordfreq's dict, and zipf_frequency(w) == wordfreq.zipf_frequency(w, "en") on the words of the
list, on the tokens of the seeds and of real text in ../shared/data, and on made-up edge cases
(every character up to U+2100 alone and in words, apostrophes, hyphens, numbers, acronyms).
features/lexicon.py reads wordsegment's count files as bytes in one split: the same tables."""

from __future__ import annotations

import gzip
import json
import re

import pytest

from conftest import SEEDS, SHARED_DATA
from mtdetect.inputs import zipf as Z
from mtdetect.text import tokenize

wordfreq = pytest.importorskip("wordfreq")


def _differences(words) -> list[tuple[str, float, float]]:
    out = []
    for w in words:
        mine, theirs = Z.zipf_frequency(w), wordfreq.zipf_frequency(w, "en")
        if mine != theirs or type(mine) is not type(theirs):
            out.append((w, mine, theirs))
    return out


def test_the_table_is_wordfreqs_dict():
    table, freq_of = Z.bands()
    theirs = wordfreq.get_frequency_dict("en")
    assert len(table) == len(theirs)
    assert all(freq_of[band] == theirs[w.decode("utf-8")] for w, band in table.items())


def test_every_listed_word_has_wordfreqs_value():
    words = [w.decode("utf-8") for w in Z.bands()[0]]
    odd = [w for w in words if not re.fullmatch("[a-z]+", w)]  # all of these, and a tenth of the plain ones
    assert _differences(odd + words[::10]) == []


def _edge_cases() -> set[str]:
    cases = set()
    for o in range(0x20, 0x2100):
        c = chr(o)
        cases |= {c, c + "a", "a" + c, "ab" + c + "cd", "l'" + c + "x", c + "'s", "1" + c + "2", c.upper() + "x"}
    for pre in ("l", "qu", "abc", "o", "it", "d", "y", "rock", "é"):
        for post in ("amour", "il", "s", "er", "clock", "hui", "yes", "Ecole", "école", "œuvre", "n", "x1", "ha"):
            cases.add(f"{pre}'{post}")
    cases |= {"2025-05-06", "20,000", "3.5", "1,234.56", "1999", "2019", "2030", "2050", "2100", "0", "00", "007",
              "covid-19", "covid19", "mp3", "3d", "u.s.", "u.s", "a.m.", "e.g.", "u.s.-led", "four-day", "well--known",
              "-x", "x-", "-", "'s", "n't", "don't", "o'clock", "rock'n'roll", "straße", "ǅ", "ﬁ", "ŉ", "café", "naïve",
              "µ", "ª", "º", "1.2.3", "3.", ".5", "1,000,000", "12,34", "a1.5", "x²", "½", "٣٤", "１２", "ｆｕｌｌ",
              "", " ", "a b", "abc.", "abc'", "'abc", "@s", "a@s", "it’s", "l’amour", "Moscow", "READ", "Putin-a",
              "Straße", "STRASSE", "straße-x", "İstanbul", "ǅx", "ǈ", "ΣΑΣ", "Ⅻ", "ﬀ", "ẞ", "ſ", "Å", "Ω", "K"}
    return cases


def test_edge_cases_have_wordfreqs_value():
    assert _differences(sorted(_edge_cases())) == []


def test_the_seeds_words_have_wordfreqs_value_and_need_no_wordfreq_import():
    words = set()
    for path in sorted(SEEDS.glob("0*.txt")):
        text = path.read_text(encoding="utf-8")
        words |= {t.lower() for t in tokenize(text)} | {w.lower() for w in re.findall(r"[^\W\d_]+", text)}
    if not words:
        pytest.skip("no seeds in this checkout")
    assert _differences(sorted(words)) == []
    # what the features and the guard ask about a news article is known without wordfreq's tokenizer
    assert [w for w in words if any(c.isalnum() for c in w) and Z._tokens(w) is None] == []


def test_real_texts_words_have_wordfreqs_value():
    files = sorted(SHARED_DATA.glob("*.jsonl.gz"))
    if not files:
        pytest.skip("../shared/data is not present")
    words: set[str] = set()
    for path in files:
        with gzip.open(path, "rt", encoding="utf-8") as fh:
            for n, line in enumerate(fh):
                if n >= 3000:
                    break
                for v in json.loads(line).values():
                    if isinstance(v, str) and len(v) < 5000:
                        words |= {t.lower() for t in tokenize(v)}
    assert len(words) > 10_000
    assert _differences(sorted(words)) == []


def test_the_count_tables_are_the_files_read_line_by_line():
    """features/lexicon.py reads wordsegment's count files as bytes in one split: the same tables
    as reading them as text, a line at a time (the last line of a repeated bigram counts)."""
    from pathlib import Path

    wordsegment = pytest.importorskip("wordsegment")
    from mtdetect.features.lexicon import bigram_texts, unigram_texts

    folder = Path(wordsegment.__file__).parent
    lines = (folder / "bigrams.txt").read_text(encoding="utf-8").splitlines()
    assert {k.decode(): v.decode() for k, v in bigram_texts().items()} == dict(line.split("\t") for line in lines)
    words = (folder / "unigrams.txt").read_text(encoding="utf-8").split()
    assert {k.decode(): v.decode() for k, v in unigram_texts().items()} == dict(zip(words[0::2], words[1::2]))
