"""The *kind* of edit, not its amount: translation-equivalent swaps spread word by word, or a
writer's restructuring that adds, drops and moves whole clauses.

How much a text was edited (overlap, chrF, cosine) flips sign between sources: a careful
human rewrite is close to its original too. What a pivot language forces is more stable:

* many small, separate edit sites spread over the whole sentence, each one or two words on
  each side (a round trip re-renders every word; a writer rewrites one clause and leaves the
  rest alone);
* insertions and deletions made of function words ("the", "of", "has": articles, genitives
  and tenses the pivot's grammar imposes) rather than of content (a clause added or dropped);
* local swaps of neighbouring words ("war of tariffs", adjective-noun order) rather than
  long-distance moves of a clause;
* replacements that are function word for function word (at <-> in, the <-> a) or an
  auxiliary/tense shift ("said" -> "has said");
* new content words that are no dictionary relative of what they replaced ("contextual"
  words a writer chose).

Also here: an added honorific ("Mr. XI") counts only when the same pair shows literal swaps
or grammar shifts as well: "Mr." is house style in many newsrooms.
"""

from __future__ import annotations

from collections import Counter

from mtdetect.features.base import Group, PairView
from mtdetect.features.lexicon import STOPWORDS, is_content
from mtdetect.features.literal import relation
from mtdetect.features.surface import HONORIFICS

AUX = frozenset("has have had having was were been being is are am be will would shall did does do".split())
LONG = 4  # an insertion/deletion of this many content words or more is a clause, not a grammar shift
LOCAL = 3  # a reordering within this many positions is local (word order), beyond it a move

# Expected sign of each feature's effect on p(MT) (0 = learned freely).
DIRECTIONS = {
    "edt_site_density": +1, "edt_mean_site": -1, "edt_max_site": -1, "edt_spread": +1,
    "edt_func_indel": +1, "edt_content_indel": -1, "edt_long_indel": -1,
    "edt_func_swap": +1, "edt_aux_shift": 0, "edt_local_swaps": +1, "edt_long_moves": -1,
    "edt_contextual_new": -1, "edt_honorific_corroborated": +1,
}


def _words(tokens: list[str]) -> list[str]:
    return [t for t in tokens if t[:1].isalnum()]


def _reorders(ref: list[str], cand: list[str]) -> tuple[int, int]:
    """(local, long) adjacent inversions among words that occur once on each side."""
    rc, cc = Counter(ref), Counter(cand)  # list.count per word made this quadratic
    rpos = {w: i for i, w in enumerate(ref) if rc[w] == 1 and cc[w] == 1 and w[:1].isalnum()}
    seq = [rpos[w] for w in cand if w in rpos]
    local = far = 0
    for a, b in zip(seq, seq[1:]):
        if b < a:
            if a - b <= LOCAL:
                local += 1
            else:
                far += 1
    return local, far


def compute(view: PairView) -> Group:
    ref, cand = view.ref_lower, view.cand_lower
    n_ref = max(len(_words(ref)), 1)
    sites = [(tag, i1, i2, j1, j2) for tag, i1, i2, j1, j2 in view.opcodes
             if tag != "equal" and (_words(ref[i1:i2]) or _words(cand[j1:j2]))]
    sizes = [max(len(_words(ref[i1:i2])), len(_words(cand[j1:j2]))) for _, i1, i2, j1, j2 in sites]

    quarters = {min(int(4 * (i1 + i2) / 2 / max(len(ref), 1)), 3) for _, i1, i2, _, _ in sites}
    indel_words: list[str] = []
    long_indel = 0
    func_swaps = aux_shift = 0
    for tag, i1, i2, j1, j2 in sites:
        old, new = _words(ref[i1:i2]), _words(cand[j1:j2])
        # what one side has beyond the other: a pure insertion/deletion, or a replacement's excess
        if tag in ("insert", "delete"):
            extra = new or old
            indel_words += extra
            long_indel = max(long_indel, sum(is_content(w) for w in extra))
        elif old and new and all(w in STOPWORDS for w in old + new):
            func_swaps += 1
        if (set(new) - set(old)) & AUX or (set(old) - set(new)) & AUX:
            aux_shift += 1
    n_indel = len(indel_words)
    n_func_indel = sum(w in STOPWORDS for w in indel_words)
    local, far = _reorders(ref, cand)

    ref_set = set(ref)
    contextual = n_new = literal_swaps = 0
    for s in view.substitutions:
        old = [w for w in ref[s.i1 : s.i2] if is_content(w) and w.isalpha()]
        for w in cand[s.j1 : s.j2]:
            if not (is_content(w) and w.isalpha()) or w in ref_set:
                continue
            n_new += 1
            if any(relation(w, o) for o in old):
                literal_swaps += 1
            else:
                contextual += 1

    added_hon = max(sum(t in HONORIFICS for t in cand) - sum(t in HONORIFICS for t in ref), 0)
    corroborated = literal_swaps + func_swaps + aux_shift + local > 0
    return {
        # separate edit sites per reference word, and how big they are
        "edt_site_density": len(sites) / n_ref,
        "edt_mean_site": sum(sizes) / len(sizes) if sizes else 0.0,
        "edt_max_site": max(sizes) / n_ref if sizes else 0.0,
        # share of the sentence's quarters that hold an edit (0 when nothing changed)
        "edt_spread": len(quarters) / 4.0,
        # inserted/deleted words: function words (grammar) vs content words (information)
        "edt_func_indel": n_func_indel / n_ref,
        "edt_content_indel": (n_indel - n_func_indel) / n_ref,
        "edt_long_indel": float(long_indel >= LONG),
        "edt_func_swap": func_swaps / n_ref,
        "edt_aux_shift": aux_shift / n_ref,
        "edt_local_swaps": local / n_ref,
        "edt_long_moves": far / n_ref,
        # new content words that are no dictionary relative or inflection of the word replaced
        "edt_contextual_new": contextual / n_ref,
        "edt_honorific_corroborated": float(added_hon > 0 and corroborated),
    }, []
