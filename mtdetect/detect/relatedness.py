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
* `top3`: mean cosine of the three closest groups.

`RelatednessRule` is a logistic model on these, fitted per aligning embedder on document pairs
of ../shared/data (learn/relatedness.py, `training/fit_relatedness.py`) and kept in the reference
model card (`relatedness`, keyed by the embedder's name and weights). An embedder without a
fitted rule falls back to the share rule (VerdictRule.min_related_share). Plain numpy at scoring.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Sequence

import numpy as np

FEATURES = ("share", "linked", "mean_best", "top3")
THRESHOLD = 0.5  # derived when p_related >= this


def relatedness_evidence(similarity: Sequence[float], matched: Sequence[bool], related_cosine: float) -> np.ndarray:
    """FEATURES of one aligned document (per suspect sentence group: cosine, matched?)."""
    sim = np.asarray(similarity, dtype=float)
    hit = np.asarray(matched, dtype=bool)
    if not len(sim):
        return np.zeros(len(FEATURES))
    top = np.sort(sim)[-3:]
    return np.array([float(np.mean(hit & (sim >= related_cosine))), float(np.mean(hit)), float(sim.mean()),
                     float(top.mean())])


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
