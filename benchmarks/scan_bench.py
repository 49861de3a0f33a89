"""Corpus-scale benchmark for `mtdetect scan`: throughput by workers and batch size, peak memory
at two input sizes, a kill-and-resume run, Ray vs local, and the cost of 1M sentences.

    .venv/bin/python benchmarks/scan_bench.py            # full run (~1 h on 2 busy cores)
    .venv/bin/python benchmarks/scan_bench.py --quick    # small sizes, a few minutes

Load: generated articles from ../shared/data/wmt_mt_vs_human.jsonl.gz: each article is 8
consecutive WMT segments of one test set (one per line), windows not overlapping, so articles
in one batch share no sentence; its reference is their human references, its text a mix of
the systems' and human translators' versions of the same segments. The ~900 windows come
round again with other candidates (round r takes candidate (j + r) mod n for segment j), so
10,000 articles are all different. Without the data file the seeds' sentences are used
instead (3 sentences a record; these do overlap).

Every scan runs as a fresh `python -m mtdetect.cli scan ...` process, like a user would run
it. Peak memory is sampled from /proc every 0.2 s as the sum of RSS over the process and all
its descendants (workers, Ray's processes), and the largest single process is reported too.
Two kinds of run:

* uncached (`--no-cache`, the default): every sentence goes through the embedding model; this
  is the real cost and the rate the 1M-sentence extrapolation uses;
* cached (`--cache`): WMT texts are already in the on-disk embedding cache, so these runs
  measure everything but the model (reading, batching, alignment, features, writing) and are
  cheap enough for 10,000 articles: the memory and kill/resume runs.

Writes benchmarks/results/scan.md and scan.json (atomically). The machine is shared with
other jobs: the load average is recorded with every run, and ratios measured in one run
vary less than absolute rates.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import resource
import signal
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WORK = ROOT / "benchmarks" / "work" / "scan"
RESULTS = ROOT / "benchmarks" / "results"
WMT = ROOT.parent / "shared" / "data" / "wmt_mt_vs_human.jsonl.gz"
SEGMENTS_PER_ARTICLE = 8


# --------------------------------------------------------------------------- load


def wmt_articles(n: int) -> list[dict]:
    """n generated articles (see the module docstring)."""
    by_seg: dict[tuple[str, int], list[dict]] = defaultdict(list)
    with gzip.open(WMT, "rt", encoding="utf-8") as fh:
        for line in fh:
            r = json.loads(line)
            by_seg[(r["dataset"], int(r["seg_id"]))].append(r)
    datasets: dict[str, list[list[dict]]] = defaultdict(list)
    for (ds, _), rows in sorted(by_seg.items()):
        datasets[ds].append(sorted(rows, key=lambda r: (r["system"], r["candidate"])))
    # Disjoint windows: articles next to each other (in one batch) share no sentence, as in a real
    # crawl; after all windows are used, they come round again with other candidates.
    windows = [(ds, start) for ds, segs in sorted(datasets.items())
               for start in range(0, len(segs) - SEGMENTS_PER_ARTICLE + 1, SEGMENTS_PER_ARTICLE)]
    out = []
    for i in range(n):
        ds, start = windows[i % len(windows)]
        segs = datasets[ds][start : start + SEGMENTS_PER_ARTICLE]
        shift = i // len(windows)
        text = [seg[(j + shift) % len(seg)]["candidate"] for j, seg in enumerate(segs)]
        out.append({"id": f"wmt-{i:07d}", "text": "\n".join(text), "reference": "\n".join(s[0]["reference"] for s in segs)})
    return out


def seed_articles(n: int) -> list[dict]:
    from mtdetect.text import split_sentences

    seeds = sorted((ROOT / "seeds").glob("0*.txt"))
    orig = [s.text for s in split_sentences(seeds[0].read_text(encoding="utf-8"))]
    others = [[s.text for s in split_sentences(f.read_text(encoding="utf-8"))] for f in seeds[1:4]]
    out = []
    for i in range(n):
        k = i % (len(orig) - 3)
        src = others[i % 3]
        out.append({"id": f"seed-{i:07d}", "text": " ".join(src[k % (len(src) - 3) :][:3]),
                    "reference": " ".join(orig[k : k + 3])})
    return out


def build_load(n: int) -> Path:
    path = WORK / f"load-{'wmt' if WMT.exists() else 'seeds'}-{n}.jsonl"
    if not path.exists():
        rows = wmt_articles(n) if WMT.exists() else seed_articles(n)
        WORK.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        with open(tmp, "w", encoding="utf-8") as fh:
            for r in rows:
                fh.write(json.dumps(r, ensure_ascii=False) + "\n")
        os.replace(tmp, path)
    return path


# --------------------------------------------------------------------------- measuring a run


def _tree(pid: int) -> list[int]:
    """pid and all its descendants (from /proc/*/task/*/children)."""
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        try:
            for task in os.listdir(f"/proc/{p}/task"):
                with open(f"/proc/{p}/task/{task}/children") as fh:
                    todo.extend(int(c) for c in fh.read().split())
        except OSError:
            pass
    return out


def _session(sid: int) -> list[int]:
    """Live processes of session `sid` (the scan and everything it started)."""
    out = []
    for name in os.listdir("/proc"):
        if name.isdigit():
            try:
                with open(f"/proc/{name}/stat") as fh:
                    fields = fh.read().rsplit(")", 1)[1].split()
                if int(fields[3]) == sid and fields[0] != "Z":
                    out.append(int(name))
            except (OSError, IndexError, ValueError):
                pass
    return out


def _rss_kb(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/status") as fh:
            for line in fh:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def _lines(path: Path) -> int:
    try:
        with open(path, "rb") as fh:
            return sum(chunk.count(b"\n") for chunk in iter(lambda: fh.read(1 << 20), b""))
    except FileNotFoundError:
        return 0


def run_scan(load: Path, out: Path, workers: int, batch: int, cache: bool, engine: str = "local",
             kill_at: float | None = None, cache_dir: Path | None = None) -> dict:
    """One `mtdetect scan` process; kill_at: SIGKILL it once that share of the input is written."""
    total = _lines(load)
    cmd = [sys.executable, "-m", "mtdetect.cli", "scan", str(load), "--out", str(out), "--engine", engine,
           "--workers", str(workers), "--batch-size", str(batch), "--cache" if cache else "--no-cache", "-q"]
    env = dict(os.environ)
    if cache_dir is not None:
        env["MTDETECT_CACHE"] = str(cache_dir)
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    load_avg = os.getloadavg()[0]
    start = time.monotonic()
    errors = tempfile.TemporaryFile()
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=errors, start_new_session=True)
    peak_tree = peak_one = 0
    first_line_at = None
    lines_at_first = 0
    killed = False
    while proc.poll() is None:
        sizes = [_rss_kb(p) for p in _tree(proc.pid)]
        peak_tree, peak_one = max(peak_tree, sum(sizes)), max([peak_one, *sizes])
        n = _lines(out)
        if first_line_at is None and n > 0:
            first_line_at, lines_at_first = time.monotonic(), n
        if kill_at is not None and n >= kill_at * total:
            proc.send_signal(signal.SIGKILL)
            killed = True
            break
        time.sleep(0.2)
    proc.wait()
    end = time.monotonic()
    left_behind = 0
    if killed:  # only the driver was killed, as `kill -9 PID` would; its workers must not outlive it
        time.sleep(2)
        left_behind = len(_session(proc.pid))
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    errors.seek(0)
    err = errors.read().decode("utf-8", "replace")
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode != 0 and not killed:
        raise RuntimeError(f"scan failed ({proc.returncode}): {err[-2000:]}")
    n_out = _lines(out)
    steady = None
    if first_line_at is not None and n_out > lines_at_first and end > first_line_at:
        steady = (n_out - lines_at_first) / (end - first_line_at)
    return {
        "engine": engine, "workers": workers, "batch_size": batch, "cache": cache, "killed": killed,
        "processes_left_after_kill": left_behind,
        "input_articles": total, "lines_after": n_out, "seconds": round(end - start, 2),
        "seconds_to_first_line": round(first_line_at - start, 2) if first_line_at else None,
        "steady_articles_per_s": round(steady, 3) if steady else None,
        "cpu_seconds": round((usage.ru_utime - before.ru_utime) + (usage.ru_stime - before.ru_stime), 1),
        "peak_rss_tree_mb": round(peak_tree / 1024, 1), "peak_rss_largest_process_mb": round(peak_one / 1024, 1),
        "load_average_at_start": round(load_avg, 2), "load_average_at_end": round(os.getloadavg()[0], 2),
    }


def check_output(load: Path, out: Path) -> dict:
    """Every input id exactly once, every line a complete JSON record."""
    want = [json.loads(line)["id"] for line in open(load, encoding="utf-8")]
    data = out.read_bytes()
    got, bad = [], 0
    for line in data.split(b"\n")[:-1] if data.endswith(b"\n") else data.split(b"\n"):
        try:
            got.append(json.loads(line)["id"])
        except (ValueError, KeyError):
            bad += 1
    sentences = sum(json.loads(line).get("n_sentences", 0) for line in data.splitlines())
    return {"complete_final_newline": data.endswith(b"\n"), "partial_or_bad_lines": bad,
            "duplicates": len(got) - len(set(got)), "lost": len(set(want) - set(got)),
            "unexpected": len(set(got) - set(want)), "error_lines": data.count(b'"error": '),
            "suspect_sentences": sentences}


def fresh(path: Path) -> Path:
    path.unlink(missing_ok=True)
    return path


# --------------------------------------------------------------------------- the benchmark


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="small sizes (CI smoke run)")
    ap.add_argument("--skip-ray", action="store_true")
    ap.add_argument("--repeat", type=int, default=2, help="runs of each uncached setting (default 2)")
    args = ap.parse_args()
    small, large = (100, 400) if args.quick else (1000, 10000)
    uncached_n = 24 if args.quick else 320
    report: dict = {"machine": {"cpus": os.cpu_count(), "load_average_before": round(os.getloadavg()[0], 2)},
                    "load": "wmt" if WMT.exists() else "seeds", "segments_per_article": SEGMENTS_PER_ARTICLE,
                    "runs": {}}
    runs = report["runs"]
    emb_cache = Path(tempfile.mkdtemp(prefix="scan-bench-cache-"))  # empty: uncached runs stay uncached

    # 1. Throughput with the embedding model in the loop: workers x batch size. Start-up (imports,
    #    the model loaded in each worker) is measured on an input of one article per worker, in
    #    batches of one so that every worker starts, and taken out of the per-sentence cost.
    for workers in (1, 2):
        few = WORK / f"load-startup-{workers}.jsonl"
        few.write_text("".join(build_load(uncached_n).read_text(encoding="utf-8").splitlines(True)[:workers]),
                       encoding="utf-8")
        out = fresh(WORK / f"startup-w{workers}.jsonl")
        r = run_scan(few, out, workers, 1, cache=False, cache_dir=emb_cache)
        r.update(check_output(few, out))
        runs[f"startup_w{workers}"] = r
        print(json.dumps(r), flush=True)
    load = build_load(uncached_n)
    for rep in range(args.repeat):  # interleaved, so that a burst of other jobs hits every setting alike
        for workers in (1, 2):
            for batch in (8, 32):
                out = fresh(WORK / f"uncached-w{workers}-b{batch}.jsonl")
                r = run_scan(load, out, workers, batch, cache=False, cache_dir=emb_cache)
                r.update(check_output(load, out), repeat=rep + 1)
                runs[f"uncached_w{workers}_b{batch}_r{rep + 1}"] = r
                print(json.dumps(r), flush=True)

    # 2. Memory at two sizes (cached: everything but the model), default workers and batch.
    for n in (small, large):
        load = build_load(n)
        out = fresh(WORK / f"cached-{n}.jsonl")
        r = run_scan(load, out, 2, 32, cache=True)
        r.update(check_output(load, out))
        runs[f"cached_{n}"] = r
        print(json.dumps(r), flush=True)

    # 3. Kill midway, resume: the large load.
    load = build_load(large)
    out = fresh(WORK / f"resume-{large}.jsonl")
    first = run_scan(load, out, 2, 32, cache=True, kill_at=0.5)
    lines_at_kill = _lines(out)
    second = run_scan(load, out, 2, 32, cache=True)
    runs["kill_and_resume"] = {"first": first, "lines_complete_at_kill": lines_at_kill, "resumed": second,
                               "processes_left_after_kill": first["processes_left_after_kill"],
                               **check_output(load, out)}
    print(json.dumps(runs["kill_and_resume"]), flush=True)

    # 4. Ray Data vs local on the same input (cached), and the same records.
    if not args.skip_ray:
        try:
            import ray  # noqa: F401

            load = build_load(small)
            out = fresh(WORK / f"ray-{small}.jsonl")
            r = run_scan(load, out, 2, 32, cache=True, engine="ray")
            r.update(check_output(load, out))
            # The first local run of this input filled the cache with the sentences WMT segments
            # split into; run local again so that both engines find the same cache.
            warm = fresh(WORK / f"local-warm-{small}.jsonl")
            lw = run_scan(load, warm, 2, 32, cache=True)
            lw.update(check_output(load, warm))
            runs[f"local_warm_{small}"] = lw
            local = {json.loads(x)["id"]: json.loads(x) for x in open(WORK / f"cached-{small}.jsonl")}
            remote = {json.loads(x)["id"]: json.loads(x) for x in open(out)}
            r["identical_to_local"] = local == remote
            runs[f"ray_{small}"] = r
            print(json.dumps(r), flush=True)
            print(json.dumps(lw), flush=True)
        except ImportError:
            report["ray"] = "not installed: skipped"

    report["machine"]["load_average_after"] = round(os.getloadavg()[0], 2)
    report["extrapolation"] = extrapolate(runs)
    write(report)


def steady_sentences_per_s(r: dict) -> float:
    """Suspect sentences per second once every worker is up (start-up excluded)."""
    return (r["steady_articles_per_s"] or 0.0) * r["suspect_sentences"] / max(r["lines_after"], 1)


def _median(values: list[float]) -> float:
    v = sorted(values)
    return (v[(len(v) - 1) // 2] + v[len(v) // 2]) / 2


def settings(runs: dict) -> list[dict]:
    """Per (workers, batch) setting of the uncached runs: medians over repeats, start-up taken out
    of the CPU time (start-up measured with the same number of workers)."""
    groups: dict[tuple[int, int], list[dict]] = defaultdict(list)
    for k, r in runs.items():
        if k.startswith("uncached"):
            groups[(r["workers"], r["batch_size"])].append(r)
    out = []
    for (workers, batch), rs in sorted(groups.items()):
        startup = runs[f"startup_w{workers}"]
        cpu = [(r["cpu_seconds"] - startup["cpu_seconds"]) / (r["suspect_sentences"] - startup["suspect_sentences"])
               for r in rs]
        out.append({"workers": workers, "batch_size": batch, "runs": len(rs),
                    "median_wall_s": round(_median([r["seconds"] for r in rs]), 2),
                    "median_steady_sentences_per_s": round(_median([steady_sentences_per_s(r) for r in rs]), 1),
                    "median_cpu_s_per_sentence": round(_median(cpu), 4),
                    "startup_cpu_s": startup["cpu_seconds"]})
    return out


def extrapolate(runs: dict) -> dict:
    """Cost of 1M suspect sentences (each with its reference article's sentences) from the setting
    with the least CPU per sentence: CPU-hours without start-up (less sensitive to other jobs than
    wall time), and wall hours on this machine at that setting's median steady rate."""
    best = min(settings(runs), key=lambda x: x["median_cpu_s_per_sentence"])
    return {"from_setting": f"workers={best['workers']} batch={best['batch_size']}",
            "startup_cpu_seconds": best["startup_cpu_s"],
            "suspect_sentences_per_s_wall": best["median_steady_sentences_per_s"],
            "wall_hours_per_1M_sentences_this_machine": round(1e6 / best["median_steady_sentences_per_s"] / 3600, 1),
            "cpu_seconds_per_sentence": best["median_cpu_s_per_sentence"],
            "cpu_hours_per_1M_sentences": round(1e6 * best["median_cpu_s_per_sentence"] / 3600, 1)}


def _atomic(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(text)
    os.replace(tmp, path)


def write(report: dict) -> None:
    _atomic(RESULTS / "scan.json", json.dumps(report, indent=2) + "\n")
    runs = report["runs"]
    md = ["# `mtdetect scan` benchmark", "",
          f"Machine: {report['machine']['cpus']} CPUs, shared with other jobs (load average "
          f"{report['machine']['load_average_before']} before, {report['machine']['load_average_after']} after; "
          "per-run load in scan.json). Load: generated articles of "
          f"{report['segments_per_article']} WMT segments ({report['load']}), see benchmarks/scan_bench.py.", "",
          "## Throughput with the embedding model (uncached)", "",
          "| workers | batch (articles) | run | articles | wall s (to first line) | articles/s (steady) | "
          "suspect sentences/s (steady) | CPU s | peak RSS, all processes (MB) | load avg |",
          "|---|---|---|---|---|---|---|---|---|---|"]
    for k, r in runs.items():
        if k.startswith("uncached"):
            md.append(f"| {r['workers']} | {r['batch_size']} | {r['repeat']} | {r['lines_after']} | {r['seconds']} "
                      f"({r['seconds_to_first_line']}) | {r['steady_articles_per_s']} | "
                      f"{steady_sentences_per_s(r):.1f} | {r['cpu_seconds']} | {r['peak_rss_tree_mb']} | "
                      f"{r['load_average_at_start']} |")
    md += ["", "Per setting (medians over the repeats; CPU per sentence without start-up):", "",
           "| workers | batch | runs | median wall s | median steady suspect sentences/s | median CPU s per sentence |",
           "|---|---|---|---|---|---|"]
    for x in settings(runs):
        md.append(f"| {x['workers']} | {x['batch_size']} | {x['runs']} | {x['median_wall_s']} | "
                  f"{x['median_steady_sentences_per_s']} | {x['median_cpu_s_per_sentence']} |")
    md += ["", "Start-up (imports, the model loaded in each worker; one article per worker): " + ", ".join(
        f"{r['workers']} worker(s), {r['input_articles']} article(s): {r['seconds']} s wall, {r['cpu_seconds']} CPU s"
        for k, r in runs.items() if k.startswith("startup")) + ". Steady rates count from the first line written."]
    md += ["", "## Peak memory at two input sizes (cached embeddings: everything but the model)", "",
           "| articles | wall s | articles/s (steady) | peak RSS, all processes (MB) | largest process (MB) | "
           "duplicates | lost | partial |", "|---|---|---|---|---|---|---|---|"]
    for k, r in runs.items():
        if k.startswith("cached_"):
            md.append(f"| {r['input_articles']:,} | {r['seconds']} | {r['steady_articles_per_s']} | "
                      f"{r['peak_rss_tree_mb']} | {r['peak_rss_largest_process_mb']} | {r['duplicates']} | "
                      f"{r['lost']} | {r['partial_or_bad_lines']} |")
    kr = runs.get("kill_and_resume")
    if kr:
        md += ["", "## Kill midway (SIGKILL) and resume", "",
               f"{kr['first']['input_articles']:,} articles; killed with {kr['lines_complete_at_kill']:,} lines "
               f"written after {kr['first']['seconds']} s; the rerun took {kr['resumed']['seconds']} s "
               f"(peak RSS {kr['resumed']['peak_rss_tree_mb']} MB). Final file: {kr['duplicates']} duplicate ids, "
               f"{kr['lost']} lost, {kr['unexpected']} unexpected, {kr['partial_or_bad_lines']} partial or bad "
               f"lines, ends with a newline: {kr['complete_final_newline']}. Processes of the killed scan still alive 2 s "
               f"after the kill: {kr['processes_left_after_kill']} (workers die with their driver)."]
    ray_runs = {k: r for k, r in runs.items() if k.startswith("ray_")}
    for k, r in ray_runs.items():
        local = runs.get(f"local_warm_{r['input_articles']}")
        md += ["", "## Ray Data (local two-CPU cluster) vs local processes, same input", "",
               f"{r['input_articles']:,} articles, 2 actors: {r['seconds']} s wall "
               f"({r['seconds_to_first_line']} s to the first line: starting Ray and the actors), steady "
               f"{r['steady_articles_per_s']} articles/s; local, 2 workers, right after with the same cache: "
               f"{local['seconds'] if local else '-'} s ({local['seconds_to_first_line'] if local else '-'} s to the first line), "
               f"steady {local['steady_articles_per_s'] if local else '-'} articles/s. Peak RSS of all processes "
               f"{r['peak_rss_tree_mb']} MB (Ray's own services included). Records identical to the local "
               f"run's (compared by id): {r['identical_to_local']}."]
    ex = report["extrapolation"]
    md += ["", "## Cost of 1M sentences", "",
           f"From the setting with the least CPU per sentence ({ex['from_setting']}): "
           f"{ex['suspect_sentences_per_s_wall']} suspect sentences/s (median steady rate) on this machine, i.e. {ex['wall_hours_per_1M_sentences_this_machine']} h per 1M "
           f"sentences here; {ex['cpu_seconds_per_sentence']} CPU-s per sentence once started "
           f"(start-up {ex['startup_cpu_seconds']} CPU-s, paid once per worker), i.e. "
           f"**{ex['cpu_hours_per_1M_sentences']} CPU-hours per 1M suspect sentences** (each scored against its "
           "reference, whose sentences are embedded too). CPU time is less affected by the other jobs on this "
           "machine than wall time, but contention still inflates it; on an idle machine expect less.", ""]
    _atomic(RESULTS / "scan.md", "\n".join(md))


if __name__ == "__main__":
    main()
