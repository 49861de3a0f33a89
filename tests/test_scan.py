"""`mtdetect scan`: shared embedding batches, resume after a kill, engines, bad records."""

from __future__ import annotations

import gzip
import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from mtdetect.inputs import documents
from mtdetect.cli import app
from mtdetect.inputs.documents import Document, iter_documents
from mtdetect.scan import BatchResult, IdSet, ResultFile, ScanConfig, scan, score_batch, scorer_factory
from mtdetect.text import InputError, split_sentences

from conftest import ROOT, SEED

runner = CliRunner()


def _sentences(name: str) -> list[str]:
    return [s.text for s in split_sentences(SEED[name].read_text(encoding="utf-8"))]


def seed_records() -> list[dict]:
    """The seeds scored against 000, whole articles (as in the README table)."""
    ref = SEED["original"].read_text(encoding="utf-8")
    return [{"id": name, "text": SEED[name].read_text(encoding="utf-8"), "reference": ref}
            for name in ("roundtrip", "rewrite", "original", "other")]


def small_records(n: int) -> list[dict]:
    """n short articles (3 sentences of a seed and the matching original sentences), ids r0..r{n-1}."""
    orig, rt, rw = _sentences("original"), _sentences("roundtrip"), _sentences("rewrite")
    out = []
    for i in range(n):
        k = i % 12
        text = " ".join((rt if i % 2 else rw)[k : k + 3])
        out.append({"id": f"r{i}", "text": text, "reference": " ".join(orig[k : k + 3])})
    return out


def write_jsonl(path: Path, rows: list) -> Path:
    path.write_text("".join((r if isinstance(r, str) else json.dumps(r)) + "\n" for r in rows), encoding="utf-8")
    return path


def read_out(path: Path) -> dict[str, dict]:
    """Records keyed by id; fails on a duplicate id or a line that is not a complete JSON object."""
    data = path.read_bytes()
    assert data == b"" or data.endswith(b"\n")
    out: dict[str, dict] = {}
    for line in data.decode("utf-8").splitlines():
        rec = json.loads(line)
        assert rec["id"] not in out, f"duplicate id {rec['id']}"
        out[rec["id"]] = rec
    return out


@pytest.fixture(scope="module")
def scorer():
    return scorer_factory(ScanConfig())()


# --------------------------------------------------------------------------- scoring


def _minilm_in_bf16() -> bool:
    """The scan aligns with MiniLM (the default embedder is minilm) on a CPU where it runs in bf16."""
    from mtdetect.embed import DEFAULT_EMBEDDER
    from mtdetect.embed.minilm import native_bf16

    return DEFAULT_EMBEDDER == "minilm" and native_bf16()


# On a CPU with native bfloat16 (AVX512-BF16/AMX) MiniLM runs in bf16, and oneDNN's bf16 kernels
# round differently with the batch's row count and the thread count: vectors then differ in the
# 4th decimal between a shared batch, one article alone, one worker or two. The equality below
# holds in fp32 and with the static embedding (the default); with MiniLM on such a CPU it is an
# expected failure (strict: it shouts the day it holds).
BF16_BATCH_DEPENDENT = pytest.mark.xfail(
    condition="_minilm_in_bf16()", strict=True,
    reason="MiniLM in bf16: oneDNN's rounding depends on the batch's rows and threads (cosines differ ~4e-4)")


@BF16_BATCH_DEPENDENT
def test_shared_batch_equals_scoring_each_article_alone(scorer):
    from mtdetect.detect.reference import Detector

    rows = seed_records()
    result = score_batch(scorer, [Document(r["id"], r["text"], r["reference"]) for r in rows])
    assert result.errors == 0 and len(result.lines) == len(rows)
    alone = Detector(embedder=scorer.encoder.encoder)  # the same model, no shared batch
    for (doc_id, mode, signature, line), row in zip(result.lines, rows):
        expected = {"id": row["id"], **alone.score_article(row["text"], row["reference"]).to_dict()}
        assert json.loads(line) == expected
        assert mode == "reference" and signature == alone.signature
    verdicts = {json.loads(line)["id"]: json.loads(line)["verdict"] for *_, line in result.lines}
    assert verdicts == {"roundtrip": "round-trip MT", "rewrite": "rewritten", "original": "copy", "other": "unrelated"}


