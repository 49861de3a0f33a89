"""Measure the static embedding against MiniLM on whole documents (issue 23), on its own.

    PYTHONPATH=. python benchmarks/static_vs_minilm.py [--docs 150] [--out static_vs_minilm.json]

`mtdetect bench` runs the same comparison (mtdetect/bench/embedders.py, whose docstring says what is
measured and on which held-out documents) and reports it; this script runs only it, with its own
sample size, and prints the table. About a minute on 2 quiet cores, most of it MiniLM.
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

from mtdetect.bench.embedders import compare, render, seed_docs, shared_docs  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--docs", type=int, default=500, help="ASAP essays per pivot (default %(default)s)")
    ap.add_argument("--seed", type=int, default=13)
    ap.add_argument("--out", type=Path, default=Path("static_vs_minilm.json"))
    args = ap.parse_args()
    t0 = time.perf_counter()
    docs = seed_docs(ROOT / "seeds") + shared_docs(ROOT.parent / "shared" / "data", args.docs, args.seed)
    res = compare(docs)
    res.update(seconds=round(time.perf_counter() - t0, 1), load_average_1min=round(os.getloadavg()[0], 2))
    args.out.write_text(json.dumps(res, indent=1) + "\n")
    print("\n".join(render(res)))
    print(f"total {res['seconds']} s; load {res['load_average_1min']}")


if __name__ == "__main__":
    main()
