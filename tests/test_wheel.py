"""The package works installed, away from the checkout: the wheel carries the shipped models as
package data, and mtdetect run from the unpacked wheel alone (PYTHONPATH = that folder only,
working directory outside the checkout) finds them and scores seed 001 against 000."""

import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from conftest import ROOT, SEED

pytestmark = pytest.mark.slow

MODEL_FILES = ["default/card.json", "default/classifier.skops", "reference-free/card.json",
               "reference-free/classifier.skops", "reference-free/arrays.npz", "pivot/card.json",
               "pivot/classifier.skops", "pivot/arrays.npz"]


@pytest.fixture(scope="module")
def unpacked_wheel(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    # Built from a copy of what the package is made of, so the build leaves nothing in the checkout;
    # --no-build-isolation: with this environment's setuptools, no download.
    src = out / "src"
    shutil.copytree(ROOT / "mtdetect", src / "mtdetect", ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(ROOT / name, src / name)
    proc = subprocess.run([sys.executable, "-m", "pip", "wheel", str(src), "--no-deps", "--no-build-isolation",
                           "-q", "-w", str(out / "dist")], capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-2000:]
    wheels = list((out / "dist").glob("mtdetect-*.whl"))
    assert len(wheels) == 1, wheels
    site = out / "site"
    with zipfile.ZipFile(wheels[0]) as zf:
        names = set(zf.namelist())
        zf.extractall(site)
    for f in MODEL_FILES:
        assert f"mtdetect/models/{f}" in names, f"the wheel lacks mtdetect/models/{f}"
    assert any(n.startswith("mtdetect/data/") and n.endswith(".tsv.gz") for n in names)
    assert not any(n.startswith(("tests/", "training/", "seeds/")) for n in names)
    return site


def _run(site: Path, cwd: Path, *args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "MTDETECT_MODEL", "MTDETECT_RF_MODEL",
                                                            "MTDETECT_PIVOT_MODEL", "MTDETECT_SEEDS")}
    env["PYTHONPATH"] = str(site)
    return subprocess.run([sys.executable, *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=600)


def test_the_unpacked_wheel_finds_its_models_and_scores_the_seeds(unpacked_wheel, tmp_path):
    from mtdetect.card.load import load_model

    where = _run(unpacked_wheel, tmp_path, "-c", "import mtdetect; from mtdetect.card.kinds import default_model_dir; "
                 "print(mtdetect.__file__); print(*(default_model_dir(k) for k in ('reference', 'reference-free', "
                 "'pivot')), sep='\\n')")
    assert where.returncode == 0, where.stderr[-2000:]
    lines = where.stdout.split()
    assert all(Path(p).is_relative_to(unpacked_wheel) for p in lines), lines  # not the checkout's
    assert all((Path(p) / "card.json").is_file() for p in lines[1:])

    (tmp_path / "s").mkdir()
    for name in ("roundtrip", "original"):
        (tmp_path / "s" / SEED[name].name).write_text(SEED[name].read_text(encoding="utf-8"), encoding="utf-8")
    scored = _run(unpacked_wheel, tmp_path, "-m", "mtdetect", "score", f"s/{SEED['roundtrip'].name}", "-r",
                  f"s/{SEED['original'].name}", "--format", "json", "-q")
    assert scored.returncode == 0, scored.stderr[-2000:]
    result = json.loads(scored.stdout)
    assert result["verdict"] == "round-trip MT"
    # the same model as the checkout's: everything in the signature after the embedding part
    assert result["signature"].split("|")[1:] == load_model().signature.split("|")[1:]
