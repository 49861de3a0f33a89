"""What a new user tripped on (issue 17): the bench's output location and optional plots, help at
80 columns, the HTML report's fields, scan's error lines on resume, consistent output."""

from __future__ import annotations

import io
import json
import sys
import time
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from conftest import ROOT, SEED, tiny_pairs
from mtdetect.report import progress
from mtdetect.report import wording
from mtdetect.cli import app

runner = CliRunner()


def run(*args, **kw):
    return runner.invoke(app, [str(a) for a in args], **kw)


@pytest.fixture
def no_matplotlib(monkeypatch):
    monkeypatch.setitem(sys.modules, "matplotlib", None)  # as in an install without the `bench` extra


@pytest.fixture
def bench_calls(monkeypatch):
    """`mtdetect bench` up to the run: the BenchConfig it would run with."""
    import mtdetect.bench

    calls = []

    class Report:
        def summary(self) -> str:
            return "done"

    monkeypatch.setattr(mtdetect.bench, "run_bench", lambda config: calls.append(config) or Report())
    return calls


# --------------------------------------------------------------------------- bench


def test_bench_writes_outside_the_committed_record_by_default(bench_calls):
    from mtdetect.bench import RECORD_DIR

    assert run("bench", "--quick").exit_code == 0
    assert bench_calls[-1].out_dir == Path("mtdetect-bench") and Path("mtdetect-bench").resolve() != RECORD_DIR
    assert run("bench", "--quick", "--out", "elsewhere").exit_code == 0 and bench_calls[-1].out_dir == Path("elsewhere")
    r = run("bench", "--update-record")
    assert r.exit_code == 0, r.output
    assert bench_calls[-1].out_dir == RECORD_DIR and RECORD_DIR == ROOT / "benchmarks" / "results"


@pytest.mark.parametrize("args,message", [
    (["--quick", "--update-record"], "takes no --out or --quick"),
    (["--update-record", "--out", "x"], "takes no --out or --quick"),
    (["--out", str(ROOT / "benchmarks" / "results")], "refresh it with --update-record"),
])
def test_bench_refuses_to_touch_the_record_unless_asked(bench_calls, args, message):
    r = run("bench", *args)
    assert r.exit_code == 2 and message in r.output and not bench_calls


def test_bench_names_the_missing_extra_before_any_work(bench_calls, no_matplotlib):
    from mtdetect.bench import plots_unavailable

    assert "pip install 'mtdetect[bench]'" in plots_unavailable()
    r = run("bench", "--update-record")
    assert r.exit_code == 5 and "mtdetect[bench]" in r.output and not bench_calls


def test_bench_without_matplotlib_says_up_front_that_plots_are_skipped(monkeypatch, capsys, no_matplotlib, tmp_path):
    """The note comes before the embedding model is even loaded (here: before it fails to)."""
    import mtdetect.embed.minilm
    import mtdetect.detect.reference  # noqa: F401 - imported before the patch, so it keeps the real Embedder
    from mtdetect.bench import BenchConfig, run_bench

    def stop(*_a, **_k):
        raise RuntimeError("stopped after the checks")

    monkeypatch.setattr(progress, "_QUIET", False)
    monkeypatch.setattr(mtdetect.embed.minilm, "Embedder", stop)
    with pytest.raises(RuntimeError, match="stopped after the checks"):
        run_bench(BenchConfig(quick=True, out_dir=tmp_path))
    assert "plots will be skipped: matplotlib is not installed (pip install 'mtdetect[bench]')" in capsys.readouterr().err


# --------------------------------------------------------------------------- help


