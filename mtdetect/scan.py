"""Scan a corpus: score many articles in one streaming, resumable, parallel job.

    from mtdetect.scan import ScanConfig, scan
    summary = scan(["crawl/day.jsonl.gz"], "results.jsonl", ScanConfig(batch_size=32), engine="local")

How it works
  * Input is streamed (documents.iter_documents) and cut into batches of `batch_size`
    articles. A worker splits every article of a batch into sentences, embeds the distinct
    sentences of the whole batch in one `encode` call, then scores each article with
    `Detector.score_article` answered from those vectors (BatchEncoder): the same code and
    the same result as scoring it alone (tests/test_scan.py checks this).
  * One function, `score_batch`, runs in every worker: in-process (`--workers 1`), in a
    process pool (`--workers N`), or in Ray Data actors (`--engine ray`). Each worker builds
    its scorer once, from the picklable factory `scorer_factory(config)` returns; that is
    the only place where the mode (reference / --reference-free / --index) is chosen.
  * Batches in flight are bounded (local: 2 per worker; Ray: one window of max(64, 8 x actors)
    batches), so memory does not grow with the input.
  * Output: one JSON line per article, written by the driver with a single os.write on an
    O_APPEND descriptor (fsync after each batch). A rerun with the same `--out` first cuts a
    trailing partial line (a kill during a write), then skips every id already written.

Records and their order
  * A record with `reference` is scored against it. One without is scored by the
    --reference-free / --index scorer; with neither option it gets an `error` line.
  * A record that cannot be scored (not English, empty, too large, bad JSON) gets
    `{"id", "error", "signature"}`: it never stops the job. Error lines are final: a rerun
    skips them like any other written id.
  * Ids are keys: the first record with an id is scored, later ones with the same id are
    skipped and counted as duplicates.
  * Lines are written in completion order, not input order; compare runs by id.
"""

from __future__ import annotations

import fcntl
import functools
import hashlib
import json
import os
import pickle
import re
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator, Sequence

import numpy as np

from .documents import Document, count_documents, iter_documents
from .embed import BatchEncoder
from .text import InputError

__all__ = [
    "ScanConfig", "ScanSummary", "ScanAborted", "BatchEncoder", "BatchResult", "BatchScorer", "scorer_factory",
    "score_batch", "ResultFile", "IdSet", "scan", "ENGINES",
]  # fmt: skip

ENGINES = ("local", "ray")
NO_REFERENCE = "no 'reference' in this record: give one, or scan with --index INDEX or --reference-free"


class ScanAborted(RuntimeError):
    """The job stopped for a reason outside the input (a worker died, the cluster went away);
    rerunning the same command resumes it."""


@dataclass(frozen=True)
class ScanConfig:
    """What a scan computes; the same for every worker and engine."""

    model: str | None = None  # model directory (None: the shipped model)
    threshold: float | None = None
    index: str | None = None  # archive index for records without a reference
    reference_free: bool = False  # score records without a reference reference-free
    batch_size: int = 32  # articles per shared embedding batch
    max_batch_chars: int = 4_000_000  # a batch is also closed at this many characters of text
    sentences: bool = True  # False: per-sentence results are left out (flagged_sentences instead)
    cache: bool = False  # read/write the on-disk embedding cache (cache.CachedEncoder)
    threads: int | None = None  # torch threads per worker (None: torch's default)

    @property
    def mode(self) -> str:
        """How records without a reference are scored: "index", "reference-free" or "reference" (not at all)."""
        return "index" if self.index else "reference-free" if self.reference_free else "reference"


# --------------------------------------------------------------------------- scoring a batch


@dataclass
class BatchResult:
    """Output lines of one batch: (id, mode or None for an error, signature, line bytes with "\\n")."""

    lines: list[tuple[str, str | None, str, bytes]] = field(default_factory=list)
    sentences: int = 0  # suspect sentences in the scored articles
    errors: int = 0


def _encode_line(record: dict) -> bytes:
    try:
        return (json.dumps(record, ensure_ascii=False) + "\n").encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate (from a JSON escape): keep the line valid UTF-8
        return (json.dumps(record, ensure_ascii=True) + "\n").encode("ascii")


