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
    `{"id", "error", "signature"}`: it never stops the job. A rerun skips error lines like any
    other written id and says how many there were; `--retry-errors` removes them from the file
    and scores those articles again.
  * Ids are keys: the first record with an id is scored, later ones with the same id are
    skipped and counted as duplicates.
  * Lines are written in completion order, not input order; compare runs by id.
"""

from mtdetect.embed.minilm import BatchEncoder
from mtdetect.scan.batch import ENGINES, BatchResult, BatchScorer, ScanConfig, score_batch
from mtdetect.scan.engines import ScanAborted
from mtdetect.scan.job import ScanSummary, default_workers, scan
from mtdetect.scan.mode import scorer_factory
from mtdetect.scan.output import IdSet, ResultFile

__all__ = [
    "ScanConfig", "ScanSummary", "ScanAborted", "BatchEncoder", "BatchResult", "BatchScorer", "scorer_factory",
    "score_batch", "ResultFile", "IdSet", "scan", "ENGINES", "default_workers",
]  # fmt: skip