def test_help_at_80_columns_shows_every_option_whole():
    command = typer.main.get_command(app)
    for name in ("scan", "score", "bench"):
        r = runner.invoke(app, [name, "--help"], env={"COLUMNS": "80"}, terminal_width=80)
        assert r.exit_code == 0
        assert "<bool>" not in r.output and "…" not in r.output
        assert all(len(line) <= 80 for line in r.output.splitlines()), r.output
        for param in command.commands[name].params:
            for opt in param.opts + param.secondary_opts:
                if opt.startswith("--"):
                    assert opt in r.output, (name, opt)
    top = runner.invoke(app, ["--help"], env={"COLUMNS": "80"}, terminal_width=80).output
    words = " ".join(top.split())
    assert "round-trip machine translation" in words and "mtdetect score SUSPECT.txt --reference" in words
    assert "Exit codes:" in top and "..." not in top.split("Commands:")[1]  # no command's line cut short


# --------------------------------------------------------------------------- HTML report


def _article(**changes) -> dict:
    data = {"verdict": "round-trip MT", "mode": "reference", "flagged_fraction": 1.0, "mean_p_mt": 0.9,
            "related_share": 0.9, "copy_share": 0.0, "n_sentences": 1, "n_scored": 1, "n_unmatched": 0,
            "threshold": 0.5, "signature": "emb:x", "p_article": 0.97,
            "pivot": {"language": "es", "confidence": 0.91, "best": None, "engine": "apertium", "n_sentences": 1,
                      "distribution": {"es": 0.91, "de": 0.09}, "french_traces": {}, "note": ""},
            "sentences": [{"index": 0, "text": "Mr. XI came.", "status": "scored", "alignment": "1:1",
                           "reference": "Xi came.", "reference_index": [0], "similarity": 0.9, "p_mt": 0.9,
                           "flagged": True, "evidence": []}]}
    return {**data, **changes}


def test_html_report_shows_the_article_probability_and_the_pivot_guess():
    from mtdetect.report.html import render_html

    page = render_html(_article())
    assert "p(article is MT)" in page and "0.97" in page
    assert "pivot guess: es (apertium-like), confidence 0.91" in page
    unknown = render_html(_article(pivot={"language": "unknown", "confidence": None, "n_sentences": 1,
                                          "distribution": {"es": 0.6}, "french_traces": {}}))
    assert "pivot guess: unknown (best es 0.60" in unknown and "confidence" not in wording.pivot(
        {"language": "unknown", "confidence": None, "distribution": {"es": 0.6}, "n_sentences": 1})


# --------------------------------------------------------------------------- output consistency


def test_flagged_line_says_why_nothing_was_scored():
    copy = _article(sentences=[{"index": 0, "text": "Xi came.", "status": "copy"},
                               {"index": 1, "text": "Reuters", "status": "short"}])
    assert wording.flagged(copy) == "none: no sentence was scored (1 copied, 1 too short)"
    assert wording.flagged(_article()) == "1 of 1 scored sentences (100%)"
    assert "0/0" not in wording.flagged(_article(sentences=[]))


def test_train_output_explains_a_missing_auc():
    from mtdetect.cli import _auc

    assert _auc({"roc_auc": 0.91, "n": 10}) == "0.91"
    assert _auc({"roc_auc": None, "n": 10}) == "n/a (one class only)"
    assert "None" not in _auc({"roc_auc": None, "n": 0})


@pytest.mark.parametrize("fmt", ["json", "tsv", "text"])
def test_pairs_follow_format(tiny_model_dir, fmt):
    rows = [{"reference": p["reference"], "candidate": p["candidate"], "id": i} for i, p in enumerate(tiny_pairs()[:3])]
    r = run("score", "--pairs", "-", "--model", tiny_model_dir, "-f", fmt, "-q",
            input="\n".join(json.dumps(x) for x in rows))
    assert r.exit_code == 0, r.output
    if fmt == "json":
        assert [o["id"] for o in json.loads(r.stdout)] == [0, 1, 2]
    elif fmt == "tsv":
        lines = r.stdout.splitlines()
        assert lines[0] == "p_mt\treference\tcandidate\terror" and len(lines) == 4
    else:
        assert "3 of 3 pairs scored" in r.stdout and "signature: emb:" in r.stdout
    refused = run("score", "--pairs", "-", "--model", tiny_model_dir, "-f", "html", input="{}")
    assert refused.exit_code == 2 and "html is for one article" in refused.output


