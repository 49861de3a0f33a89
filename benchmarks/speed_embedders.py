"""The speed part of `mtdetect bench` alone, for both embeddings in one run (issue 23):

    PYTHONPATH=. python benchmarks/speed_embedders.py [--pairs 5000] [--scan 300] [--out speed.json]

Runs bench.speed.bench_speed for MiniLM and for the static embedding on the same samples (WMT
pairs from ../shared/data: random and in file order; the seeds for articles; `mtdetect scan` of
--scan seed articles), then prints the bench's side-by-side table and issue 23's targets, with the
load average. The full bench (`mtdetect bench`) writes the same tables into its report.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from mtdetect.bench.config import FULL, WMT_FILE  # noqa: E402
from mtdetect.bench.data import wmt_speed_samples  # noqa: E402
from mtdetect.bench.speed import bench_speed, render_embedders, speed_targets  # noqa: E402
from mtdetect.detect.reference import Detector  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--pairs", type=int, default=5000)
    ap.add_argument("--scan", type=int, default=300, help="articles of the scan row")
    ap.add_argument("--repeats", type=int, default=1)
    ap.add_argument("--out", type=Path, default=Path("speed_embedders.json"))
    args = ap.parse_args()
    data = ROOT.parent / "shared" / "data"
    samples = wmt_speed_samples(data, args.pairs, 13) if (data / WMT_FILE).exists() else {}
    sizes = FULL.__class__(**{**FULL.__dict__, "speed_pairs": args.pairs, "scan_articles": args.scan,
                              "repeats": args.repeats})
    runs = {}
    for name in ("static", "minilm"):
        t = time.perf_counter()
        det = Detector(embedder=name)
        seeds = sorted((ROOT / "seeds").glob("0*.txt"))
        ref = seeds[0].read_text(encoding="utf-8")
        texts = [f.read_text(encoding="utf-8") for f in seeds[1:]]
        det.score_article(texts[0], ref)  # warm: models and word counts loaded
        t0 = time.perf_counter()
        for text in texts:  # what the bench's seeds part times, end to end
            det.score_article(text, ref)
        runs[name] = bench_speed(det, None, samples, sizes, time.perf_counter() - t0, name)
        print(f"{name}: {time.perf_counter() - t:.0f} s, load {os.getloadavg()}", file=sys.stderr)
    res = {"speed": runs["minilm"], "speed_by_embedder": {"minilm": "speed", "static": runs["static"]}}
    args.out.write_text(json.dumps(res, indent=1) + "\n")
    print("\n".join(render_embedders(res) + speed_targets(runs["static"], runs["minilm"])))
    for name, sp in runs.items():
        print(f"{name}: stages {json.dumps({k: v['sentences_per_s'] for k, v in sp['articles']['stages'].items()})}")
        print(f"{name}: pairs in process {json.dumps({k: v['pairs_per_s'] for k, v in sp['pairs'].items()})}")
        print(f"{name}: cli {json.dumps(sp['cli'])}")
        print(f"{name}: scan {json.dumps(sp['scan'])}; load when measured {sp['load_average_1min']}")


if __name__ == "__main__":
    main()
