"""Labelled and unlabelled sentence pairs: reading, validating, writing.

Formats: JSONL (one object per line), CSV and TSV (header row), each optionally gzipped.
Fields: `reference`, `candidate`, and for training `label` (mt/human, 1/0, true/false);
optional `group`, `doc_id`, `system`, `dataset`, `pivot`; anything else is passed through.
Every problem is reported as `file:line: what is wrong`, all of them before any work starts.
Files are read through one input budget (budget.py): bytes, characters per line and records,
checked while streaming, so no input (a device, a FIFO, a gzip bomb, one huge line) can make
memory grow past what the budget allows.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass, field
from typing import Any, Iterable, Iterator

from mtdetect.inputs import limits
from mtdetect.inputs.budget import Budget, BudgetReader, has_lone_surrogate, loads_strict
from mtdetect.text import InputError

LABELS = {"mt": 1, "1": 1, "true": 1, "human": 0, "0": 0, "false": 0}
GROUP_FIELDS = ("group", "dataset", "system", "pivot", "doc_id")
MAX_ERRORS_SHOWN = 20


@dataclass(slots=True)  # slots: a million pairs cost a third less memory
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

    def __init__(self, problems: list[str], more: int = 0) -> None:
        shown = problems[:MAX_ERRORS_SHOWN]
        more += len(problems) - len(shown)
        super().__init__("\n".join(shown + ([f"... and {more} more problems"] if more > 0 else [])))
        self.problems = shown
        self.more = more


def pairs_budget() -> Budget:
    """The input budget of one pairs file (limits.py's, read when called)."""
    return Budget(max_bytes=limits.MAX_PAIRS_BYTES, max_line=limits.MAX_PAIR_RECORD_CHARS,
                  max_records=limits.MAX_PAIRS, advice="split the file")


def _format_of(name: str) -> str:
    base = name[:-3] if name.endswith(".gz") else name
    if base.endswith(".csv"):
        return "csv"
    if base.endswith(".tsv") or base.endswith(".tab"):
        return "tsv"
    return "jsonl"


class _Problem(str):
    """An error message from _records, as opposed to a record (a JSON line may be a string)."""


def parse_json_line(line: str) -> Any:
    """A JSONL record, or a _Problem saying why the line is not one."""
    try:
        rec = loads_strict(line)
    except RecursionError:
        return _Problem("not valid JSON (nested too deeply)")
    except json.JSONDecodeError as exc:
        return _Problem(f"not valid JSON ({exc.msg})")
    except ValueError as exc:  # NaN, 1e999, an integer of thousands of digits
        return _Problem(f"not valid JSON ({exc})")
    if ("\\ud" in line or "\\uD" in line) and has_lone_surrogate(rec):
        return _Problem("holds a lone surrogate escape (\\ud800-\\udfff), not text")
    return rec


def _records(lines: Iterator[tuple[int, str]], fmt: str) -> Iterator[tuple[int, Any]]:
    """(line number, record or error string) for each non-blank record."""
    if fmt == "jsonl":
        for n, line in lines:
            if n == 1:
                line = line.removeprefix("\ufeff")
            if line.strip():
                yield n, parse_json_line(line)
        return
    csv.field_size_limit(limits.MAX_PAIR_RECORD_CHARS)
    numbered = iter(lines)
    reader = csv.DictReader((line + "\n" for _, line in numbered), delimiter="," if fmt == "csv" else "\t")
    try:
        for row in reader:
            if None in row:
                yield reader.line_num, _Problem("more fields than the header has")
            elif any(v is None for v in row.values()):
                yield reader.line_num, _Problem("fewer fields than the header has")
            else:
                yield reader.line_num, dict(row)
    except csv.Error as exc:
        yield reader.line_num, _Problem(f"not valid {fmt.upper()} ({exc})")


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
    """Read and validate pairs files; raise PairsError listing every bad line (the first
    MAX_ERRORS_SHOWN of them kept, the rest counted)."""
    pairs: list[Pair] = []
    problems: list[str] = []
    more = 0

    def problem(message: str) -> None:
        nonlocal more
        if len(problems) < MAX_ERRORS_SHOWN:
            problems.append(message)
        else:
            more += 1

    for path in paths:
        reader = BudgetReader(path, pairs_budget())
        name = reader.name
        empty = True
        for n, rec in _records(reader.lines(), _format_of(name)):
            empty = False
            where = f"{name}:{n}"
            if isinstance(rec, _Problem):
                problem(f"{where}: {rec}")
                continue
            if not isinstance(rec, dict):
                problem(f"{where}: expected an object with 'reference' and 'candidate'")
                continue
            bad = False
            for key in ("reference", "candidate"):
                if key not in rec:
                    problem(f"{where}: missing '{key}'")
                    bad = True
                elif not isinstance(rec[key], str):
                    problem(f"{where}: '{key}' must be a string, not {type(rec[key]).__name__}")
                    bad = True
            label = None
            if "label" in rec:
                label = parse_label(rec["label"])
                if label is None:
                    problem(f"{where}: 'label' must be mt/human, 1/0 or true/false, not {rec['label']!r}")
                    bad = True
            elif require_label:
                problem(f"{where}: missing 'label'")
                bad = True
            if bad:
                continue
            meta = {k: v for k, v in rec.items() if k not in ("reference", "candidate")}
            pairs.append(Pair(rec["reference"], rec["candidate"], label, meta, where))
        if empty:
            problem(f"{name}: empty (no pairs)")
    if problems:
        raise PairsError(problems, more)
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
