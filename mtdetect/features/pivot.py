"""Pivot features: what a round trip changed in one (reference, candidate) pair, hashed.

The words and character n-grams of substituted spans on both sides, the substitution itself
("comeback>return"), inserted and deleted tokens, shifts in function-word counts, casing
changes and accented words the reference lacks; hashed (FeatureHasher-compatible murmur3,
fixed width) so the model file stays small and needs no vocabulary. `detect/pivot.py` reads
them with the pivot model; PIVOT_FEATURE_VERSION and pivot_feature_names are checked against
the model's card when it is loaded.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from functools import lru_cache
from typing import Any, Iterable, Sequence

import numpy as np

from mtdetect.features.base import PairView
from mtdetect.features.surface import _casing as surface_casing

PIVOT_FEATURE_VERSION = "1"
N_FEATURES = 2**15
MAX_SPAN = 3  # substitution pairs ("a b>c d") are kept for spans of at most this many tokens
FUNCTION_WORDS = frozenset("""
a an the this that these those some any each every no all both either neither another such
of in on at by for with from to into onto upon over under about above below between among through
during before after since until within without against toward towards across along around behind
beyond near off out up down via per than as like unlike
and or but nor so yet if then because although though while whereas unless whether
i me my mine we us our you your he him his she her it its they them their there here
who whom whose which what where when why how
is are was were be been being am do does did done have has had having
will would shall should can could may might must ought
not never also too very just only even still already yet again
one ones own same other more most less least much many few several
""".split())
HONORIFICS = frozenset({"mr.", "mrs.", "ms.", "mr", "mrs", "ms", "m.", "mme", "mme."})
_ACCENTED = re.compile(r"[àâäçéèêëîïôöùûüÿœæ]", re.IGNORECASE)


def pivot_feature_names() -> list[str]:
    """The card's description of the hashed feature space (checked at load time)."""
    return [f"hashed[{N_FEATURES}]:sub-word,sub-char3,sub-char4,sub-pair,insert,delete,"
            "function-word-shift,casing,accented,change-rate"]


def _char_ngrams(text: str, n: int) -> Iterable[str]:
    padded = f"<{text}>"
    return (padded[i : i + n] for i in range(len(padded) - n + 1))


_CASE_CODE = {"upper": "U", "title": "T", "lower": "l", "mixed": "m"}  # the codes the hashed names use


def _casing(t: str) -> str:
    return _CASE_CODE[surface_casing(t)]


def pair_features(reference: str, candidate: str) -> dict[str, float]:
    """Named (to be hashed) indicators of what the round trip changed in one pair."""
    view = PairView(reference, candidate, 0.0)
    ref, cand = view.ref_lower, view.cand_lower
    f: dict[str, float] = {}
    changed = 0
    for tag, i1, i2, j1, j2 in view.opcodes:
        if tag == "equal":
            for a, b in zip(view.ref_tokens[i1:i2], view.cand_tokens[j1:j2]):
                if a != b and a[:1].isalpha() and _casing(a) != _casing(b):
                    f[f"case:{_casing(a)}>{_casing(b)}"] = 1.0
            continue
        changed += max(i2 - i1, j2 - j1)
        rs, cs = ref[i1:i2], cand[j1:j2]
        if tag == "replace":
            for w in cs:
                f["sc:" + w] = 1.0
                for n in (3, 4):
                    for g in _char_ngrams(w, n):
                        f[f"c{n}:" + g] = 1.0
            for w in rs:
                f["sr:" + w] = 1.0
                for g in _char_ngrams(w, 3):
                    f["r3:" + g] = 1.0
            if len(rs) <= MAX_SPAN and len(cs) <= MAX_SPAN:
                f["p:" + " ".join(rs) + ">" + " ".join(cs)] = 1.0
            f[f"shape:{min(len(rs), 4)}>{min(len(cs), 4)}"] = 1.0
        elif tag == "insert":
            for w in cs:
                f["i:" + w] = 1.0
        else:
            for w in rs:
                f["d:" + w] = 1.0
    rc, cc = Counter(t for t in ref if t in FUNCTION_WORDS), Counter(t for t in cand if t in FUNCTION_WORDS)
    for w in set(rc) | set(cc):
        d = cc[w] - rc[w]
        if d:
            f[f"fw:{w}:{'+' if d > 0 else '-'}"] = 1.0
    ref_set = set(ref)
    if any(_ACCENTED.search(t) and t not in ref_set for t in cand):
        f["accented-new"] = 1.0
    rate = changed / max(len(ref), len(cand), 1)
    f[f"rate:{min(int(rate * 10), 9)}"] = 1.0
    lr = math.log((len(cand) + 1) / (len(ref) + 1))
    f[f"len:{max(min(round(lr * 10), 5), -5)}"] = 1.0
    return f


