"""The feature code was made faster for issue 23 (chrF, cached lexicon look-ups, ...) without changing
any value: the current code must give bit-identical feature values and the same evidence as feature
version 5 did before (tests/data/feature_values_v5.json, written by that code on 327 pairs: WMT, ASSET,
Bible, tweets and JFLEG samples from ../shared/data and a few edge cases)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from mtdetect.features import FEATURE_VERSION, feature_matrix

FIXTURE = Path(__file__).resolve().parent / "data" / "feature_values_v5.json"


def test_feature_values_are_identical_to_before_the_speed_up():
    data = json.loads(FIXTURE.read_text(encoding="utf-8"))
    assert FEATURE_VERSION == "5"  # a new feature version needs a new fixture, not this one
    refs, cands = zip(*data["pairs"])
    X, names, rows = feature_matrix(refs, cands, [0.0] * len(refs))
    assert names == data["names"]
    expected = np.array(data["values"], dtype=np.float64)
    differ = np.argwhere(X != expected)
    assert differ.size == 0, [(data["pairs"][i], names[j], X[i, j], expected[i, j]) for i, j in differ[:5]]
    assert [[e.to_dict() for e in pf.evidence] for pf in rows] == data["evidence"]


def test_shared_ngrams_counted_together_equal_counting_each_order():
    """chrF's clipped n-gram matches, all orders at once in numpy, are the counts of the definition:
    on the fixture's pairs and on edge cases (empty sides, repeats, non-ASCII and astral
    characters, an alphabet too large for one int64 key, which falls back to counting)."""
    from mtdetect.features.similarity import _shared_ngrams, _shared_ngrams_counted

    data = json.loads(FIXTURE.read_text(encoding="utf-8"))
    cases = [("".join(r.split()), "".join(c.split())) for r, c in data["pairs"]]
    cases += [("", "abc"), ("abc", ""), ("a", "a"), ("aaaaaaa", "aaa"), ("ab", "abcdefgh"), ("stoké", "stoking"),
              ("日本語のテキスト", "日本語"), ("🙂🙂a🙂", "a🙂🙂"), ("".join(map(chr, range(0x4e00, 0x4e00 + 3000))),
                                                          "".join(map(chr, range(0x4e00 + 2990, 0x4e00 + 3010))))]
    for hyp, ref in cases:
        assert _shared_ngrams(hyp, ref, 6) == [_shared_ngrams_counted(hyp, ref, n) for n in range(1, 7)], (hyp, ref)
