"""Progress bars and log lines, always on stderr; silenced by `set_quiet(True)` (--quiet)."""

from __future__ import annotations

import sys
from typing import Any, Iterable, Iterator, TypeVar

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


def _duration(seconds: float) -> str:
    seconds = int(seconds)
    if seconds >= 3600:
        return f"{seconds // 3600}h{seconds % 3600 // 60:02d}m"
    return f"{seconds // 60}m{seconds % 60:02d}s" if seconds >= 60 else f"{seconds}s"


class RateProgress:
    """Progress of a long job in articles: done/total, articles/s, sentences/s and ETA on stderr.

    A live bar when stderr is a terminal; otherwise one log line every `interval` seconds (job
    logs stay readable); nothing when quiet. `total` may be set later (counted in the background)
    or never (no ETA). Rates count this run's work only, not articles skipped as already done.
    """

    def __init__(self, label: str = "", interval: float = 30.0) -> None:
        import time

        self._label = label
        self._interval = interval
        self._clock = time.monotonic
        self._start = self._last_log = self._clock()
        self.total: int | None = None
        self.skipped = 0
        self.articles = 0
        self.sentences = 0
        self._bar = None
        self._task = None

    def set_total(self, total: int) -> None:
        self.total = total

    def skip(self, n: int = 1) -> None:
        """Articles not scored in this run (already in the output, duplicate ids): they count
        towards done/total but not towards the rates."""
        self.skipped += n

    def rates(self) -> tuple[float, float, float | None]:
        """(articles/s, sentences/s, seconds left or None)."""
        elapsed = max(self._clock() - self._start, 1e-9)
        a_rate, s_rate = self.articles / elapsed, self.sentences / elapsed
        left = None
        if self.total is not None and a_rate > 0:
            left = max(self.total - self.skipped - self.articles, 0) / a_rate
        return a_rate, s_rate, left

    def line(self) -> str:
        a_rate, s_rate, left = self.rates()
        done = self.articles + self.skipped
        of = f"/{self.total:,}" if self.total is not None else ""
        eta = f", ETA {_duration(left)}" if left is not None else ""
        return f"{self._label}{done:,}{of} articles, {a_rate:.1f} articles/s, {s_rate:.0f} sentences/s{eta}"

    def update(self, articles: int, sentences: int) -> None:
        """Add `articles` scored in this run, holding `sentences` sentences."""
        self.articles += articles
        self.sentences += sentences
        if _QUIET:
            return
        if not sys.stderr.isatty():
            now = self._clock()
            if now - self._last_log >= self._interval:
                self._last_log = now
                print(self.line(), file=sys.stderr, flush=True)
            return
        if self._bar is None:
            from rich.console import Console
            from rich.progress import BarColumn, Progress

            self._bar = Progress("{task.description}", BarColumn(), console=Console(stderr=True), transient=True)
            self._task = self._bar.add_task(self.line(), total=self.total)
            self._bar.start()
        self._bar.update(self._task, description=self.line(), total=self.total,
                         completed=self.articles + self.skipped)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.stop()
            self._bar = None


class Status:
    """One status line on stderr for a command that may keep a person waiting (loading models,
    embedding): shown only once it has run `delay` seconds, only on a terminal and when not quiet;
    updated with each `stage` and the seconds so far, and erased when the work is done.

        with Status() as status:
            status.stage("loading the models")
            ...
    """

    def __init__(self, delay: float = 1.0, stream: Any = None, label: str = "mtdetect") -> None:
        import threading

        self._stream = stream or sys.stderr
        self._label = label
        self._stage = "working"
        self._shown = False
        self._done = threading.Event()
        self._thread = None
        if not _QUIET and self._stream.isatty():
            self._thread = threading.Thread(target=self._run, args=(delay,), daemon=True)
            self._thread.start()

    def stage(self, text: str) -> None:
        self._stage = text

    def _run(self, delay: float) -> None:
        import time

        start = time.monotonic()
        if self._done.wait(delay):
            return
        while not self._done.is_set():
            self._stream.write(f"\r\x1b[K{self._label}: {self._stage}... {time.monotonic() - start:.0f} s")
            self._stream.flush()
            self._shown = True
            self._done.wait(0.5)

    def close(self) -> None:
        self._done.set()
        if self._thread is not None:
            self._thread.join()
        if self._shown:
            self._stream.write("\r\x1b[K")  # erase the line: the result follows on a clean screen
            self._stream.flush()

    def __enter__(self) -> "Status":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
