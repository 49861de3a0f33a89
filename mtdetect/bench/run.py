"""run_bench: run every part the environment allows, in order, and write the report."""

from __future__ import annotations

import json
import os
import sys
import time
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Iterator

import numpy as np

from mtdetect.embed.cache import CachedEncoder
from mtdetect.learn.train import TrainConfig
from mtdetect.bench.config import (DATA_DIR, RECORD_DIR, ROOT, SEEDS, WMT_FILE, WORK_DIR, BenchConfig, Sizes,
                                   reset_clock, step)
from mtdetect.outputs import BENCH_DIR, check_target
from mtdetect.bench.data import load_matrix_sample, wmt_speed_samples
from mtdetect.bench.heldout import bench_extra_pairs
from mtdetect.bench.plots import plots_unavailable, write_plots
from mtdetect.bench.report import atomic_write, render_report
from mtdetect.bench.seeds import bench_seeds, seed_sentences_row
from mtdetect.bench.speed import bench_speed
from mtdetect.bench.transfer import bench_transfer, summary_lines
from mtdetect.bench.without_reference import bench_without_reference


def shown_path(path: Path) -> str:
    """A path relative to the repository when inside it (reports are committed)."""
    try:
        return str(Path(path).resolve().relative_to(ROOT))
    except ValueError:
        return str(path)


@dataclass
class BenchReport:
    results: dict
    out_dir: Path
    files: list[str] = field(default_factory=list)

    def summary(self) -> str:
        """A few lines for the terminal: where the report is and the headline numbers."""
        r = self.results
        lines = [f"benchmark ({r['mode']}) written to {self.out_dir}: {', '.join(self.files)}",
                 f"signature: {r['signature']}",
                 "seeds: " + ", ".join(f"{s['file'][:3]} {s['verdict']}{'' if s['ok'] else ' (expected ' + s['expected'] + ')'}"
                                       for s in r["seeds"])]
        lines += summary_lines(r)
        if r["skipped"]:
            lines += [f"skipped: {s}" for s in r["skipped"]]
        lines.append(f"total {r['seconds']['total']:.0f} s")
        return "\n".join(lines)


def _strip_private(obj: Any) -> Any:
    if isinstance(obj, dict):
        return {k: _strip_private(v) for k, v in obj.items() if not str(k).startswith("_")}
    if isinstance(obj, list):
        return [_strip_private(v) for v in obj]
    if isinstance(obj, (np.floating, np.integer)):
        return obj.item()
    return obj


