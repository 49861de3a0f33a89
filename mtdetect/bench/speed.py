"""Speed and memory: each pipeline stage as a ratio to the embedding forward pass, pair throughput,
and cold CLI runs in fresh processes."""

from __future__ import annotations

import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Callable

import numpy as np

from mtdetect.features import feature_matrix
from mtdetect.text import split_sentences
from mtdetect.bench.config import ROOT, SEEDS, Sizes
from mtdetect.bench.tables import table


def _best_time(fn: Callable[[], Any], repeats: int) -> float:
    best = float("inf")
    for _ in range(max(1, repeats)):
        t = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t)
    return best


def _run_child(cmd: list[str]) -> tuple[float, int, float | None]:
    """Wall seconds, exit status and peak RSS (MiB, VmHWM polled from /proc) of one child process.

    getrusage/wait4 would report at least this (large) process's RSS: a forked child inherits it.
    """
    env = dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    t = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    peak = None
    while proc.poll() is None:
        try:
            for line in Path(f"/proc/{proc.pid}/status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    peak = max(peak or 0, int(line.split()[1]) / 1024)
        except (OSError, ValueError):
            pass
        time.sleep(0.05)
    return time.perf_counter() - t, proc.returncode, peak


def bench_speed(detector: Any, model_dir: Path | None, pair_samples: dict[str, list[tuple[str, str]]], sizes: Sizes,
                seeds_seconds: float) -> dict:
    """Sentences/s per stage on the seeds, and pairs/s on each named sample of WMT pairs, each as
    a ratio to the embedding floor. Pair throughput is bound by the distinct texts to embed, so
    each sample reports how many it has per pair."""
    from mtdetect.align import align

    files = sorted(SEEDS.glob("0*.txt"))
    ref_text = files[0].read_text(encoding="utf-8")
    suspects = [f.read_text(encoding="utf-8") for f in files[1:]]
    emb, reps = detector.embedder, sizes.repeats
    split = lambda: [([s.text for s in split_sentences(t)], [s.text for s in split_sentences(ref_text)]) for t in suspects]  # noqa: E731
    docs = split()
    n_sent = sum(len(s) for s, _ in docs)
    texts = [t for s, r in docs for t in s + r]  # alignment embeds each article's sentences once
    emb.encode(texts[:8])  # warm-up
    vecs = {}

    def embed() -> None:  # one call per article, as Detector.score_article makes
        for s, r in docs:
            vecs.update(zip(s + r, emb.encode(s + r)))

    lookup = lambda xs: np.stack([vecs[x] for x in xs])  # noqa: E731
    links: list = []

    def do_align() -> None:
        links[:] = [align(s, r, lookup, detector.align_config) for s, r in docs]

    stages: dict[str, float] = {"segmentation": _best_time(split, reps), "embedding": _best_time(embed, reps)}
    stages["alignment (DP)"] = _best_time(do_align, reps)
    trip = [(" ".join(r[j] for j in lk.reference), " ".join(s[i] for i in lk.suspect), lk.similarity)
            for (s, r), ls in zip(docs, links) for lk in ls if lk.reference]
    X: list = []
    stages["features"] = _best_time(lambda: X.__setitem__(slice(None), [feature_matrix(*zip(*trip))[0]]), reps)
    stages["classification"] = _best_time(lambda: detector.model.predict_proba(X[0]), reps)
    e2e = _best_time(lambda: [detector.score_article(t, ref_text) for t in suspects], reps - 1) if reps > 1 else np.inf
    stages["end to end (score_article)"] = min(e2e, seeds_seconds)  # the seeds run timed it once already
    floor = stages["embedding"]
    article = {k: {"seconds": round(v, 4), "sentences_per_s": round(n_sent / v, 1), "ratio_to_embedding": round(v / floor, 3)}
               for k, v in stages.items()}
    out: dict[str, Any] = {"articles": {"n_suspect_sentences": n_sent, "n_texts_embedded": len(texts), "stages": article}}

    pair_samples = {k: v for k, v in pair_samples.items() if v}
    out["pairs"] = {}
    for name, sample in pair_samples.items():
        refs, cands = [r for r, _ in sample], [c for _, c in sample]
        distinct = sorted(set(refs) | set(cands))
        t_emb = _best_time(lambda: emb.encode(distinct), reps)
        t_all = _best_time(lambda: detector.score_pairs(refs, cands), reps)
        out["pairs"][name] = {
            "n_pairs": len(sample), "distinct_texts": len(distinct), "embedding_s": round(t_emb, 3),
            "texts_per_s_embedding": round(len(distinct) / t_emb, 1), "score_pairs_s": round(t_all, 3),
            "pairs_per_s": round(len(sample) / t_all, 1), "ratio_to_embedding": round(t_all / t_emb, 3)}

    cli: dict[str, Any] = {}
    model_args = ["--model", str(model_dir)] if model_dir else []
    score_args = ["score", str(files[1]), "--reference", str(files[0]), "--format", "json", "-q"] + model_args
    commands = {"python -m mtdetect.cli score": [sys.executable, "-m", "mtdetect.cli"] + score_args}
    entry = shutil.which("mtdetect") or (Path(sys.executable).parent / "mtdetect")
    if Path(entry).exists():
        commands["mtdetect score (entry point)"] = [str(entry)] + score_args
    else:
        cli["entry_point"] = "not installed (pip install -e . provides it)"
    for name, cmd in commands.items():
        # Fresh processes, best of `reps`: one run can stall on the shared machine (12 s once, 3-4 s
        # before and after); every run's time is kept beside the best.
        runs = [_run_child(cmd) for _ in range(max(reps, 1))]
        secs, rc, rss = min(runs, key=lambda r: (r[1] != 0, r[0]))
        cli[name] = {"seconds": round(secs, 2), "exit": rc, "peak_rss_mib": rss and round(rss, 1),
                     "all_seconds": [round(r[0], 2) for r in runs]}
    for name, sample in pair_samples.items():
        with tempfile.TemporaryDirectory() as tmp:
            f = Path(tmp) / "pairs.jsonl"
            f.write_text("".join(json.dumps({"reference": r, "candidate": c}) + "\n" for r, c in sample))
            secs, rc, rss = _run_child([sys.executable, "-m", "mtdetect.cli", "score", "--pairs", str(f), "-q",
                                        "-o", str(Path(tmp) / "out.jsonl")] + model_args)
        cli[f"score --pairs ({name})"] = {"seconds": round(secs, 2), "exit": rc, "peak_rss_mib": rss and round(rss, 1),
                                          "pairs_per_s_incl_start": round(len(sample) / secs, 1)}
    out["cli"] = cli
    out["load_average_1min"] = round(os.getloadavg()[0], 2)
    out["peak_rss_mib_bench_process"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    return out


# --------------------------------------------------------------------------- report

# The speed targets of the detector's issue: a cold CLI score of an article, and --pairs throughput.
COLD_SCORE_TARGET_S = 5.0
PAIRS_TARGET_PER_S = 200.0


def speed_targets(sp: dict) -> list[str]:
    """A table of the speed targets, each with this run's figure and whether it is met."""
    rows = []
    cold = sp["cli"].get("python -m mtdetect.cli score")
    if isinstance(cold, dict) and cold["exit"] == 0:
        rows.append(["cold `mtdetect score` of seed 001 against 000 (fresh process)", f"≤ {COLD_SCORE_TARGET_S:g} s",
                     f"{cold['seconds']} s", "met" if cold["seconds"] <= COLD_SCORE_TARGET_S else "**not met**"])
    for name, run in sp["cli"].items():
        if name.startswith("score --pairs") and isinstance(run, dict) and run["exit"] == 0:
            rate = run["pairs_per_s_incl_start"]
            rows.append([f"`{name}` (fresh process, start-up included)", f"≥ {PAIRS_TARGET_PER_S:g} pairs/s",
                         f"{rate} pairs/s", "met" if rate >= PAIRS_TARGET_PER_S else "**not met**"])
    if not rows:
        return []
    return ["Targets:", "", table(["what", "target", "this run", ""], rows), ""]


def render_speed(res: dict) -> list[str]:
    """The speed and memory section."""
    sp = res.get("speed")
    if not sp:
        return []
    L: list[str] = []
    a = sp["articles"]
    L += ["## Speed and memory", "",
          f"Seeds 001–004 against 000: {a['n_suspect_sentences']} suspect sentences, {a['n_texts_embedded']} texts "
          "embedded (each article's sentences, one call per article as alignment makes them; one "
          "call per article end to end). Best of "
          f"{res['plan']['repeats']}; ratio = stage time / embedding time in the same run (embedding = the floor).", "",
          table(["stage", "seconds", "sentences/s", "× embedding"],
                 [[k, v["seconds"], v["sentences_per_s"], v["ratio_to_embedding"]] for k, v in a["stages"].items()]), ""]
    if sp.get("pairs"):
        L += ["Pairs (`Detector.score_pairs`, in process). Throughput is bound by the distinct texts to "
              "embed: *random* WMT pairs are nearly all distinct; a run of the file in *file order* has "
              "several systems' outputs per reference, as an evaluation file does.", "",
              table(["sample", "pairs", "distinct texts", "texts/s (embedding)", "pairs/s", "× embedding"],
                     [[k, p["n_pairs"], p["distinct_texts"], p["texts_per_s_embedding"], p["pairs_per_s"],
                       p["ratio_to_embedding"]] for k, p in sp["pairs"].items()]), ""]
    L += [table(["command (fresh process)", "seconds (best)", "every run", "exit", "peak RSS MiB"],
                 [[k, v["seconds"], " / ".join(map(str, v.get("all_seconds", [v["seconds"]]))), v["exit"],
                   v["peak_rss_mib"]] for k, v in sp["cli"].items() if isinstance(v, dict)]), ""]
    failed = [k for k, v in sp["cli"].items() if isinstance(v, dict) and v["exit"] != 0]
    if failed:
        L += [f"**{', '.join(failed)} failed (non-zero exit): the timings above are not valid for those commands.** "
              "Run the command by hand to see why (e.g. the model no longer matches the current features).", ""]
    L += speed_targets(sp)
    if isinstance(sp["cli"].get("entry_point"), str):
        L += [f"`mtdetect` entry point: {sp['cli']['entry_point']}.", ""]
    L += [f"Load average (1 min) when measured: {sp['load_average_1min']} on {os.cpu_count()} CPUs "
          "(other work on the machine slows every stage alike; the ratios are more stable than the rates).", ""]
    L += [f"Peak RSS of the benchmark process itself: {sp['peak_rss_mib_bench_process']} MiB.", ""]
    return L
