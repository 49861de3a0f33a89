"""The scan's output file: ids already written (in 8 bytes each), a partial last line cut, new
lines appended one os.write each under an exclusive lock."""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import stat
from pathlib import Path

import numpy as np

from mtdetect.inputs.errors import InputError
from mtdetect.outputs import OutputError, check_append_target
from mtdetect.scan.batch import BatchResult

_RECORD_START = b'{"id": '  # every line a scan writes begins so (json.dumps of {"id": ..., ...})


class IdSet:
    """A set of string ids in 8 bytes each (64-bit BLAKE2b digests in a sorted numpy array plus a
    small set of recent ones), so 10^7 ids cost ~80 MB, not ~1 GB. Two different ids collide with
    probability ~n^2/2^65 (3e-6 for 10^7 ids): a collision would skip one article."""

    def __init__(self) -> None:
        self._sorted = np.zeros(0, dtype=np.uint64)
        self._recent: set[int] = set()

    @staticmethod
    def _h(key: str) -> int:
        digest = hashlib.blake2b(key.encode("utf-8", "surrogatepass"), digest_size=8).digest()
        return int.from_bytes(digest, "little")

    def __len__(self) -> int:
        return len(self._sorted) + len(self._recent)

    def __contains__(self, key: str) -> bool:
        return self._has(self._h(key))

    def _has(self, h: int) -> bool:
        if h in self._recent:
            return True
        i = int(np.searchsorted(self._sorted, np.uint64(h)))
        return i < len(self._sorted) and int(self._sorted[i]) == h

    def add(self, key: str) -> bool:
        """Add `key`; False if it was already there."""
        h = self._h(key)
        if self._has(h):
            return False
        self._recent.add(h)
        if len(self._recent) >= max(65536, len(self._sorted) // 8):  # amortised O(log n) per add
            merged = np.fromiter(self._recent, dtype=np.uint64, count=len(self._recent))
            self._sorted = np.union1d(self._sorted, merged)
            self._recent = set()
        return True


def _parse_record(line: bytes) -> dict | None:
    if not line.endswith(b"\n"):
        return None
    try:
        rec = json.loads(line)
    except ValueError:
        return None
    return rec if isinstance(rec, dict) and isinstance(rec.get("id"), str) else None


def _is_scan_output(path: Path) -> bool:
    """Does the existing file hold a scan's results: empty, or its first line a complete scan
    record, or (a kill during the very first write) one partial line that starts like one?"""
    with open(path, "rb") as fh:
        first = fh.readline(1 << 20)
        more = fh.read(1)
    if not first:
        return True
    if _parse_record(first) is not None:
        return first.startswith(_RECORD_START)
    return not more and not first.endswith(b"\n") and first.startswith(_RECORD_START)


class ResultFile:
    """The JSONL output of a scan: locked against a second writer, its trailing partial line (a
    kill during a write) cut, its complete ids known; new lines appended with one os.write each.

    By the output policy (outputs.py): a device, FIFO, directory, link or one of the inputs is
    refused; an existing file that is not a scan's results is refused (exit 3) unless `force`,
    which starts it afresh."""

    def __init__(self, path: str | Path, retry_errors: bool = False, force: bool = False,
                 inputs: tuple = ()) -> None:
        self.path = Path(path)
        exists = check_append_target(self.path, inputs)
        if exists and not _is_scan_output(self.path):
            if not force:
                raise OutputError(f"{self.path}: exists and is not the results of `mtdetect scan`; mtdetect "
                                  "will not append to it or cut it (choose another --out, or --force to replace it)")
            force_fresh = True
        else:
            force_fresh = False
        self.done = IdSet()
        self.signatures: dict[str, str] = {}  # mode -> signature of the results already written
        self.repaired_bytes = 0
        self.error_lines = 0  # error lines found in the file (kept and skipped, or dropped to retry)
        self.retry_errors = retry_errors
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.created = not self.path.exists()  # a refused run removes the empty file it made
        try:  # O_NOFOLLOW | O_NONBLOCK: a link or FIFO put there since the check is refused, never waited on
            self._fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_APPEND | os.O_NOFOLLOW | os.O_NONBLOCK, 0o666)
        except OSError as exc:
            raise InputError(f"{self.path}: cannot write ({exc.strerror or exc})") from None
        if not stat.S_ISREG(os.fstat(self._fd).st_mode):
            os.close(self._fd)
            raise OutputError(f"{self.path}: not a regular file; --out names a results file")
        try:
            fcntl.flock(self._fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(self._fd)
            raise InputError(f"{self.path}: another scan is writing this file") from None
        try:
            if force_fresh:  # --force on a file that is not a scan's: start afresh (the lock is held)
                os.ftruncate(self._fd, 0)
            self._load()
        except BaseException:
            os.close(self._fd)
            raise

    def _load(self) -> None:
        bad: tuple[int, int] | None = None  # (line number, byte offset) of the first incomplete line
        offset = 0
        with open(self.path, "rb") as fh:
            for n, line in enumerate(fh, 1):
                rec = _parse_record(line)
                if rec is None:
                    bad = bad or (n, offset)
                elif bad is not None:
                    raise InputError(
                        f"{self.path}:{bad[0]}: not a complete scan record, yet complete records follow it; "
                        "this file was not written by `mtdetect scan` alone (remove that line, or use another --out)"
                    )
                elif "error" in rec:
                    self.error_lines += 1
                    if not self.retry_errors:
                        self.done.add(rec["id"])
                else:
                    self.done.add(rec["id"])
                    if isinstance(rec.get("mode"), str):
                        self.signatures.setdefault(rec["mode"], str(rec.get("signature")))
                offset += len(line)
        if bad is not None:  # only the tail can be incomplete: cut it
            self.repaired_bytes = offset - bad[1]
            os.ftruncate(self._fd, bad[1])
            os.fsync(self._fd)
        if self.retry_errors and self.error_lines:
            self._drop_error_lines()

    def _drop_error_lines(self) -> None:
        """--retry-errors: rewrite the file without its error lines, so each retried id ends with
        one line. The copy is locked before it is renamed over the file: a kill leaves the old
        file or the new one, and no second scan can take the new one in between."""
        tmp = self.path.with_name(f".{self.path.name}.{os.getpid()}.tmp")
        fd = os.open(tmp, os.O_RDWR | os.O_CREAT | os.O_TRUNC | os.O_APPEND, 0o666)  # less the umask
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            with open(self.path, "rb") as fh:
                for line in fh:
                    rec = _parse_record(line)
                    if rec is not None and "error" not in rec:
                        view = memoryview(line)
                        while view:
                            view = view[os.write(fd, view):]
            os.fsync(fd)
            os.replace(tmp, self.path)
        except BaseException:
            os.close(fd)
            tmp.unlink(missing_ok=True)
            raise
        os.close(self._fd)
        self._fd = fd

    def _check_signature(self, mode: str, signature: str) -> None:
        old = self.signatures.setdefault(mode, signature)
        if old != signature:
            emb = old.split("|")[0]  # the aligning embedding: emb:static-... or MiniLM's weights
            hint = ("; they were aligned by another embedding: resume with the --embedder that wrote them "
                    f"({'static' if emb.startswith('emb:static-') else 'minilm'})"
                    if emb.startswith("emb:") and emb != signature.split("|")[0] else "")
            raise InputError(
                f"{self.path}: holds {mode} results of {old}, this run scores with {signature}; "
                f"write to another --out (results of two models must not be mixed){hint}"
            )

    def write(self, result: BatchResult) -> None:
        """Append a batch's lines, one os.write per line (a kill never splits two records), then fsync."""
        for _, mode, signature, data in result.lines:
            if mode is not None:
                self._check_signature(mode, signature)
        for _, _, _, data in result.lines:
            view = memoryview(data)
            while view:  # a regular file takes the whole line at once unless the disk fills up
                view = view[os.write(self._fd, view):]
        os.fsync(self._fd)

    def close(self) -> None:
        if self._fd >= 0:
            os.close(self._fd)
            self._fd = -1

    def __enter__(self) -> "ResultFile":
        return self

    def __exit__(self, exc_type: object, *exc: object) -> None:
        if exc_type is not None and self.created and self._fd >= 0 and os.fstat(self._fd).st_size == 0:
            self.path.unlink(missing_ok=True)  # refused before a single line: leave nothing behind
        self.close()
