"""The benchmark's samples: the matrix sample of every source (sources.load_sources), and WMT pairs
for the speed rows."""

from __future__ import annotations

import gzip
import json
import random
from collections import defaultdict
from pathlib import Path

from mtdetect.inputs.pairs import Pair
from mtdetect.learn.sources import Caps, load_sources
from mtdetect.bench.config import WMT_FILE

EVERYTHING = Caps(essays=10**9, tweets=10**9, apertium=10**9, human=10**9)


def read_jsonl_gz(path: Path) -> list[dict]:
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def sample_documents(pairs: list[Pair], per_source: int, seed: int) -> list[Pair]:
    """At most `per_source` pairs of each source (`group`), an equal share of each sub-part
    (pivot, rewriter), taken as whole documents in a seeded order; a document larger than
    what is left of the share contributes a contiguous run of it. So essays keep real
    documents and sentence sources keep runs of consecutive sentences, and the protocol's
    article step has documents of 5-25 sentences to score."""
    rng = random.Random(seed)
    by: dict[str, dict[str, dict[str, list[Pair]]]] = defaultdict(lambda: defaultdict(lambda: defaultdict(list)))
    for p in pairs:
        by[p.meta["group"]][p.meta["sub"]][p.meta["doc"]].append(p)
    out: list[Pair] = []
    for group in sorted(by):
        subs = by[group]
        share = max(per_source // len(subs), 1)
        for sub in sorted(subs):
            docs = subs[sub]
            left = share
            for doc in rng.sample(sorted(docs), len(docs)):
                if left <= 0:
                    break
                members = sorted(docs[doc], key=lambda p: p.meta["pos"])
                if len(members) > left:
                    start = rng.randrange(len(members) - left + 1)
                    members = members[start : start + left]
                out += members
                left -= len(members)
    return out


def load_matrix_sample(data_dir: Path, work_dir: Path, per_source: int, seed: int,
                       notes: list[str]) -> list[Pair]:
    """The bench's sample of every training source (mtdetect/sources.py), `per_source` each."""
    pairs, missing = load_sources(data_dir, work_dir, EVERYTHING)
    notes += [f"matrix sample: {m}" for m in missing]
    return sample_documents(pairs, per_source, seed)


def wmt_speed_samples(data_dir: Path, n: int, seed: int) -> dict[str, list[tuple[str, str]]]:
    """Two samples of n WMT (reference, candidate) pairs for the speed rows: random pairs, and a
    contiguous run of the file from a random start (several candidates per reference)."""
    recs = [(r["reference"], r["candidate"]) for r in read_jsonl_gz(data_dir / WMT_FILE)]
    rng = random.Random(seed)
    start = rng.randrange(max(1, len(recs) - n))
    return {"random": rng.sample(recs, min(n, len(recs))), "file order": recs[start : start + n]}