def test_bad_records_get_error_lines_and_do_not_stop_the_batch(scorer):
    good = small_records(1)[0]
    docs = [
        Document("fr", "Le président a dit que la situation est très grave et que les négociations sont dans "
                       "une impasse totale depuis des mois.", good["reference"]),
        Document("empty", "   \n ", good["reference"]),
        Document("noref", good["text"]),
        Document("unreadable", None, error="x.jsonl:3: not valid JSON (Expecting value)"),
        Document("ok", good["text"], good["reference"]),
    ]
    result = score_batch(scorer, docs)
    recs = {json.loads(line)["id"]: json.loads(line) for *_, line in result.lines}
    assert result.errors == 4 and list(recs) == ["fr", "empty", "noref", "unreadable", "ok"]
    assert "not look like English" in recs["fr"]["error"]
    assert "empty" in recs["empty"]["error"]
    assert "--reference-free" in recs["noref"]["error"]
    assert recs["unreadable"]["error"].startswith("x.jsonl:3:")
    assert "error" not in recs["ok"] and recs["ok"]["verdict"] in ("round-trip MT", "rewritten")
    assert all(r["signature"] == scorer.signature for r in recs.values())


def test_compact_lines_keep_flagged_sentence_indices():
    compact = scorer_factory(ScanConfig(sentences=False))()
    row = seed_records()[0]
    rec = json.loads(score_batch(compact, [Document("a", row["text"], row["reference"])]).lines[0][3])
    assert "sentences" not in rec and rec["verdict"] == "round-trip MT"
    assert len(rec["flagged_sentences"]) == round(rec["flagged_fraction"] * rec["n_scored"])


# --------------------------------------------------------------------------- output file and resume


