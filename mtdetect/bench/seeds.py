"""The seeds: each seed article against 000 with the shipped model, verdicts from seeds/LABELS.md."""

from __future__ import annotations

import time
from typing import Any

import numpy as np

from mtdetect.embed.minilm import pair_cosines
from mtdetect.features import feature_matrix
from mtdetect.bench.config import METHODS, SEED_EXPECTED, SEEDS
from mtdetect.bench.heldout import shipped_row
from mtdetect.bench.tables import fmt, rows_table, table


def bench_seeds(detector: Any) -> tuple[list[dict], list[tuple[str, str, int]]]:
    """Each seed against 000 with the shipped model; also the scored sentence pairs (ref, cand, label)."""
    files = sorted(SEEDS.glob("0*.txt"))
    ref_text = files[0].read_text(encoding="utf-8")
    rows, pairs = [], []
    for f in files:
        t = time.perf_counter()
        res = detector.score_article(f.read_text(encoding="utf-8"), ref_text)
        seconds = time.perf_counter() - t
        sid = f.name[:3]
        expected = SEED_EXPECTED.get(sid, "?")
        rows.append({"file": f.name, "expected": expected, "verdict": res.verdict, "ok": res.verdict == expected,
                     "flagged_fraction": round(res.flagged_fraction, 4), "mean_p_mt": round(res.mean_p_mt, 4),
                     "p_article": None if res.p_article is None else round(res.p_article, 4),
                     "n_sentences": res.n_sentences, "n_scored": res.n_scored, "seconds": round(seconds, 3)})
        if sid in ("001", "002", "003"):  # 001: round trip (MT); 002/003: human rewrites
            pairs += [(" ".join(s.reference), s.text, int(sid == "001")) for s in res.sentences if s.status == "scored"]
    return rows, pairs


def seed_sentences_row(seed_pairs: list[tuple[str, str, int]], encoder: Any, model: Any, ngram_all: Any,
                       global_thr: dict[str, float] | None) -> dict:
    """The seeds' scored sentences as one row: 001's are MT, 002/003's human rewrites."""
    refs, cands, labels = zip(*seed_pairs)
    cos = pair_cosines(refs, cands, encoder)
    X, _, _ = feature_matrix(refs, cands, cos)
    return shipped_row("seeds", "seed sentences: 001 (MT) vs 002+003 (human)", list(refs), list(cands),
                       np.array(labels), X, cos, model, ngram_all, global_thr)


def render_seeds(res: dict) -> list[str]:
    """The seeds section: article verdicts, and the seed sentences as a row."""
    L = ["## Seeds (shipped model, article verdicts against 000)", "",
         table(["file", "expected", "verdict", "ok", "flagged fraction", "mean p_mt", "p_article",
                "scored / sentences"],
               [[r["file"], r["expected"], r["verdict"], "yes" if r["ok"] else "**NO**", fmt(r["flagged_fraction"]),
                 fmt(r["mean_p_mt"]), fmt(r.get("p_article")), f"{r['n_scored']}/{r['n_sentences']}"]
                for r in res["seeds"]]), ""]
    if res.get("seeds_pairs_rows"):
        L += ["Sentence level (001's scored sentences are MT, 002/003's are human rewrites; baselines' thresholds "
              "picked on the matrix sample):", "", rows_table(res["seeds_pairs_rows"], METHODS), ""]
    return L
