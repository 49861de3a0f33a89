"""The output policy (mtdetect/outputs.py): atomic replacement, a kill at any step leaves a whole
output at the target, foreign targets refused, modes kept, inputs never overwritten."""

from __future__ import annotations

import json
import os
import signal
import stat
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from conftest import ROOT
from mtdetect import outputs
from mtdetect.outputs import MODEL_DIR, TEXT_OUTPUT, OutputError, recover_dir, replace_dir, write_file

CARD = {"format": "mtdetect-model/1", "threshold": 0.5}


def _model(path: Path, tag: str) -> None:
    path.mkdir()
    (path / "card.json").write_text(json.dumps({**CARD, "tag": tag}))
    (path / "classifier.skops").write_text(tag)


def _tag(path: Path) -> str:
    assert (path / "classifier.skops").read_text() == json.loads((path / "card.json").read_text())["tag"]
    return (path / "classifier.skops").read_text()


STEPS = ["new-complete", "exchanged", "old-moved-aside", "new-in-place"]


@pytest.mark.parametrize("exchange", [True, False])
@pytest.mark.parametrize("step", STEPS)
def test_a_failure_at_any_step_leaves_a_whole_model(tmp_path, monkeypatch, step, exchange):
    target = tmp_path / "model"
    _model(target, "old")

    class Boom(BaseException):
        pass

    def fail(name: str) -> None:
        if name == step:
            raise Boom

    monkeypatch.setattr(outputs, "_step", fail)
    try:
        with replace_dir(target, MODEL_DIR, exchange=exchange) as tmp:
            (tmp / "card.json").write_text(json.dumps({**CARD, "tag": "new"}))
            (tmp / "classifier.skops").write_text("new")
    except Boom:
        pass
    assert _tag(target) in ("old", "new")  # a Python-level failure: the target is never missing
    recover_dir(target)
    assert _tag(target) in ("old", "new")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["model"]


_CHILD = textwrap.dedent("""
    import json, os, sys, time
    from pathlib import Path
    from mtdetect import outputs
    target, step, exchange = Path(sys.argv[1]), sys.argv[2], sys.argv[3] == "1"
    def pause(name):
        if name == step:
            print("at", name, flush=True)
            time.sleep(60)
    outputs._step = pause
    with outputs.replace_dir(target, outputs.MODEL_DIR, exchange=exchange) as tmp:
        (tmp / "card.json").write_text(json.dumps({"format": "mtdetect-model/1", "tag": "new"}))
        (tmp / "classifier.skops").write_text("new")
""")


@pytest.mark.parametrize("exchange", [True, False])
@pytest.mark.parametrize("step", STEPS)
def test_a_kill_at_any_step_leaves_a_whole_model_after_recovery(tmp_path, step, exchange):
    """SIGKILL between two steps (no Python cleanup runs): the old or new model is at the target,
    or (the two-rename fallback, killed between its renames) the old one under the backup name,
    which the next write or recover_dir puts back."""
    target = tmp_path / "model"
    _model(target, "old")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen([sys.executable, "-c", _CHILD, str(target), step, "1" if exchange else "0"],
                            stdout=subprocess.PIPE, env=env, text=True)
    reached = False
    try:
        line = proc.stdout.readline()  # "at STEP", or EOF when the step does not occur on this path
        reached = line.startswith("at")
        if reached:
            proc.send_signal(signal.SIGKILL)
    finally:
        proc.wait(30)
    if not reached:
        assert proc.returncode == 0
        assert _tag(target) == "new"
        return
    if (target / "card.json").exists():
        assert _tag(target) in ("old", "new")
    else:  # only between the fallback's two renames
        assert (step, exchange) == ("old-moved-aside", False)
    recover_dir(target)
    assert _tag(target) in ("old", "new")
    with replace_dir(target, MODEL_DIR) as tmp:  # and the next write works, leaving nothing beside
        (tmp / "card.json").write_text(json.dumps({**CARD, "tag": "third"}))
        (tmp / "classifier.skops").write_text("third")
    assert _tag(target) == "third"
    leftovers = [p.name for p in tmp_path.iterdir() if p.name != "model"]
    assert all(".tmp-" in n for n in leftovers), leftovers  # a killed run's temporary dir, never a model


def test_write_file_refuses_foreign_and_keeps_mode(tmp_path):
    f = tmp_path / "notes.txt"
    f.write_text("mine")
    with pytest.raises(OutputError, match="not an mtdetect"):
        write_file(f, "x")
    assert f.read_text() == "mine"
    f.chmod(0o640)
    write_file(f, "signature: emb:x|mtdetect:0.1\n", force=True)
    assert stat.S_IMODE(f.stat().st_mode) == 0o640
    write_file(f, "again |mtdetect:0.1\n")  # now the tool's own
    assert f.read_text().startswith("again")


def test_write_file_refuses_inputs_links_and_special_files(tmp_path):
    src = tmp_path / "in.txt"
    src.write_text("x |mtdetect:")
    with pytest.raises(OutputError, match="also an input"):
        write_file(src, "y", inputs=[str(src)], force=True)
    link = tmp_path / "link"
    link.symlink_to(src)
    with pytest.raises(OutputError, match="symbolic link"):
        write_file(link, "y")
    write_file(link, "y", force=True)  # --force replaces the link, never writes through it
    assert src.read_text() == "x |mtdetect:" and link.read_text() == "y" and not link.is_symlink()
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    with pytest.raises(OutputError, match="FIFO"):
        write_file(fifo, "y", force=True)


def test_replace_dir_refuses_foreign_dirs_and_kinds(tmp_path):
    d = tmp_path / "d"
    d.mkdir()
    (d / "thesis.txt").write_text("years")
    with pytest.raises(OutputError, match="not an mtdetect model directory"):
        with replace_dir(d, MODEL_DIR):
            pass
    _model(tmp_path / "m", "old")
    (tmp_path / "m" / "thesis.txt").write_text("years")  # a user's file inside a model: refused too
    with pytest.raises(OutputError):
        with replace_dir(tmp_path / "m", MODEL_DIR):
            pass
    f = tmp_path / "file"
    f.write_text("x")
    with pytest.raises(OutputError, match="is a file"):
        with replace_dir(f, MODEL_DIR, force=True):
            pass
    with pytest.raises(OutputError, match="is a directory"):
        write_file(d, "x", TEXT_OUTPUT, force=True)
    assert (d / "thesis.txt").read_text() == "years" and f.read_text() == "x"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["d", "file", "m"]
