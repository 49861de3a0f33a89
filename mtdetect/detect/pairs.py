"""`score --pairs`: each record of a pairs file back with its p_mt, scored by a reference Detector.

A pair is checked like an article (pair_problem: no empty or non-English side), normalised, and,
unless its sides are equal (a copy: p 0), scored from its features. Everything a pair needs that
depends on it alone runs in one step per chunk of pairs (`_pair_rows`), in worker processes for
a large file: one trip to the workers a batch instead of one for the language check, one for
normalising and one for the features (issue 23). Feature sets before v5 read the embedding
cosine of the pair; with those, the Detector scores the pairs as before (Detector.score_pairs).
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any, Sequence

import numpy as np

from mtdetect.features import feature_names, pair_features, uses_cosine
from mtdetect.text import normalize


def pair_problem(pair: Any) -> str | None:
    """Why a pair cannot be scored, checked like an article: a side with no text, or a side that
    is not English; None when it can be."""
    from mtdetect.inputs.guard import looks_english
    from mtdetect.text import iter_sentences

    for side in ("reference", "candidate"):
        if next(iter_sentences(getattr(pair, side)), None) is None:
            return f"empty {side} (no text): not scored"
    for side in ("reference", "candidate"):
        if not looks_english(getattr(pair, side)):
            return f"{side} is not English text: not scored"
    return None


def score_pairs_records(detector: Any, pairs: Sequence[Any], batch_size: int = 2048,
                        workers: int | None = None) -> list[dict]:
    """Each input record back with "p_mt" added, in input order (None, with an "error", for a
    pair with an empty or non-English side: pair_problem); render.render_pairs writes them in
    any --format.

    Records are scored in batches (a batch's distinct texts are embedded together where the
    features read the cosine); the result does not depend on the batch size, nor on `workers`
    (processes computing the features of a large file; default: one per usable core). The
    workers start on the next batch while this process classifies the one before (at most two
    batches under way: memory stays bounded), so they do not wait at each batch's end.
    """
    from contextlib import nullcontext

    from mtdetect.features import PARALLEL_CHUNK, feature_pool

    records: list[dict] = []
    with feature_pool(workers) if len(pairs) >= 4 * PARALLEL_CHUNK else nullcontext() as pool:
        if uses_cosine(detector.model.feature_names):  # the cosine needs the embedder: the Detector's way
            for start in range(0, len(pairs), batch_size):
                chunk = pairs[start : start + batch_size]
                _add_records(detector, chunk, _by_detector(detector, _texts(chunk), pool), records)
            return records
        under_way = None
        for start in range(0, len(pairs), batch_size):
            chunk = pairs[start : start + batch_size]
            started = (chunk, _start_rows(_texts(chunk), pool))
            if under_way is not None:
                _add_records(detector, under_way[0], _probabilities(detector, _rows_of(under_way[1])), records)
            under_way = started
        if under_way is not None:
            _add_records(detector, under_way[0], _probabilities(detector, _rows_of(under_way[1])), records)
    return records


def _texts(chunk: Sequence[Any]) -> list[tuple[str, str]]:
    return [(p.reference, p.candidate) for p in chunk]


def _problems_of(texts: list[tuple[str, str]]) -> list[str | None]:
    return [pair_problem(SimpleNamespace(reference=r, candidate=c)) for r, c in texts]


Row = tuple[str | None, str, str, list[float] | None]


def _pair_rows(texts: list[tuple[str, str]]) -> list[Row]:
    """(problem, normalised reference, normalised candidate, feature row) of each raw pair: the
    row is None for a pair with a problem or equal or empty normalised sides (Detector.score_pairs
    gives those p 0 without features). The features read no cosine (feature sets from v5 on)."""
    names = feature_names()
    out: list[Row] = []
    for problem, (r, c) in zip(_problems_of(texts), texts):
        if problem is not None:
            out.append((problem, "", "", None))
            continue
        ref, cand = normalize(r), normalize(c)
        values = pair_features(ref, cand, 0.0).values if ref != cand and ref and cand else None
        out.append((None, ref, cand, None if values is None else [values[n] for n in names]))
    return out


def _start_rows(texts: list[tuple[str, str]], pool: Any) -> Any:
    """_pair_rows of a batch: under way in the pool's workers (read with _rows_of), or done here."""
    from mtdetect.features import PARALLEL_CHUNK

    if pool is None:
        return _pair_rows(texts)
    return pool.map(_pair_rows, [texts[i : i + PARALLEL_CHUNK] for i in range(0, len(texts), PARALLEL_CHUNK)])


def _rows_of(started: Any) -> list[Row]:
    return started if isinstance(started, list) else [row for part in started for row in part]


def _probabilities(detector: Any, rows: list[Row]) -> list[str | float]:
    """Each pair's problem (a str) or p_mt: Detector.score_pairs' numbers from the rows."""
    todo = [k for k, (_, _, _, row) in enumerate(rows) if row is not None]
    names = feature_names()
    if names != detector.model.feature_names[: len(names)]:  # load_model checks this; as Detector._probabilities
        raise RuntimeError("feature names differ from the model card")
    p = np.zeros(len(rows))
    if todo:
        X = np.array([rows[k][3] for k in todo], dtype=np.float64).reshape(len(todo), len(names))
        p[todo] = detector.model.predict_proba(X, [rows[k][1] for k in todo], [rows[k][2] for k in todo])
    return [problem if problem is not None else float(p[k]) for k, (problem, _, _, _) in enumerate(rows)]


def _by_detector(detector: Any, texts: list[tuple[str, str]], pool: Any) -> list[str | float]:
    """The same, for feature sets that read the cosine: the language check, then Detector.score_pairs."""
    from mtdetect.features import chunked_map

    problems = chunked_map(_problems_of, texts, pool)
    scored = [t for t, problem in zip(texts, problems) if problem is None]
    probs = iter(detector.score_pairs([r for r, _ in scored], [c for _, c in scored], pool))
    return [problem if problem is not None else float(next(probs)) for problem in problems]


def _add_records(detector: Any, chunk: Sequence[Any], results: list[str | float], records: list[dict]) -> None:
    """Append each pair's record: the input fields, p_mt (or None and the problem) and the signature."""
    signature = detector.signature
    for p, result in zip(chunk, results):
        rec = {"reference": p.reference, "candidate": p.candidate, **p.meta}
        if isinstance(result, float):
            rec["p_mt"] = round(result, 6)
        else:  # scoring it as if it were English text would give a meaningless number
            rec["p_mt"] = None
            rec["error"] = result
        rec["signature"] = signature
        records.append(rec)
