"""What a benchmark run uses: the data files, the methods compared, the sizes of a quick and a full
run, the run's configuration, and the timestamped progress log on stderr."""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from pathlib import Path

from mtdetect.features import GROUPS as FEATURE_GROUPS
from mtdetect.report.progress import log



def _checkout() -> Path | None:
    """The repository mtdetect runs from (seeds/, training/, benchmarks/), or None when it is
    installed (a wheel, `pip install .`): then nothing below may be assumed to exist."""
    root = Path(__file__).resolve().parent.parent.parent
    return root if (root / "pyproject.toml").is_file() and (root / "seeds").is_dir() else None


CHECKOUT = _checkout()
ROOT = CHECKOUT or Path.cwd()  # reports show paths relative to this
# The seed articles the bench scores: $MTDETECT_SEEDS, else the checkout's seeds/ (run_bench
# stops with a one-line message when there are none: an installed package ships no seeds).
SEEDS = Path(os.environ["MTDETECT_SEEDS"]) if os.environ.get("MTDETECT_SEEDS") else ROOT / "seeds"
# The round trips made by training/make_*.py (learn/sources.load_sources; --work-dir elsewhere)
# and ../shared/data (--data-dir elsewhere): without them the matrix is skipped, and the report says so.
WORK_DIR = ROOT / "training" / "work"
DATA_DIR = ROOT.parent / "shared" / "data"
WMT_FILE = "wmt_mt_vs_human.jsonl.gz"  # only for the speed rows' pair samples
RECORD_DIR = ROOT / "benchmarks" / "results"  # the committed record: written only by --update-record, in a checkout
DEFAULT_OUT = Path("mtdetect-bench")  # a run's own output, under the working directory
BASELINES = ("1-chrF", "cosine", "n-gram")
METHODS = ("mtdetect",) + BASELINES
GROUPS = tuple(FEATURE_GROUPS)
_T0 = time.perf_counter()


def reset_clock() -> None:
    """Start the progress log's clock (each run_bench counts from its own start)."""
    global _T0
    _T0 = time.perf_counter()


def step(message: str) -> None:
    """A progress line on stderr, stamped with the seconds since the run started."""
    log(f"[{time.perf_counter() - _T0:4.0f}s] {message}")


# seeds/LABELS.md: expected article verdict of each seed against 000
SEED_EXPECTED = {
    "000": "copy",  # the reference itself
    "001": "round-trip MT",
    "002": "rewritten",
    "003": "rewritten",
    "004": "unrelated",
}


@dataclass(frozen=True)
class Sizes:
    """How much data each part uses (quick: CI-sized; full: the published numbers)."""

    per_source: int  # pairs per source of the matrix sample (essays: per pivot), whole documents where possible
    ablation: bool  # feature-group ablation over the matrix (uncalibrated fits, AUC only)
    ngram: bool  # the candidate-only n-gram baseline, fitted per cell
    speed_pairs: int  # WMT pairs for the pair-scoring speed rows
    repeats: int  # timing repeats (best of)
    scan_articles: int = 0  # articles of the `mtdetect scan` speed row (0: none)
    embedder_docs: int = 0  # held-out documents per set scored with both embedders (bench/embedders.py; 0: none;
    # a full run takes 500 per ASAP pivot, so that one document is 0.002 and "within 0.01" is 5 of them)


QUICK = Sizes(60, ablation=True, ngram=True, speed_pairs=40, repeats=1, scan_articles=16, embedder_docs=5)
FULL = Sizes(400, ablation=True, ngram=True, speed_pairs=5000, repeats=2, scan_articles=2000, embedder_docs=500)


@dataclass(frozen=True)
class BenchConfig:
    quick: bool = False
    pairs: tuple[str, ...] = ()
    data_dir: Path | None = None  # default: DATA_DIR (<repo>/../shared/data)
    work_dir: Path | None = None  # default: WORK_DIR (<repo>/training/work: the round trips made from the data)
    out_dir: Path = DEFAULT_OUT
    model_dir: Path | None = None  # default: the shipped model
    seed: int = 13
    cache_dir: Path | None = None  # embedding cache (default: ~/.cache/mtdetect or $MTDETECT_CACHE)
    sizes: Sizes | None = None  # override QUICK/FULL (tests)
    speed: bool = True
    embedder: str | None = None  # the aligning embedding (None: the default); seeds and speed measure both
    force: bool = False  # write into an out_dir that is not a benchmark folder (outputs.py's policy)

    @property
    def plan(self) -> Sizes:
        return self.sizes or (QUICK if self.quick else FULL)
