"""THE output policy: every file or directory mtdetect writes goes through here.

    check_target(path, kind, force, inputs)          refuse now, before any work
    write_file(path, text, kind, force, inputs)      one file
    with replace_dir(path, kind, force, inputs) as tmp: ...fill tmp...      a directory
    check_append_target(path, inputs)                scan's JSONL, appended in place

* New content goes to a temporary file (directory) beside the target, is fsynced, then moved
  into place by one atomic rename: a reader or a kill sees the old output or the whole new one.
  A directory is swapped by one renameat2(RENAME_EXCHANGE) (Linux >= 3.15); elsewhere the old
  one is renamed to `.NAME.old-mtdetect`, the new one renamed in, the backup removed. A kill
  between those two renames leaves the old output whole under the backup name, which the next
  write to the target (or `recover_dir`) renames back.
* What the tool did not make is never overwritten unless `force`: an existing target must be
  the writer's kind (`OutputKind.recognise`): a model folder by its card (`card.json`,
  `"format": "mtdetect-model/1"`), an index by `index.json` (`mtdetect-index/1`), a bench folder
  by `results.json`, each holding nothing but its own files (a user's file put inside is never
  deleted silently); a text output by the signature every scored output carries (`|mtdetect:`)
  or roundtrip's `"system": "apertium-`. An empty file or folder counts as the tool's.
* Never onto a device, FIFO, socket, or a folder where a file goes, even with `force`.
* An output that is an input, holds one, or lies inside an input folder: refused.
* A replaced file keeps its mode (0600 stays 0600); a new one gets what the umask gives.

Every refusal is an `OutputError` (an InputError: exit 3), one line naming the target.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import errno
import json
import os
import shutil
import stat
import tempfile
from contextlib import contextmanager
from dataclasses import dataclass
from fnmatch import fnmatch
from pathlib import Path
from typing import Callable, Iterable, Iterator

from mtdetect.inputs.errors import InputError

__all__ = [
    "OutputError", "OutputKind", "TEXT_OUTPUT", "MODEL_DIR", "INDEX_DIR", "BENCH_DIR", "SIGNATURE_MARK",
    "creation_mode", "check_target", "write_file", "replace_dir", "recover_dir", "check_append_target",
    "check_not_input",
]  # fmt: skip

SIGNATURE_MARK = b"|mtdetect:"  # in the signature every scored output carries
_SNIFF = 1 << 20  # bytes read from each end of an existing file to recognise it
BACKUP_SUFFIX = ".old-mtdetect"


class OutputError(InputError):
    """An output target mtdetect refuses to write (exit 3)."""


def creation_mode(directory: bool = False) -> int:
    """0666 (0777 for a directory) less the process's umask."""
    mask = os.umask(0)  # the only portable way to read it: set, then restore at once
    os.umask(mask)
    return (0o777 if directory else 0o666) & ~mask


def _json_format(path: Path, expected: str) -> bool:
    """Does the small JSON file at `path` name `"format": expected`? (bounded read, never raises)"""
    try:
        with open(path, "rb") as fh:
            value = json.loads(fh.read(16 * 1024 * 1024 + 1))
    except (OSError, ValueError, RecursionError):
        return False
    return isinstance(value, dict) and value.get("format") == expected


def _has_marks(path: Path, marks: tuple[bytes, ...]) -> bool:
    try:
        with open(path, "rb") as fh:
            head, size = fh.read(_SNIFF), os.fstat(fh.fileno()).st_size
            fh.seek(max(_SNIFF, size - _SNIFF))
            tail = fh.read(_SNIFF)
    except OSError:
        return False
    return any(m in head or m in tail for m in marks)


@dataclass(frozen=True)
class OutputKind:
    """What the tool writes at a target: how an existing one is recognised as its own."""

    name: str  # in messages: "model directory", "index", ...
    directory: bool
    manifest: str = ""  # directory: the file that identifies it
    manifest_format: str = ""  # directory: the `format` that manifest names ("" = any content)
    files: tuple[str, ...] = ()  # directory: glob patterns of every name it may hold
    marks: tuple[bytes, ...] = ()  # file: bytes that identify the tool's own output

    def recognise(self, path: Path) -> bool:
        """Is the existing `path` (lstat'ed: a real file or directory) this kind's own output?"""
        if not self.directory:
            try:
                return path.stat().st_size == 0 or _has_marks(path, self.marks)
            except OSError:
                return False
        try:
            names = {p.name for p in path.iterdir()}
        except OSError:
            return False
        if not names:  # an empty folder: nothing to lose
            return True
        if self.manifest not in names or not all(any(fnmatch(n, f) for f in self.files) for n in names):
            return False
        manifest = path / self.manifest
        return manifest.is_file() and not manifest.is_symlink() and (
            not self.manifest_format or _json_format(manifest, self.manifest_format))


TEXT_OUTPUT = OutputKind("mtdetect output", False, marks=(SIGNATURE_MARK, b'"system": "apertium-'))
MODEL_DIR = OutputKind("model directory", True, "card.json", "mtdetect-model/1",
                       ("card.json", "classifier.skops", "arrays.npz"))
