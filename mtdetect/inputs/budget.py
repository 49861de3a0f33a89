"""One input budget for every reader: bytes, line length and record count, bounded while streaming.

    with BudgetReader("pairs.jsonl.gz", Budget(max_bytes=..., max_line=..., max_records=...)) as r:
        for n, line in r.lines():        # decoded text lines, CR/CRLF already turned into LF
            ...
    data = BudgetReader("article.txt", Budget(max_bytes=...)).read_all()   # raw bytes

A path is a regular file, '-' (stdin), a FIFO or a device; a name ending in `.gz` is
decompressed on the fly. Whatever the source, bytes are pulled in CHUNK-sized pieces and the
budget is checked on every piece, so `/dev/zero`, an endless FIFO, a 60 MB line or a gzip bomb
is refused after at most one chunk past the limit, never after reading it all: memory is
bounded by the budget by design. A regular file over the byte budget is refused from its size
alone, before it is read. Every refusal is a one-line InputError naming the input.
"""

from __future__ import annotations

import codecs
import json
import math
import os
import stat
import sys
import zlib
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, BinaryIO, Iterator

from mtdetect.inputs.errors import InputError

__all__ = [
    "Budget", "BudgetReader", "CHUNK", "BOMS", "BINARY_CONTROL_SHARE", "CONTROL_BYTES", "bomless_utf16", "file_errors", "loads_strict",
    "has_lone_surrogate", "check_zip", "inflate_bounded",
]  # fmt: skip

CHUNK = 1 << 16  # bytes read (or inflated) at a time
BINARY_CONTROL_SHARE = 0.05  # more than this share of control characters means "binary"
_TEXT_CONTROLS = "\t\n\r\f\v"
# Bytes of the C0 controls other than tab / line ends, plus DEL.
CONTROL_BYTES = bytes(b for b in range(32) if chr(b) not in _TEXT_CONTROLS) + b"\x7f"
_CONTROL_CHARS = tuple(CONTROL_BYTES.decode("latin-1"))
# Byte order marks, longest first: the UTF-32 LE mark begins with the UTF-16 LE one.
BOMS = (
    (b"\xff\xfe\x00\x00", "utf-32", "UTF-32"),
    (b"\x00\x00\xfe\xff", "utf-32", "UTF-32"),
    (b"\xef\xbb\xbf", "utf-8-sig", "UTF-8"),
    (b"\xff\xfe", "utf-16", "UTF-16"),
    (b"\xfe\xff", "utf-16", "UTF-16"),
)


def bomless_utf16(data: bytes) -> str | None:
    """'utf-16-le'/'utf-16-be' for mostly-ASCII UTF-16 without a BOM (every other byte NUL), else None."""
    head = data[:4096]
    if len(data) % 2 or len(head) < 8:
        return None
    even, odd = head[0::2], head[1::2]
    if odd.count(0) >= 0.9 * len(odd) and even.count(0) <= 0.1 * len(even):
        return "utf-16-le"
    if even.count(0) >= 0.9 * len(even) and odd.count(0) <= 0.1 * len(odd):
        return "utf-16-be"
    return None


@contextmanager
def file_errors(path: object) -> Iterator[None]:
    """Turn the OS's errors on opening or reading `path` into one-line InputErrors."""
    try:
        yield
    except FileNotFoundError:
        raise InputError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise InputError(f"{path}: is a directory") from None
    except PermissionError:
        raise InputError(f"{path}: permission denied") from None
    except OSError as exc:
        raise InputError(f"{path}: cannot read ({exc.strerror or exc})") from None


@dataclass(frozen=True)
class Budget:
    """Limits for one input: total bytes (after decompression), characters in one line, lines
    holding a record. None: no limit of that kind (max_bytes always applies)."""

    max_bytes: int
    max_line: int | None = None
    max_records: int | None = None
    advice: str = "split it"  # what the over-the-limit message tells the user to do


