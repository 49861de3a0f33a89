"""Sentence pairs from the ASAP essays and their Google Translate round trips (via fr and zh).

The round trips are whole documents, not sentence-aligned, so each essay and its round trip
are split and aligned exactly as a user's article is (`text.split_sentences`, `align.align`
with the product's AlignConfig); every 1:1, 1:2 or 2:1 link becomes one `label: mt` pair.

Cues from ../shared/data/README.md that would give the source away are masked here:
* spelling: students misspell and the round trip silently corrects it. A pair whose
  original has a word English does not know (wordfreq zipf 0) that its round trip lacks
  is dropped, so "corrected a typo" can never stand for MT;
* French-style spaces before `! ? : ;` are removed from the round trips;
* anonymisation placeholders (`@CAPS1`, `@LOCATION2`) are on both sides; pairs holding
  one are dropped (they are not English, and the round trip sometimes mangles them).

    python training/make_asap_pairs.py [--essays 400] [--out training/work/asap-pairs.jsonl.gz]
"""

from __future__ import annotations

import gzip
import json
import random
import re
import sys
from collections import Counter, defaultdict
from pathlib import Path

import numpy as np
from _common import SHARED, WORK, log, parser

from mtdetect.align import align
from mtdetect.embed.cache import CachedEncoder
from mtdetect.detect.reference import embedder_thresholds
from mtdetect.embed import make_embedder
from mtdetect.features.lexicon import zipf
from mtdetect.text import split_sentences, tokenize

_FRENCH_SPACE = re.compile(r"\s+([!?:;])")


def oov_words(text: str) -> set[str]:
    """Lower-case alphabetic words with no wordfreq entry (misspellings, mostly)."""
    return {t for t in (w.lower() for w in tokenize(text)) if t.isalpha() and zipf(t) == 0.0}


def load(path: Path, n_essays: int, seed: int) -> dict[str, dict[str, str]]:
    """doc_id -> {"reference": essay, "fr": round trip, "zh": round trip} for a seeded sample."""
    docs: dict[str, dict[str, str]] = defaultdict(dict)
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        for line in fh:
            r = json.loads(line)
            docs[r["doc_id"]]["reference"] = r["reference"]
            docs[r["doc_id"]][r["pivot"]] = r["candidate"]
    ids = sorted(d for d, v in docs.items() if {"reference", "fr", "zh"} <= set(v))
    pick = sorted(random.Random(seed).sample(ids, min(n_essays, len(ids))))
    return {d: docs[d] for d in pick}


def main() -> int:
    ap = parser(__doc__, out=WORK / "asap-pairs.jsonl.gz", seed=13)
    ap.add_argument("--data", type=Path, default=SHARED / "asap_gt_roundtrips.jsonl.gz")
    ap.add_argument("--essays", type=int, default=400, help="essays sampled (each gives an fr and a zh document)")
    ap.add_argument("--embedder", choices=("minilm", "static"), default="minilm",
                    help="the embedding that aligns the documents (default: %(default)s, as the shipped model was "
                    "trained; static: to measure the matrix with the other aligner, into another --out)")
    ap.add_argument("--threads", type=int, default=None, help="torch threads (default: torch's own)")
    args = ap.parse_args()

    docs = load(args.data, args.essays, args.seed)
    log(f"{len(docs)} essays sampled from {args.data}")
    split = {(doc_id, side): [s.text for s in split_sentences(_FRENCH_SPACE.sub(r"\1", text))]
             for doc_id, d in docs.items() for side, text in d.items()}
    # Every sentence embedded in one call (length-bucketed batches), then aligned per essay.
    embedder = make_embedder(args.embedder, threads=args.threads)
    config = embedder_thresholds(embedder)[0]  # the aligner's own threshold (MiniLM's: config)
    encoder = CachedEncoder(embedder)
    unique = sorted({s for sents in split.values() for s in sents})
    vectors = dict(zip(unique, encoder.encode(unique, progress=True)))
    encode = lambda sents: np.array([vectors[s] for s in sents])  # noqa: E731
    dropped: Counter = Counter()
    rows = []
    for n, doc_id in enumerate(docs):
        ref = split[(doc_id, "reference")]
        for pivot in ("fr", "zh"):
            sus = split[(doc_id, pivot)]
            if not ref or not sus or len(ref) * len(sus) > 1_500_000:
                dropped["empty or too long"] += 1
                continue
            for k, link in enumerate(align(sus, ref, encode, config)):
                if not link.reference:
                    dropped["unaligned"] += 1
                    continue
                cand = " ".join(sus[i] for i in link.suspect)
                orig = " ".join(ref[j] for j in link.reference)
                if "@" in cand or "@" in orig:
                    dropped["placeholder"] += 1
                elif oov_words(orig) - oov_words(cand):
                    dropped["misspelling corrected"] += 1
                else:
                    rows.append({"reference": orig, "candidate": cand, "label": "mt", "pivot": pivot,
                                 "system": f"gt-{pivot}", "engine": "google-translate", "dataset": "asap",
                                 "domain": "essays", "kind": "gt_roundtrip", "doc_id": doc_id, "seg_id": k,
                                 "alignment": link.kind, "similarity": round(link.similarity, 4)})
        if (n + 1) % 100 == 0:
            log(f"  {n + 1}/{len(docs)} essays, {len(rows)} pairs")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    with gzip.open(args.out, "wt", encoding="utf-8") as fh:
        for r in rows:
            fh.write(json.dumps(r, ensure_ascii=False) + "\n")
    log(f"wrote {len(rows)} pairs to {args.out}; dropped {dict(dropped)}")
    encoder.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
