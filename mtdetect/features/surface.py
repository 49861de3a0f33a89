"""Surface traces of machine translation that the reference does not have.

Only traces *relative to the reference* count: "Mr. XI" where the reference says "Xi",
"four -day" where it says "four-day", "stoké" where it says "stoking". Typography that
merely differs between sources (quote and dash styles, spacing) is normalised away before
any feature sees it (`text.normalize`), so it cannot become a shortcut.
"""

from __future__ import annotations

import re

from mtdetect.features.base import Evidence, Group, PairView
from mtdetect.features.lexicon import zipf

# Every surface trace the reference lacks can only be evidence of MT. An added honorific is
# shown as evidence but is no feature here: "Mr." is house style in many newsrooms, so it
# counts only where other evidence agrees (edits.edt_honorific_corroborated).
DIRECTIONS = {"srf_case_changed": +1, "srf_spacing": +1, "srf_foreign": +1,
              "srf_unknown_word": +1}
MAX_SPACING_MATCHES = 20  # bounds the work on hostile input
HONORIFICS = frozenset({"mr.", "mrs.", "ms.", "mr", "mrs", "ms", "mme", "mme.", "m."})
_SPACED = re.compile(r"\w+ -\w+|\w+- \w+|\w+ [,;:!?.)](?=\s|$)")


def _casing(word: str) -> str:
    if word.isupper() and len(word) > 1:
        return "upper"
    if word[:1].isupper():
        return "title"
    return "lower" if word.islower() else "mixed"


def _first_word(tokens: list[str]) -> int | None:
    """Index of the sentence's first word (after any opening quote or bracket)."""
    return next((i for i, t in enumerate(tokens) if t[:1].isalpha()), None)


def compute(view: PairView) -> Group:
    evidence: list[Evidence] = []
    ref_lower = set(view.ref_lower)
    n = max(len(view.cand_tokens), 1)

    ref_hon = sum(t in HONORIFICS for t in view.ref_lower)
    cand_hon = [i for i, t in enumerate(view.cand_lower) if t in HONORIFICS]
    added_hon = max(len(cand_hon) - ref_hon, 0)
    if added_hon:
        for i in cand_hon[:added_hon]:
            end = min(i + (3 if i + 1 < len(view.cand_tokens) and view.cand_tokens[i + 1] == "." else 2),
                      len(view.cand_tokens))  # the title and the name it precedes: "Mr. XI"
            evidence.append(Evidence("honorific", view.cand_text(i, end), "", "honorific the reference lacks", 1.0))

    # Every casing each reference word takes ("The" and "the" are both normal); a sentence-initial
    # capital (the first word, after any opening quote) says little, except against ALL CAPS.
    ref_first, cand_first = _first_word(view.ref_tokens), _first_word(view.cand_tokens)
    ref_cases: dict[str, set[str]] = {}
    ref_forms: dict[str, str] = {}
    opening: set[str] = set()  # the word that opens the reference: its capital may be positional
    for i, t in enumerate(view.ref_tokens):
        if t[:1].isalpha():
            ref_cases.setdefault(t.lower(), set()).add(_casing(t))
            ref_forms.setdefault(t.lower(), t)
            if i == ref_first:
                opening.add(t.lower())
    odd_case = 0
    for i, t in enumerate(view.cand_tokens):
        key = t.lower()
        if not t[:1].isalpha() or key not in ref_cases or key in HONORIFICS:
            continue
        cases, cand_c = ref_cases[key], _casing(t)
        initial = i == cand_first or key in opening
        if cand_c in cases or "mixed" in cases | {cand_c} or (initial and "upper" not in cases | {cand_c}):
            continue
        odd_case += 1
        evidence.append(Evidence("casing", t, ref_forms[key], "casing differs from the reference", 1.0))

    matches = [m.group(0) for _, m in zip(range(MAX_SPACING_MATCHES), _SPACED.finditer(view.candidate))]
    spaced = [m for m in matches if m not in view.reference]
    for s in spaced:
        evidence.append(Evidence("spacing", s.strip(), "", "stray space inside a word or before punctuation", 0.5))

    foreign = 0
    unknown = 0
    for t in view.cand_tokens:
        low = t.lower()
        if not t[:1].isalpha() or low in ref_lower:
            continue
        if any(ord(c) > 127 for c in t) and t.isalpha():
            foreign += 1
            evidence.append(Evidence("foreign", t, "", "non-English word absent from the reference", 1.0))
        elif t.islower() and zipf(low) == 0.0:
            unknown += 1
            evidence.append(Evidence("foreign", t, "", "not an English word", 0.5))

    return {
        "srf_case_changed": odd_case / n,
        "srf_spacing": float(len(spaced)),
        "srf_foreign": float(foreign),
        "srf_unknown_word": float(unknown),
    }, evidence