INDEX_DIR = OutputKind("index", True, "index.json", "mtdetect-index/1",
                       ("index.json", "lexical.npz", "idf.npy", "articles.sqlite"))
BENCH_DIR = OutputKind("benchmark folder", True, "results.json", "", ("results.json", "report.md", "*.png"))


def _lstat(path: Path) -> os.stat_result | None:
    try:
        return os.lstat(path)
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise OutputError(f"{path}: cannot write here ({exc.strerror or exc})") from None


_SPECIAL = ((stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device"), (stat.S_ISFIFO, "a FIFO"),
            (stat.S_ISSOCK, "a socket"))


def _refuse_special(path: Path, st: os.stat_result) -> None:  # even with --force
    for test, what in _SPECIAL:
        if test(st.st_mode):
            raise OutputError(f"{path}: is {what}; mtdetect writes only regular files and folders "
                              "(leave out --out to write to stdout)")


def check_not_input(path: Path, inputs: Iterable[object], directory: bool = False) -> None:
    """Refuse an output that is one of the inputs, or (a directory) holds one of them."""
    target = Path(os.path.abspath(path))
    for item in inputs:
        if item in (None, "-"):
            continue
        src = Path(os.path.abspath(str(item)))
        same = src == target
        try:
            same = same or os.path.samefile(src, target)
        except OSError:
            pass
        inside = directory and (target in src.parents or _real(target) in _real(src).parents)
        within = src in target.parents or _real(src) in _real(target).parents
        if same or inside or within:
            what = "is also an input" if same else "holds the input" if inside else "is inside the input folder"
            raise OutputError(f"{path}: the output {what} {item}; write to another --out")


def _real(p: Path) -> Path:
    return Path(os.path.realpath(p))


def _check_target(path: Path, kind: OutputKind, force: bool, inputs: Iterable[object]) -> os.stat_result | None:
    st = _lstat(path)
    check_not_input(path, inputs, kind.directory)
    if st is None:
        return None
    _refuse_special(path, st)
    if stat.S_ISLNK(st.st_mode):
        if not force:
            raise OutputError(f"{path}: is a symbolic link; mtdetect does not write through it "
                              "(--force replaces the link itself)")
        return st
    is_dir = stat.S_ISDIR(st.st_mode)
    if is_dir != kind.directory:
        raise OutputError(f"{path}: is a {'directory' if is_dir else 'file'}, not a {kind.name}; "
                          "mtdetect will not replace it (choose another --out)")
    if not force and not kind.recognise(path):
        raise OutputError(f"{path}: exists and is not an mtdetect {kind.name}; mtdetect will not overwrite it "
                          "(choose another --out, or --force to replace it)")
    return st


def check_target(path: str | Path | None, kind: OutputKind = TEXT_OUTPUT, force: bool = False,
                 inputs: Iterable[object] = ()) -> None:
    """Refuse now, before any work, what write_file / replace_dir would refuse at the end
    (None or '-': stdout, nothing to check)."""
    if path is None or str(path) == "-":
        return
    path = Path(os.path.abspath(path))
    if kind.directory and path == Path(path.anchor):
        raise OutputError(f"{path}: cannot write a {kind.name} over the root directory")
    if kind.directory:
        try:
            recover_dir(path)
        except OSError:
            pass
    _check_target(path, kind, force, inputs)
    _probe(path)


def _probe(path: Path) -> None:
    """Can a temporary file be made where `path` goes (its nearest existing folder)? Tried for
    real: permissions, a read-only mount or /proc answer only to an attempt."""
    folder = path.parent
    while not folder.exists() and folder != folder.parent:
        folder = folder.parent
    if not folder.is_dir():
        raise OutputError(f"{path}: cannot write here ({folder} is not a directory)")
    try:
        fd, tmp = tempfile.mkstemp(prefix=".mtdetect-probe-", dir=folder)
    except OSError as exc:
        raise OutputError(f"{path}: cannot write here ({exc.strerror or exc})") from None
    os.close(fd)
    os.unlink(tmp)


def _parent(path: Path) -> Path:
    parent = path.parent
    try:
        parent.mkdir(parents=True, exist_ok=True)
    except (FileExistsError, NotADirectoryError):
        raise OutputError(f"{path}: cannot write here ({parent} is not a directory)") from None
    except OSError as exc:
        raise OutputError(f"{path}: cannot write here ({exc.strerror or exc})") from None
    return parent


def _fsync_dir(directory: Path) -> None:
    try:
        fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
    except OSError:
        pass


def _step(name: str) -> None:
    """Between two steps of a replacement: a no-op (tests inject a failure or a kill here)."""


def write_file(path: str | Path, data: str | bytes, kind: OutputKind = TEXT_OUTPUT, force: bool = False,
               inputs: Iterable[object] = ()) -> None:
    """Write `data` to `path` atomically, by the policy above."""
    path = Path(os.path.abspath(path))
    st = _check_target(path, kind, force, inputs)
    mode = stat.S_IMODE(st.st_mode) if st is not None and stat.S_ISREG(st.st_mode) else creation_mode()
    parent = _parent(path)
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=parent)
    except OSError as exc:
        raise OutputError(f"{path}: cannot write here ({exc.strerror or exc})") from None
    try:
        os.fchmod(fd, mode)
        with os.fdopen(fd, "wb") as fh:
            fh.write(data.encode("utf-8") if isinstance(data, str) else data)
            fh.flush()
            os.fsync(fh.fileno())
        _step("file-written")
        os.replace(tmp, path)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise OutputError(f"{path}: cannot write ({exc.strerror or exc})") from None
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    _fsync_dir(parent)


