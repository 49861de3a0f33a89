"""Where batches are scored: in this process, in a pool of spawned processes, or in Ray Data actors.
Each engine bounds the batches in flight, so memory does not grow with the input."""

from __future__ import annotations

import os
import pickle
import re
from typing import Callable, Iterator

import numpy as np

from mtdetect.inputs.documents import Document
from mtdetect.inputs.errors import InputError
from mtdetect.scan.batch import BatchResult, BatchScorer, score_batch


class ScanAborted(RuntimeError):
    """The job stopped for a reason outside the input (a worker died, the cluster went away);
    rerunning the same command resumes it."""


_WORKER_SCORER: BatchScorer | None = None
_WORKER_ERROR: BaseException | None = None


def _die_with_parent(parent: int) -> None:
    """Linux: have the kernel kill this worker when the driver dies (a kill -9 of the driver
    must not leave workers holding the model in memory); elsewhere a no-op."""
    import ctypes
    import signal

    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, int(signal.SIGKILL))  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        return
    if os.getppid() != parent:  # the driver died before prctl took effect
        os._exit(1)


def _init_worker(factory: Callable[[], BatchScorer], parent: int) -> None:
    global _WORKER_SCORER, _WORKER_ERROR
    _die_with_parent(parent)
    try:
        _WORKER_SCORER = factory()
    except Exception as exc:  # reported with the first batch: a dead initializer says nothing
        _WORKER_ERROR = exc


def _score_in_worker(docs: list[Document]) -> BatchResult:
    if _WORKER_ERROR is not None:
        raise _WORKER_ERROR
    assert _WORKER_SCORER is not None
    return score_batch(_WORKER_SCORER, docs)


def run_local(factory: Callable[[], BatchScorer], batches: Iterator[list[Document]],
               workers: int) -> Iterator[BatchResult]:
    """In-process for one worker; else a pool of spawned processes, 2 batches each in flight."""
    if workers <= 1:
        scorer = factory()
        for docs in batches:
            yield score_batch(scorer, docs)
        return
    import multiprocessing
    from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
    from concurrent.futures.process import BrokenProcessPool

    pool = ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn"),
                               initializer=_init_worker, initargs=(factory, os.getpid()))
    pending: set = set()
    try:
        for docs in batches:
            pending.add(pool.submit(_score_in_worker, docs))
            while len(pending) >= 2 * workers:
                done, pending = wait(pending, return_when=FIRST_COMPLETED)
                for future in done:
                    yield future.result()
        while pending:
            done, pending = wait(pending, return_when=FIRST_COMPLETED)
            for future in done:
                yield future.result()
    except BrokenProcessPool:
        raise ScanAborted("a worker process died (out of memory?); rerun the same command to resume") from None
    finally:
        pool.shutdown(wait=False, cancel_futures=True)


class _RayScanActor:
    """A Ray Data actor: builds its scorer once, then scores the batches it is given. An exception
    comes back pickled as the batch's result, so the driver raises the original (Ray Data would
    wrap it in a UserCodeException and keep only its traceback text)."""

    def __init__(self, factory: Callable[[], BatchScorer]) -> None:
        self.scorer: BatchScorer | None = None
        self.error: BaseException | None = None
        try:
            self.scorer = factory()
        except Exception as exc:  # noqa: BLE001 - sent to the driver with the first batch
            self.error = exc

    def _one(self, payload: bytes) -> bytes:
        try:
            if self.error is not None:
                raise self.error
            return pickle.dumps(score_batch(self.scorer, pickle.loads(payload)))  # type: ignore[arg-type]
        except Exception as exc:  # noqa: BLE001
            try:
                return pickle.dumps(exc)
            except Exception:  # noqa: BLE001 - an exception that does not pickle
                return pickle.dumps(RuntimeError(f"{type(exc).__name__}: {exc}"))

    def __call__(self, batch: dict) -> dict:
        return {"result": np.array([self._one(p) for p in batch["payload"]], dtype=object)}


def _windows(batches: Iterator[list[Document]], size: int) -> Iterator[list[list[Document]]]:
    window: list[list[Document]] = []
    for docs in batches:
        window.append(docs)
        if len(window) >= size:
            yield window
            window = []
    if window:
        yield window


def run_ray(factory: Callable[[], BatchScorer], batches: Iterator[list[Document]], workers: int | None,
             address: str | None, quiet: bool) -> Iterator[BatchResult]:
    """Ray Data: windows of batches, each a dataset mapped by a pool of `workers` actors."""
    try:
        import ray
    except ImportError:
        raise InputError("--engine ray needs Ray: pip install 'mtdetect[scale]'") from None
    address = address or os.environ.get("RAY_ADDRESS") or None
    started = not ray.is_initialized()
    if started:
        try:
            if address:
                ray.init(address=address, log_to_driver=not quiet, logging_level="ERROR" if quiet else "WARNING")
            else:
                ray.init(num_cpus=workers or usable_cores(), include_dashboard=False,
                         log_to_driver=not quiet, logging_level="ERROR" if quiet else "WARNING")
        except ConnectionError as exc:
            raise ScanAborted(f"cannot reach the Ray cluster at {address}: {exc}") from None
    try:
        actors = workers or max(1, int(ray.cluster_resources().get("CPU", 1)))
        ctx = ray.data.DataContext.get_current()
        ctx.enable_progress_bars = False
        ctx.print_on_execution_start = False
        # A window is one Dataset (one actor pool, the model loaded once per actor); it holds
        # enough batches to keep every actor busy and bounds what the driver keeps in memory.
        for window in _windows(batches, max(64, 8 * actors)):
            ds = ray.data.from_items([{"payload": pickle.dumps(docs)} for docs in window],
                                     override_num_blocks=len(window))
            ds = ds.map_batches(_RayScanActor, fn_constructor_args=(factory,), batch_size=1, num_cpus=1,
                                compute=ray.data.ActorPoolStrategy(size=actors), batch_format="numpy")
            try:
                for row in ds.iter_rows():
                    result = pickle.loads(row["result"])
                    if isinstance(result, BaseException):
                        raise result
                    yield result
            except ray.exceptions.RayError as exc:  # Ray itself failed: an actor or a node died
                first = re.sub(r"\x1b\[[0-9;]*m", "", str(exc)).strip().splitlines()[0]
                raise ScanAborted(f"Ray: {type(exc).__name__}: {first}; rerun the same command to resume") from exc
    finally:
        if started:
            ray.shutdown()


def usable_cores() -> int:
    """CPUs this process may run on (the affinity mask, not the machine's count)."""
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1
