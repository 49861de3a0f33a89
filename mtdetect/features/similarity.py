"""Similarity of the pair as a whole: chrF and length.

The embedding cosine aligns the sentences (align.py) but is no feature: how close a text
stays to its original flips sign from one source to the next (a careful rewrite is close
too), and with chrF beside it its weight only encoded which source was more literal.
"""

from __future__ import annotations

import math
from collections import Counter

from mtdetect.features.base import Group, PairView


# Expected sign of each feature's effect on p(MT) for a round trip (0 = learned freely).
DIRECTIONS = {"sim_chrf": +1, "sim_len_dev": -1}


def _char_ngrams(text: str, n: int) -> Counter:
    s = "".join(text.split())
    return Counter(s[i : i + n] for i in range(len(s) - n + 1))


def chrf(hypothesis: str, reference: str, order: int = 6, beta: float = 2.0) -> float:
    """Sentence chrF (Popović 2015) as sacrebleu computes it by default, in [0, 1]."""
    precisions, recalls = [], []
    for n in range(1, order + 1):
        h, r = _char_ngrams(hypothesis, n), _char_ngrams(reference, n)
        if not h or not r:
            continue
        match = sum((h & r).values())
        precisions.append(match / sum(h.values()))
        recalls.append(match / sum(r.values()))
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
