"""The `mtdetect` command line: each command parses, calls one library function, renders.

Exit codes: 0 success; 1 internal error (a bug: please report it); 2 usage error (bad
option); 3 bad input (missing, empty, not UTF-8, malformed pairs, an --out mtdetect will not
overwrite: see outputs.py); 4 model problem
(missing, damaged, untrusted, built for other features); 5 missing external tool
(Apertium or its language pair); 6 scan interrupted by its engine (a worker died, the
cluster went away): rerun the same command to resume.
"""

from __future__ import annotations

import atexit
import gc
import sys
from enum import Enum
from pathlib import Path
from typing import List, Optional

import typer

from mtdetect.embed import DEFAULT_EMBEDDER, EMBEDDERS
from mtdetect.learn.roundtrip import PIVOTS
from mtdetect.report.failures import EXIT_ABORTED, EXIT_TOOL, EXIT_USAGE, OneLineErrors
from mtdetect.report.failures import fail as _fail
from mtdetect.report.failures import guarded as _guarded

HELP = """Tell, sentence by sentence, whether an English article is a round-trip machine translation
of another (English -> another language -> English by a machine), as opposed to a careful human rewrite.

Start with: mtdetect score SUSPECT.txt --reference ORIGINAL.txt"""
EPILOG = ("Exit codes: 0 success, 1 internal error, 2 usage error, 3 bad input, 4 model problem, "
          "5 missing external tool, 6 scan interrupted (rerun to resume).")
# Plain (click) help: at 80 columns rich's tables cut long option names and show flags as `<bool>`.
app = typer.Typer(add_completion=False, no_args_is_help=True, help=HELP, epilog=EPILOG, rich_markup_mode=None,
                  cls=OneLineErrors)
# When the process ends, the interpreter's last collections need not walk every object a command
# made (a score's word tables, models): ~40 ms of a cold `mtdetect score`. Nothing else changes.
atexit.register(gc.freeze)


class Format(str, Enum):
    text = "text"
    json = "json"
    jsonl = "jsonl"
    tsv = "tsv"
    html = "html"


EmbedderName = Enum("EmbedderName", {k: k for k in EMBEDDERS}, type=str)
Device = Enum("Device", {k: k for k in ("auto", "cpu", "cuda")}, type=str)
# One definition of the embedder options of score, scan and bench (named in every signature).
EMBEDDER = typer.Option(EmbedderName(DEFAULT_EMBEDDER), "--embedder", help="Sentence embedding that aligns the "
                        "texts: static (a lookup table distilled from MiniLM: no torch, ~20x faster) or minilm "
                        "(the transformer; runs on a GPU with --device).")
SHIFT = typer.Option(False, "--shift", help="Also measure the translationese shift (reference-free p(MT) of the "
                     "suspect minus its original's): shown as evidence, not used by the verdict; ~0.15 s more.")
DEVICE = typer.Option(Device("auto"), "--device", help="Where minilm runs: auto (CUDA if there is a GPU), cpu, cuda.")


def _stdin_is_terminal() -> bool:
    try:
        return sys.stdin is not None and sys.stdin.isatty()
    except (AttributeError, ValueError):  # a closed or replaced stdin
        return False


