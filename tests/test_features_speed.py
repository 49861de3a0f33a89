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
