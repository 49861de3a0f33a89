"""Labelled and unlabelled sentence pairs: reading, validating, writing.

Formats: JSONL (one object per line), CSV and TSV (header row), each optionally gzipped.
Fields: `reference`, `candidate`, and for training `label` (mt/human, 1/0, true/false);
optional `group`, `doc_id`, `system`, `dataset`, `pivot`; anything else is passed through.
Every problem is reported as `file:line: what is wrong`, all of them before any work starts.
"""

from __future__ import annotations

import csv
import io
import json
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Iterator

from .guard import MAX_PAIRS_BYTES, check_input_size, gunzip_limited
from .text import InputError, decode_bytes

LABELS = {"mt": 1, "1": 1, "true": 1, "human": 0, "0": 0, "false": 0}
GROUP_FIELDS = ("group", "dataset", "system", "pivot", "doc_id")
MAX_ERRORS_SHOWN = 20


@dataclass
class Pair:
    """One (reference, candidate) pair; `label` is 1 for MT, 0 for human, None if unknown."""

    reference: str
    candidate: str
    label: int | None = None
    meta: dict[str, Any] = field(default_factory=dict)
    where: str = ""  # "file:line", for messages

    def group(self, key: str) -> str | None:
        value = self.meta.get(key)
        return None if value is None or value == "" else str(value)


class PairsError(InputError):
    """One or more problems in a pairs file; str() lists them, one per line."""

    def __init__(self, problems: list[str]) -> None:
        shown = problems[:MAX_ERRORS_SHOWN]
        more = len(problems) - len(shown)
        super().__init__("\n".join(shown + ([f"... and {more} more problems"] if more > 0 else [])))
        self.problems = problems


def _read_bytes(path: str) -> tuple[bytes, str]:
    if path == "-":
        data = sys.stdin.buffer.read(MAX_PAIRS_BYTES + 1)
        check_input_size(len(data), "<stdin>", MAX_PAIRS_BYTES, exact=False)
        return data, "<stdin>"
    p = Path(path)
    if not p.exists():
        raise InputError(f"{path}: no such file")
    if p.is_dir():
        raise InputError(f"{path}: is a directory")
    check_input_size(p.stat().st_size, path, MAX_PAIRS_BYTES)
    data = p.read_bytes()
    if path.endswith(".gz"):
        data = gunzip_limited(data, path, MAX_PAIRS_BYTES)
    return data, path


def _format_of(name: str) -> str:
    base = name[:-3] if name.endswith(".gz") else name
    if base.endswith(".csv"):
        return "csv"
    if base.endswith(".tsv") or base.endswith(".tab"):
        return "tsv"
    return "jsonl"


class _Problem(str):
    """An error message from _records, as opposed to a record (a JSON line may be a string)."""


def _records(text: str, fmt: str, name: str) -> Iterator[tuple[int, Any]]:
    """(line number, record or error string) for each non-blank record."""
    if fmt == "jsonl":
        for n, line in enumerate(text.split("\n"), 1):
            if not line.strip():
                continue
            try:
                yield n, json.loads(line)
            except json.JSONDecodeError as exc:
                yield n, _Problem(f"not valid JSON ({exc.msg})")
        return
    reader = csv.DictReader(io.StringIO(text), delimiter="," if fmt == "csv" else "\t")
    for row in reader:
        if None in row:
            yield reader.line_num, _Problem("more fields than the header has")
        elif any(v is None for v in row.values()):
            yield reader.line_num, _Problem("fewer fields than the header has")
        else:
            yield reader.line_num, dict(row)


def parse_label(value: Any) -> int | None:
    """1 for MT, 0 for human; None if the value is not a recognised label."""
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, (int, float)) and value in (0, 1):
        return int(value)
    if isinstance(value, str):
        return LABELS.get(value.strip().lower())
    return None


def read_pairs(paths: Iterable[str], require_label: bool) -> list[Pair]:
    """Read and validate pairs files; raise PairsError listing every bad line."""
    pairs: list[Pair] = []
    problems: list[str] = []
    for path in paths:
        data, name = _read_bytes(path)
        text = decode_bytes(data, name)
        if not text.strip():
            problems.append(f"{name}: empty (no pairs)")
            continue
        for n, rec in _records(text, _format_of(name), name):
            where = f"{name}:{n}"
            if isinstance(rec, _Problem):
                problems.append(f"{where}: {rec}")
                continue
            if not isinstance(rec, dict):
                problems.append(f"{where}: expected an object with 'reference' and 'candidate'")
                continue
            bad = False
            for key in ("reference", "candidate"):
                if key not in rec:
                    problems.append(f"{where}: missing '{key}'")
                    bad = True
                elif not isinstance(rec[key], str):
                    problems.append(f"{where}: '{key}' must be a string, not {type(rec[key]).__name__}")
                    bad = True
            label = None
            if "label" in rec:
                label = parse_label(rec["label"])
                if label is None:
                    problems.append(f"{where}: 'label' must be mt/human, 1/0 or true/false, not {rec['label']!r}")
                    bad = True
            elif require_label:
                problems.append(f"{where}: missing 'label'")
                bad = True
            if bad:
                continue
            meta = {k: v for k, v in rec.items() if k not in ("reference", "candidate")}
            pairs.append(Pair(rec["reference"], rec["candidate"], label, meta, where))
    if problems:
        raise PairsError(problems)
    return pairs


def check_trainable(pairs: list[Pair], min_per_class: int = 20) -> None:
    """Refuse a training set that cannot give a meaningful model."""
    pos = sum(p.label == 1 for p in pairs)
    neg = sum(p.label == 0 for p in pairs)
    if pos == 0 or neg == 0:
        only = "mt" if neg == 0 else "human"
        raise InputError(f"training data has only '{only}' examples: both mt and human pairs are needed")
    if min(pos, neg) < min_per_class:
        raise InputError(
            f"too few examples: {pos} mt and {neg} human; at least {min_per_class} of each are needed"
        )
    distinct = {(p.reference, p.candidate) for p in pairs}
    if len(distinct) < 2 * min_per_class:
        raise InputError(f"only {len(distinct)} distinct pairs after removing duplicates: too few to train")
    if all(p.reference.strip() == p.candidate.strip() for p in pairs):
        raise InputError("every candidate is identical to its reference: nothing to learn from")


def write_jsonl(records: Iterable[dict], out: io.TextIOBase) -> None:
    """One compact JSON object per line, non-ASCII kept as is."""
    for rec in records:
        out.write(json.dumps(rec, ensure_ascii=False) + "\n")