@app.command(short_help="Score a suspect article (or sentence pairs) for round-trip MT.")
@_guarded
def score(
    suspect: Optional[str] = typer.Argument(None, help="Suspect article (a text file; '-' or nothing: stdin)."),
    reference: Optional[str] = typer.Option(None, "--reference", "-r", help="The original article."),
    index: Optional[Path] = typer.Option(None, "--index", help="Find the original in this archive index "
                                         "(`mtdetect index`); reference-free when nothing matches."),
    pairs: Optional[str] = typer.Option(None, "--pairs", help="JSONL of {reference, candidate, ...}; '-' = stdin."),
    model: Optional[Path] = typer.Option(None, "--model", "-m", help="Model directory (default: shipped model)."),
    rf_model: Optional[Path] = typer.Option(None, "--rf-model", help="Reference-free model directory."),
    fmt: Optional[Format] = typer.Option(None, "--format", "-f", help="Output format (default: text for an "
                                      "article, jsonl for --pairs); html: a self-contained report of an article, "
                                      "texts side by side with the evidence marked (use --out)."),
    threshold: Optional[float] = typer.Option(None, "--threshold", help="Flag threshold (default: the model's)."),
    out: Optional[str] = typer.Option(None, "--out", "-o", help="Write here (atomically) instead of stdout."),
    embedder: EmbedderName = EMBEDDER,
    device: Device = DEVICE,
    shift: bool = SHIFT,
    force: bool = typer.Option(False, "--force", help="Replace --out even when it is not mtdetect's own output."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress output."),
) -> None:
    """Score a suspect article against its reference (--reference), against its original found in an
    archive (--index), on its own (neither: reference-free), or score sentence pairs (--pairs)."""
    from mtdetect.detect.select import score_article_files, score_pairs_file
    from mtdetect.outputs import check_target
    from mtdetect.report.progress import Status, set_quiet
    from mtdetect.report.render import render_article, render_pairs, write_output
    from mtdetect.inputs.errors import InputError

    set_quiet(quiet)
    if threshold is not None and not 0.0 <= threshold <= 1.0:
        _fail("--threshold must be between 0 and 1", EXIT_USAGE)
    inputs = [suspect, reference, pairs]
    check_target(out, force=force, inputs=inputs)  # before any work: refused outputs cost nothing
    reads_stdin = pairs == "-" if pairs is not None else suspect in (None, "-") or reference == "-"
    if reads_stdin and _stdin_is_terminal():
        what = "pairs JSONL" if pairs is not None else "an article"
        _fail(f"waiting for {what} on stdin, which is a terminal: give a file (mtdetect score SUSPECT "
              "--reference ORIGINAL, or --pairs FILE) or pipe the text in; see mtdetect score --help", EXIT_USAGE)
    if pairs is not None:
        if suspect is not None or reference is not None or index is not None:
            _fail("--pairs takes no SUSPECT, --reference or --index", EXIT_USAGE)
        if fmt is Format.html:
            _fail("--format html is for one article; --pairs writes jsonl, json, tsv or text", EXIT_USAGE)
        with Status() as status:  # on a terminal, a line on stderr while it loads and embeds (> 1 s)
            records = score_pairs_file(pairs, model, threshold, status, (embedder.value, device.value))
        write_output(render_pairs(records, (fmt or Format.jsonl).value), out, force, inputs)
        return
    if reference is not None and index is not None:
        _fail("give --reference or --index, not both", EXIT_USAGE)
    if (suspect is None or suspect == "-") and reference == "-":
        _fail("only one of SUSPECT and --reference can be stdin", EXIT_USAGE)
    suspect_name = suspect if suspect not in (None, "-") else "<stdin>"
    with Status() as status:
        result = score_article_files(suspect, suspect_name, reference, index, model, rf_model, threshold, status,
                                     (embedder.value, device.value), shift)
    if result.n_sentences == 0:
        raise InputError(f"{suspect_name}: no sentences found")
    reference_name = reference or (result.match or {}).get("id")
    write_output(render_article(result, (fmt or Format.text).value, sources={"suspect": suspect_name,
                                                                       "reference": reference_name}), out, force, inputs)


@app.command("index", short_help="Index an archive of originals for score --index.")
@_guarded
def index_cmd(
    archive: List[str] = typer.Argument(..., help="Originals: .txt/.md files, directories of them, or JSONL "
                                        "with 'id' and 'text'."),
    out: Path = typer.Option(..., "--out", "-o", help="Index directory to write (replaced atomically)."),
    force: bool = typer.Option(False, "--force", help="Replace --out even when it is not an mtdetect index."),
    quiet: bool = typer.Option(False, "--quiet", "-q"),
) -> None:
    """Index an archive of original articles for `mtdetect score SUSPECT --index INDEX`."""
    from mtdetect.detect.index import build_index
    from mtdetect.inputs.documents import count_documents, iter_documents
    from mtdetect.outputs import INDEX_DIR, check_target
    from mtdetect.report.progress import Counter, set_quiet

    set_quiet(quiet)
    check_target(out, INDEX_DIR, force, archive)
    total = count_documents(archive) if "-" not in archive else 0
    docs = ((d.id, d.text) for d in iter_documents(archive, strict=True))  # streamed: one article at a time
    bar = Counter("articles indexed")
    try:
        stats = build_index(docs, out, progress=lambda n: bar.update(n, total or n), force=force, inputs=archive)
    finally:
        bar.close()
    typer.echo(f"{stats.articles} articles indexed in {stats.seconds} s, {stats.bytes_on_disk / 1e6:.1f} MB: {out}",
               err=True)


@app.command(short_help="Train a model on labelled pairs, with held-out metrics.")
@_guarded
def train(
    pairs: List[str] = typer.Argument(..., help="Labelled pairs: JSONL, CSV or TSV (optionally .gz)."),
    out: Path = typer.Option(..., "--out", "-o", help="Directory for the new model (classifier + card)."),
    group_key: Optional[str] = typer.Option(None, "--group-by", help="Field for held-out folds "
                                            "(default: group, else dataset, else system)."),
    seed: int = typer.Option(13, "--seed"),
    no_cache: bool = typer.Option(False, "--no-cache", help="Do not read or write the embedding cache."),
    force: bool = typer.Option(False, "--force", help="Replace --out even when it is not an mtdetect model."),
    quiet: bool = typer.Option(False, "--quiet", "-q"),
) -> None:
    """Train a model on labelled pairs and report grouped held-out metrics."""
    from mtdetect.inputs.pairs import read_pairs
    from mtdetect.outputs import MODEL_DIR, check_target
    from mtdetect.report.progress import set_quiet
    from mtdetect.learn.train import TrainConfig
    from mtdetect.learn.train import train as train_model
    from mtdetect.report.render import render_train

    set_quiet(quiet)
    check_target(out, MODEL_DIR, force, pairs)  # before reading and training, not after
    records = read_pairs(pairs, require_label=True)
    report = train_model(records, out, TrainConfig(seed=seed, group_key=group_key, use_cache=not no_cache),
                         force=force, inputs=pairs)
    typer.echo(render_train(report, out))


@app.command(short_help="Round-trip English text through Apertium into training pairs.")
@_guarded
def roundtrip(
    texts: List[str] = typer.Argument(..., help="English text: .txt/.md files, directories of them, "
                                      "or JSONL with 'text' (and 'id'); '-' = stdin."),
    via: str = typer.Option("es", "--via", help="Comma-separated Apertium pivots: " + ", ".join(PIVOTS)
                            + " (fr_es, fr_ca: French, through Spanish or Catalan)."),
    out: Optional[str] = typer.Option(None, "--out", "-o", help="Where to write (default: stdout)."),
    force: bool = typer.Option(False, "--force", help="Replace --out even when it is not mtdetect's own output."),
    fmt: str = typer.Option("jsonl", "--format", "-f", help="jsonl: labelled pairs for `mtdetect train`; "
                            "text: each input document round-tripped whole (one per file and pivot)."),
    batch_size: int = typer.Option(500, "--batch-size", min=1),
    quiet: bool = typer.Option(False, "--quiet", "-q"),
) -> None:
    """Round-trip English text through Apertium: labelled (mt) pairs for `mtdetect train`, or the text."""
    from mtdetect.learn.roundtrip import read_documents, roundtrip_documents, roundtrip_pairs
    from mtdetect.outputs import check_target
    from mtdetect.report.progress import Counter, set_quiet
    from mtdetect.report.render import render_roundtrip, write_output

    set_quiet(quiet)
    pivots = [p.strip() for p in via.split(",") if p.strip()]
    if not pivots or fmt not in ("jsonl", "text"):
        _fail("--via needs at least one pivot" if not pivots else f"--format {fmt}: choose jsonl or text", EXIT_USAGE)
    unknown = [p for p in pivots if p not in PIVOTS]
    if unknown:
        _fail(f"--via: unknown pivot {unknown[0]!r}: known pivots are {', '.join(sorted(PIVOTS))}", EXIT_USAGE)
    check_target(out, force=force, inputs=texts)
    docs = read_documents(texts)
    bar = Counter(f"round trips via {','.join(pivots)}")
    try:
        made = (roundtrip_documents if fmt == "text" else roundtrip_pairs)(docs, pivots, batch_size, progress=bar.update)
    finally:
        bar.close()
    text, summary = render_roundtrip(made, fmt, len(docs), pivots)
    write_output(text, out, force, texts)
    typer.echo(summary, err=True)


@app.command(short_help="Accuracy against baselines on held-out data, and speed.")
@_guarded
def bench(
    quick: bool = typer.Option(False, "--quick", help="Small samples (CI); a few minutes."),
    pairs: Optional[List[str]] = typer.Option(None, "--pairs", help="Labelled pairs file(s) to add as own rows."),
    data: Optional[Path] = typer.Option(None, "--data", help="Folder with the shared data (the sources "
                                        "of the matrix; default: ../shared/data beside the repository)."),
    out: Optional[Path] = typer.Option(None, "--out", "--out-dir", "-o", help="Where report.md, results.json "
                                       "and the PNG plots go (default: ./mtdetect-bench)."),
    update_record: bool = typer.Option(False, "--update-record", help="Write the committed benchmark record "
                                       "(benchmarks/results/ of this checkout) instead: a full run only."),
    model: Optional[Path] = typer.Option(None, "--model", "-m", help="Model directory (default: shipped model)."),
    embedder: EmbedderName = EMBEDDER,
    force: bool = typer.Option(False, "--force", help="Write into --out even when it is not a benchmark folder."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress output."),
) -> None:
    """Accuracy against baselines on held-out data, and speed against the embedding floor."""
    from mtdetect.bench import DEFAULT_OUT, RECORD_DIR, BenchConfig, plots_unavailable, run_bench
    from mtdetect.report.progress import set_quiet

    set_quiet(quiet)
    if update_record:
        if out is not None or quick:
            _fail("--update-record writes a full run to benchmarks/results/: it takes no --out or --quick",
                  EXIT_USAGE)
        if not RECORD_DIR.parent.is_dir():
            _fail(f"--update-record: no {RECORD_DIR.parent} here (it works in a checkout of the repository)",
                  EXIT_USAGE)
        if plots_unavailable():
            _fail(f"--update-record: the record has plots, but {plots_unavailable()}", EXIT_TOOL)
    elif out is not None and out.resolve() == RECORD_DIR.resolve():
        _fail(f"{out} is the committed benchmark record: refresh it with --update-record", EXIT_USAGE)
    report = run_bench(BenchConfig(quick=quick, pairs=tuple(pairs or ()), data_dir=data, model_dir=model,
                                   embedder=embedder.value, force=force,
                                   out_dir=RECORD_DIR if update_record else out or DEFAULT_OUT))
    typer.echo(report.summary())


class Engine(str, Enum):
    local = "local"
    ray = "ray"


@app.command(short_help="Score a corpus into a resumable JSONL file, in parallel.")
@_guarded
def scan(
    inputs: List[str] = typer.Argument(..., metavar="INPUT", help="Directories of .txt/.md articles, JSONL(.gz) files of "
                                       "{id, text, reference?}; '-' = JSONL on stdin."),
    out: Path = typer.Option(..., "--out", "-o", help="Results JSONL, one line per article; a rerun "
                             "with the same file resumes (ids already there are skipped)."),
    index: Optional[Path] = typer.Option(None, "--index", help="Archive index (`mtdetect index`): find "
                                         "the original of records that have no reference."),
    reference_free: bool = typer.Option(False, "--reference-free", help="Score records that have no "
                                        "reference without one."),
    engine: Engine = typer.Option(Engine.local, "--engine", help="local: this machine's cores; ray: Ray Data actors."),
    workers: Optional[int] = typer.Option(None, "--workers", "-w", min=1, metavar="N", help="Worker processes (local, "
                                          "default: one per core) or Ray actors (default: one per cluster CPU)."),
    batch_size: int = typer.Option(32, "--batch-size", min=1, metavar="N", help="Articles whose sentences share one "
                                   "embedding call."),
    ray_address: Optional[str] = typer.Option(None, "--ray-address", help="Ray cluster to join (default: "
                                              "$RAY_ADDRESS, else a local one)."),
    sentences: bool = typer.Option(True, "--sentences/--no-sentences", help="Per-sentence results in each "
                                   "line (--no-sentences: only the flagged sentences' indices)."),
    cache: bool = typer.Option(False, "--cache/--no-cache", help="Use the on-disk embedding cache."),
    retry_errors: bool = typer.Option(False, "--retry-errors", help="On a rerun, remove the error lines "
                                      "already in --out and score those articles again."),
    model: Optional[Path] = typer.Option(None, "--model", "-m", help="Model directory (default: shipped model)."),
    threshold: Optional[float] = typer.Option(None, "--threshold", help="Flag threshold (default: the model's)."),
    embedder: EmbedderName = EMBEDDER,
    device: Device = DEVICE,
    shift: bool = SHIFT,
    force: bool = typer.Option(False, "--force", help="Start --out afresh even when it is not a scan's results."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress output."),
) -> None:
    """Score a corpus of articles into a resumable JSONL file, in parallel (local cores or Ray)."""
    from mtdetect.report.progress import log, set_quiet
    from mtdetect.scan import ScanAborted, ScanConfig
    from mtdetect.scan import scan as run_scan

    set_quiet(quiet)
    if index is not None and reference_free:
        _fail("choose one of --index and --reference-free", EXIT_USAGE)
    if threshold is not None and not 0.0 <= threshold <= 1.0:
        _fail("--threshold must be between 0 and 1", EXIT_USAGE)
    if index is None and not reference_free and any(Path(p).is_dir() and not any(Path(p).rglob("*.jsonl*"))
                                                      for p in inputs if p != "-"):
        _fail("a directory of text files has no references: scan it with --index INDEX or --reference-free",
              EXIT_USAGE)
    config = ScanConfig(model=str(model) if model else None, threshold=threshold,
                        index=str(index) if index else None, reference_free=reference_free,
                        batch_size=batch_size, sentences=sentences, cache=cache, embedder=embedder.value,
                        device=device.value, shift=shift)
    try:
        summary = run_scan(inputs, out, config, engine=engine.value, workers=workers, ray_address=ray_address,
                           retry_errors=retry_errors, force=force)
    except ScanAborted as exc:
        _fail(str(exc), EXIT_ABORTED)
    log(summary.line())


def main() -> None:  # pragma: no cover - console entry point
    app()


if __name__ == "__main__":  # pragma: no cover
    sys.exit(app())
