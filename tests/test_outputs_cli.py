"""Hostile input, round three (issue 20): never destroy a user's files, atomic outputs, scan ids
unique across inputs, every corrupted index a one-line exit 3, the minor cases.

Each case runs the CLI end to end (CliRunner): the documented exit code, one line on stderr,
no traceback, and every file the user had still there, byte for byte.
"""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest

from conftest import SEED, tiny_pairs
from test_inputs_refused import assert_fails, run

SENT = "The minister said the talks would resume on Monday after a long pause in the capital."
THESIS = "My thesis, chapter one. Years of work that no tool may delete.\n"


def _pairs_file(path: Path) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in tiny_pairs()))
    return path


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


SUSPECT = ("The minister said talks would restart on Monday after a long break in the capital. "
           "Mr. XI is expected to start a four -day visit to Russia on Wednesday.\n")
ORIGINAL3 = ("The minister said the talks would resume on Monday after a long pause in the capital. "
             "Xi Jinping is due to start a four-day visit to Russia on Wednesday.\n")


@pytest.fixture(scope="module")
def texts(tmp_path_factory) -> tuple[Path, Path]:
    """A two-sentence suspect and original: cheap to score, so the output cases stay fast."""
    d = tmp_path_factory.mktemp("texts")
    (d / "suspect.txt").write_text(SUSPECT)
    (d / "original.txt").write_text(ORIGINAL3)
    return d / "suspect.txt", d / "original.txt"


def _score_out(tiny_model_dir: Path, out: object, *extra: object, texts: tuple[Path, Path] | None = None,
               fmt: str = "json"):
    suspect, original = texts or (SEED["roundtrip"], SEED["original"])
    return run("score", suspect, "--reference", original, "--model", tiny_model_dir, "-q", "-f", fmt,
               "--out", out, *extra)


# --------------------------------------------------------------------------- 1. user data never destroyed


def test_train_out_a_folder_of_user_files_is_refused(tmp_path):
    d = tmp_path / "d"
    d.mkdir()
    (d / "thesis.txt").write_text(THESIS)
    pairs = _pairs_file(d / "pairs.jsonl")
    before = _snapshot(d)
    assert_fails(run("train", pairs, "--out", d, "-q"), 3, str(d))
    assert _snapshot(d) == before


def test_train_out_holding_its_input_is_refused_even_forced(tmp_path):
    d = tmp_path / "d"
    d.mkdir()
    pairs = _pairs_file(d / "pairs.jsonl")
    assert_fails(run("train", pairs, "--out", d, "--force", "-q"), 3, "holds the input")
    assert pairs.read_text().count("\n") == len(tiny_pairs())


def test_train_out_an_existing_file_is_refused(tmp_path):
    pairs = _pairs_file(tmp_path / "pairs.jsonl")
    target = tmp_path / "notes.txt"
    target.write_text(THESIS)
    assert_fails(run("train", pairs, "--out", target, "-q"), 3, str(target), "is a file")
    assert target.read_text() == THESIS


def test_train_out_dot_is_refused(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "thesis.txt").write_text(THESIS)
    pairs = _pairs_file(tmp_path / "pairs.jsonl")
    assert_fails(run("train", pairs, "--out", ".", "-q"), 3)
    assert (tmp_path / "thesis.txt").read_text() == THESIS


@pytest.mark.parametrize("fmt", ["text", "json", "html"])
def test_score_out_replaces_its_own_output_but_not_a_user_file(tmp_path, tiny_model_dir, texts, fmt):
    out = tmp_path / f"report.{fmt}"
    r = _score_out(tiny_model_dir, out, texts=texts, fmt=fmt)
    assert r.exit_code == 0, r.output
    first = out.read_bytes()
    r = _score_out(tiny_model_dir, out, texts=texts, fmt=fmt)
    assert r.exit_code == 0, r.output  # the tool's own output is recognised and replaced
    assert out.read_bytes() == first
    notes = tmp_path / "notes.md"
    notes.write_text(THESIS * 500)
    assert_fails(_score_out(tiny_model_dir, notes, texts=texts, fmt=fmt), 3, str(notes), "--force")
    assert notes.read_text() == THESIS * 500
    if fmt == "json":
        assert _score_out(tiny_model_dir, notes, "--force", texts=texts).exit_code == 0
        assert "signature" in notes.read_text()


def test_scan_out_an_existing_text_file_is_refused(tmp_path, tiny_model_dir):
    crawl = tmp_path / "crawl.jsonl"
    crawl.write_text(json.dumps({"id": "a", "text": SENT, "reference": SENT}) + "\n")
    notes = tmp_path / "notes.md"
    notes.write_text("# README\n\nNot a scan record.\n" + THESIS * 600)
    before = notes.read_bytes()
    assert_fails(run("scan", crawl, "--out", notes, "--model", tiny_model_dir, "-q", "-w", "1"), 3, str(notes))
    assert notes.read_bytes() == before


