"""Odd collocations in the substituted spans, scored against real English bigram counts.

For each substitution (reference tokens -> candidate tokens) we take the bigrams the new
wording forms with its neighbours ("pricing war", "sail on", "rescue buoy") and compare
their Google web counts with the bigrams of the wording it replaced ("tariff war",
"navigate western"). A literal back-translation tends to produce a rarer or unseen
collocation and a near-synonym of similar frequency; a human rewrite picks idiomatic ones.
"""

from __future__ import annotations

import math

from mtdetect.features.base import Evidence, Group, PairView
from mtdetect.features.lexicon import bigram_log_count, is_content, zipf

# Expected sign of each feature's effect on p(MT) (0 = learned freely).
DIRECTIONS = {"col_cand_unseen": +1}
MAX_SPAN = 4  # longer replacements are restructurings, not word swaps


def mean(xs: list[float]) -> float:
    """Arithmetic mean (math.fsum: exact sum, a tenth of the cost of statistics.mean)."""
    return math.fsum(xs) / len(xs)


def _span_bigrams(tokens: list[str], a: int, b: int) -> list[tuple[str, str]]:
    """Bigrams inside tokens[a:b] plus the two that join it to its neighbours (words only)."""
    lo, hi = max(a - 1, 0), min(b + 1, len(tokens))
    window = tokens[lo:hi]
    return [(x, y) for x, y in zip(window, window[1:]) if x[:1].isalnum() and y[:1].isalnum()]


def compute(view: PairView) -> Group:
    cand_logc: list[float] = []
    ref_logc: list[float] = []
    cand_zipf: list[float] = []
    ref_zipf: list[float] = []
    evidence: list[Evidence] = []
    for s in view.substitutions:
        if max(s.i2 - s.i1, s.j2 - s.j1) > MAX_SPAN:
            continue
        cb = [bigram_log_count(x, y) for x, y in _span_bigrams(view.cand_lower, s.j1, s.j2)]
        rb = [bigram_log_count(x, y) for x, y in _span_bigrams(view.ref_lower, s.i1, s.i2)]
        cw = [zipf(w) for w in view.cand_lower[s.j1 : s.j2] if is_content(w)]
        rw = [zipf(w) for w in view.ref_lower[s.i1 : s.i2] if is_content(w)]
        cand_logc += cb
        ref_logc += rb
        cand_zipf += cw
        ref_zipf += rw
        # Evidence: the substitution with one word of context, so "pricing war" shows.
        lo_c, hi_c = max(s.j1 - 1, 0), min(s.j2 + 1, len(view.cand_tokens))
        lo_r, hi_r = max(s.i1 - 1, 0), min(s.i2 + 1, len(view.ref_tokens))
        oddness = (mean(rb) if rb else 0.0) - (mean(cb) if cb else 0.0)
        unseen = sum(v == 0.0 for v in cb)
        note = f"{unseen}/{len(cb)} bigrams unseen in English web counts" if cb else ""
        evidence.append(
            Evidence("substitution", view.cand_text(lo_c, hi_c), view.ref_text(lo_r, hi_r), note, oddness)
        )
    evidence.sort(key=lambda e: -e.score)

    def avg(xs: list[float], default: float) -> float:
        return mean(xs) if xs else default

    return {
        # Only quantities relative to the reference: raw frequency levels encode the domain.
        "col_logc_delta": avg(cand_logc, 0.0) - avg(ref_logc, 0.0),
        "col_cand_unseen": avg([float(v == 0.0) for v in cand_logc], 0.0),
        "col_unseen_delta": avg([float(v == 0.0) for v in cand_logc], 0.0)
        - avg([float(v == 0.0) for v in ref_logc], 0.0),
        "col_zipf_delta": avg(cand_zipf, 0.0) - avg(ref_zipf, 0.0),
        "col_n_word_swaps": float(len(evidence)),
    }, evidence
