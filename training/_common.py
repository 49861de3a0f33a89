"""What the training scripts share: where the repository and the shared data are, and an argument
parser with the data sources every model is built from.

Each script runs from a checkout (`python training/build_model.py`), so this module also puts the
repository on sys.path for `import mtdetect`.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared" / "data"
WMT = SHARED / "wmt_mt_vs_human.jsonl.gz"
TWEETS = SHARED / "tweets_opusmt_roundtrips.jsonl.gz"
ROUNDTRIPS = ROOT / "training" / "work" / "roundtrips.jsonl.gz"  # written by make_roundtrips.py

if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


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
