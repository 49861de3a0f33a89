"""What every training script shares: the repository on sys.path, ../shared/data, logging.

Import it first (`from _common import REPO, SHARED, log`); the scripts run as
`python training/NAME.py`, so this directory is on sys.path already.
"""

from __future__ import annotations

import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))
SHARED = REPO.parent / "shared" / "data"
WORK = REPO / "training" / "work"


def log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)
