"""Round-trip machine translation (English -> pivot -> English) with Apertium.

Apertium is a rule-based MT system run as a command-line pipeline; this module
drives ``apertium -u MODE`` through subprocesses, in batches, and keeps exactly
one output per input sentence.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

MODES_DIR = "/usr/share/apertium/modes"


@dataclass(frozen=True)
class Chain:
    """The Apertium modes of one round trip, run in order, and the Debian packages they need."""

    forward: tuple[str, ...]
    backward: tuple[str, ...]
    packages: tuple[str, ...]

    @property
    def modes(self) -> tuple[str, ...]:
        return self.forward + self.backward

    @property
    def command(self) -> str:
        return " | ".join(f"apertium -u {m}" for m in self.modes)


#: pivot code -> its chain. Debian's Apertium has no English-French pair, so French is
#: reached through Spanish or Catalan (en -> es -> fr -> es -> en; en -> ca -> fr -> ca -> en).
PIVOTS: dict[str, Chain] = {
    "es": Chain(("eng-spa",), ("spa-eng",), ("apertium-eng-spa",)),
    "ca": Chain(("eng-cat",), ("cat-eng",), ("apertium-eng-cat",)),
    "gl": Chain(("en-gl",), ("gl-en",), ("apertium-en-gl",)),
    "eo": Chain(("en-eo",), ("eo-en",), ("apertium-eo-en",)),
    "fr_es": Chain(("eng-spa", "es-fr"), ("fr-es", "spa-eng"), ("apertium-eng-spa", "apertium-fr-es")),
    "fr_ca": Chain(("eng-cat", "cat-fra"), ("fra-cat", "cat-eng"), ("apertium-eng-cat", "apertium-fra-cat")),
}

# A line Apertium passes through unchanged in all 8 modes (checked on the 7,307
# WMT news references); batches are joined and split on it.
MARKER = ".||."
_SEP = f"\n{MARKER}\n"
_MARK_RE = re.compile(r"(?<!\S)[*#@](?=\w)\S*")
_WS_RE = re.compile(r"\s+")


class RoundTripError(RuntimeError):
    """A one-line, user-facing problem with Apertium (missing tool, pair, failure)."""


def _installed_modes() -> set[str] | None:
    """Names of installed Apertium modes, or None when apertium is not on PATH."""
    if shutil.which("apertium") is None:
        return None
    modes: set[str] = set()
    try:
        out = subprocess.run(
            ["apertium", "-l"], capture_output=True, text=True, timeout=30
        ).stdout
        modes.update(line.strip() for line in out.splitlines() if line.strip())
    except (OSError, subprocess.SubprocessError):
        pass
    if os.path.isdir(MODES_DIR):
        modes.update(f[:-5] for f in os.listdir(MODES_DIR) if f.endswith(".mode"))
    return modes


def available_pivots() -> list[str]:
    """Pivots whose forward and backward modes are both installed ([] without apertium)."""
    modes = _installed_modes()
    if not modes:
        return []
    return [p for p, chain in PIVOTS.items() if set(chain.modes) <= modes]


def check_pivot(pivot: str) -> None:
    """Raise RoundTripError (with the apt-get command to run) unless ``pivot`` is usable."""
    if pivot not in PIVOTS:
        known = ", ".join(sorted(PIVOTS))
        raise RoundTripError(f"unknown pivot {pivot!r}: known pivots are {known}")
    packages = " ".join(PIVOTS[pivot].packages)
    modes = _installed_modes()
    if modes is None:
        raise RoundTripError(
            f"apertium is not installed: apt-get install apertium {packages}"
        )
    if not set(PIVOTS[pivot].modes) <= modes:
        raise RoundTripError(
            f"no Apertium pair for pivot {pivot!r}: apt-get install {packages}"
        )


def _clean(text: str, source: str) -> str:
    """Collapse whitespace; drop unknown-word marks (*, #, @) not already in the source."""
    text = _WS_RE.sub(" ", text).strip()

    def unmark(m: re.Match[str]) -> str:
        token = m.group(0)
        return token if token in source else token[1:]

    return _MARK_RE.sub(unmark, text)


def _run(text: str, mode: str) -> str:
    """Run ``apertium -u MODE`` on ``text`` and return its stdout."""
    try:
        proc = subprocess.run(
            ["apertium", "-u", mode],
            input=text,
            capture_output=True,
            text=True,
            encoding="utf-8",
            errors="replace",
        )
    except OSError as exc:
        raise RoundTripError(f"cannot run apertium: {exc}") from exc
    if proc.returncode != 0:
        lines = proc.stderr.strip().splitlines()
        first = lines[0] if lines else f"exit status {proc.returncode}"
        raise RoundTripError(f"apertium -u {mode} failed: {first}")
    return proc.stdout


def _split_groups(out: str) -> list[str]:
    """Split Apertium output on MARKER lines (joining each piece's lines with spaces)."""
    groups: list[list[str]] = [[]]
    for line in out.splitlines():
        if line.strip() == MARKER:
            groups.append([])
        else:
            groups[-1].append(line)
    return [" ".join(g) for g in groups]


def _translate_batch(batch: list[str], mode: str) -> list[str]:
    """Translate one batch in one subprocess; on misalignment, bisect the batch.

    Every sentence, the last included, is followed by a MARKER line, so output
    cut short (some Apertium stages segfault on rare inputs while the pipeline
    still exits 0) is detected; halves are then retried down to single sentences.
    """
    if not any(batch):
        return list(batch)
    groups = _split_groups(_run("".join(s + _SEP for s in batch), mode))
    if len(groups) == len(batch) + 1 and not groups[-1].strip():
        return groups[:-1]
    if len(batch) == 1:  # the sentence crashed Apertium ("") or contains MARKER
        return [_run(batch[0] + "\n", mode)]
    mid = len(batch) // 2
    return _translate_batch(batch[:mid], mode) + _translate_batch(batch[mid:], mode)


def translate(sentences: Sequence[str], mode: str, batch_size: int = 500) -> list[str]:
    """Translate with ``apertium -u MODE``: exactly one cleaned output per input, in order.

    Newlines inside a sentence become spaces. Each batch is one subprocess whose
    sentences are each followed by a ``.||.`` line; if the output does not split
    back into as many pieces, the batch is bisected down to single sentences.
    A sentence Apertium silently drops (a crashing stage) comes back as "".
    Raises RoundTripError when apertium exits non-zero.
    """
    if shutil.which("apertium") is None:
        raise RoundTripError("apertium is not installed: apt-get install apertium")
    flat = [_WS_RE.sub(" ", s).strip() for s in sentences]
    result: list[str] = []
    for start in range(0, len(flat), max(1, batch_size)):
        batch = flat[start : start + max(1, batch_size)]
        raw = _translate_batch(batch, mode)
        result.extend(_clean(r, s) for r, s in zip(raw, batch))
    return result


def roundtrip(
    sentences: Sequence[str],
    pivot: str,
    batch_size: int = 500,
    progress: Callable[[int], None] | None = None,
) -> list[str]:
    """English -> pivot -> English; ``progress(n_done)`` is called after each batch."""
    check_pivot(pivot)
    step = max(1, batch_size)
    out: list[str] = []
    for start in range(0, len(sentences), step):
        batch = list(sentences[start : start + step])
        for mode in PIVOTS[pivot].modes:
            batch = translate(batch, mode, step)
        out.extend(batch)
        if progress is not None:
            progress(len(out))
    return out


def read_documents(paths: Sequence[str]) -> list[tuple[str, str]]:
    """(doc_id, text) from .txt/.md files (doc_id = file name), JSONL with `text` (and `id`), and
    directories of either; the first unreadable document raises InputError (documents.iter_documents)."""
    from mtdetect.inputs.documents import iter_documents

    return [(doc.id, doc.text) for doc in iter_documents(paths, strict=True) if doc.text is not None]


def _per_pivot(sentences: list[str], pivots: Sequence[str], batch_size: int,
               progress: Callable[[int, int], None] | None) -> Iterator[tuple[str, list[str]]]:
    """(pivot, round trips of `sentences`) for each pivot, checked first; progress counts over all."""
    for pivot in pivots:
        check_pivot(pivot)
    total = len(sentences) * len(pivots)
    for k, pivot in enumerate(pivots):
        base = k * len(sentences)
        yield pivot, roundtrip(sentences, pivot, batch_size,
                               (lambda n, base=base: progress(base + n, total)) if progress else None)


def roundtrip_pairs(
    documents: Sequence[tuple[str, str]],
    pivots: Sequence[str],
    batch_size: int = 500,
    progress: Callable[[int, int], None] | None = None,
) -> list[dict]:
    """Labelled pairs (label "mt") of each sentence of each document and its round trip per pivot.

    Round trips identical to the original (nothing changed) and empty outputs (Apertium
    crashed on that sentence) are left out: they are not examples of round-trip MT.
    """
    from mtdetect.text import split_sentences

    units = [(doc_id, s.index, s.text) for doc_id, text in documents for s in split_sentences(text)]
    out: list[dict] = []
    for pivot, back in _per_pivot([u[2] for u in units], pivots, batch_size, progress):
        for (doc_id, idx, original), rt in zip(units, back):
            if rt and rt != original:
                out.append({"reference": original, "candidate": rt, "label": "mt", "pivot": pivot,
                            "system": f"apertium-{pivot}", "doc_id": doc_id, "seg_id": idx,
                            "source": PIVOTS[pivot].command})
    return out


def roundtrip_documents(
    documents: Sequence[tuple[str, str]],
    pivots: Sequence[str],
    batch_size: int = 500,
    progress: Callable[[int, int], None] | None = None,
) -> list[dict]:
    """Each document round-tripped whole, per pivot: {"doc_id", "pivot", "text", "n_sentences"};
    every sentence is replaced by its round trip (unchanged ones too), paragraphs kept."""
    from mtdetect.text import split_sentences

    split = [(doc_id, split_sentences(text)) for doc_id, text in documents]
    out = []
    for pivot, trips in _per_pivot([s.text for _, ss in split for s in ss], pivots, batch_size, progress):
        back = iter(trips)
        for doc_id, ss in split:
            paragraphs: dict[int, list[str]] = {}
            for s in ss:
                paragraphs.setdefault(s.paragraph, []).append(next(back) or s.text)
            out.append({"doc_id": doc_id, "pivot": pivot, "n_sentences": len(ss),
                        "text": "\n\n".join(" ".join(p) for p in paragraphs.values()) + "\n"})
    return out
