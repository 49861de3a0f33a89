"""Round-trip English originals that have human rewrites through Apertium (en -> pivot -> en).

So that each source of human rewrites holds both classes on *the same* originals:
``--corpus wmt`` (WMT news references, whose human side is an independent translation),
``asset`` (Wikipedia sentences, crowd rewrites) or ``bible`` (King James verses: Webster,
BBE, YLT). Each unique original (dataset, seg_id, reference) goes through every installed
pivot (es, ca, gl, eo, and French through Spanish or Catalan: fr_es, fr_ca) and
training/work/roundtrips-CORPUS.jsonl.gz gets one ``label: mt`` line per (original, pivot).
Round trips identical to the original are skipped and counted. Apertium is deterministic
and the output is sorted, so reruns give the same file; ``--seed`` only picks the
``--limit`` sample.

    python training/make_roundtrips.py --corpus asset [--limit N] [--pivots es,fr_es]
"""

from __future__ import annotations

import gzip
import json
import random
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from _common import SHARED, WORK, log, parser  # also puts the repository on sys.path

from mtdetect.learn.roundtrip import PIVOTS, RoundTripError, available_pivots, check_pivot, roundtrip

CORPORA = {  # corpus -> (file in ../shared/data, domain, default --limit)
    "wmt": ("wmt_mt_vs_human.jsonl.gz", "news", 3000),
    "asset": ("asset_human_rewrites.jsonl.gz", "wikipedia", 0),
    "bible": ("bible_human_versions.jsonl.gz", "bible", 3000),
}


def load_references(path: Path) -> list[dict]:
    """Unique references, deduplicated by (dataset, seg_id, reference), sorted."""
    seen: dict[tuple, dict] = {}
    with gzip.open(path, "rt", encoding="utf-8") as f:
        for line in f:
            rec = json.loads(line)
            key = (rec["dataset"], rec["seg_id"], rec["reference"])
            if key not in seen:
                seen[key] = {k: rec[k] for k in ("dataset", "seg_id", "doc_id", "reference") if k in rec}
                seen[key]["doc_id"] = str(rec.get("doc_id") or f"{rec['dataset']}:{rec['seg_id']}")
    return [seen[k] for k in sorted(seen, key=lambda k: (k[0], str(k[1]).zfill(12), k[2]))]


def run_pivot(pivot: str, refs: list[dict], batch_size: int) -> tuple[str, list[str], float]:
    start = time.time()
    total = len(refs)

    def progress(done: int) -> None:
        log(f"  [{pivot}] {done}/{total} ({time.time() - start:.0f}s)")

    out = roundtrip([r["reference"] for r in refs], pivot, batch_size, progress)
    return pivot, out, time.time() - start


def main(argv: list[str] | None = None) -> int:
    ap = parser(__doc__)
    ap.add_argument("--corpus", choices=sorted(CORPORA), default="wmt", help="whose originals (default: %(default)s)")
    ap.add_argument("--data", type=Path, default=None, help="its jsonl.gz (default: ../shared/data/...)")
    ap.add_argument("--out", type=Path, default=None, help="output (default: training/work/roundtrips-CORPUS.jsonl.gz)")
    ap.add_argument("--pivots", default="", help="comma-separated pivots (default: all available)")
    ap.add_argument("--limit", type=int, default=-1, help="only N originals (seeded sample; default per corpus, 0 = all)")
    ap.add_argument("--seed", type=int, default=13, help="seed for the --limit sample")
    ap.add_argument("--batch-size", type=int, default=500)
    ap.add_argument("--jobs", type=int, default=2, help="pivots run in parallel")
    args = ap.parse_args(argv)

    try:
        pivots = [p.strip() for p in args.pivots.split(",") if p.strip()] or available_pivots()
        if not pivots:
            raise RoundTripError("no Apertium pair installed: apt-get install apertium "
                                 + " ".join(sorted({pkg for c in PIVOTS.values() for pkg in c.packages})))
        for p in pivots:
            check_pivot(p)
    except RoundTripError as exc:
        log(f"error: {exc}")
        return 2

    fname, domain, default_limit = CORPORA[args.corpus]
    data = args.data or SHARED / fname
    out_path = args.out or WORK / f"roundtrips-{args.corpus}.jsonl.gz"
    limit = default_limit if args.limit < 0 else args.limit
    refs = load_references(data)
    log(f"{len(refs)} unique references from {data}")
    if limit and limit < len(refs):
        idx = sorted(random.Random(args.seed).sample(range(len(refs)), limit))
        refs = [refs[i] for i in idx]
        log(f"--limit: using {len(refs)} references (seed {args.seed})")

    t0 = time.time()
    results: dict[str, list[str]] = {}
    try:
        with ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
            futures = [pool.submit(run_pivot, p, refs, args.batch_size) for p in pivots]
            for fut in futures:
                pivot, out, secs = fut.result()
                results[pivot] = out
                log(f"{pivot}: {len(out)} round trips in {secs:.0f}s ({len(out) / max(secs, 1e-9):.0f} sent/s)")
    except RoundTripError as exc:
        log(f"error: {exc}")
        return 1

    out_path.parent.mkdir(parents=True, exist_ok=True)
    written = identical = empty = 0
    per_pivot: dict[str, int] = {}
    with open(out_path, "wb") as raw, gzip.GzipFile(filename="", fileobj=raw, mode="wb", mtime=0) as gz:
        for i, ref in enumerate(refs):
            for pivot in pivots:
                cand = results[pivot][i]
                if not cand.strip():
                    empty += 1
                    continue
                if cand == ref["reference"]:
                    identical += 1
                    continue
                rec = {
                    "reference": ref["reference"],
                    "candidate": cand,
                    "label": "mt",
                    "system": f"apertium-{pivot}",
                    "pivot": pivot,
                    "dataset": ref["dataset"],
                    "seg_id": ref["seg_id"],
                    "doc_id": ref["doc_id"],
                    "domain": domain,
                    "kind": "apertium_roundtrip",
                    "source": PIVOTS[pivot].command,
                    "identical": False,
                }
                gz.write((json.dumps(rec, ensure_ascii=False) + "\n").encode("utf-8"))
                written += 1
                per_pivot[pivot] = per_pivot.get(pivot, 0) + 1

    log(f"wrote {written} lines to {out_path} in {time.time() - t0:.0f}s")
    log("per pivot: " + ", ".join(f"{p}={n}" for p, n in per_pivot.items()))
    log(f"skipped {identical} round trips identical to the reference, {empty} empty")
    return 0


if __name__ == "__main__":
    sys.exit(main())
