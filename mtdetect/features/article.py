"""Evidence that only a whole article gives: its shape, its verbatim sentences, its quotes and
how evenly its edits are spread (issue 22). Read by the article model (detect/article.py) and shown
in every report.

* shape (`document_structure`): a round trip keeps every sentence, in order, 1:1; people drop,
  add, merge and reorder. `in_order_1to1` is the share of the suspect's sentences (links) that
  are 1:1 and on the longest in-order chain of reference positions; `reference_covered` the
  share of the reference sentences between the first and the last one taken up that some
  suspect sentence took up (within that span, so that an excerpt that was round-tripped whole
  is not read as a rewrite that dropped the rest);
* `verbatim_share`: of the suspect's aligned sentences of >= 10 words, the share returned
  unchanged (after normalisation). A neural round trip almost never returns a long sentence
  unchanged; an editor keeps many;
* quotes (`quote_evidence`): words inside quotation marks in the reference that the aligned
  suspect sentence still quotes, but not verbatim, with both wordings (a quote the suspect no
  longer quotes is reported speech: not counted) (a journalist does not alter a
  quote; a round trip rewords it. Quotes translated from another language legitimately differ
  between outlets, so it is evidence to weigh, not a rule);
* `edit_cv`: coefficient of variation of the per-sentence amount of edit over the scored
  (non-copy) sentences: a round trip changes every sentence about as much; a person keeps
  some and rewrites others.

Shape and verbatim share exist only for real documents: pseudo-documents made of sentence
pairs are 1:1 and in order by construction and hold no copies, so for them these are None
(missing) and the article model treats them as neutral.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from difflib import SequenceMatcher
from typing import Sequence

import numpy as np

from mtdetect.text import normalize, tokenize

LONG_WORDS = 10  # "long sentence" for the verbatim share
MIN_QUOTE_WORDS = 3  # shorter quoted spans are titles and scare quotes, not speech
MIN_QUOTE_OVERLAP = 0.3  # a suspect quote this close to the reference's is the same quote, reworded
_QUOTE = re.compile(r'"([^"]+)"')


def _words(text: str) -> list[str]:
    return [t.lower() for t in tokenize(text) if t[:1].isalnum()]


def _longest_increasing(values: Sequence[int]) -> set[int]:
    """Positions (into `values`) of one longest strictly increasing subsequence."""
    tails: list[int] = []
    tail_pos: list[int] = []
    prev = [-1] * len(values)
    for i, v in enumerate(values):
        k = bisect_left(tails, v)
        if k == len(tails):
            tails.append(v)
            tail_pos.append(i)
        else:
            tails[k], tail_pos[k] = v, i
        prev[i] = tail_pos[k - 1] if k else -1
    out, i = set(), tail_pos[-1] if tail_pos else -1
    while i >= 0:
        out.add(i)
        i = prev[i]
    return out


def document_structure(suspect: Sequence[str], reference: Sequence[str],
                       links: Sequence[tuple[Sequence[int], Sequence[int]]]) -> dict:
    """Shape and verbatim share of one aligned document (links: (suspect idx, reference idx))."""
    matched = [(i, tuple(s), tuple(r)) for i, (s, r) in enumerate(links) if r]
    chain = _longest_increasing([r[0] for _, _, r in matched])
    in_order = sum(1 for k, (_, s, r) in enumerate(matched) if k in chain and len(s) == 1 and len(r) == 1)
    covered = {j for _, _, r in matched for j in r}
    long_total = long_kept = 0
    for _, s, r in matched:
        text = " ".join(suspect[i] for i in s)
        if len(_words(text)) >= LONG_WORDS:
            long_total += 1
            long_kept += normalize(text) == normalize(" ".join(reference[j] for j in r))
    span = max(covered) - min(covered) + 1 if covered else max(len(reference), 1)
    return {"in_order_1to1": in_order / max(len(links), 1),
            "reference_covered": len(covered) / span,
            "verbatim_share": long_kept / long_total if long_total else None,
            "n_long": long_total, "n_links": len(links), "n_reference": len(reference)}


def _contains(hay: list[str], needle: list[str]) -> bool:
    n = len(needle)
    return any(hay[i : i + n] == needle for i in range(len(hay) - n + 1))


def quote_evidence(pairs: Sequence[tuple[str, str]], indices: Sequence[int] | None = None) -> dict:
    """Quotes in each pair's reference (>= MIN_QUOTE_WORDS words) and those whose words the
    suspect did not keep verbatim, each with both wordings. `pairs`: (reference, suspect)."""
    total = 0
    altered: list[dict] = []
    for k, (ref, sus) in enumerate(pairs):
        sus_words = _words(sus)
        sus_quotes = _QUOTE.findall(normalize(sus))
        for q in _QUOTE.findall(normalize(ref)):
            qw = _words(q)
            if len(qw) < MIN_QUOTE_WORDS:
                continue
            total += 1
            if _contains(sus_words, qw):
                continue
            ratio, best = max(((SequenceMatcher(None, qw, _words(s)).ratio(), s) for s in sus_quotes),
                              default=(0.0, ""))
            if ratio < MIN_QUOTE_OVERLAP:  # not quoted any more (reported speech): no evidence either way
                total -= 1
                continue
            altered.append({"sentence": indices[k] if indices is not None else k,
                            "reference_quote": q.strip(), "suspect_wording": best.strip()})
    return {"n_quotes": total, "altered": altered,
            "quote_altered_share": len(altered) / total if total else None}


def edit_amount(ref: str, sus: str) -> float:
    """1 - similarity of the two word sequences (0: same words in the same order)."""
    return 1.0 - SequenceMatcher(None, _words(ref), _words(sus), autojunk=False).ratio()


def edit_cv(pairs: Sequence[tuple[str, str]], min_sentences: int = 3) -> float | None:
    """Coefficient of variation of the per-sentence edit amount (None below min_sentences)."""
    if len(pairs) < min_sentences:
        return None
    d = np.array([edit_amount(r, s) for r, s in pairs])
    return float(d.std() / d.mean()) if d.mean() > 0 else None


def pair_evidence(pairs: Sequence[tuple[str, str]], indices: Sequence[int] | None = None) -> dict:
    """Quote and evenness evidence of a document's scored (reference, suspect) pairs."""
    q = quote_evidence(pairs, indices)
    return {**q, "edit_cv": edit_cv(pairs)}
