"""Features of an aligned (reference, candidate) pair, each produced with its name.

Groups (one module each): `similarity`, `lexical`, `collocation`, `literal`, `surface`, `edits`. Every group
returns `(values: dict[name, float], evidence: list[Evidence])`; the feature vector is the
concatenation in GROUPS order, so names and values can never drift apart.

Bump FEATURE_VERSION whenever a feature's definition changes: a model trained on another
version is refused at load time.
"""

from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Callable, Iterator, Sequence

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
    return list(_feature_names())


@lru_cache(maxsize=1)
def _feature_names() -> tuple[str, ...]:  # fixed for the process: every feature_matrix call asks
    return tuple(pair_features("A short example.", "A brief example.", 0.9).values)


def uses_cosine(names: Sequence[str] | None = None) -> bool:
    """Whether a feature set reads the pair's embedding cosine (feature sets before v5 did):
    without it, scoring pairs needs no embedding at all."""
    return "sim_emb_cos" in (names or feature_names())


def feature_directions(names: Sequence[str] | None = None) -> list[int]:
    """Expected sign (+1 more MT, -1 less, 0 free) of each feature, from the group modules."""
    table: dict[str, int] = {"lexicon": +1}  # the stacked edit lexicon's logit (learn/lexicon.py): MT-ward
    for module in (similarity, lexical, collocation, literal, surface, edits):
        table.update(module.DIRECTIONS)
    return [table.get(n, 0) for n in (names or feature_names())]


def group_of(name: str) -> str:
    """The group a feature belongs to, from its prefix."""
    prefix = name.split("_", 1)[0]
    return {"sim": "similarity", "lex": "lexical", "col": "collocation", "lit": "literal", "srf": "surface",
            "edt": "edits"}[prefix]


def feature_matrix(
    references: Sequence[str], candidates: Sequence[str], cosines: Sequence[float], progress: bool = False,
    pool: Any = None,
) -> tuple[np.ndarray, list[str], list[PairFeatures]]:
    """Stack pair features into an (n, d) float matrix with its column names.

    `pool`: an executor from `feature_pool` to compute the pairs in worker processes (the same
    values: each pair's features depend on that pair only)."""
    if pool is not None and len(references) >= 2 * PARALLEL_CHUNK:
        items = [(r, c, float(e)) for r, c, e in zip(references, candidates, cosines)]
        chunks = [items[i : i + PARALLEL_CHUNK] for i in range(0, len(items), PARALLEL_CHUNK)]
        rows = [row for part in pool.map(_rows_of, chunks) for row in part]
    else:
        items = zip(references, candidates, cosines)
        if progress:
            from mtdetect.report.progress import track

            items = track(items, total=len(references), label="features")
        rows = [pair_features(r, c, float(e)) for r, c, e in items]
    names = feature_names()
    X = np.array([[row.values[n] for n in names] for row in rows], dtype=np.float64).reshape(len(rows), len(names))
    return X, names, rows


PARALLEL_CHUNK = 256  # pairs per task of a feature pool


def chunked_map(fn: Callable[[list], list], items: Sequence[Any], pool: Any = None) -> list:
    """`fn` (a list -> a list as long) over `items`: in the pool's workers, PARALLEL_CHUNK items
    a task, where there is a pool (feature_pool), else here; the results in order."""
    if pool is None:
        return fn(list(items))
    parts = [list(items[i : i + PARALLEL_CHUNK]) for i in range(0, len(items), PARALLEL_CHUNK)]
    return [x for part in pool.map(fn, parts) for x in part]


def _rows_of(chunk: list[tuple[str, str, float]]) -> list[PairFeatures]:
    return [pair_features(r, c, e) for r, c, e in chunk]


@contextmanager
def feature_pool(workers: int | None = None) -> Iterator[Any]:
    """Worker processes for `feature_matrix` (forked: they share the word counts loaded here once);
    None (compute in this process) for one worker or where fork is not available."""
    import multiprocessing as mp
    import os

    workers = workers or len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (workers or 1)
    if workers <= 1 or "fork" not in mp.get_all_start_methods():
        yield None
        return
    from concurrent.futures import ProcessPoolExecutor

    from mtdetect.features.lexicon import bigram_texts, zipf

    # load before forking, so the workers share the tables instead of each loading them: the word
    # counts, and whatever else one pair reads (feature_names computes one)
    bigram_texts(), zipf("the"), feature_names()
    with ProcessPoolExecutor(workers, mp_context=mp.get_context("fork")) as pool:
        yield pool
