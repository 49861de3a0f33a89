"""Reference-free features: what a single English sentence says about itself.

Used when the original is not at hand (`mtdetect score SUSPECT` with no reference). Each
group returns named values and evidence, like the pair groups; the vector is their
concatenation, so names and values cannot drift apart. Bump SOLO_FEATURE_VERSION when a
definition changes: a reference-free model built on another version is refused.

* fluency  — collocations against real English counts. A bigram of two common words that
             web English *should* contain (its expected count under independence is high)
             but does not ("pricing war", "rescue buoy", "sail on") is the literal
             substitution a round trip leaves behind.
* lexical  — word frequency and function-word profile (MT prefers frequent, safe words).
* surface  — traces no careful English writer leaves: honorifics in front of an ALL-CAPS
             name ("Mr. XI"), stray spaces ("four -day"), accented non-English words
             ("stoké"), lowercase non-words. Typography (quote/dash style) is normalised
             away first and never counted.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable, Sequence

import numpy as np

from mtdetect.text import normalize, tokenize
from mtdetect.features.base import MAX_TOKENS, Evidence, Group
from mtdetect.features.lexicon import STOPWORDS, WEB_TOKENS, bigram_count, bigram_floor, unigram_count, zipf
from mtdetect.features.surface import HONORIFICS, MAX_SPACING_MATCHES, _SPACED

SOLO_FEATURE_VERSION = "1"

# Expected sign of each feature's effect on p(MT) (0 = learned freely).
DIRECTIONS = {
    "rf_unexpected_unseen": +1, "rf_unexpected_share": +1,
    "rf_honorific": +1, "rf_caps_name": +1, "rf_spacing": +1, "rf_foreign": +1, "rf_unknown_word": +1,
}
EXPECTED_FACTOR = 4.0  # unseen bigram is "unexpected" when independence predicts >= 4x the file's floor


def _is_word(t: str) -> bool:
    return t.isalpha() and t.islower()


def _fluency(tokens: list[str], lower: list[str]) -> Group:
    floor = bigram_floor()
    seen_logc: list[float] = []
    unexpected: list[int] = []
    n_pairs = 0
    for i in range(len(tokens) - 1):
        a, b = tokens[i], tokens[i + 1]
        if not (_is_word(a) and _is_word(b)):
            continue
        if a in STOPWORDS and b in STOPWORDS:
            continue  # "of the": says nothing about word choice
        n_pairs += 1
        c = bigram_count(f"{a} {b}")
        if c:
            seen_logc.append(math.log10(c))
            continue
        expected = unigram_count(a) * unigram_count(b) / WEB_TOKENS
        if expected >= EXPECTED_FACTOR * floor:
            unexpected.append(i)
    evidence = [
        Evidence("collocation", f"{tokens[i]} {tokens[i + 1]}", "",
                 "common words that English web text does not put together", 1.0)
        for i in unexpected
    ]
    return {
        "rf_unexpected_unseen": float(len(unexpected)),
        "rf_unexpected_share": len(unexpected) / n_pairs if n_pairs else 0.0,
        "rf_bigram_logc_mean": float(np.mean(seen_logc)) if seen_logc else 0.0,
        "rf_bigram_seen_share": len(seen_logc) / n_pairs if n_pairs else 0.0,
    }, evidence


def _lexical(tokens: list[str], lower: list[str]) -> Group:
    words = [w for w in lower if w.isalpha()]
    content = [w for w in words if w not in STOPWORDS]
    zipfs = [zipf(w) for w in content]
    return {
        "rf_log_len": math.log1p(len(words)),
        "rf_stop_share": (len(words) - len(content)) / len(words) if words else 0.0,
        "rf_zipf_mean": float(np.mean(zipfs)) if zipfs else 0.0,
        "rf_rare_share": float(np.mean([z < 3.0 for z in zipfs])) if zipfs else 0.0,
        "rf_of_share": lower.count("of") / len(words) if words else 0.0,
    }, []


def _surface(tokens: list[str], lower: list[str], sentence: str) -> Group:
    evidence: list[Evidence] = []
    honorific = caps = 0
    for i, t in enumerate(lower):
        if t not in HONORIFICS:
            continue
        j = i + 1 + (i + 1 < len(tokens) and tokens[i + 1] == ".")
        if j < len(tokens) and tokens[j][:1].isupper():
            honorific += 1
            name = tokens[j]
            if name.isupper() and len(name) > 1 and name.isalpha():
                caps += 1
                evidence.append(Evidence("casing", " ".join(tokens[i:j + 1]).replace(" .", "."), "",
                                         "title before an ALL-CAPS name", 1.0))
            else:
                evidence.append(Evidence("honorific", " ".join(tokens[i:j + 1]).replace(" .", "."), "",
                                         "honorific (French and translated news style)", 0.5))
    spaced = [m.group(0).strip() for _, m in zip(range(MAX_SPACING_MATCHES), _SPACED.finditer(sentence))]
    evidence += [Evidence("spacing", s, "", "stray space inside a word or before punctuation", 0.5) for s in spaced]
    foreign = unknown = 0
    for t in tokens:
        if not (t.isalpha() and t.islower()):
            continue
        if any(ord(c) > 127 for c in t):
            if zipf(t) < 2.0:
                foreign += 1
                evidence.append(Evidence("foreign", t, "", "non-English word", 1.0))
        elif zipf(t) == 0.0:
            unknown += 1
            evidence.append(Evidence("foreign", t, "", "not an English word", 0.5))
    return {
        "rf_honorific": float(honorific),
        "rf_caps_name": float(caps),
        "rf_spacing": float(len(spaced)),
        "rf_foreign": float(foreign),
        "rf_unknown_word": float(unknown),
    }, evidence


@dataclass(frozen=True)
class SoloFeatures:
    """Named feature values and the evidence behind them, for one sentence."""

    values: dict[str, float]
    evidence: tuple[Evidence, ...]


GROUPS: dict[str, Callable[[list[str], list[str], str], Group]] = {
    "fluency": lambda t, low, s: _fluency(t, low),
    "lexical": lambda t, low, s: _lexical(t, low),
    "surface": _surface,
}


def solo_features(sentence: str) -> SoloFeatures:
    """Reference-free features of one sentence."""
    text = normalize(sentence)
    tokens = tokenize(text)[:MAX_TOKENS]
    lower = [t.lower() for t in tokens]
    values: dict[str, float] = {}
    evidence: list[Evidence] = []
    for compute in GROUPS.values():
        vals, ev = compute(tokens, lower, text)
        values.update(vals)
        evidence.extend(ev)
    return SoloFeatures(values, tuple(evidence))


def solo_feature_names() -> list[str]:
    """Names of the reference-free feature set, in vector order."""
    return list(solo_features("A short example.").values)


def solo_directions(names: Sequence[str] | None = None) -> list[int]:
    """Expected sign of each reference-free feature (+1 more MT, 0 free)."""
    return [DIRECTIONS.get(n, 0) for n in (names or solo_feature_names())]


def solo_matrix(sentences: Sequence[str], progress: bool = False) -> tuple[np.ndarray, list[str], list[SoloFeatures]]:
    """Stack reference-free features into an (n, d) matrix with its column names."""
    items = sentences
    if progress:
        from mtdetect.report.progress import track

        items = track(sentences, total=len(sentences), label="reference-free features")
    rows = [solo_features(s) for s in items]
    names = solo_feature_names()
    X = np.array([[r.values[n] for n in names] for r in rows], dtype=np.float64).reshape(len(rows), len(names))
    return X, names, rows