class _Parts:
    """Seconds per part of the run, for the report's time table."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}

    @contextmanager
    def part(self, name: str, message: str | None = None) -> Iterator[None]:
        if message:
            step(message)
        t = time.perf_counter()
        yield
        self.seconds[name] = round(time.perf_counter() - t, 1)


def run_bench(config: BenchConfig) -> BenchReport:
    """Run every part the environment allows and write report.md, results.json and the plots."""
    from mtdetect.embed import DEFAULT_EMBEDDER, EMBEDDERS, make_embedder
    from mtdetect.detect.reference import Detector

    if not any(SEEDS.glob("0*.txt")):
        from mtdetect.inputs.errors import InputError

        raise InputError(f"bench: no seed articles in {SEEDS}: run it from a checkout of the repository "
                         "or set MTDETECT_SEEDS to a folder of them")
    reset_clock()
    t_start = time.perf_counter()
    sizes = config.plan
    out_dir = Path(config.out_dir)
    if out_dir.resolve() != RECORD_DIR.resolve():  # the record folder also holds other benchmarks' files
        check_target(out_dir, BENCH_DIR, config.force, config.pairs)
    if config.pairs:  # a bad --pairs file is refused now, not after loading models and the long run
        from mtdetect.inputs.pairs import read_pairs

        for path in config.pairs:
            read_pairs([path], require_label=True)
    data_dir = Path(config.data_dir) if config.data_dir else DATA_DIR
    skipped: list[str] = []
    parts = _Parts()
    no_plots = plots_unavailable()  # known before the long run, not after it
    if no_plots:
        skipped.append(f"plots skipped: {no_plots}.")
        step(f"bench: plots will be skipped: {no_plots}")

    step("bench: loading the embedding model and the shipped classifier")
    primary = config.embedder or DEFAULT_EMBEDDER
    embedder = make_embedder(primary)
    detector = Detector(config.model_dir, embedder=embedder)
    encoder = CachedEncoder(embedder, config.cache_dir)
    res: dict[str, Any] = {
        "mode": "quick" if config.quick else "full", "signature": detector.signature,
        "model_dir": shown_path(detector.model.path), "created": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "machine": f"{os.cpu_count()} CPUs, Python {sys.version.split()[0]}", "plan": asdict(sizes),
        "skipped": skipped,
    }
    with parts.part("seeds", "bench: seeds"):
        res["seeds"], seed_pairs = bench_seeds(detector)
        # the seeds with the other embedder too: verdicts and p_article side by side (issue 23)
        others = {name: Detector(config.model_dir, embedder=name) for name in EMBEDDERS if name != primary}
        res["seeds_by_embedder"] = {primary: res["seeds"],
                                    **{name: bench_seeds(det)[0] for name, det in others.items()}}
    if sizes.embedder_docs:
        from mtdetect.bench.embedders import compare, seed_docs, shared_docs

        with parts.part("embedders", "bench: both embedders on whole documents"):
            docs = seed_docs(SEEDS) + (shared_docs(data_dir, sizes.embedder_docs, config.seed, sizes.embedder_docs)
                                       if data_dir.is_dir() else [])
            res["embedders_on_documents"] = compare(docs, config.model_dir)
    with parts.part("without_reference", "bench: without the original (reference-free, index, pivot)"):
        res["without_reference"] = bench_without_reference(detector)

    res["card_transfer"] = (detector.model.card.get("metrics") or {}).get("transfer")
    work_dir = Path(config.work_dir) if config.work_dir else WORK_DIR
    with parts.part("matrix", "bench: the leave-one-source-out matrix on the bench sample"):
        res["transfer"] = _matrix(config, data_dir, work_dir, sizes, encoder, detector.model.threshold, skipped)
    base = (res["transfer"] or {}).get("baselines") or {}
    ngram_all, gthr = base.get("_ngram"), base.get("thresholds")
    if seed_pairs:
        res["seeds_pairs_rows"] = [seed_sentences_row(seed_pairs, encoder, detector.model, ngram_all, gthr)]
    if config.pairs:
        res["pairs_rows"] = bench_extra_pairs(config.pairs, encoder, detector.model, ngram_all, gthr)

    if config.speed:
        with parts.part("speed", "bench: speed"):
            if (data_dir / WMT_FILE).exists() and sizes.speed_pairs:
                samples = wmt_speed_samples(data_dir, sizes.speed_pairs, config.seed)
            else:
                samples = {"seed sentences": [(r, c) for r, c, _ in seed_pairs][: sizes.speed_pairs]}
            res["speed"] = bench_speed(detector, config.model_dir, samples, sizes, primary)
            for name, det in others.items():  # the same measurements with the other embedder, same run
                res.setdefault("speed_by_embedder", {primary: "speed"})[name] = bench_speed(
                    det, config.model_dir, samples, sizes, name)
    res["seconds"] = parts.seconds | {"total": round(time.perf_counter() - t_start, 1)}

    res = _strip_private(res)
    out_dir.mkdir(parents=True, exist_ok=True)  # only now: a refused or failed run leaves no folder
    files = [] if no_plots else write_plots(res, out_dir)
    atomic_write(out_dir / "results.json", json.dumps(res, indent=1, ensure_ascii=False) + "\n")
    atomic_write(out_dir / "report.md", render_report(res))
    return BenchReport(res, out_dir, ["report.md", "results.json"] + files)


def _matrix(config: BenchConfig, data_dir: Path, work_dir: Path, sizes: Sizes, encoder: Any, threshold: float,
            skipped: list[str]) -> dict | None:
    """The matrix on a sample of every source, or None (and a note) when the data does not allow one."""
    from threadpoolctl import threadpool_limits

    pairs = load_matrix_sample(data_dir, work_dir, sizes.per_source, config.seed, skipped) if data_dir.is_dir() else []
    if not pairs:
        skipped.append(f"leave-one-source-out matrix on the bench sample skipped: no sources under {data_dir} "
                       f"and {work_dir} (a clone has none: the data is ../shared/data, and the round trips are made "
                       "from it by training/make_roundtrips.py and training/make_asap_pairs.py). Nothing is claimed "
                       "about it below.")
        return None
    with threadpool_limits(limits=1):  # one thread per fit: far faster than OpenMP on a shared CPU
        out = bench_transfer(pairs, encoder, TrainConfig(seed=config.seed, group_key="group"), sizes, threshold,
                             config.seed)
    if out is None:
        skipped.append("leave-one-source-out matrix on the bench sample skipped: no (MT source, human source) "
                       "cell has both classes left to train on (it needs two MT and two human sources: make the "
                       "round trips with training/make_roundtrips.py and training/make_asap_pairs.py).")
    return out
