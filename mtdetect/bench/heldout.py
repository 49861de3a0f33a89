"""Rows scored by the shipped model on pairs it never trained on: each --pairs file (and the seed
sentences, seeds.py), with the baselines on the same pairs.

(The former leave-one-WMT-dataset-out section is gone: WMT MT next to an independent human
translation is not a round trip of the reference and is no longer training data; the
leave-one-source-out matrix, transfer.py, is the held-out evaluation.)
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Sequence

import numpy as np

from mtdetect.embed.minilm import pair_cosines
from mtdetect.inputs.pairs import Pair, read_pairs
from mtdetect.learn.train import prepare
from mtdetect.bench.baselines import baseline_scores
from mtdetect.bench.config import METHODS
from mtdetect.bench.evaluation import Scorer, evaluate
from mtdetect.bench.tables import rows_table


def bench_extra_pairs(files: Sequence[str], encoder: Any, model: Any, ngram_all: Scorer | None,
                      global_thr: dict[str, float] | None) -> list[dict]:
    """Each --pairs file scored by the shipped model (and the baselines) as its own row."""
    rows = []
    for path in files:
        data = prepare(read_pairs([path], require_label=True), encoder)
        refs, cands = [p.reference for p in data.pairs], [p.candidate for p in data.pairs]
        rows.append(shipped_row("pairs", Path(path).name, refs, cands, data.y, data.X,
                                pair_cosines(refs, cands, encoder), model, ngram_all, global_thr))
    return rows


def shipped_row(section: str, name: str, refs: list[str], cands: list[str], y: np.ndarray, X: np.ndarray,
                cosines: np.ndarray, model: Any, ngram_all: Scorer | None,
                global_thr: dict[str, float] | None) -> dict:
    """A row scored by the shipped model; the baselines' thresholds were picked on the matrix
    sample (without one a baseline has no threshold, so no F1: 0.5 would be no one's choice)."""
    base = baseline_scores([Pair(r, c) for r, c in zip(refs, cands)], cosines)
    scores = {"mtdetect": model.predict_proba(X, refs, cands), **base}
    if ngram_all is not None:
        scores["n-gram"] = ngram_all(cands)
    g = global_thr or {}
    thr = {m: np.float64(model.threshold) if m == "mtdetect" else None if g.get(m) is None else np.float64(g[m])
           for m in scores}
    return evaluate(section, name, np.ones(len(y), bool), y, scores, thr,
                    note="shipped model (never trained on these pairs)")


def render_pairs(res: dict) -> list[str]:
    """The --pairs files, each a row scored by the shipped model."""
    if not res.get("pairs_rows"):
        return []
    return ["## --pairs files (shipped model)", "", rows_table(res["pairs_rows"], METHODS), ""]
