"""Tune the distilled static table towards MiniLM's own sentence vectors (issue 23).

model2vec's `distill` gives every word piece the vector MiniLM gives that piece *alone*; a
sentence's vector is then the mean of those. That mean agrees with MiniLM's sentence vector only
loosely: loose human rewrites fall below the alignment threshold (seed 003 read as "unrelated").
This step keeps the distilled model's form (one 256-d row per word piece, mean pooling, nothing
else at scoring time) and fits the rows so that the mean over a sentence's pieces points where
MiniLM's sentence vector points, on sentences of ../shared/data (the approach model2vec calls
tokenlearn, here in ~80 lines of torch):

1. sentences: every text of ../shared/data and the Apertium round trips (both sides; documents
   split as the product splits them), except the ASAP essays and OneStopEnglish topics that
   benchmarks/static_vs_minilm.py measures on (odd CRC32) and never the seeds; deduplicated,
   shuffled with a fixed seed, capped;
2. teacher: MiniLM as mtdetect runs it (`Embedder`, bf16), projected onto its top-256 principal
   axes (the table's width);
3. start: the distilled rows mapped into that space by least squares (mean-pooled distilled
   vectors -> teacher vectors);
4. fit: Adam on 1 - cosine(mean of rows, teacher), an L2 pull towards the start so that pieces
   seen rarely stay near their distilled meaning, one thread, fixed seeds (the same bytes twice).

Pieces never seen in the sentences keep their mapped distilled rows.
"""

from __future__ import annotations

import gzip
import json
import random
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
from _common import SHARED, WORK, log, parser


@dataclass(frozen=True)
class TuneConfig:
    """Everything that decides the tuned table (recorded in the static card)."""

    max_sentences: int = 50_000
    epochs: int = 6
    batch: int = 256
    lr: float = 0.003
    pull: float = 1e-4  # L2 weight towards the mapped distilled rows
    seed: int = 0


def _records(path: Path):
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        for line in fh:
            yield json.loads(line)


def sentences(config: TuneConfig) -> list[str]:
    """The tuning sentences (see the module docstring, step 1)."""
    from mtdetect.learn.sources import held_out
    from mtdetect.text import split_sentences

    out: list[str] = []
    for path in sorted(SHARED.glob("*.jsonl.gz")) + sorted(WORK.glob("roundtrips-*.jsonl.gz")):
        for r in _records(path):
            if path.name.startswith("asap") and held_out(r["reference"]):
                continue
            if path.name.startswith("onestop") and held_out(str(r.get("doc_id"))):
                continue
            for side in ("reference", "candidate"):
                text = r.get(side) or ""
                if path.name.startswith(("asap", "onestop")):
                    out += [s.text for s in split_sentences(text)]
                else:
                    out.append(" ".join(text.split()))
    unique = sorted({s for s in out if 2 <= len(s.split()) and len(s) <= 2000})
    random.Random(config.seed).shuffle(unique)
    log(f"tune: {len(unique):,} distinct sentences, {min(len(unique), config.max_sentences):,} used")
    return unique[: config.max_sentences]


def teacher(texts: list[str]) -> np.ndarray:
    """MiniLM's vectors of `texts`, cached in training/work by the texts' hash."""
    import hashlib

    from mtdetect.embed.minilm import Embedder

    key = hashlib.sha256("\n".join(texts).encode("utf-8")).hexdigest()[:16]
    cache = WORK / f"static-teacher-{key}.npy"
    if cache.is_file():
        return np.load(cache)
    vecs = Embedder(threads=1).encode(texts)  # one thread: two spin-wait on a busy machine
    part = cache.with_suffix(".part.npy")
    np.save(part, vecs)
    part.replace(cache)
    return vecs