def _article_text(text: str, name: str) -> str:
    """The checks `score` applies to a file, applied to one record's text."""
    from .guard import check_input_size, html_to_text, looks_like_html
    from .text import iter_sentences

    check_input_size(len(text.encode("utf-8", "surrogatepass")), name)
    if looks_like_html(text):
        text = html_to_text(text)
    if next(iter_sentences(text), None) is None:
        raise InputError(f"{name}: empty (no text)")
    return text


class BatchScorer:
    """Scores batches of Documents with one Detector (and, for records without a reference,
    the `fallback` the mode chose: text -> ArticleResult)."""

    def __init__(self, detector: Any, encoder: BatchEncoder, config: ScanConfig,
                 fallback: Callable[[str], Any] | None = None) -> None:
        self.detector = detector
        self.encoder = encoder
        self.config = config
        self.fallback = fallback

    @property
    def signature(self) -> str:
        return self.detector.signature

    def _prepare(self, doc: Document) -> tuple[str, str | None]:
        from .guard import MAX_SENTENCES, check_article_pair, check_english, check_sentence_count, count_sentences

        if doc.error:
            raise InputError(doc.error)
        text = _article_text(doc.text or "", "text")
        if doc.reference is None:
            if self.fallback is None:
                raise InputError(NO_REFERENCE)
            check_sentence_count(count_sentences(text, MAX_SENTENCES + 1), "text")
            check_english(text, "text")
            return text, None
        reference = _article_text(doc.reference, "reference")
        check_article_pair(text, "text", reference, "reference")
        return text, reference

    def _record(self, doc_id: str, result: Any) -> dict:
        data = result.to_dict()
        if not self.config.sentences:
            sentences = data.pop("sentences")
            data["flagged_sentences"] = [s["index"] for s in sentences if s["flagged"]]
        return {"id": doc_id, **data}

    def score(self, docs: Sequence[Document]) -> BatchResult:
        """One output line per document (scored, or an error line); embeddings shared by the batch."""
        from .text import split_sentences

        out = BatchResult()
        ready: list[tuple[Document, str, str | None, int]] = []
        sentences: list[str] = []
        for doc in docs:
            try:
                text, reference = self._prepare(doc)
            except InputError as exc:
                out.lines.append(self._error(doc.id, str(exc)))
                out.errors += 1
                continue
            sus = [s.text for s in split_sentences(text)]
            ref = [s.text for s in split_sentences(reference)] if reference is not None else []
            ready.append((doc, text, reference, len(sus)))
            sentences += sus + ref
        self.encoder.clear()  # vectors live for one batch: memory stays bounded
        self.encoder.prime(sentences)
        del sentences
        for doc, text, reference, n_suspect in ready:
            try:
                if reference is not None:
                    result = self.detector.score_article(text, reference)
                else:
                    result = self.fallback(text)  # type: ignore[misc]
            except InputError as exc:  # e.g. the index's match makes too large an alignment
                out.lines.append(self._error(doc.id, str(exc)))
                out.errors += 1
                continue
            except Exception as exc:  # one bad article must not stop a million-article job
                out.lines.append(self._error(doc.id, f"internal error: {type(exc).__name__}: {exc}"))
                out.errors += 1
                continue
            out.sentences += n_suspect
            out.lines.append((doc.id, result.mode, result.signature, _encode_line(self._record(doc.id, result))))
        self.encoder.clear()
        return out

    def _error(self, doc_id: str, message: str) -> tuple[str, None, str, bytes]:
        record = {"id": doc_id, "error": message, "signature": self.signature}
        return doc_id, None, self.signature, _encode_line(record)


def score_batch(scorer: BatchScorer, docs: Sequence[Document]) -> BatchResult:
    """The per-batch function every engine runs (in-process, process pool, Ray actor)."""
    return scorer.score(docs)


# --------------------------------------------------------------------------- the mode


def _optional(module: str, name: str, option: str) -> Any:
    """`module.name`, or a one-line InputError saying that this build lacks what `option` needs."""
    import importlib

    try:
        return getattr(importlib.import_module(module), name)
    except (ImportError, AttributeError):
        raise InputError(f"{option}: not available in this build of mtdetect ({module}.{name} is missing)") from None


# What each mode needs beyond reference scoring (checked in the driver before any worker starts).
_MODE_NEEDS = {
    "reference-free": [("mtdetect.reffree", "ReferenceFreeDetector")],
    "index": [("mtdetect.index", "ArchiveIndex"), ("mtdetect.score", "score_with_index"),
              ("mtdetect.reffree", "ReferenceFreeDetector")],
}


