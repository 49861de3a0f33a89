"""Peak memory and exit code of the CLI on the hostile inputs of issues 16 and 20, at the real limits.

    python benchmarks/hostile_rss.py [--model DIR] [--only NAME ...]

Each case runs `python -m mtdetect.cli ...` in a child process under an address-space cap
(CAP_BYTES, so a regression cannot take the machine) and reports its exit code, the number of
stderr lines, whether a traceback appeared, its peak RSS (ru_maxrss from wait4) and its wall
time, as a Markdown table. Inputs are made in a temporary directory (a 60 MB line, a 3 GB
FIFO stream, a gzip bomb, a pairs file at the byte budget, issue 20's 40 MB sentences, a file of
a million sentences, zlib / zip / npz bombs in an index and in models...) and removed afterwards.
Issue 20's acceptance: peak RSS <= 1 GB and <= 30 s on 2 cores for each of its cases.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CAP_BYTES = 8 * 2**30  # address space, not RSS: torch maps far more than it touches
LINE = {"reference": "The minister said the talks would resume on Monday after a long pause in the capital.",
        "candidate": "The minister said talks would restart on Monday after a long break in the capital."}


def _cap() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (CAP_BYTES, CAP_BYTES))


def run_case(args: list[str], env: dict, stdin: object = subprocess.DEVNULL, feed: tuple | None = None) -> dict:
    """Run the CLI; `feed` = (fifo path, chunk, total bytes) is written from a thread meanwhile."""
    thread = None
    if feed is not None:
        def writer() -> None:
            path, chunk, total = feed
            try:
                with open(path, "wb") as fh:
                    for _ in range(total // len(chunk)):
                        fh.write(chunk)
            except (BrokenPipeError, OSError):
                pass

        thread = threading.Thread(target=writer, daemon=True)
        thread.start()
    t0 = time.perf_counter()
    with tempfile.TemporaryFile() as fo, tempfile.TemporaryFile() as fe:
        proc = subprocess.Popen([sys.executable, "-m", "mtdetect.cli", *args], stdin=stdin, stdout=fo, stderr=fe,
                                env=env, cwd=ROOT, preexec_fn=_cap)
        _, status, usage = os.wait4(proc.pid, 0)  # this child's own peak RSS
        proc.returncode = os.waitstatus_to_exitcode(status)
        seconds = time.perf_counter() - t0
        fo.seek(0)
        fe.seek(0)
        out, err = fo.read(), fe.read()
    if thread is not None:
        thread.join(5)
    text = err.decode("utf-8", "replace")
    lines = [x for x in text.splitlines() if not x.startswith("this CPU has no native bfloat16")]
    return {"exit": proc.returncode, "stderr_lines": len(lines), "traceback": "Traceback" in text,
            "rss_mb": round(usage.ru_maxrss / 1024), "seconds": round(seconds, 1),
            "cpu_s": round(usage.ru_utime + usage.ru_stime, 1), "message": (lines or [""])[0][:150],
            "stdout_bytes": len(out)}


def make_cases(tmp: Path, model: Path) -> list[tuple[str, list[str], dict]]:
    """(name, CLI arguments, extra: stdin / feed / env) for each case."""
    cases: list[tuple[str, list[str], dict]] = []
    m = ["--model", str(model), "-q"]
    cases.append(("--pairs /dev/zero", ["score", "--pairs", "/dev/zero", *m], {}))
    cases.append(("article /dev/zero", ["score", "/dev/zero", "--reference", "/dev/zero", *m], {}))
    cases.append(("stdin /dev/zero (article)", ["score", "--reference", str(ROOT / "seeds" / "000_22d2012d143b9783.txt"),
                                                *m], {"stdin": "/dev/zero"}))
    good = (json.dumps(LINE) + "\n").encode()
    for name, chunk in (("FIFO 3 GB of pairs", good), ("FIFO 3 GB of zeros", bytes(65536)),
                        ("FIFO 3 GB, one line", b"x" * 65536)):
        fifo = tmp / f"fifo-{len(cases)}.jsonl"
        os.mkfifo(fifo)
        cases.append((name, ["score", "--pairs", str(fifo), *m], {"feed": (fifo, chunk, 3 * 10**9)}))
    big = tmp / "one-60mb-pair.jsonl"
    big.write_text(json.dumps({**LINE, "candidate": "word " * 12_000_000}) + "\n")
    cases.append(("one-line pair, 60 MB", ["score", "--pairs", str(big), *m], {}))
    bomb = tmp / "bomb-zeros.jsonl.gz"
    with gzip.open(bomb, "wb", compresslevel=9) as fh:
        for _ in range(3 * 2**30 // 2**24):
            fh.write(bytes(2**24))
    cases.append(("gzip bomb, 3 GiB of zeros", ["score", "--pairs", str(bomb), *m], {}))
    bomb2 = tmp / "bomb-lines.jsonl.gz"
    with gzip.open(bomb2, "wb", compresslevel=9) as fh:
        block = good * (2**24 // len(good))
        for _ in range(2**30 // len(block)):
            fh.write(block)
    cases.append(("gzip bomb, 1 GiB of pairs lines", ["score", "--pairs", str(bomb2), *m], {}))
    full = tmp / "budget.jsonl"  # at the limits: just under 128 MiB in just under 500,000 records
    rec = json.dumps({**LINE, "id": "x" * 90}) + "\n"
    with open(full, "w") as fh:
        fh.write(rec * min(499_000, (128 * 2**20 - 1) // len(rec)))
    cases.append(("pairs at the budget (128 MiB, 479k records), model missing", ["score", "--pairs", str(full), "--model",
                                                                    str(tmp / "no-model"), "-q"], {}))
    lines = tmp / "hostile-lines.jsonl"
    lines.write_text(json.dumps(LINE) + "\n" + '{"reference": "\\ud800", "candidate": "x"}\n' + "[" * 100_000
                     + "\n" + '{"reference": "a", "candidate": "b", "id": ' + "9" * 5000 + "}\n"
                     + '{"reference": "a", "candidate": "b", "id": NaN}\n')
    cases.append(("pairs: surrogate, 100k nesting, 5000 digits, NaN", ["score", "--pairs", str(lines), *m], {}))
    card_base = json.loads((model / "card.json").read_text())
    for name, text in (
        ("card: intercepts +50", json.dumps({**card_base, "linear_export": [
            {**f, "intercept": f["intercept"] + 50} for f in card_base.get("linear_export", [])]})),
        ("card: NaN threshold", json.dumps({**card_base, "threshold": float("nan")})),
        ("card: a list", "[1, 2]"),
        ("card: nested 100k deep", "[" * 100_000 + "]" * 100_000),
        ("card: 5000-digit integer", '{"format": "mtdetect-model/1", "threshold": ' + "7" * 5000 + "}"),
    ):
        d = tmp / f"model-{len(cases)}"
        d.mkdir()
        for f in model.iterdir():
            if f.name != "card.json":
                (d / f.name).symlink_to(f)
        (d / "card.json").write_text(text)
        cases.append((name, ["score", "--pairs", str(lines.with_name("one.jsonl")), "--model", str(d), "-q"], {}))
    lines.with_name("one.jsonl").write_text(json.dumps(LINE) + "\n")
    cases.append(("MTDETECT_CACHE is a file", ["scan", str(lines.with_name("docs.jsonl")), "--out", str(tmp / "o1.jsonl"),
                                               "--reference-free", "--cache", "-q"],
                  {"env": {"MTDETECT_CACHE": str(big)}}))
    cases.append(("HOME unwritable, --cache", ["scan", str(lines.with_name("docs.jsonl")), "--out", str(tmp / "o2.jsonl"),
                                                "--reference-free", "--cache", "-q"],
                  {"env": {"HOME": str(big / "home"), "MTDETECT_CACHE": None, "XDG_CACHE_HOME": None}}))
    lines.with_name("docs.jsonl").write_text(json.dumps({"id": "a", "text": LINE["reference"]}) + "\n")
    return cases + issue20_cases(tmp, model)


def _zip_bomb(path: Path, member: str, size: int) -> None:
    """A zip (skops or npz container) whose one member inflates to `size` bytes of zeros."""
    import zipfile

    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        with z.open(member, "w", force_zip64=True) as fh:
            block = bytes(2**24)
            for _ in range(size // len(block)):
                fh.write(block)


def _forged_model(tmp: Path, source: Path, name: str, replace: dict[str, Path], drop: tuple = ()) -> Path:
    """A copy of the model `source` whose files in `replace` are swapped in, re-hashed and the
    card re-sealed, as a forger would (the seal is a checksum, not a signature)."""
    import hashlib

    d = tmp / name
    d.mkdir()
    card = json.loads((source / "card.json").read_text())
    for f in source.iterdir():
        if f.name != "card.json" and f.name not in replace:
            (d / f.name).symlink_to(f)
    for fname, path in replace.items():
        os.replace(path, d / fname)
        key = "classifier_sha256" if fname == card.get("classifier_file", "classifier.skops") else "arrays_sha256"
        card[key] = hashlib.sha256((d / fname).read_bytes()).hexdigest()
    for k in drop:
        card.pop(k, None)
    body = {k: v for k, v in card.items() if k != "card_sha256"}
    text = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=True, allow_nan=False)
    card["card_sha256"] = hashlib.sha256(text.encode("ascii")).hexdigest()
    (d / "card.json").write_text(json.dumps(card))
    return d


def issue20_cases(tmp: Path, model: Path) -> list[tuple[str, list[str], dict]]:
    """Point 2 of issue 20: every scoring path and every container, at sizes that used to cost GBs."""
    import sqlite3
    import zlib

    seed = str(ROOT / "seeds" / "000_22d2012d143b9783.txt")
    rf = ROOT / "mtdetect" / "models" / "reference-free"
    m = ["--model", str(model), "-q"]
    cases: list[tuple[str, list[str], dict]] = []
    word = "The minister said the talks would resume on Monday after a long pause "
    for mb in (10, 42):
        f = tmp / f"sentence-{mb}mb.txt"
        f.write_text(word * (mb * 10**6 // len(word)) + "in the capital.\n")
        cases.append((f"20: one {mb} MB sentence, --reference", ["score", str(f), "--reference", seed, *m], {}))
    million = tmp / "million.txt"
    million.write_text("Prices rose again. " * 1_000_000)
    idx = tmp / "seed-index"
    subprocess.run([sys.executable, "-m", "mtdetect.cli", "index", seed, "--out", str(idx), "-q"], cwd=ROOT,
                   env={**os.environ, "PYTHONPATH": str(ROOT)}, check=True)
    cases.append(("20: 1M short sentences, reference-free", ["score", str(million), "-q"], {}))
    cases.append(("20: 1M short sentences, --index", ["score", str(million), "--index", str(idx), *m], {}))
    cases.append(("20: 1M short sentences, --reference", ["score", str(million), "--reference", seed, *m], {}))
    big = tmp / "three-40mb.jsonl"
    with open(big, "w") as fh:
        for k in range(3):
            fh.write(json.dumps({"id": f"r{k}", "text": word * (40 * 10**6 // len(word)) + "end."}) + "\n")
    cases.append(("20: scan --reference-free, 3 records of one 40 MB sentence",
                  ["scan", str(big), "--out", str(tmp / "scan-out.jsonl"), "--reference-free", "-q"], {}))
    arch = tmp / "archive"
    arch.mkdir()
    for k in range(3):
        (arch / f"a{k}.txt").write_text((word + f"number {k}. ") * (40 * 10**6 // (len(word) + 11)))
    cases.append(("20: index of 3 x 40 MB articles", ["index", str(arch), "--out", str(tmp / "big-index"), "-q"], {}))
    zbomb = tmp / "zlib-bomb-index"
    shutil.copytree(idx, zbomb)
    db = sqlite3.connect(zbomb / "articles.sqlite")
    db.execute("UPDATE articles SET text = ?", (zlib.compress(b" " * 2**31, 9),))
    db.commit()
    db.close()
    cases.append(("20: index with a sqlite zlib bomb (2 GiB)", ["score", seed, "--index", str(zbomb), *m], {}))
    nbomb = tmp / "npz-bomb-index"
    shutil.copytree(idx, nbomb)
    (nbomb / "lexical.npz").unlink()
    _zip_bomb(nbomb / "lexical.npz", "data.npy", 2**31)
    cases.append(("20: index with an npz bomb (2 GiB member)", ["score", seed, "--index", str(nbomb), *m], {}))
    _zip_bomb(tmp / "bomb.skops", "schema.json", 2**31)
    forged = _forged_model(tmp, model, "skops-bomb-model", {"classifier.skops": tmp / "bomb.skops"},
                           drop=("linear_export",))
    cases.append(("20: skops zip bomb, forged card", ["score", seed, "--reference", seed, "--model", str(forged), "-q"],
                  {}))
    if (rf / "card.json").is_file():
        _zip_bomb(tmp / "bomb.npz", "coef.npy", 2**31)
        forged_rf = _forged_model(tmp, rf, "npz-bomb-rf", {"arrays.npz": tmp / "bomb.npz"})
        cases.append(("20: reference-free arrays.npz bomb, forged card", ["score", seed, "--rf-model", str(forged_rf),
                                                                          "-q"], {}))
    bad = tmp / "bad-pairs.jsonl"
    bad.write_text("{not json\n")
    cases.append(("20: bench --pairs refused", ["bench", "--quick", "--pairs", str(bad), "--out", str(tmp / "bench"),
                                                "-q"], {}))
    return cases


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", type=Path, default=ROOT / "mtdetect" / "models" / "default")
    parser.add_argument("--only", nargs="*", help="run only cases whose name contains one of these")
    args = parser.parse_args()
    env = {**os.environ, "PYTHONPATH": str(ROOT), "HF_HUB_OFFLINE": "1"}
    print(f"load average at start: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs (wall seconds grow with it; "
          "CPU seconds less so)")
    print("| case | exit | stderr lines | traceback | peak RSS (MB) | seconds | CPU s | message |")
    print("|---|---|---|---|---|---|---|---|")
    worst = worst20 = 0
    slowest20 = 0.0
    with tempfile.TemporaryDirectory() as tmp:
        only20 = bool(args.only) and all(o.startswith("20:") for o in args.only)  # skip making the older inputs
        cases = issue20_cases(Path(tmp), args.model.resolve()) if only20 else make_cases(Path(tmp), args.model.resolve())
        for name, cli_args, extra in cases:
            if args.only and not any(o in name for o in args.only):
                continue
            case_env = dict(env)
            for k, v in extra.get("env", {}).items():
                if v is None:
                    case_env.pop(k, None)
                else:
                    case_env[k] = v
            stdin = open(extra["stdin"], "rb") if "stdin" in extra else subprocess.DEVNULL  # noqa: SIM115
            try:
                r = run_case(cli_args, case_env, stdin=stdin, feed=extra.get("feed"))
            finally:
                if stdin is not subprocess.DEVNULL:
                    stdin.close()
            worst = max(worst, r["rss_mb"])
            if name.startswith("20:"):
                worst20 = max(worst20, r["rss_mb"])
                slowest20 = max(slowest20, r["seconds"])
            print(f"| {name} | {r['exit']} | {r['stderr_lines']} | {'yes' if r['traceback'] else 'no'} | "
                  f"{r['rss_mb']} | {r['seconds']} | {r['cpu_s']} | `{r['message'].replace('|', '/')}` |", flush=True)
    print(f"\nworst peak RSS: {worst} MB; issue 20's cases: worst {worst20} MB (target <= 1024), "
          f"slowest {slowest20} s (target <= 30)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