def tune(table: np.ndarray, ids: list[list[int]], targets: np.ndarray, config: TuneConfig) -> np.ndarray:
    """The tuned table (float32, the shape of `table`); see the module docstring, steps 2-4."""
    import torch

    torch.manual_seed(config.seed)
    torch.set_num_threads(1)
    keep = [i for i, x in enumerate(ids) if x]
    ids, targets = [ids[i] for i in keep], targets[keep]
    dims = table.shape[1]
    centred = targets - targets.mean(axis=0)
    axes = np.linalg.svd(centred[:20000], full_matrices=False)[2][:dims]  # top principal axes
    goal = targets @ axes.T
    goal /= np.linalg.norm(goal, axis=1, keepdims=True)

    def mean_rows(rows: list[list[int]], weights: torch.Tensor) -> torch.Tensor:
        """Each sentence's mean of its pieces' rows (model2vec's pooling, before normalising)."""
        flat = torch.tensor(np.concatenate(rows), dtype=torch.long)
        offsets = torch.tensor(np.cumsum([0] + [len(x) for x in rows[:-1]]), dtype=torch.long)
        return torch.nn.functional.embedding_bag(flat, weights, offsets, mode="mean")

    pooled = mean_rows(ids, torch.tensor(table, dtype=torch.float32)).numpy()
    mapping = np.linalg.lstsq(pooled, goal, rcond=None)[0]
    start = torch.tensor(table @ mapping, dtype=torch.float32)
    weights = torch.nn.Parameter(start.clone())
    goal_t = torch.tensor(goal, dtype=torch.float32)
    opt = torch.optim.Adam([weights], lr=config.lr)
    order = np.arange(len(ids))
    rng = np.random.default_rng(config.seed)

    def loss_of(rows: np.ndarray) -> torch.Tensor:
        pred = mean_rows([ids[i] for i in rows], weights)
        return 1 - torch.nn.functional.cosine_similarity(pred, goal_t[rows]).mean()

    with torch.no_grad():
        log(f"tune: start loss {float(loss_of(order[:5000])):.4f} (mapped distilled rows)")
    for epoch in range(config.epochs):
        rng.shuffle(order)
        total = 0.0
        for b in range(0, len(order), config.batch):
            rows = order[b : b + config.batch]
            opt.zero_grad()
            loss = loss_of(rows)
            (loss + config.pull * ((weights - start) ** 2).sum(dim=1).mean()).backward()
            opt.step()
            total += float(loss.detach()) * len(rows)
        log(f"tune: epoch {epoch + 1}/{config.epochs}: loss {total / len(order):.4f}")
    return weights.detach().numpy().astype(np.float32)


def tune_directory(out: Path, config: TuneConfig = TuneConfig()) -> dict:
    """Tune the table in `out`/model.safetensors in place; returns the card's `tuning` entry."""
    from safetensors.numpy import load_file, save_file

    from mtdetect.embed.static import StaticEmbedder

    texts = sentences(config)
    targets = teacher(texts)
    tokens = StaticEmbedder(directory=out).token_ids(texts)
    stored = load_file(str(out / "model.safetensors"))["embeddings"]
    tuned = tune(stored.astype(np.float32), tokens, targets, config)
    save_file({"embeddings": tuned.astype(stored.dtype)}, str(out / "model.safetensors"))
    return {"method": "rows fitted to MiniLM's sentence vectors (training/tune_static.py)", **asdict(config),
            "sentences": len(texts), "held_out": "ASAP essays with an odd CRC32, OneStopEnglish topics with an "
            "odd CRC32, the seeds"}


def main() -> None:
    """On its own: embed the tuning sentences with MiniLM into the cache ahead of distil_static.py
    (the slow part; it runs in the project's venv, which has no model2vec)."""
    parser(__doc__ + "\nRun alone, it fills the teacher cache that training/distil_static.py reads.").parse_args()
    texts = sentences(TuneConfig())
    log(f"tune: teacher vectors {teacher(texts).shape} cached in {WORK}")


if __name__ == "__main__":
    main()
