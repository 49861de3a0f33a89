"""Is the suspect derived from the reference at all? The verdict rule's relatedness test.

A suspect that is not a rewrite or a round trip of the reference (another article on the same
event, another essay on the same prompt) meets some reference sentences by chance; none of its
sentences is a translation of the reference, so none may be scored as MT (verdict `unrelated`).

The evidence is read off the alignment, one value per suspect sentence group (`Link`): its
cosine (the aligned pair's, or the best over the reference for an unmatched group), whether it
is matched, and the embedder's `related_cosine`:

* `share`: matched groups at cosine >= related_cosine, over all groups (the old rule's share);
* `linked`: matched groups, over all groups;
* `mean_best`: mean cosine of all groups;
* `top3`: mean cosine of the three closest groups;

and one value per suspect sentence from its words (`word_overlap`, no embedder): the share of its
words' weight found in its best reference sentence, a word weighing log((n + 1) / (df + 1)) over
the n sentences of both texts, df of which use it. The words both texts use everywhere (the
topic: "computers", "Putin") weigh little; the details a derived sentence carries over (names,
numbers, a quotation's rare words) weigh most, and another text on the same subject rarely
shares them sentence by sentence:

* `overlap`: mean over suspect sentences;
* `overlap_share`: share of suspect sentences with an overlap of at least OVERLAP_HIT.

`RelatednessRule` is a logistic model on these, fitted per aligning embedder on document pairs
of ../shared/data (learn/relatedness.py, `training/fit_relatedness.py`) and kept in the reference
model card (`relatedness`, keyed by the embedder's name and weights). An embedder without a
fitted rule falls back to the share rule (VerdictRule.min_related_share). Plain numpy at scoring.
"""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from dataclasses import dataclass
from typing import Sequence

import numpy as np

FEATURES = ("share", "linked", "mean_best", "top3", "overlap", "overlap_share")
THRESHOLD = 0.5  # derived when p_related >= this
OVERLAP_HIT = 0.5  # a suspect sentence with this share of its words' weight in one reference sentence
_WORD = re.compile(r"[a-z0-9]{3,}")


def _words(sentence: str) -> set[str]:
    return set(_WORD.findall(sentence.lower()))


def word_overlap(suspect: Sequence[str], reference: Sequence[str]) -> np.ndarray:
    """Per suspect sentence: the share of its words' weight (see the module docstring) found in
    the reference sentence that holds the most of it. Bounded by the alignment's own size limit:
    one bincount over the postings of the sentence's words per suspect sentence."""
    sus, ref = [_words(s) for s in suspect], [_words(r) for r in reference]
    out = np.zeros(len(sus))
    if not sus or not ref:
        return out
    df = Counter(w for ws in sus + ref for w in ws)
    n = len(sus) + len(ref)
    weight = {w: math.log((n + 1) / (d + 1)) for w, d in df.items()}
    lists: dict[str, list[int]] = defaultdict(list)
    for j, ws in enumerate(ref):
        for w in ws:
            lists[w].append(j)
    postings = {w: np.array(js) for w, js in lists.items()}
    # a set's order follows the process's string hashing: fsum and the sorted words make each
    # value the same in every process, not only up to the last bit
    for i, ws in enumerate(sus):
        total = math.fsum(weight[w] for w in ws)
        shared = sorted(w for w in ws if w in postings)
        if total <= 0 or not shared:
            continue
        cols = np.concatenate([postings[w] for w in shared])
        weights = np.repeat([weight[w] for w in shared], [len(postings[w]) for w in shared])
        out[i] = np.bincount(cols, weights, minlength=len(ref)).max() / total
    return out


def relatedness_evidence(similarity: Sequence[float], matched: Sequence[bool], related_cosine: float,
                         overlap: Sequence[float] = ()) -> np.ndarray:
    """FEATURES of one aligned document: per suspect sentence group its cosine and whether it is
    matched; per suspect sentence its `word_overlap`."""
    sim = np.asarray(similarity, dtype=float)
    hit = np.asarray(matched, dtype=bool)
    words = np.asarray(overlap, dtype=float)
    out = np.zeros(len(FEATURES))
    if len(sim):
        out[:4] = [np.mean(hit & (sim >= related_cosine)), np.mean(hit), sim.mean(), np.sort(sim)[-3:].mean()]
    if len(words):
        out[4:] = [words.mean(), np.mean(words >= OVERLAP_HIT)]
    return out


@dataclass(frozen=True)
class RelatednessRule:
    """p(derived) = sigmoid(coef . (evidence - mean) / scale + intercept); derived at >= THRESHOLD."""

    mean: tuple[float, ...]
    scale: tuple[float, ...]
    coef: tuple[float, ...]
    intercept: float
    embedder: str  # the aligning embedder's name ...
    embedding_sha256: str  # ... and weights: a rule holds for the cosines of that embedder only

    def p_related(self, evidence: np.ndarray) -> float:
        z = float(((np.asarray(evidence) - np.array(self.mean)) / np.array(self.scale)) @ np.array(self.coef))
        z += self.intercept
        return 1.0 / (1.0 + math.exp(-max(min(z, 700.0), -700.0)))

    def related(self, evidence: np.ndarray) -> bool:
        return self.p_related(evidence) >= THRESHOLD

    def to_dict(self) -> dict:
        return {"features": list(FEATURES), "mean": list(self.mean), "scale": list(self.scale),
                "coef": list(self.coef), "intercept": self.intercept, "embedder": self.embedder,
                "embedding_sha256": self.embedding_sha256}

    @classmethod
    def from_dict(cls, d: dict) -> "RelatednessRule":
        if list(d.get("features", [])) != list(FEATURES):
            raise ValueError("relatedness rule built for other evidence")
        arrays = tuple(tuple(float(x) for x in d[k]) for k in ("mean", "scale", "coef"))
        if any(len(a) != len(FEATURES) for a in arrays) or not all(s > 0 for s in arrays[1]):
            raise ValueError("relatedness rule's arrays do not match its evidence")
        return cls(*arrays, float(d["intercept"]), str(d["embedder"]), str(d["embedding_sha256"]))


def rule_for(card: dict, embedder_name: str, embedding_sha256: str) -> RelatednessRule | None:
    """The card's rule fitted for this embedder (same name and weights), else None."""
    for d in (card.get("relatedness") or {}).get("rules", []):
        if d.get("embedder") == embedder_name and d.get("embedding_sha256") == embedding_sha256:
            return RelatednessRule.from_dict(d)
    return None
