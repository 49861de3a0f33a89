"""Progress bars and log lines, always on stderr; silenced by `set_quiet(True)` (--quiet)."""

from __future__ import annotations

import sys
from typing import Iterable, Iterator, TypeVar

T = TypeVar("T")
_QUIET = False


def set_quiet(quiet: bool) -> None:
    global _QUIET
    _QUIET = quiet


def is_quiet() -> bool:
    return _QUIET


def log(message: str) -> None:
    """One line of progress information on stderr."""
    if not _QUIET:
        print(message, file=sys.stderr, flush=True)


def track(items: Iterable[T], total: int | None = None, label: str = "", unit_scale: int = 1) -> Iterator[T]:
    """Iterate with a rich progress bar on stderr (only when stderr is a terminal and not quiet)."""
    if _QUIET or not sys.stderr.isatty():
        yield from items
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

    columns = ("{task.description}", BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
    with Progress(*columns, console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task(label, total=(total * unit_scale) if total else None)
        for item in items:
            yield item
            bar.advance(task, unit_scale)


class Counter:
    """A progress bar driven by callbacks, `update(done, total)`; nothing when quiet or not a terminal."""

    def __init__(self, label: str = "") -> None:
        self._label = label
        self._bar = None
        self._task = None

    def update(self, done: int, total: int) -> None:
        if _QUIET or not sys.stderr.isatty():
            return
        if self._bar is None:
            from rich.console import Console
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

            self._bar = Progress("{task.description}", BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
                                 console=Console(stderr=True), transient=True)
            self._task = self._bar.add_task(self._label, total=total)
            self._bar.start()
        self._bar.update(self._task, completed=done, total=total)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.stop()
