"""The training-data hash written in every model card: the one definition."""

from __future__ import annotations

import hashlib
import json
from typing import Iterable, Sequence


def data_hash(rows: Iterable[Sequence]) -> str:
    """SHA-256 over the rows (each a JSON-able list, e.g. [reference, candidate, label] or
    [text, label]), order-independent: the rows are sorted as JSON lines first."""
    h = hashlib.sha256()
    for line in sorted(json.dumps(list(r)) for r in rows):
        h.update(line.encode("utf-8"))
    return h.hexdigest()