def _reference_free_fallback(config: ScanConfig, detector: Any) -> Callable[[str], Any]:  # noqa: ARG001
    """Records without a reference, --reference-free: the reference-free model on the text alone."""
    rf = _optional("mtdetect.reffree", "ReferenceFreeDetector", "--reference-free")(threshold=config.threshold)
    return rf.score_article


def _index_fallback(config: ScanConfig, detector: Any) -> Callable[[str], Any]:
    """Records without a reference, --index: find the original in the archive and score against it
    (reference-free when the archive has none), as `mtdetect score SUSPECT --index` does."""
    archive = _optional("mtdetect.index", "ArchiveIndex", "--index")(config.index)
    score_with_index = _optional("mtdetect.score", "score_with_index", "--index")
    rf = _optional("mtdetect.reffree", "ReferenceFreeDetector", "--index")()
    return lambda text: score_with_index(detector, archive, text, rf)


def build_scorer(config: ScanConfig, fallback: Callable | None) -> BatchScorer:
    """What each worker calls once: the embedding model, the Detector, the mode's fallback."""
    from .embed import Embedder
    from .score import Detector

    embedder = Embedder(threads=config.threads)
    if config.cache:
        from .cache import CachedEncoder

        encoder = BatchEncoder(CachedEncoder(embedder))
    else:
        encoder = BatchEncoder(embedder)
    detector = Detector(config.model, embedder=encoder, threshold=config.threshold)
    return BatchScorer(detector, encoder, config, fallback(config, detector) if fallback else None)


def scorer_factory(config: ScanConfig) -> Callable[[], BatchScorer]:
    """The one place where the mode picks the scorer: a picklable factory each worker or actor
    calls once. Checks in the caller's process that the mode's modules exist (fail early)."""
    for module, name in _MODE_NEEDS.get(config.mode, []):
        _optional(module, name, f"--{config.mode}")
    fallback = {"reference-free": _reference_free_fallback, "index": _index_fallback}.get(config.mode)
    return functools.partial(build_scorer, config, fallback)


# --------------------------------------------------------------------------- ids and the output file


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


