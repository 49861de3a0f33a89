"""Read articles one at a time: text files, directories of them, JSONL (optionally .gz).

    for doc in iter_documents(["crawl/", "day.jsonl.gz"], strict=False):
        doc.id, doc.text, doc.reference, doc.error

Streaming: a directory is walked one folder listing at a time and a JSONL file is read one
line at a time, so memory does not grow with the input. A JSONL record is `{"id", "text",
"reference"?}`; a record without `id` gets `<file>:<line>`, a text file its path relative
to the directory given (or its name). `strict=True` raises InputError at the first bad
record; `strict=False` yields it as a Document with `error` set (text None), so a long job
can report it and go on.
"""

from __future__ import annotations

import gzip
import os
import sys
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Iterator, Sequence

from mtdetect.inputs.budget import has_lone_surrogate, loads_strict
from mtdetect.inputs.guard import MAX_INPUT_BYTES
from mtdetect.inputs.errors import InputError
from mtdetect.text import file_errors, read_text

__all__ = ["Document", "MAX_RECORD_BYTES", "iter_documents", "count_documents", "TEXT_SUFFIXES"]

TEXT_SUFFIXES = (".txt", ".md")
JSONL_SUFFIXES = (".jsonl", ".jsonl.gz")
#: One JSONL line: an article and its reference, each up to MAX_INPUT_BYTES, plus the rest.
MAX_RECORD_BYTES = 2 * MAX_INPUT_BYTES + 65536
_BOM = b"\xef\xbb\xbf"


@dataclass(frozen=True)
class Document:
    """One article to score; `error` says why it could not be read (then `text` is None)."""

    id: str
    text: str | None
    reference: str | None = None
    error: str | None = None


def _is_jsonl(name: str) -> bool:
    return name.endswith(JSONL_SUFFIXES)


def _walk(root: Path) -> Iterator[Path]:
    """Files under `root` with a text or JSONL suffix, in sorted order, one folder listing at a time."""
    for folder, dirs, files in os.walk(root):
        dirs.sort()
        for name in sorted(files):
            if name.endswith(TEXT_SUFFIXES) or _is_jsonl(name):
                path = Path(folder) / name
                if path.is_file():
                    yield path


def _open_jsonl(path: Path) -> BinaryIO:
    with file_errors(path):
        return gzip.open(path, "rb") if path.name.endswith(".gz") else open(path, "rb")  # noqa: SIM115


def _record(raw: bytes, where: str, default_id: str) -> Document:
    """A Document from one JSONL line (an error Document when the line is not a usable record)."""
    try:
        rec = loads_strict(raw)
    except UnicodeDecodeError:
        return Document(default_id, None, error=f"{where}: not UTF-8 text")
    except RecursionError:
        return Document(default_id, None, error=f"{where}: not valid JSON (nested too deeply)")
    except ValueError as exc:  # also NaN, 1e999 and integers of thousands of digits
        return Document(default_id, None, error=f"{where}: not valid JSON ({getattr(exc, 'msg', exc)})")
    if b"\\u" in raw and has_lone_surrogate(rec):
        return Document(default_id, None, error=f"{where}: holds a lone surrogate escape (\\ud800-\\udfff), not text")
    if not isinstance(rec, dict):
        return Document(default_id, None, error=f"{where}: not a JSON object")
    rid = rec.get("id", default_id)
    if isinstance(rid, bool) or not isinstance(rid, (str, int)):
        return Document(default_id, None, error=f"{where}: 'id' must be a string or an integer")
    rid = str(rid)
    if not isinstance(rec.get("text"), str):
        return Document(rid, None, error=f"{where}: missing 'text' (a string)")
    reference = rec.get("reference")
    if reference is not None and not isinstance(reference, str):
        return Document(rid, None, error=f"{where}: 'reference' must be a string")
    return Document(rid, rec["text"], reference)


