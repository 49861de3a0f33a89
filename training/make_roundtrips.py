"""Round-trip the WMT English references through Apertium (en -> pivot -> en).

Reads <repo>/../shared/data/wmt_mt_vs_human.jsonl.gz, takes each unique
(dataset, seg_id, reference), round-trips it through every installed pivot
(es, ca, gl, eo) and writes training/work/roundtrips.jsonl.gz with one
``label: mt`` line per (reference, pivot). Round trips identical to the
reference are skipped and counted. Apertium is deterministic and the output is
sorted, so reruns give the same file; ``--seed`` only picks the ``--limit`` sample.

    python training/make_roundtrips.py [--limit N] [--pivots es,eo] [--wmt PATH]
"""

from __future__ import annotations

import gzip
import json
import random
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from _common import ROUNDTRIPS, WMT, parser  # also puts the repository on sys.path

from mtdetect.roundtrip import PIVOTS, RoundTripError, available_pivots, check_pivot, roundtrip


def log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def load_references(path: Path) -> list[dict]:
    """Unique references, deduplicated by (dataset, seg_id, reference), sorted."""
    seen: dict[tuple, dict] = {}
    with gzip.open(path, "rt", encoding="utf-8") as f:
        for line in f:
            rec = json.loads(line)
            key = (rec["dataset"], rec["seg_id"], rec["reference"])
            if key not in seen:
                seen[key] = {k: rec[k] for k in ("dataset", "seg_id", "doc_id", "reference") if k in rec}
    return [seen[k] for k in sorted(seen, key=lambda k: (k[0], str(k[1]).zfill(12), k[2]))]


def run_pivot(pivot: str, refs: list[dict], batch_size: int) -> tuple[str, list[str], float]:
    start = time.time()
    total = len(refs)

    def progress(done: int) -> None:
        log(f"  [{pivot}] {done}/{total} ({time.time() - start:.0f}s)")

    out = roundtrip([r["reference"] for r in refs], pivot, batch_size, progress)
    return pivot, out, time.time() - start


def main(argv: list[str] | None = None) -> int:
    ap = parser(__doc__, out=ROUNDTRIPS)
    ap.add_argument("--wmt", type=Path, default=WMT, help="WMT jsonl.gz (default: %(default)s)")
    ap.add_argument("--pivots", default="", help="comma-separated pivots (default: all available)")
    ap.add_argument("--limit", type=int, default=0, help="only N references (seeded sample)")
    ap.add_argument("--seed", type=int, default=13, help="seed for the --limit sample")
    ap.add_argument("--batch-size", type=int, default=500)
    ap.add_argument("--jobs", type=int, default=2, help="pivots run in parallel")
    args = ap.parse_args(argv)

    try:
        pivots = [p.strip() for p in args.pivots.split(",") if p.strip()] or available_pivots()
        if not pivots:
            raise RoundTripError("no Apertium pair installed: apt-get install apertium "
                                 + " ".join(pkg for _, _, pkg in PIVOTS.values()))
        for p in pivots:
            check_pivot(p)
    except RoundTripError as exc:
        log(f"error: {exc}")
        return 2

    refs = load_references(args.wmt)
    log(f"{len(refs)} unique references from {args.wmt}")
    if args.limit and args.limit < len(refs):
        idx = sorted(random.Random(args.seed).sample(range(len(refs)), args.limit))
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

    args.out.parent.mkdir(parents=True, exist_ok=True)
    written = identical = empty = 0
    per_pivot: dict[str, int] = {}
    with open(args.out, "wb") as raw, gzip.GzipFile(filename="", fileobj=raw, mode="wb", mtime=0) as gz:
        for i, ref in enumerate(refs):
            for pivot in pivots:
                cand = results[pivot][i]
                if not cand.strip():
                    empty += 1
                    continue
                if cand == ref["reference"]:
                    identical += 1
                    continue
                fw, bw, _ = PIVOTS[pivot]
                rec = {
                    "reference": ref["reference"],
                    "candidate": cand,
                    "label": "mt",
                    "system": f"apertium-{pivot}",
                    "pivot": pivot,
                    "dataset": ref["dataset"],
                    "seg_id": ref["seg_id"],
                    **({"doc_id": ref["doc_id"]} if "doc_id" in ref else {}),
                    "kind": "apertium_roundtrip",
                    "source": f"apertium -u {fw} | apertium -u {bw}",
                    "identical": False,
                }
                gz.write((json.dumps(rec, ensure_ascii=False) + "\n").encode("utf-8"))
                written += 1
                per_pivot[pivot] = per_pivot.get(pivot, 0) + 1

    log(f"wrote {written} lines to {args.out} in {time.time() - t0:.0f}s")
    log("per pivot: " + ", ".join(f"{p}={n}" for p, n in per_pivot.items()))
    log(f"skipped {identical} round trips identical to the reference, {empty} empty")
    return 0


if __name__ == "__main__":
    sys.exit(main())