class BudgetReader:
    """A budgeted byte or line stream over a file, stdin, FIFO or device (gzip when named .gz)."""

    def __init__(self, path: str | None, budget: Budget, name: str | None = None) -> None:
        self.path = None if path in (None, "-") else str(path)
        self.name = name or (self.path if self.path is not None else "<stdin>")
        self.budget = budget
        self.gzip = self.path is not None and self.path.endswith(".gz")
        self.total = 0  # bytes delivered so far (decompressed)
        self._handle: BinaryIO | None = None

    # ------------------------------------------------------------------ opening

    def __enter__(self) -> "BudgetReader":
        self.open()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def open(self) -> None:
        if self._handle is not None:
            return
        if self.path is None:
            self._handle = sys.stdin.buffer
            return
        if os.path.isdir(self.path):
            raise InputError(f"{self.name}: is a directory")
        with file_errors(self.name):
            handle = open(self.path, "rb")  # noqa: SIM115 - closed in close()
        try:
            info = os.fstat(handle.fileno())
            # A regular file over the budget is refused from its size, unread (a .gz one too:
            # what it inflates to is never much smaller than the compressed file).
            if stat.S_ISREG(info.st_mode) and info.st_size > self.budget.max_bytes:
                self._over(info.st_size, exact=True)
        except BaseException:
            handle.close()
            raise
        self._handle = handle

    def close(self) -> None:
        if self._handle is not None and self.path is not None:
            self._handle.close()
        self._handle = None

    def _over(self, size: int, exact: bool = False) -> None:
        what = f"{size:,} bytes is over" if exact else "over"
        raise InputError(f"{self.name}: {what} the {self.budget.max_bytes:,}-byte limit; {self.budget.advice}")

    # ------------------------------------------------------------------ bytes

    def _raw_chunks(self) -> Iterator[bytes]:
        self.open()
        assert self._handle is not None
        read = getattr(self._handle, "read1", self._handle.read)
        with file_errors(self.name):
            while True:
                chunk = read(CHUNK)
                if not chunk:
                    return
                yield chunk

    def _inflate(self, raw: Iterator[bytes]) -> Iterator[bytes]:
        """Decompress gzip members as they arrive, at most CHUNK bytes of output at a time."""
        d = zlib.decompressobj(wbits=31)
        started = False
        try:
            for data in raw:
                while data:
                    if d.eof:  # another gzip member follows the last one
                        d = zlib.decompressobj(wbits=31)
                    started = True
                    out = d.decompress(data, CHUNK)
                    if out:
                        yield out
                    data = d.unused_data if d.eof else d.unconsumed_tail
                while started and not d.eof:  # output zlib still holds for the input it has
                    out = d.decompress(b"", CHUNK)
                    if not out:
                        break
                    yield out
            if started and not d.eof:
                raise zlib.error("truncated gzip data")
        except zlib.error as exc:
            raise InputError(f"{self.name}: not a valid gzip file ({exc})") from None

    def chunks(self) -> Iterator[bytes]:
        """The input's bytes (decompressed), refusing the input as soon as the budget is passed."""
        stream = self._raw_chunks()
        if self.gzip:
            stream = self._inflate(stream)
        for chunk in stream:
            self.total += len(chunk)
            if self.total > self.budget.max_bytes:
                self._over(self.total)
            yield chunk

    def read_all(self) -> bytes:
        """All of the input's bytes (at most max_bytes of them; more is refused while reading).
        NUL bytes in the first chunk of what is neither UTF-16 nor UTF-32 refuse it at once as
        binary (as text.decode_bytes would, after reading it all)."""
        parts: list[bytes] = []
        try:
            for chunk in self.chunks():
                if not parts and b"\x00" in chunk and not any(chunk.startswith(b) for b, _, _ in BOMS):
                    even = chunk[: len(chunk) // 2 * 2]
                    if bomless_utf16(even) is None:
                        raise InputError(f"{self.name}: binary file, not text")
                parts.append(chunk)
            return b"".join(parts)
        finally:
            self.close()

    # ------------------------------------------------------------------ text lines

    def _decoder(self, head: bytes) -> tuple[codecs.IncrementalDecoder, str]:
        for bom, encoding, label in BOMS:
            if head.startswith(bom):
                return codecs.getincrementaldecoder(encoding)(), label
        utf16 = bomless_utf16(head[: len(head) // 2 * 2])
        if utf16 is not None:
            return codecs.getincrementaldecoder(utf16)(), "UTF-16"
        return codecs.getincrementaldecoder("utf-8")(), "UTF-8"

    def _texts(self) -> Iterator[str]:
        """Decoded text pieces; NUL or a 5% share of other control characters means binary."""
        stream = self.chunks()
        head = b""
        for chunk in stream:  # enough bytes to recognise the encoding
            head += chunk
            if len(head) >= 4096:
                break
        decoder, label = self._decoder(head[:4096])
        controls = chars = 0
        pending = [head]
        for chunk in _chain(pending, stream):
            try:
                text = decoder.decode(chunk)
            except UnicodeDecodeError:
                raise InputError(f"{self.name}: not {label} text") from None
            if "\x00" in text:
                raise InputError(f"{self.name}: binary file, not text")
            chars += len(text)
            controls += _count_controls(text)
            yield text
        try:
            tail = decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            raise InputError(f"{self.name}: not {label} text") from None
        if tail:
            chars += len(tail)
            controls += _count_controls(tail)
            yield tail
        if controls > BINARY_CONTROL_SHARE * chars:
            raise InputError(f"{self.name}: binary file, not text")

    def lines(self) -> Iterator[tuple[int, str]]:
        """(line number, line without its end) for every line; CRLF and CR end a line like LF.
        A line over max_line characters, or more than max_records non-blank lines, refuses the
        input at once, without reading the rest."""
        max_line = self.budget.max_line
        n = records = 0
        buf = ""
        try:
            for text in self._texts():
                buf += text
                carry = ""
                if buf.endswith("\r"):  # its LF may start the next piece
                    buf, carry = buf[:-1], "\r"
                *complete, buf = buf.replace("\r\n", "\n").replace("\r", "\n").split("\n")
                for line in complete:
                    n += 1
                    records = self._check(n, line, records)
                    yield n, line
                if max_line is not None and len(buf) > max_line:
                    self._long_line(n + 1)
                buf += carry
            complete = buf.replace("\r\n", "\n").replace("\r", "\n").split("\n")
            if complete[-1] == "":
                complete.pop()
            for line in complete:
                n += 1
                records = self._check(n, line, records)
                yield n, line
        finally:
            self.close()

    def _check(self, n: int, line: str, records: int) -> int:
        if self.budget.max_line is not None and len(line) > self.budget.max_line:
            self._long_line(n)
        if line.strip():
            records += 1
            if self.budget.max_records is not None and records > self.budget.max_records:
                raise InputError(f"{self.name}: more than {self.budget.max_records:,} records is over the "
                                 f"limit; {self.budget.advice}")
        return records

    def _long_line(self, n: int) -> None:
        raise InputError(
            f"{self.name}:{n}: line over the {self.budget.max_line:,}-character limit for one record; "
            f"{self.budget.advice}"
        )


def _chain(first: list[bytes], rest: Iterator[bytes]) -> Iterator[bytes]:
    for chunk in first:
        if chunk:
            yield chunk
    yield from rest


def _count_controls(text: str) -> int:
    """C0 control characters other than tab / line ends, plus DEL (as text._too_many_controls)."""
    return sum(text.count(c) for c in _CONTROL_CHARS)


# --------------------------------------------------------------------------- JSON records


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(f"number {text[:20]}{'...' if len(text) > 20 else ''} is out of range")
    return value


def loads_strict(line: str | bytes) -> Any:
    """json.loads refusing what is not JSON or cannot be written back as JSON: NaN and Infinity,
    numbers out of float range. Raises ValueError (integers over Python's digit limit too) or
    RecursionError (nesting too deep)."""
    return json.loads(line, parse_constant=_no_constant, parse_float=_finite_float)


def has_lone_surrogate(value: Any) -> bool:
    """Does a parsed JSON value hold a lone surrogate ("\\ud800"), which no UTF-8 output can carry?"""
    try:
        json.dumps(value, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


# --------------------------------------------------------------------------- containers


def check_zip(path: object, max_bytes: int, error: type[Exception] = InputError, max_members: int = 20_000) -> None:
    """Refuse a zip container (a skops model, an .npz) before anything inflates it: not a zip,
    more than `max_members` members, or members that together claim more than `max_bytes`. Python's
    zipfile never inflates a member past the size its header claims (the CRC check fails
    instead), so this bounds what loading it can cost."""
    import zipfile

    try:
        with zipfile.ZipFile(str(path)) as z:
            infos = z.infolist()
    except Exception as exc:  # noqa: BLE001 - BadZipFile, OSError, NotImplementedError... from a foreign file
        raise error(f"{path}: not a readable zip container ({type(exc).__name__}: {str(exc)[:200]})") from None
    if len(infos) > max_members:
        raise error(f"{path}: {len(infos):,} members, more than the {max_members} expected")
    claimed = sum(i.file_size for i in infos)
    if claimed > max_bytes:
        raise error(f"{path}: its members inflate to {claimed:,} bytes, over the {max_bytes:,}-byte limit")


def inflate_bounded(blob: object, max_bytes: int, name: str, error: type[Exception] = InputError) -> bytes:
    """zlib-decompress `blob`, refusing (one line naming `name`) what is not zlib data, is
    truncated, or inflates past `max_bytes` (read at most max_bytes + 1 of its output)."""
    if not isinstance(blob, (bytes, bytearray, memoryview)):
        raise error(f"{name}: not compressed text ({type(blob).__name__})")
    d = zlib.decompressobj()
    try:
        out = d.decompress(bytes(blob), max_bytes + 1)
    except zlib.error as exc:
        raise error(f"{name}: damaged compressed text ({exc})") from None
    if len(out) > max_bytes:
        raise error(f"{name}: inflates past the {max_bytes:,}-byte limit (a decompression bomb?)")
    if not d.eof:
        raise error(f"{name}: truncated compressed text")
    return out
