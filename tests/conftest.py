"""Shared fixtures: the real embedding model, seed texts, tiny labelled pair sets."""

from __future__ import annotations

import os
import random
from pathlib import Path

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")


@pytest.fixture(autouse=True, scope="session")
def _private_cache(tmp_path_factory):
    """Tests never read or write the user's embedding cache."""
    os.environ["MTDETECT_CACHE"] = str(tmp_path_factory.mktemp("emb-cache"))

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
SHARED_DATA = ROOT.parent / "shared" / "data"

SEED = {
    "original": SEEDS / "000_22d2012d143b9783.txt",
    "roundtrip": SEEDS / "001_cf506a5ff6ff9144.txt",
    "rewrite": SEEDS / "002_9ad20c078ac937e4.txt",
    "rewrite2": SEEDS / "003_ea066ba76ba9095f.txt",
    "other": SEEDS / "004_94c132de5f2010b3.txt",
}


@pytest.fixture(scope="session")
def embedder():
    from mtdetect.embed.minilm import Embedder

    return Embedder()


@pytest.fixture(scope="session")
def shared_data() -> Path:
    if not (SHARED_DATA / "wmt_mt_vs_human.jsonl.gz").exists():
        pytest.skip("../shared/data is not present")
    return SHARED_DATA


# Literal near-synonym swaps in the style of a round trip, and a human-style restructuring.
_SWAPS = {"top": "better", "war": "conflict", "due": "expected", "tariff": "pricing", "lifeline": "rescue buoy",
          "navigate": "sail on", "keen": "eager", "told": "said to", "numerous": "many", "biggest": "largest"}


def _mt_like(sentence: str) -> str:
    words = ["Mr. XI" if w == "Xi" else _SWAPS.get(w, w) for w in sentence.split()]
    return " ".join(words)


def _human_like(sentence: str, rng: random.Random) -> str:
    words = sentence.rstrip(".").split()
    cut = max(1, len(words) // 2)
    head, tail = words[:cut], words[cut:]
    rng.shuffle(tail)
    return "Reportedly, " + " ".join(tail + head).lower() + "."


def tiny_pairs() -> list[dict]:
    """~56 labelled pairs built from seed 000's sentences (a fixture, not training data)."""
    from mtdetect.text import split_sentences

    rng = random.Random(7)
    sents = [s.text for s in split_sentences(SEED["original"].read_text(encoding="utf-8"))]
    sents = [s for s in sents if len(s.split()) > 6]
    out = []
    for k, s in enumerate(sents * 2):
        group = f"g{k % 4}"
        out.append({"reference": s, "candidate": _mt_like(s) + ("" if k < len(sents) else " indeed"),
                    "label": "mt", "group": group})
        out.append({"reference": s, "candidate": _human_like(s, rng), "label": "human", "group": group})
    return out


@pytest.fixture(scope="session")
def tiny_model_dir(tmp_path_factory, embedder) -> Path:
    """A model trained on tiny_pairs() (for save/load/score mechanics, not for quality)."""
    from mtdetect.inputs.pairs import Pair
    from mtdetect.learn.train import TrainConfig, train

    pairs = [Pair(r["reference"], r["candidate"], 1 if r["label"] == "mt" else 0, {"group": r["group"]})
             for r in tiny_pairs()]
    out = tmp_path_factory.mktemp("models") / "tiny"
    train(pairs, out, TrainConfig(max_iter=30, n_folds=4), embedder=embedder,
          cache_dir=tmp_path_factory.mktemp("cache"))
    return out
