"""How literal the substitutions are: dictionary back-translations versus contextual rewrites.

A round trip swaps a word for a dictionary back-translation of it ("big" -> "great",
"chairman" -> "president") or for another form of the same word; a human rewrite or an
independent translation picks contextual paraphrases.

Tried and dropped (zero weight under their sign constraint, no AUC change on any left-out
source): names kept, and clause-punctuation skeleton kept x lexical change. Both are
*inverted* on the tweets and on WMT zh-en, where human translations keep more structure.

Dictionary back-translations come from the Apertium bilingual dictionaries (en <-> es, ca,
gl, eo), precomputed by training/make_literal_pairs.py into data/literal_pairs.tsv.gz.
"""

from __future__ import annotations

import gc
import gzip
from functools import lru_cache
from pathlib import Path

from mtdetect.features.base import Evidence, Group, PairView
from mtdetect.features.lexicon import is_content

DATA = Path(__file__).resolve().parent.parent / "data" / "literal_pairs.tsv.gz"
MAX_SPAN = 4  # longer replacements are restructurings, not word swaps

# Expected sign of each feature's effect on p(MT) (0 = learned freely).
DIRECTIONS = {"lit_dict_share": +1, "lit_inflection_share": +1}


@lru_cache(maxsize=1)
def literal_table() -> tuple[frozenset[tuple[str, str]], dict[str, tuple[str, ...]]]:
    """(lemma pairs that back-translate into each other, form -> lemmas)."""
    pairs: set[tuple[str, str]] = set()
    forms: dict[str, tuple[str, ...]] = {}
    collecting = gc.isenabled()
    gc.disable()  # 54k small lists and tuples, no cycles: the collector walked the heap ~80 times for nothing
    try:
        with gzip.open(DATA, "rt", encoding="utf-8") as fh:
            for line in fh:
                f = line.rstrip("\n").split("\t")
                if f[0] == "L":
                    pairs.add((f[1], f[2]))
                elif f[0] == "F":
                    forms[f[1]] = tuple(f[2].split("|"))
    finally:
        if collecting:
            gc.enable()
    return frozenset(pairs), forms


def lemmas(word: str) -> tuple[str, ...]:
    _, forms = literal_table()
    return forms.get(word, ()) + (word,)


def relation(new: str, old: str) -> str:
    """'inflection' (same lemma), 'dictionary' (back-translation) or '' (contextual)."""
    ln, lo = lemmas(new), lemmas(old)
    if set(ln) & set(lo):
        return "inflection"
    pairs, _ = literal_table()
    if any((min(a, b), max(a, b)) in pairs for a in ln for b in lo):
        return "dictionary"
    return ""


def compute(view: PairView) -> Group:
    ref_set = set(view.ref_lower)
    n_new = n_dict = n_infl = 0
    evidence: list[Evidence] = []
    for s in view.substitutions:
        if max(s.i2 - s.i1, s.j2 - s.j1) > MAX_SPAN:
            continue
        old = [w for w in view.ref_lower[s.i1 : s.i2] if is_content(w) and w.isalpha()]
        for j in range(s.j1, s.j2):
            w = view.cand_lower[j]
            if not (is_content(w) and w.isalpha()) or w in ref_set:
                continue
            n_new += 1
            kinds = {o: relation(w, o) for o in old}
            hit = next((o for o, k in kinds.items() if k == "dictionary"), None)
            if hit:
                n_dict += 1
                evidence.append(Evidence("literal", view.cand_tokens[j], hit,
                                         "dictionary back-translation of the replaced word (Apertium)", 1.0))
            elif any(k == "inflection" for k in kinds.values()):
                n_infl += 1

    return {
        # of the new content words that replaced reference words: dictionary back-translations
        "lit_dict_share": n_dict / n_new if n_new else 0.0,
        # ... and other forms of the same word (number, tense)
        "lit_inflection_share": n_infl / n_new if n_new else 0.0,
    }, evidence
