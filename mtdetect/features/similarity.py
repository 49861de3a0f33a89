"""Similarity of the pair as a whole: chrF and length.

The embedding cosine aligns the sentences (align.py) but is no feature: how close a text
stays to its original flips sign from one source to the next (a careful rewrite is close
too), and with chrF beside it its weight only encoded which source was more literal.
"""

from __future__ import annotations

import math
from collections import Counter

import numpy as np

from mtdetect.features.base import Group, PairView


# Expected sign of each feature's effect on p(MT) for a round trip (0 = learned freely).
DIRECTIONS = {"sim_chrf": +1, "sim_len_dev": -1}


def _char_ngrams(text: str, n: int) -> Counter:
    s = "".join(text.split())
    return Counter([s[i : i + n] for i in range(len(s) - n + 1)])


_ORDER_BITS = 3  # an n-gram's key carries its order n (1..7) in its low bits
_KEY_LIMIT = 1 << (62 - _ORDER_BITS - 1)  # base ** order below this: keys with order and side bits fit int64


def _ngram_keys(codes: np.ndarray, base: int, order: int) -> np.ndarray:
    """Every character n-gram of orders 1..order as one int64: its characters as digits in
    `base`, shifted left by _ORDER_BITS, plus n."""
    keys, ids = [], codes
    for n in range(1, order + 1):
        if n > 1:
            ids = ids[:-1] * base + codes[n - 1:]
        if not len(ids):
            break
        keys.append((ids << _ORDER_BITS) + n)
    return np.concatenate(keys) if keys else np.zeros(0, dtype=np.int64)


def _shared_ngrams(hyp: str, ref: str, order: int) -> list[int]:
    """For n = 1..order, the n-grams the two strings share: the sum over n-grams g of min(count in
    hyp, count in ref). All orders at once in numpy (sorting integer keys); integers, so exactly
    what counting them one by one gives (tests/test_features_speed.py checks both ways).

    Each n-gram's key gets its side in the lowest bit, and one sort of both sides' keys counts
    them: a shared n-gram is two neighbours that differ only in that bit (one sort instead of
    np.unique twice and intersect1d, which sorted again: a fifth of a pair's features)."""
    if not hyp or not ref:
        return [_shared_ngrams_counted(hyp, ref, n) for n in range(1, order + 1)]
    chars = np.frombuffer((hyp + ref).encode("utf-32-le"), dtype=np.uint32)
    base = int(chars.max()) + 2  # the code points themselves as digits 1..max+1 (ASCII text: base <= 129)
    if base ** order < _KEY_LIMIT:
        codes = chars.astype(np.int64) + 1
    else:  # a wide alphabet: number the distinct characters instead
        alphabet, codes = np.unique(chars, return_inverse=True)
        base, codes = len(alphabet) + 1, codes.astype(np.int64) + 1
    if base ** order >= _KEY_LIMIT or order >= 1 << _ORDER_BITS:
        return [_shared_ngrams_counted(hyp, ref, n) for n in range(1, order + 1)]  # keys would overflow
    keys = np.concatenate([_ngram_keys(codes[: len(hyp)], base, order) << 1,
                           (_ngram_keys(codes[len(hyp) :], base, order) << 1) | 1])
    keys.sort()
    starts = np.flatnonzero(np.concatenate(([True], keys[1:] != keys[:-1])))
    distinct, counts = keys[starts], np.diff(np.append(starts, len(keys)))
    pair = np.flatnonzero((distinct[:-1] >> 1) == (distinct[1:] >> 1))  # side 0 (hyp) then side 1 (ref)
    shared = np.bincount((distinct[pair] >> 1) & ((1 << _ORDER_BITS) - 1),
                         weights=np.minimum(counts[pair], counts[pair + 1]), minlength=order + 1)
    return [int(x) for x in shared[1 : order + 1]]



def _shared_ngrams_counted(hyp: str, ref: str, n: int) -> int:
    """_shared_ngrams of one order, by counting (the definition)."""
    h, r = _char_ngrams(hyp, n), _char_ngrams(ref, n)
    return sum(min(c, r[g]) for g, c in h.items() if g in r)


def chrf(hypothesis: str, reference: str, order: int = 6, beta: float = 2.0) -> float:
    """Sentence chrF (Popović 2015) as sacrebleu computes it by default, in [0, 1].

    Written for speed (it was a third of the feature time): the whitespace is removed once and
    the clipped n-gram matches of every order are counted together (_shared_ngrams). The same
    integers and the same float operations in the same order as the plain definition:
    tests/test_features_speed.py checks the values are bit-identical."""
    hyp, ref = "".join(hypothesis.split()), "".join(reference.split())
    shared = _shared_ngrams(hyp, ref, order)
    precisions, recalls = [], []
    for n in range(1, order + 1):
        n_h, n_r = len(hyp) - n + 1, len(ref) - n + 1
        if n_h <= 0 or n_r <= 0:
            continue
        precisions.append(shared[n - 1] / n_h)
        recalls.append(shared[n - 1] / n_r)
    if not precisions:
        return 0.0
    p, r = sum(precisions) / len(precisions), sum(recalls) / len(recalls)
    if p + r == 0:
        return 0.0
    b2 = beta * beta
    return (1 + b2) * p * r / (b2 * p + r)


def compute(view: PairView) -> Group:
    n_ref, n_cand = max(len(view.ref_tokens), 1), max(len(view.cand_tokens), 1)
    return {
        "sim_chrf": chrf(view.candidate, view.reference),
        # |log length ratio|: a round trip keeps the length; a rewrite condenses or expands.
        # (The signed ratio learned that WMT's MT is shorter than its human translations,
        # a trait of that data that does not transfer.)
        "sim_len_dev": abs(math.log(n_cand / n_ref)),
    }, []