def test_reference_free_text_has_no_reference_column():
    from mtdetect.card.model import default_model_dir, reference_free_spec
    from mtdetect.detect.reference_free import ReferenceFreeDetector
    from mtdetect.report.render import render_article

    if not (default_model_dir(reference_free_spec()) / "card.json").exists():
        pytest.skip("models/reference-free is not built")
    result = ReferenceFreeDetector().score_article(SEED["roundtrip"].read_text(encoding="utf-8"))
    text = render_article(result, "text")
    assert "[none]" not in text and "reference-free)" not in text.split("verdict:")[0]
    header = next(line for line in text.splitlines() if "suspect sentence" in line)
    assert "reference" not in header and "p(article is MT)" in text


# --------------------------------------------------------------------------- progress on a terminal


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_status_line_appears_after_a_second_on_a_terminal_and_is_erased(monkeypatch):
    monkeypatch.setattr(progress, "_QUIET", False)
    term = _Terminal()
    with progress.Status(delay=0.05, stream=term) as status:
        status.stage("loading the models")
        time.sleep(0.3)
    out = term.getvalue()
    assert "mtdetect: loading the models..." in out and out.endswith("\r\x1b[K")
    quick, piped = _Terminal(), io.StringIO()
    with progress.Status(delay=5, stream=quick):
        pass
    with progress.Status(delay=0, stream=piped):
        time.sleep(0.1)
    assert quick.getvalue() == "" and piped.getvalue() == ""  # fast, or not a terminal: nothing


# --------------------------------------------------------------------------- scan resume


class _Scorer:
    """Scores a record 'ok', gives an error line for text 'bad' unless `fixed`."""

    signature = "S"

    def __init__(self, fixed: bool = False) -> None:
        self.fixed = fixed

    def score(self, docs):
        from mtdetect.scan import BatchResult

        out = BatchResult()
        for d in docs:
            bad = d.text == "bad" and not self.fixed
            rec = {"id": d.id, "error": "bad text", "signature": "S"} if bad else \
                {"id": d.id, "mode": "reference", "signature": "S", "verdict": "rewritten"}
            out.lines.append((d.id, None if bad else "reference", "S", (json.dumps(rec) + "\n").encode()))
            out.errors += bad
        return out


def test_scan_resume_counts_error_lines_and_retries_them_when_asked(tmp_path):
    from mtdetect.scan import ScanConfig, scan

    src = tmp_path / "in.jsonl"
    src.write_text("".join(json.dumps({"id": f"r{i}", "text": "bad" if i % 2 else "fine", "reference": "x"}) + "\n"
                           for i in range(4)))
    out = tmp_path / "out.jsonl"
    first = scan([str(src)], out, ScanConfig(), workers=1, factory=_Scorer)
    assert first.errors == 2
    again = scan([str(src)], out, ScanConfig(), workers=1, factory=_Scorer)
    assert again.scored == 0 and again.earlier_errors == 2
    assert "2 earlier error lines kept" in again.line() and "--retry-errors" in again.line()
    retried = scan([str(src)], out, ScanConfig(), workers=1, factory=lambda: _Scorer(fixed=True), retry_errors=True)
    assert retried.scored == 2 and retried.errors == 0 and "removed and their articles scored again" in retried.line()
    recs = [json.loads(line) for line in out.read_text().splitlines()]
    assert sorted(r["id"] for r in recs) == ["r0", "r1", "r2", "r3"] and not any("error" in r for r in recs)
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []  # no temp file left


def test_cli_scan_offers_retry_errors():
    r = runner.invoke(app, ["scan", "--help"], env={"COLUMNS": "80"}, terminal_width=80)
    assert "--retry-errors" in r.output