def check_append_target(path: str | Path, inputs: Iterable[object] = ()) -> bool:
    """For an output appended in place (scan's JSONL): a regular file or nothing, not an input.
    Returns whether it exists. Whether its content is the tool's is the caller's to judge."""
    path = Path(path)
    st = _lstat(path)
    check_not_input(path, inputs)
    if st is None:
        _parent(path)
        return False
    _refuse_special(path, st)
    if stat.S_ISDIR(st.st_mode):
        raise OutputError(f"{path}: is a directory; --out names a results file")
    if stat.S_ISLNK(st.st_mode):
        raise OutputError(f"{path}: is a symbolic link; mtdetect does not write through it")
    return True


def _backup(path: Path) -> Path:
    return path.with_name(f".{path.name}{BACKUP_SUFFIX}")


def recover_dir(path: str | Path) -> None:
    """Finish a directory replacement a kill interrupted: the old output back at `path` if
    nothing is there, the backup removed if the new one is in place."""
    path = Path(path)
    backup = _backup(path)
    if not backup.is_dir() or backup.is_symlink():
        return
    if _lstat(path) is None:
        os.rename(backup, path)
    else:
        shutil.rmtree(backup, ignore_errors=True)


_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


def _renameat2() -> Callable[..., int] | None:
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        fn = libc.renameat2
    except (OSError, AttributeError):
        return None
    fn.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    fn.restype = ctypes.c_int
    return fn


def _exchange(a: Path, b: Path) -> bool:
    """Swap two paths atomically (renameat2 RENAME_EXCHANGE); False where the system cannot."""
    fn = _renameat2()
    if fn is None:
        return False
    if fn(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE) == 0:
        return True
    err = ctypes.get_errno()
    if err in (errno.ENOSYS, errno.EINVAL, errno.EOPNOTSUPP):
        return False
    raise OSError(err, os.strerror(err), str(b))


def _swap_in(tmp: Path, path: Path, exists: bool, exchange: bool = True) -> None:
    """Put the complete `tmp` at `path`; the old output stays whole until the new one is there."""
    if not exists:
        os.rename(tmp, path)
        return
    if exchange and _exchange(tmp, path):
        _step("exchanged")
        shutil.rmtree(tmp, ignore_errors=True)  # the old output, now at tmp's name
        return
    backup = _backup(path)
    shutil.rmtree(backup, ignore_errors=True)
    os.rename(path, backup)
    try:
        _step("old-moved-aside")
        os.rename(tmp, path)
    except BaseException:
        if _lstat(path) is None:
            os.rename(backup, path)
        raise
    _step("new-in-place")
    shutil.rmtree(backup, ignore_errors=True)


@contextmanager
def replace_dir(path: str | Path, kind: OutputKind, force: bool = False, inputs: Iterable[object] = (),
                exchange: bool = True) -> Iterator[Path]:
    """A new temporary directory beside `path` to fill; on a clean exit its files are fsynced and
    it replaces `path` atomically (see the module doc). On an error nothing at `path` changes."""
    path = Path(os.path.abspath(path))
    check_target(path, kind, force, inputs)  # also puts back an old output a kill left aside
    parent = _parent(path)
    st = _lstat(path)
    try:
        tmp = Path(tempfile.mkdtemp(prefix=f".{path.name}.tmp-", dir=parent))
    except OSError as exc:
        raise OutputError(f"{path}: cannot write here ({exc.strerror or exc})") from None
    try:
        yield tmp
        for f in tmp.iterdir():
            if f.is_file():
                with open(f, "rb") as fh:
                    os.fsync(fh.fileno())
        tmp.chmod(stat.S_IMODE(st.st_mode) if st is not None and stat.S_ISDIR(st.st_mode)
                  else creation_mode(directory=True))
        _fsync_dir(tmp)
        _step("new-complete")
        if st is not None and stat.S_ISLNK(st.st_mode):  # --force on a link: replace the link, not its target
            os.unlink(path)
            st = None
        try:
            _swap_in(tmp, path, st is not None, exchange)
        except OSError as exc:
            raise OutputError(f"{path}: cannot replace ({exc.strerror or exc})") from None
        _fsync_dir(parent)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
