"""Features of an aligned (reference, candidate) pair, each produced with its name.

Groups (one module each): `similarity`, `lexical`, `collocation`, `literal`, `surface`, `edits`. Every group
returns `(values: dict[name, float], evidence: list[Evidence])`; the feature vector is the
concatenation in GROUPS order, so names and values can never drift apart.

Bump FEATURE_VERSION whenever a feature's definition changes: a model trained on another
version is refused at load time.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Sequence

import numpy as np

from mtdetect.features import collocation, edits, lexical, literal, similarity, surface
from mtdetect.features.base import Evidence, Group, PairView

FEATURE_VERSION = "5"

GROUPS: dict[str, Callable[[PairView], Group]] = {
    "similarity": similarity.compute,
    "lexical": lexical.compute,
    "collocation": collocation.compute,
    "literal": literal.compute,
    "surface": surface.compute,
    "edits": edits.compute,
}


@dataclass(frozen=True)
class PairFeatures:
    """Named feature values and the evidence behind them, for one pair."""

    values: dict[str, float]
    evidence: tuple[Evidence, ...]


def pair_features(reference: str, candidate: str, emb_cos: float) -> PairFeatures:
    """Features of one pair; `emb_cos` is the cosine of the two sentence embeddings."""
    view = PairView(reference, candidate, emb_cos)
    values: dict[str, float] = {}
    evidence: list[Evidence] = []
    for compute in GROUPS.values():
        vals, ev = compute(view)
        values.update(vals)
        evidence.extend(ev)
    return PairFeatures(values, tuple(evidence))


def feature_names() -> list[str]:
    """Names of the current feature set, in vector order."""
    return list(pair_features("A short example.", "A brief example.", 0.9).values)


def uses_cosine(names: Sequence[str] | None = None) -> bool:
    """Whether a feature set reads the pair's embedding cosine (feature sets before v5 did):
    without it, scoring pairs needs no embedding at all."""
    return "sim_emb_cos" in (names or feature_names())


def feature_directions(names: Sequence[str] | None = None) -> list[int]:
    """Expected sign (+1 more MT, -1 less, 0 free) of each feature, from the group modules."""
    table: dict[str, int] = {}
    for module in (similarity, lexical, collocation, literal, surface, edits):
        table.update(module.DIRECTIONS)
    return [table.get(n, 0) for n in (names or feature_names())]


def group_of(name: str) -> str:
    """The group a feature belongs to, from its prefix."""
    prefix = name.split("_", 1)[0]
    return {"sim": "similarity", "lex": "lexical", "col": "collocation", "lit": "literal", "srf": "surface",
            "edt": "edits"}[prefix]


def feature_matrix(
    references: Sequence[str], candidates: Sequence[str], cosines: Sequence[float], progress: bool = False
) -> tuple[np.ndarray, list[str], list[PairFeatures]]:
    """Stack pair features into an (n, d) float matrix with its column names."""
    items = zip(references, candidates, cosines)
    if progress:
        from mtdetect.report.progress import track

        items = track(items, total=len(references), label="features")
    rows = [pair_features(r, c, float(e)) for r, c, e in items]
    names = feature_names()
    X = np.array([[row.values[n] for n in names] for row in rows], dtype=np.float64).reshape(len(rows), len(names))
    return X, names, rows
