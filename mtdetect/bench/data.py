"""The benchmark's samples of the shared data: WMT pairs, Apertium round trips, tweets."""

from __future__ import annotations

import gzip
import json
import random
from pathlib import Path

from ..pairs import Pair
from .config import APERTIUM_FILE, ROOT, TWEETS_FILE, WMT_FILE, Sizes


def read_jsonl_gz(path: Path) -> list[dict]:
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def to_pair(rec: dict) -> Pair:
    meta = {k: rec[k] for k in ("dataset", "system", "kind", "pivot", "seg_id") if rec.get(k) not in (None, "")}
    label = 1 if str(rec.get("label")).lower() in ("mt", "1", "true") else 0
    return Pair(rec["reference"], rec["candidate"], label, meta)


def _sample(rng: random.Random, buckets: dict[tuple, list[dict]], cap: int) -> list[dict]:
    out: list[dict] = []
    for key in sorted(buckets):
        items = buckets[key]
        out.extend(items if len(items) <= cap else rng.sample(items, cap))
    return out


def load_wmt_sample(data_dir: Path, sizes: Sizes, seed: int, notes: list[str]) -> list[Pair]:
    """Stratified sample of WMT pairs (and Apertium round trips of their references, when built)."""
    rng = random.Random(seed)
    mt: dict[tuple, list[dict]] = {}
    human: dict[tuple, list[dict]] = {}
    for rec in read_jsonl_gz(data_dir / WMT_FILE):
        if rec["reference"].strip() == rec["candidate"].strip():
            continue  # copies are never scored as translations
        bucket = mt if rec["label"] == "mt" else human
        bucket.setdefault((rec["dataset"], rec.get("system", "")) if rec["label"] == "mt" else (rec["dataset"],), []).append(rec)
    recs = _sample(rng, mt, sizes.mt_per_system) + _sample(rng, human, sizes.human_per_dataset)
    if APERTIUM_FILE.exists():
        rt: dict[tuple, list[dict]] = {}
        for rec in read_jsonl_gz(APERTIUM_FILE):
            rt.setdefault((rec["dataset"], rec["pivot"]), []).append(rec)
        recs += _sample(rng, rt, sizes.rt_per_pivot)
    else:
        notes.append(f"Apertium round-trip pairs skipped: {APERTIUM_FILE.relative_to(ROOT)} is absent "
                     "(run training/make_roundtrips.py).")
    return [to_pair(r) for r in recs]


def wmt_speed_samples(data_dir: Path, n: int, seed: int) -> dict[str, list[tuple[str, str]]]:
    """Two samples of n WMT (reference, candidate) pairs for the speed rows: random pairs, and a
    contiguous run of the file from a random start (several candidates per reference)."""
    recs = [(r["reference"], r["candidate"]) for r in read_jsonl_gz(data_dir / WMT_FILE)]
    rng = random.Random(seed)
    start = rng.randrange(max(1, len(recs) - n))
    return {"random": rng.sample(recs, min(n, len(recs))), "file order": recs[start : start + n]}


def load_tweets(data_dir: Path, n: int, seed: int) -> list[Pair]:
    recs = [r for r in read_jsonl_gz(data_dir / TWEETS_FILE) if r["reference"].strip() != r["candidate"].strip()]
    recs = random.Random(seed).sample(recs, min(n, len(recs)))
    for r in recs:
        r["kind"] = "tweets_opusmt"
    return [to_pair(r) for r in recs]
