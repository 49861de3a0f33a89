"""The scan job: plan the batches not yet written, run them on an engine, append the results."""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator, Sequence

from mtdetect.inputs.documents import Document, count_documents, iter_documents
from mtdetect.inputs.errors import InputError
from mtdetect.scan.batch import ENGINES, BatchScorer, ScanConfig
from mtdetect.scan.engines import run_local, run_ray, usable_cores
from mtdetect.scan.mode import scorer_factory
from mtdetect.scan.output import IdSet, ResultFile


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
    earlier_errors: int = 0  # error lines --out held when this run started
    retried_errors: bool = False  # --retry-errors: those lines were dropped and their ids scored again

    def line(self) -> str:
        rate = self.scored / self.seconds if self.seconds else 0.0
        parts = [f"scanned {self.scored:,} articles ({self.errors:,} with errors) in {self.seconds:.1f} s, "
                 f"{rate:.1f} articles/s, {self.sentences / max(self.seconds, 1e-9):.0f} sentences/s"]
        if self.skipped_done:
            parts.append(f"{self.skipped_done:,} already in {self.out}")
        if self.earlier_errors and self.retried_errors:
            parts.append(f"{self.earlier_errors:,} earlier error lines removed and their articles scored again")
        elif self.earlier_errors:
            parts.append(f"{self.earlier_errors:,} earlier error lines kept and their articles skipped "
                         "(--retry-errors scores them again)")
        if self.duplicates:
            parts.append(f"{self.duplicates:,} duplicate ids skipped")
        if self.repaired_bytes:
            parts.append(f"cut a partial last line ({self.repaired_bytes:,} bytes)")
        return "; ".join(parts)


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
         factory: Callable[[], BatchScorer] | None = None, retry_errors: bool = False,
         force: bool = False) -> ScanSummary:
    """Score every article of `inputs` into the JSONL file `out`, resuming from what it holds.

    `factory` builds each worker's scorer (default `scorer_factory(config)`; with several workers
    it must be picklable). Error lines already in `out` are final unless `retry_errors`: then they
    are removed and their articles scored again. An `out` that is not a scan's results is refused
    unless `force` (outputs.py's policy)."""
    import threading

    from mtdetect.report.progress import RateProgress, is_quiet

    if engine not in ENGINES:
        raise ValueError(f"engine must be one of {ENGINES}")
    for path in inputs:
        if path != "-" and not Path(path).exists():
            raise InputError(f"{path}: no such file or directory")
    if config.cache:  # before any worker starts, so a bad cache is one clear error, not a dead worker
        from mtdetect.embed.cache import prepare_cache_dir

        prepare_cache_dir()
    if workers is None and engine == "local":
        workers = default_workers(engine)
    if config.threads is None and (engine == "ray" or (workers or 1) > 1):
        config = _replace(config, threads=1 if engine == "ray" else max(1, usable_cores() // (workers or 1)))
    factory = factory or scorer_factory(config)
    progress = progress or RateProgress("scan: ")
    summary = ScanSummary(str(out), engine, workers)
    start = time.monotonic()
    with ResultFile(out, retry_errors=retry_errors, force=force, inputs=tuple(inputs)) as results:
        summary.repaired_bytes = results.repaired_bytes
        summary.earlier_errors, summary.retried_errors = results.error_lines, retry_errors
        if "-" not in inputs:
            def count() -> None:
                try:
                    progress.set_total(count_documents(inputs))
                except Exception:  # noqa: BLE001 - the count only feeds the ETA
                    pass

            threading.Thread(target=count, daemon=True).start()
        batches = _plan(iter_documents(inputs, strict=False, stdin_jsonl=True), results.done, config, summary, progress)
        if engine == "local":
            stream = run_local(factory, batches, workers or 1)
        else:
            stream = run_ray(factory, batches, workers, ray_address, is_quiet())
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