class ResultFile:
    """The JSONL output of a scan: locked against a second writer, its trailing partial line (a
    kill during a write) cut, its complete ids known; new lines appended with one os.write each."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.done = IdSet()
        self.signatures: dict[str, str] = {}  # mode -> signature of the results already written
        self.repaired_bytes = 0
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.created = not self.path.exists()  # a refused run removes the empty file it made
        try:
            self._fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_APPEND, 0o666)  # less the umask
        except OSError as exc:
            raise InputError(f"{self.path}: cannot write ({exc.strerror or exc})") from None
        try:
            fcntl.flock(self._fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(self._fd)
            raise InputError(f"{self.path}: another scan is writing this file") from None
        try:
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
                else:
                    self.done.add(rec["id"])
                    if "error" not in rec and isinstance(rec.get("mode"), str):
                        self.signatures.setdefault(rec["mode"], str(rec.get("signature")))
                offset += len(line)
        if bad is not None:  # only the tail can be incomplete: cut it
            self.repaired_bytes = offset - bad[1]
            os.ftruncate(self._fd, bad[1])
            os.fsync(self._fd)

    def _check_signature(self, mode: str, signature: str) -> None:
        old = self.signatures.setdefault(mode, signature)
        if old != signature:
            raise InputError(
                f"{self.path}: holds {mode} results of {old}, this run scores with {signature}; "
                "write to another --out (results of two models must not be mixed)"
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


# --------------------------------------------------------------------------- engines

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


def _run_local(factory: Callable[[], BatchScorer], batches: Iterator[list[Document]],
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


def _run_ray(factory: Callable[[], BatchScorer], batches: Iterator[list[Document]], workers: int | None,
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


# --------------------------------------------------------------------------- the job


@dataclass
class ScanSummary:
    """What a scan did."""

    out: str
    engine: str
    workers: int | None
    scored: int = 0
    errors: int = 0
    skipped_done: int = 0  # ids already in --out
    duplicates: int = 0  # ids seen earlier in this run's input
    sentences: int = 0
    seconds: float = 0.0
    repaired_bytes: int = 0  # partial last line cut from --out before resuming

    def line(self) -> str:
        rate = self.scored / self.seconds if self.seconds else 0.0
        parts = [f"scanned {self.scored:,} articles ({self.errors:,} with errors) in {self.seconds:.1f} s, "
                 f"{rate:.1f} articles/s, {self.sentences / max(self.seconds, 1e-9):.0f} sentences/s"]
        if self.skipped_done:
            parts.append(f"{self.skipped_done:,} already in {self.out}")
        if self.duplicates:
            parts.append(f"{self.duplicates:,} duplicate ids skipped")
        if self.repaired_bytes:
            parts.append(f"cut a partial last line ({self.repaired_bytes:,} bytes)")
        return "; ".join(parts)


def usable_cores() -> int:
    """CPUs this process may run on (the affinity mask, not the machine's count)."""
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def default_workers(engine: str) -> int | None:
    """Local: one process per core (each torch single-threaded) measured faster than one process
    using every core (benchmarks/results/scan.md). Ray: None = one actor per CPU of the cluster."""
    return usable_cores() if engine == "local" else None


def _plan(docs: Iterable[Document], done: IdSet, config: ScanConfig, summary: ScanSummary,
          progress: Any) -> Iterator[list[Document]]:
    """Batches of documents not yet in the output, first occurrence of each id only."""
    seen = IdSet()
    batch: list[Document] = []
    chars = 0
    for doc in docs:
        if doc.id in done:
            summary.skipped_done += 1
            progress.skip()
            continue
        if not seen.add(doc.id):
            summary.duplicates += 1
            progress.skip()
            continue
        batch.append(doc)
        chars += len(doc.text or "") + len(doc.reference or "")
        if len(batch) >= config.batch_size or chars >= config.max_batch_chars:
            yield batch
            batch, chars = [], 0
    if batch:
        yield batch


def scan(inputs: Sequence[str], out: str | Path, config: ScanConfig = ScanConfig(), engine: str = "local",
         workers: int | None = None, ray_address: str | None = None, progress: Any = None,
         factory: Callable[[], BatchScorer] | None = None) -> ScanSummary:
    """Score every article of `inputs` into the JSONL file `out`, resuming from what it holds.

    `factory` builds each worker's scorer (default `scorer_factory(config)`; with several workers
    it must be picklable)."""
    import threading

    from .progress import RateProgress, is_quiet

    if engine not in ENGINES:
        raise ValueError(f"engine must be one of {ENGINES}")
    for path in inputs:
        if path != "-" and not Path(path).exists():
            raise InputError(f"{path}: no such file or directory")
    if config.cache:  # before any worker starts, so a bad cache is one clear error, not a dead worker
        from .cache import prepare_cache_dir

        prepare_cache_dir()
    if workers is None and engine == "local":
        workers = default_workers(engine)
    if config.threads is None and (engine == "ray" or (workers or 1) > 1):
        config = _replace(config, threads=1 if engine == "ray" else max(1, usable_cores() // (workers or 1)))
    factory = factory or scorer_factory(config)
    progress = progress or RateProgress("scan: ")
    summary = ScanSummary(str(out), engine, workers)
    start = time.monotonic()
    with ResultFile(out) as results:
        summary.repaired_bytes = results.repaired_bytes
        if "-" not in inputs:
            def count() -> None:
                try:
                    progress.set_total(count_documents(inputs))
                except Exception:  # noqa: BLE001 - the count only feeds the ETA
                    pass

            threading.Thread(target=count, daemon=True).start()
        batches = _plan(iter_documents(inputs, strict=False, stdin_jsonl=True), results.done, config, summary, progress)
        if engine == "local":
            stream = _run_local(factory, batches, workers or 1)
        else:
            stream = _run_ray(factory, batches, workers, ray_address, is_quiet())
        try:
            for result in stream:
                results.write(result)
                summary.scored += len(result.lines)
                summary.errors += result.errors
                summary.sentences += result.sentences
                progress.update(len(result.lines), result.sentences)
        finally:
            progress.close()
            summary.seconds = time.monotonic() - start
    return summary


def _replace(config: ScanConfig, **changes: Any) -> ScanConfig:
    from dataclasses import replace

    return replace(config, **changes)
