"""Lexical overlap and structure: what was kept, in what order, and how the rest changed.

A round trip keeps the sentence's skeleton (clause order, numbers, names) and swaps single
words or short phrases; a rewrite restructures. So the *shape* of the diff matters more
than the amount of overlap.
"""

from __future__ import annotations

import bisect
from collections import Counter

from mtdetect.features.base import Group, PairView
from mtdetect.features.lexicon import STOPWORDS, is_content


# Expected sign of each feature's effect on p(MT): a round trip keeps the reference's words,
# numbers and order and changes it by short, balanced swaps (0 = learned freely).
DIRECTIONS = {
    "lex_seq_ratio": +1, "lex_jaccard": +1, "lex_content_kept": +1, "lex_content_novel": -1,
    "lex_order": +1, "lex_sub_span": -1, "lex_sub_balance": -1, "lex_indel_rate": -1, "lex_numbers_kept": +1,
}


def _kendall_order(ref: list[str], cand: list[str]) -> float:
    """Share of concordant pairs among words that occur once in both (1 = same order)."""
    rc, cc = Counter(ref), Counter(cand)
    rpos = {w: i for i, w in enumerate(ref) if rc[w] == 1 and cc[w] == 1 and w[:1].isalnum()}
    pos = [rpos[w] for w in cand if w in rpos]
    if len(pos) < 2:
        return 1.0
    seen: list[int] = []
    concordant = 0
    for x in pos:  # count earlier positions smaller than x: O(k log k)
        k = bisect.bisect_left(seen, x)
        concordant += k
        seen.insert(k, x)
    return concordant / (len(pos) * (len(pos) - 1) / 2)


def _share(words: list[str], vocab: set[str]) -> float:
    return sum(w in vocab for w in words) / len(words) if words else 1.0


def _rate(tokens: list[str], word: str) -> float:
    return tokens.count(word) / max(len(tokens), 1)


def compute(view: PairView) -> Group:
    ref, cand = view.ref_lower, view.cand_lower
    ref_words = [w for w in ref if w[:1].isalnum()]
    cand_words = [w for w in cand if w[:1].isalnum()]
    ref_content = [w for w in ref_words if is_content(w)]
    cand_content = [w for w in cand_words if is_content(w)]
    ref_set, cand_set = set(ref_words), set(cand_words)
    union = ref_set | cand_set

    subs = view.substitutions
    sub_ref_len = [s.i2 - s.i1 for s in subs]
    sub_cand_len = [s.j2 - s.j1 for s in subs]
    inserted = sum(j2 - j1 for tag, _, _, j1, j2 in view.opcodes if tag == "insert")
    deleted = sum(i2 - i1 for tag, i1, i2, _, _ in view.opcodes if tag == "delete")
    n_ref = max(len(ref), 1)

    ref_nums = [w for w in ref_words if any(c.isdigit() for c in w)]
    func_ref = _share(ref_words, set(STOPWORDS))
    func_cand = _share(cand_words, set(STOPWORDS))
    return {
        "lex_seq_ratio": view.matcher.ratio(),
        "lex_jaccard": len(ref_set & cand_set) / len(union) if union else 1.0,
        "lex_content_kept": _share(ref_content, cand_set),
        "lex_content_novel": 1.0 - _share(cand_content, ref_set),
        "lex_order": _kendall_order(ref, cand),
        "lex_sub_rate": len(subs) / n_ref,
        "lex_sub_span": sum(sub_ref_len + sub_cand_len) / (2 * len(subs)) if subs else 0.0,
        "lex_sub_balance": (
            sum(abs(a - b) for a, b in zip(sub_ref_len, sub_cand_len)) / len(subs) if subs else 0.0
        ),
        "lex_indel_rate": (inserted + deleted) / n_ref,
        "lex_numbers_kept": _share(ref_nums, cand_set),
        "lex_func_shift": func_cand - func_ref,
        "lex_the_shift": _rate(cand, "the") - _rate(ref, "the"),
        "lex_of_shift": _rate(cand, "of") - _rate(ref, "of"),
    }, []
