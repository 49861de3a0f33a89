"""Issue 23: scoring with the static embedding is numpy, safetensors and tokenizers. A fresh
interpreter runs each way of `mtdetect score --embedder static` and lists the heavy modules it
imported: no torch, sentence-transformers, transformers, scikit-learn, skops or model2vec, and no
scipy either (the translationese shift's reference-free model scores from its plain arrays).

(The same for the default embedder is tests/test_embed_static.py's test_default_score_imports_no_torch,
an expected failure while MiniLM is the default.)"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from conftest import ROOT

HEAVY = ("torch", "sentence_transformers", "transformers", "sklearn", "skops", "model2vec", "scipy")
_RUN = """
import runpy, sys
sys.argv = ["mtdetect", *sys.argv[1:]]
code = 0
try:
    runpy.run_module("mtdetect.cli", run_name="__main__")
except SystemExit as exc:
    code = exc.code
heavy = sorted({m.split(".")[0] for m in sys.modules} & set(%r))
print("HEAVY", code, heavy, file=sys.stderr)
""" % (HEAVY,)


def _heavy(*args: str) -> tuple[str, str]:
    proc = subprocess.run([sys.executable, "-c", _RUN, *args], capture_output=True, text=True, cwd=ROOT, timeout=600)
    line = [x for x in proc.stderr.splitlines() if x.startswith("HEAVY")]
    assert line, proc.stderr[-2000:]
    return line[-1], proc.stdout


SEED = ROOT / "seeds" / "001_cf506a5ff6ff9144.txt"
ORIGINAL = ROOT / "seeds" / "000_22d2012d143b9783.txt"


@pytest.mark.skipif(not SEED.exists(), reason="no seeds in this checkout")
def test_static_score_against_the_original_imports_nothing_heavy():
    heavy, out = _heavy("score", str(SEED), "--reference", str(ORIGINAL), "-f", "json", "-q", "--embedder", "static",
                        "--shift")
    result = json.loads(out)
    assert result["verdict"] == "round-trip MT"
    assert result["article_evidence"]["translationese_shift"] is not None  # the reference-free model did run
    assert heavy == "HEAVY 0 []"


@pytest.mark.skipif(not SEED.exists(), reason="no seeds in this checkout")
def test_the_translationese_shift_is_measured_on_request_only():
    """Shown, not used by the verdict: measured with --shift, and the verdict and every sentence's
    p(MT) are the same without it."""
    from typer.testing import CliRunner

    from mtdetect.cli import app

    args = ["score", str(SEED), "--reference", str(ORIGINAL), "-f", "json", "-q"]
    plain, shifted = (json.loads(CliRunner().invoke(app, args + extra).stdout) for extra in ([], ["--shift"]))
    assert plain["article_evidence"]["translationese_shift"] is None
    ts = shifted["article_evidence"]["translationese_shift"]
    assert set(ts) == {"suspect", "reference", "shift"} and abs(ts["shift"] - (ts["suspect"] - ts["reference"])) < 2e-4
    assert plain["verdict"] == shifted["verdict"] and plain["p_article"] == shifted["p_article"]
    assert [s["p_mt"] for s in plain["sentences"]] == [s["p_mt"] for s in shifted["sentences"]]


@pytest.mark.skipif(not SEED.exists(), reason="no seeds in this checkout")
def test_reference_free_score_imports_nothing_heavy():
    heavy, out = _heavy("score", str(SEED), "-f", "json", "-q")
    assert json.loads(out)["mode"] == "reference-free"
    assert heavy == "HEAVY 0 []"


def test_static_score_pairs_imports_nothing_heavy(tmp_path):
    pairs = tmp_path / "pairs.jsonl"
    pairs.write_text("".join(json.dumps({"reference": r, "candidate": c}) + "\n" for r, c in [
        ("The president met the chairman of the bank on Monday.", "The president met the president of the bank Monday."),
        ("Prices rose sharply in the last quarter of the year.", "Prices have risen sharply in the last quarter of the year.")]))
    heavy, out = _heavy("score", "--pairs", str(pairs), "-q", "--embedder", "static")
    assert [json.loads(line)["p_mt"] is not None for line in out.splitlines()] == [True, True]
    assert heavy == "HEAVY 0 []"
