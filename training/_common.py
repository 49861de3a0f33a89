"""What every training script shares: the repository on sys.path, ../shared/data, logging, and an
argument parser.

Import it first (`from _common import REPO, SHARED, log, parser`); the scripts run as
`python training/NAME.py`, so this directory is on sys.path already.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))
SHARED = REPO.parent / "shared" / "data"
# The training work folder (round trips, aligned documents, feature caches, matrices): another one
# through $MTDETECT_WORK, e.g. to measure the matrix with documents aligned by the other embedder.
WORK = Path(os.environ.get("MTDETECT_WORK") or REPO / "training" / "work")
WMT = SHARED / "wmt_mt_vs_human.jsonl.gz"
TWEETS = SHARED / "tweets_opusmt_roundtrips.jsonl.gz"
ROUNDTRIPS = WORK / "roundtrips.jsonl.gz"


def log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def parser(doc: str | None, *, sources: bool = False, out: Path | None = None, seed: int | None = None,
           ) -> argparse.ArgumentParser:
    """The script's parser: its docstring as the help; `sources`: --wmt, --roundtrips and --tweets;
    `out`: --out with that default; `seed`: --seed with that default."""
    ap = argparse.ArgumentParser(description=doc, formatter_class=argparse.RawDescriptionHelpFormatter)
    if sources:
        ap.add_argument("--wmt", default=str(WMT), help="WMT pairs (default: %(default)s)")
        ap.add_argument("--roundtrips", default=str(ROUNDTRIPS), help="Apertium round trips (default: %(default)s)")
        ap.add_argument("--tweets", default=str(TWEETS), help="opus-mt tweet round trips (default: %(default)s)")
    if out is not None:
        ap.add_argument("--out", type=Path, default=out, help="output (default: %(default)s)")
    if seed is not None:
        ap.add_argument("--seed", type=int, default=seed)
    return ap