def _iter_jsonl(handle: BinaryIO, name: str, id_prefix: str) -> Iterator[Document]:
    """Documents of a JSONL stream, one line at a time; a line over MAX_RECORD_BYTES is skipped
    (read past in chunks, never held whole) and reported as an error Document."""
    n = 0
    try:
        while True:
            line = handle.readline(MAX_RECORD_BYTES + 1)
            if not line:
                return
            n += 1
            where, default_id = f"{name}:{n}", f"{id_prefix}:{n}"
            if len(line) > MAX_RECORD_BYTES:
                while line and not line.endswith(b"\n"):
                    line = handle.readline(1 << 20)
                yield Document(default_id, None, error=f"{where}: record over the {MAX_RECORD_BYTES:,}-byte limit")
                continue
            if n == 1:
                line = line.removeprefix(_BOM)
            if line.strip():
                yield _record(line, where, default_id)
    except (OSError, EOFError, zlib.error) as exc:  # a truncated or corrupt .gz, a failing disk
        raise InputError(f"{name}: cannot read past line {n} ({exc})") from None


def _text_document(path: Path, doc_id: str, strict: bool) -> Document:
    try:
        return Document(doc_id, read_text(str(path)))
    except InputError as exc:
        if strict:
            raise
        return Document(doc_id, None, error=str(exc))


def _raise_if(doc: Document, strict: bool) -> Document:
    if strict and doc.error:
        raise InputError(doc.error)
    return doc


def iter_documents(paths: Sequence[str], strict: bool = True, stdin_jsonl: bool = False) -> Iterator[Document]:
    """Documents from .txt/.md files, JSONL(.gz) files, and directories holding either (walked in
    sorted order). '-' is stdin: one text, or a JSONL stream with `stdin_jsonl`.

    With one input, ids are as the module doc says. With several, the ids made from paths (a
    text file's, a record's `<file>:<line>`) start with the input's path relative to the inputs'
    common folder, so `dirA/day.jsonl` and `dirB/day.jsonl` never give the same id."""
    labels = _input_labels(paths)
    for path, label in zip(paths, labels):
        if path == "-":
            if stdin_jsonl:
                for doc in _iter_jsonl(sys.stdin.buffer, "<stdin>", "<stdin>"):
                    yield _raise_if(doc, strict)
            else:
                yield Document("<stdin>", read_text("-"))
            continue
        p = Path(path)
        if p.is_dir():
            found = False
            for f in _walk(p):
                found = True
                rel = str(f.relative_to(p)) if label is None else os.path.join(label, str(f.relative_to(p)))
                if _is_jsonl(f.name):
                    with _open_jsonl(f) as handle:
                        for doc in _iter_jsonl(handle, str(f), rel):
                            yield _raise_if(doc, strict)
                else:
                    yield _text_document(f, rel, strict)
            if not found:
                raise InputError(f"{path}: no .txt, .md or .jsonl files in this directory")
        elif _is_jsonl(path):
            if not p.is_file():
                raise InputError(f"{path}: no such file")
            with _open_jsonl(p) as handle:
                for doc in _iter_jsonl(handle, path, label or p.name):
                    yield _raise_if(doc, strict)
        else:
            yield _text_document(p, label or p.name, strict)


def _input_labels(paths: Sequence[str]) -> list[str | None]:
    """None for each input when there is one (ids as before); else each input's path relative to
    the common folder of all of them (made absolute first), so ids differ across inputs."""
    real = [p for p in paths if p != "-"]
    if len(real) < 2:
        return [None] * len(paths)
    absolute = [os.path.abspath(p) for p in real]
    root = os.path.commonpath(absolute)
    if root in absolute:  # one input holds the others: label from its parent
        root = os.path.dirname(root)
    labels = iter(os.path.relpath(a, root) for a in absolute)
    return [None if p == "-" else next(labels) for p in paths]


def count_documents(paths: Sequence[str]) -> int:
    """How many documents iter_documents(paths) will yield, at most (JSONL: non-blank lines),
    reading bytes only (no JSON parsing); for a progress bar's total. Stdin is not counted."""
    total = 0
    for path in paths:
        p = Path(path)
        files = _walk(p) if p.is_dir() else ([p] if path != "-" and p.is_file() else [])
        for f in files:
            if not _is_jsonl(f.name):
                total += 1
                continue
            with _open_jsonl(f) as handle:
                last = b"\n"
                while chunk := handle.read(1 << 22):
                    total += chunk.count(b"\n")
                    last = chunk[-1:]
                total += last != b"\n"
    return total