def test_resume_cuts_a_partial_line_and_skips_complete_ids(tmp_path, scorer):
    src = write_jsonl(tmp_path / "in.jsonl", small_records(6))
    out = tmp_path / "out.jsonl"
    first = scan([str(src)], out, ScanConfig(batch_size=2), workers=1, factory=lambda: scorer)
    assert first.scored == 6 and first.errors == 0
    full = read_out(out)
    lines = out.read_bytes().splitlines(keepends=True)
    out.write_bytes(b"".join(lines[:3]) + lines[3][: len(lines[3]) // 2])  # killed while writing line 4
    again = scan([str(src)], out, ScanConfig(batch_size=2), workers=1, factory=lambda: scorer)
    assert again.repaired_bytes == len(lines[3]) // 2
    assert again.skipped_done == 3 and again.scored == 3
    assert read_out(out) == full  # nothing lost, nothing twice, same results
    third = scan([str(src)], out, ScanConfig(batch_size=2), workers=1, factory=lambda: scorer)
    assert third.scored == 0 and third.skipped_done == 6


def test_duplicate_ids_first_one_wins(tmp_path, scorer):
    rows = small_records(3)
    rows.append({**rows[1], "text": rows[0]["text"]})  # same id as rows[1], other text
    out = tmp_path / "out.jsonl"
    summary = scan([str(write_jsonl(tmp_path / "in.jsonl", rows))], out, ScanConfig(), workers=1,
                   factory=lambda: scorer)
    assert summary.duplicates == 1 and summary.scored == 3
    assert read_out(out)["r1"]["sentences"][0]["text"].startswith(split_sentences(rows[1]["text"])[0].text)


def test_result_file_refuses_a_corrupt_middle_a_second_writer_and_another_model(tmp_path):
    out = tmp_path / "out.jsonl"
    out.write_text('{"id": "a", "mode": "reference", "signature": "S1"}\nnot json\n{"id": "b"}\n')
    with pytest.raises(InputError, match=r"out.jsonl:2: not a complete scan record"):
        ResultFile(out)
    out.write_text('{"id": "a", "mode": "reference", "signature": "S1"}\n')
    with ResultFile(out) as rf:
        with pytest.raises(InputError, match="another scan is writing"):
            ResultFile(out)
        assert "a" in rf.done and "b" not in rf.done
        with pytest.raises(InputError, match="holds reference results of S1"):
            rf.write(BatchResult([("b", "reference", "S2", b'{"id": "b"}\n')]))
    assert out.read_text().count("\n") == 1



def test_resuming_a_scan_aligned_by_the_other_embedding_names_the_option(tmp_path):
    """Results written when MiniLM was the default: the refusal says how to resume them."""
    out = tmp_path / "out.jsonl"
    old = "emb:all-MiniLM-L6-v2@53aa51172d14/bf16|feat:v5|clf:a|card:b|thr:0.5|mtdetect:0.1.0"
    out.write_text(json.dumps({"id": "a", "mode": "reference", "signature": old}) + "\n")
    new = "emb:static-MiniLM-L6-v2-m2v256-tuned@2448e7d9cbde|feat:v5|clf:a|card:b|thr:0.5|mtdetect:0.1.0"
    with ResultFile(out) as rf:
        with pytest.raises(InputError, match="resume with the --embedder that wrote them \\(minilm\\)"):
            rf.write(BatchResult([("b", "reference", new, b'{"id": "b"}\n')]))


@pytest.mark.slow  # a real scan process killed midway
def test_kill_midway_then_resume_loses_nothing_and_repeats_nothing(tmp_path, scorer):
    rows = small_records(24)
    src = write_jsonl(tmp_path / "in.jsonl", rows)
    out = tmp_path / "out.jsonl"
    cmd = [sys.executable, "-m", "mtdetect.cli", "scan", str(src), "--out", str(out), "--workers", "1",
           "--batch-size", "1", "-q"]
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and proc.poll() is None:
        if out.exists() and out.read_bytes().count(b"\n") >= 5:
            break
        time.sleep(0.02)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    written = out.read_bytes().count(b"\n")
    assert 5 <= written < len(rows), "the scan was not killed midway"
    resumed = scan([str(src)], out, ScanConfig(batch_size=1), workers=1, factory=lambda: scorer)
    assert resumed.skipped_done == written and resumed.errors == 0
    recs = read_out(out)
    assert sorted(recs) == sorted(row["id"] for row in rows)
    assert not any("error" in rec for rec in recs.values())


# --------------------------------------------------------------------------- engines


@pytest.mark.slow  # a process pool that loads the models in each worker
@BF16_BATCH_DEPENDENT
def test_process_pool_gives_the_same_results_as_in_process(tmp_path, scorer):
    src = write_jsonl(tmp_path / "in.jsonl", small_records(8) + ["{bad"])
    one, two = tmp_path / "one.jsonl", tmp_path / "two.jsonl"
    scan([str(src)], one, ScanConfig(batch_size=3), workers=1, factory=lambda: scorer)
    summary = scan([str(src)], two, ScanConfig(batch_size=3), workers=2)
    assert summary.scored == 9 and summary.errors == 1
    assert read_out(one) == read_out(two)


@pytest.mark.slow  # one thread per actor and per local worker, the same batches: equal even in bf16
def test_ray_engine_gives_the_same_results_as_local(tmp_path):
    pytest.importorskip("ray.data", reason="Ray is not installed (pip install 'mtdetect[scale]')")
    src = write_jsonl(tmp_path / "in.jsonl", small_records(8) + seed_records()[:2] + ["{bad"])
    local, ray_out = tmp_path / "local.jsonl", tmp_path / "ray.jsonl"
    config = ScanConfig(batch_size=3, cache=True)  # the cache too: actors call it from another thread
    scan([str(src)], local, config, engine="local", workers=1)
    summary = scan([str(src)], ray_out, config, engine="ray", workers=2)
    assert summary.scored == 11 and summary.errors == 1
    assert read_out(local) == read_out(ray_out)


# --------------------------------------------------------------------------- reading and ids


def test_iter_documents_streams_jsonl_gz_and_directories(tmp_path, monkeypatch):
    (tmp_path / "d" / "sub").mkdir(parents=True)
    (tmp_path / "d" / "b.txt").write_text("Second article text here.")
    (tmp_path / "d" / "sub" / "a.md").write_text("First article text here.")
    with gzip.open(tmp_path / "d" / "c.jsonl.gz", "wt") as fh:
        fh.write('{"id": 7, "text": "T.", "reference": "R."}\n\n{"text": "No id."}\n')
    (tmp_path / "d" / "empty.txt").write_text("")
    ids = [(d.id, d.error is None) for d in iter_documents([str(tmp_path / "d")], strict=False)]
    assert ids == [("b.txt", True), ("7", True), ("c.jsonl.gz:3", True), ("empty.txt", False),
                   ("sub/a.md", True)]
    assert documents.count_documents([str(tmp_path / "d")]) == 6  # an upper bound (blank line)
    monkeypatch.setattr(documents, "MAX_RECORD_BYTES", 64)
    src = write_jsonl(tmp_path / "x.jsonl", [{"id": "big", "text": "x" * 100}, {"id": "ok", "text": "Fine."},
                                              '{"id": [1], "text": "t"}', {"id": "r", "text": "t", "reference": 3}])
    got = list(iter_documents([str(src)], strict=False))
    assert [(d.id, d.error) for d in got] == [
        ("x.jsonl:1", "%s:1: record over the 64-byte limit" % src), ("ok", None),
        ("x.jsonl:3", "%s:3: 'id' must be a string or an integer" % src),
        ("r", "%s:4: 'reference' must be a string" % src)]
    with pytest.raises(InputError, match=":1: record over"):
        list(iter_documents([str(src)], strict=True))


def test_embedding_batches_are_bounded_in_tokens_and_never_padded():
    from mtdetect.embed.minilm import _chunks

    lengths = sorted([5] * 100 + [7] * 3 + [60] * 70 + [256] * 40)
    chunks = _chunks(lengths, 64, 4096)
    assert [i for a, b in chunks for i in range(a, b)] == list(range(len(lengths)))  # each once, in order
    assert all(b - a <= 64 and (b - a) * lengths[b - 1] <= 4096 for a, b in chunks)
    assert all(len(set(lengths[a:b])) == 1 for a, b in chunks)  # one length per batch: no padding
    assert chunks[:3] == [(0, 64), (64, 100), (100, 103)] and _chunks([9000], 64, 4096) == [(0, 1)]


def test_id_set_is_exact_across_merges():
    ids = IdSet()
    assert all(ids.add(f"id-{i}") for i in range(70_000))  # crosses the first merge into the sorted array
    assert len(ids) == 70_000 and "id-5" in ids and "id-69999" in ids and "id-70000" not in ids
    assert not ids.add("id-123") and ids.add("new")


# --------------------------------------------------------------------------- command line


def test_cli_scan_end_to_end(tmp_path):
    src = write_jsonl(tmp_path / "in.jsonl", small_records(3) + ['{"id": "bad", "text": 5}'])
    out = tmp_path / "res" / "out.jsonl"
    r = runner.invoke(app, ["scan", str(src), "--out", str(out), "--workers", "1", "--no-sentences", "-q"])
    assert r.exit_code == 0, r.output
    recs = read_out(out)
    assert set(recs) == {"r0", "r1", "r2", "bad"} and "missing 'text'" in recs["bad"]["error"]
    assert all("sentences" not in rec for rec in recs.values())
    more = src.read_text() + json.dumps(small_records(5)[4]) + "\n"
    again = runner.invoke(app, ["scan", "-", "--out", str(out), "--workers", "1"], input=more)  # JSONL on stdin
    assert again.exit_code == 0, again.output
    assert "scanned 1 articles" in again.output and "4 already in" in again.output
    assert set(read_out(out)) == {"r0", "r1", "r2", "bad", "r4"}


def test_progress_line_shows_rates_and_eta(monkeypatch):
    from mtdetect.report import progress

    now = [100.0]
    bar = progress.RateProgress("scan: ")
    bar._clock = lambda: now[0]
    bar._start = 100.0
    bar.set_total(100)
    bar.skip(10)
    monkeypatch.setattr(progress, "_QUIET", True)
    bar.update(20, 300)
    now[0] = 110.0
    assert bar.line() == "scan: 30/100 articles, 2.0 articles/s, 30 sentences/s, ETA 35s"


@pytest.mark.parametrize("args,code,message", [
    (["--reference-free"], 3, "--reference-free: not available in this build"),
    (["--index", "idx"], 3, "--index: not available in this build"),
    (["--index", "idx", "--reference-free"], 2, "choose one of --index and --reference-free"),
])
def test_cli_scan_modes_fail_early_in_a_build_without_them(tmp_path, monkeypatch, args, code, message):
    for name in ("mtdetect.detect.reference_free", "mtdetect.detect.index"):
        monkeypatch.setitem(sys.modules, name, None)  # as in a build that lacks them: import fails
    src = write_jsonl(tmp_path / "in.jsonl", small_records(1))
    r = runner.invoke(app, ["scan", str(src), "--out", str(tmp_path / "o.jsonl"), *args])
    assert r.exit_code == code and message in r.output
    assert not (tmp_path / "o.jsonl").exists()  # refused before anything was written


def test_cli_scan_refuses_a_text_directory_without_a_mode(tmp_path):
    (tmp_path / "d").mkdir()
    (tmp_path / "d" / "a.txt").write_text("An article without its original.")
    r = runner.invoke(app, ["scan", str(tmp_path / "d"), "--out", str(tmp_path / "o.jsonl")])
    assert r.exit_code == 2 and "--index INDEX or --reference-free" in r.output


def test_records_without_reference_go_through_the_index_or_reference_free(tmp_path):
    """--index finds 001's original (000) and scores against it; 004 has none and falls back to
    reference-free; --reference-free scores both on their own English."""
    from mtdetect.detect.index import build_index

    build_index([(SEED["original"].name, SEED["original"].read_text(encoding="utf-8"))], tmp_path / "idx")
    src = tmp_path / "in.jsonl"
    src.write_text("".join(json.dumps({"id": k, "text": SEED[k].read_text(encoding="utf-8")}) + "\n"
                           for k in ("roundtrip", "other")), encoding="utf-8")
    res = runner.invoke(app, ["scan", str(src), "--out", str(tmp_path / "a.jsonl"), "--index", str(tmp_path / "idx"),
                              "-q"])
    assert res.exit_code == 0, res.output
    got = {d["id"]: d for d in map(json.loads, (tmp_path / "a.jsonl").read_text().splitlines())}
    assert got["roundtrip"]["mode"] == "index" and got["roundtrip"]["verdict"] == "round-trip MT"
    assert got["roundtrip"]["match"]["id"] == SEED["original"].name
    assert got["other"]["mode"] == "reference-free" and got["other"]["match"]["found"] is False
    res = runner.invoke(app, ["scan", str(src), "--out", str(tmp_path / "b.jsonl"), "--reference-free", "-q"])
    assert res.exit_code == 0, res.output
    modes = {json.loads(line)["mode"] for line in (tmp_path / "b.jsonl").read_text().splitlines()}
    assert modes == {"reference-free"}