def feature_matrix(references: Sequence[str], candidates: Sequence[str]) -> Any:
    """Sparse (n, N_FEATURES) matrix of hashed pair features (scikit-learn's FeatureHasher)."""
    from sklearn.feature_extraction import FeatureHasher

    hasher = FeatureHasher(n_features=N_FEATURES, input_type="dict", alternate_sign=False)
    return hasher.transform(pair_features(r, c) for r, c in zip(references, candidates))


def murmur3_32(data: bytes, seed: int = 0) -> int:
    """Signed 32-bit MurmurHash3 (x86), as scikit-learn's FeatureHasher computes it."""
    c1, c2, m = 0xCC9E2D51, 0x1B873593, 0xFFFFFFFF

    def mix(k: int) -> int:
        k = (k * c1) & m
        k = ((k << 15) | (k >> 17)) & m
        return (k * c2) & m

    h = seed & m
    n = len(data) - len(data) % 4
    for i in range(0, n, 4):
        h ^= mix(int.from_bytes(data[i : i + 4], "little"))
        h = ((h << 13) | (h >> 19)) & m
        h = (h * 5 + 0xE6546B64) & m
    if len(data) > n:
        h ^= mix(int.from_bytes(data[n:], "little"))
    h ^= len(data)
    h ^= h >> 16
    h = (h * 0x85EBCA6B) & m
    h ^= h >> 13
    h = (h * 0xC2B2AE35) & m
    h ^= h >> 16
    return h - (1 << 32) if h & 0x80000000 else h


@lru_cache(maxsize=100_000)
def _hashed_column(name: str, n_features: int) -> int:
    """The column FeatureHasher puts a feature name in (cached: names repeat across pairs)."""
    h = murmur3_32(name.encode("utf-8"))
    return (2147483647 if h == -2147483648 else abs(h)) % n_features


def hashed_logits(references: Sequence[str], candidates: Sequence[str], coef: np.ndarray,
                  intercept: np.ndarray) -> np.ndarray:
    """X @ coef.T + intercept for the hashed features, without building X (numpy path)."""
    out = np.tile(intercept, (len(references), 1)).astype(np.float64)
    n_features = coef.shape[1]
    for i, (r, c) in enumerate(zip(references, candidates)):
        cols: dict[int, float] = {}
        for name, value in pair_features(r, c).items():
            col = _hashed_column(name, n_features)
            cols[col] = cols.get(col, 0.0) + value
        if cols:
            idx = np.fromiter(cols, dtype=np.int64)
            out[i] += coef[:, idx] @ np.fromiter(cols.values(), dtype=np.float64)
    return out


def _added_honorifics(view: PairView) -> int:
    return max(sum(t in HONORIFICS for t in view.cand_lower) - sum(t in HONORIFICS for t in view.ref_lower), 0)


def adds_honorific(reference: str, candidate: str) -> bool:
    """Whether the candidate has more honorifics ("Mr.", "M.", "Mrs."...) than the reference."""
    return _added_honorifics(PairView(reference, candidate, 0.0)) > 0


def french_traces(references: Sequence[str], candidates: Sequence[str]) -> dict:
    """Honorifics and accented words the candidates add: consistent with a French pivot
    ("M. Xi" -> "Mr. Xi", "stoking" -> "stoké"), but unmeasured (no French-pivot data)."""
    honorifics, sentences, accented = 0, 0, []
    for r, c in zip(references, candidates):
        view = PairView(r, c, 0.0)
        added = _added_honorifics(view)
        honorifics += added
        sentences += added > 0
        ref_set = set(view.ref_lower)
        accented += [t for t in view.cand_tokens if _ACCENTED.search(t) and t.lower() not in ref_set]
    return {"honorifics_added": honorifics, "sentences_with_added_honorific": sentences,
            "accented_words": sorted(set(accented))[:10]}