def test_scan_out_its_own_input_is_refused(tmp_path, tiny_model_dir):
    x = tmp_path / "X.jsonl"
    x.write_text(json.dumps({"id": "a", "text": SENT, "reference": SENT}) + "\n" + '{"id": "b", "text": "unfinished')
    before = x.read_bytes()
    assert_fails(run("scan", x, "--out", x, "--model", tiny_model_dir, "-q", "-w", "1"), 3, "also an input")
    assert x.read_bytes() == before


def test_out_a_device_or_fifo_is_refused(tmp_path, tiny_model_dir, texts):
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    assert_fails(_score_out(tiny_model_dir, fifo), 3, "is a FIFO")
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)
    assert_fails(run("scan", tmp_path / "none.jsonl", "--out", fifo, "--reference-free", "-q"), 3)
    if os.geteuid() == 0:  # a private copy of /dev/null: the real one is never put at risk
        dev = tmp_path / "null"
        os.mknod(dev, 0o666 | stat.S_IFCHR, os.makedev(1, 3))
        assert_fails(_score_out(tiny_model_dir, dev), 3, "is a character device")
        assert_fails(_score_out(tiny_model_dir, dev, "--force"), 3, "is a character device")
        assert stat.S_ISCHR(os.lstat(dev).st_mode)


def test_out_an_existing_directory_or_proc_is_refused(tmp_path, tiny_model_dir, texts):
    d = tmp_path / "dir"
    d.mkdir()
    (d / "thesis.txt").write_text(THESIS)
    assert_fails(_score_out(tiny_model_dir, d), 3, "is a directory")
    assert (d / "thesis.txt").read_text() == THESIS
    assert_fails(_score_out(tiny_model_dir, "/proc/self/x"), 3, "/proc/self/x")


def test_existing_output_keeps_its_mode(tmp_path, tiny_model_dir, texts):
    out = tmp_path / "private.json"
    assert _score_out(tiny_model_dir, out, texts=texts).exit_code == 0
    out.chmod(0o600)
    assert _score_out(tiny_model_dir, out, texts=texts).exit_code == 0
    assert stat.S_IMODE(out.stat().st_mode) == 0o600


def test_index_out_over_a_user_folder_is_refused_and_own_index_replaced(tmp_path):
    d = tmp_path / "idx"
    d.mkdir()
    (d / "thesis.txt").write_text(THESIS)
    assert_fails(run("index", SEED["original"], "--out", d, "-q"), 3, str(d))
    assert _snapshot(d) == {"thesis.txt": THESIS.encode()}
    idx = tmp_path / "good"
    assert run("index", SEED["original"], "--out", idx, "-q").exit_code == 0
    assert run("index", SEED["original"], SEED["other"], "--out", idx, "-q").exit_code == 0
    assert json.loads((idx / "index.json").read_text())["articles"] == 2
    (idx / "mine.txt").write_text(THESIS)  # a user's file put into an index: no longer only the tool's
    assert_fails(run("index", SEED["original"], "--out", idx, "-q"), 3, "not an mtdetect index")
    assert (idx / "mine.txt").read_text() == THESIS


# --------------------------------------------------------------------------- 3. kill between the two steps


@pytest.mark.parametrize("exchange", [True, False])
def test_index_replacement_interrupted_between_steps_keeps_a_whole_index(tmp_path, monkeypatch, exchange):
    """A Ctrl-C injected between the two steps of the swap: the old index (or the new one) is at
    --out, complete; nothing is half there (test_outputs.py kills a process at each step)."""
    from mtdetect import outputs

    idx = tmp_path / "idx"
    assert run("index", SEED["original"], "--out", idx, "-q").exit_code == 0
    old = _snapshot(idx)

    def interrupt(name: str) -> None:
        if name in ("exchanged", "old-moved-aside"):
            raise KeyboardInterrupt

    monkeypatch.setattr(outputs, "_step", interrupt)
    if not exchange:
        monkeypatch.setattr(outputs, "_exchange", lambda a, b: False)
    r = run("index", SEED["original"], SEED["other"], "--out", idx, "-q")
    assert r.exit_code == 130, r.output
    monkeypatch.undo()
    now = _snapshot(idx)
    assert now == old or json.loads(now["index.json"])["articles"] == 2
    from mtdetect.detect.index import ArchiveIndex

    assert len(ArchiveIndex(idx)) in (1, 2)
    assert not [p.name for p in tmp_path.iterdir() if p.name.startswith(".")]


# --------------------------------------------------------------------------- 4. scan ids across inputs


def test_scan_ids_unique_across_two_folders(tmp_path, tiny_model_dir):
    for name in ("dirA", "dirB"):
        (tmp_path / name).mkdir()
        (tmp_path / name / "day.jsonl").write_text(
            "".join(json.dumps({"text": f"{SENT} {name} {k}.", "reference": SENT}) + "\n" for k in range(3)))
    out = tmp_path / "out.jsonl"
    r = run("scan", tmp_path / "dirA", tmp_path / "dirB", "--out", out, "--model", tiny_model_dir, "-q", "-w", "1")
    assert r.exit_code == 0, r.output
    ids = [json.loads(line)["id"] for line in out.read_text().splitlines()]
    assert len(ids) == 6 == len(set(ids)), ids
    assert all("error" not in json.loads(line) for line in out.read_text().splitlines())
