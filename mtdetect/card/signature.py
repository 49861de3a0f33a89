"""The signature of a score: what decided it, in one line (like sacrebleu's signature).

    emb:all-MiniLM-L6-v2@<weights sha256>[/bf16]|feat:v5|clf:<12 hex>|card:<12 hex>|thr:0.5|mtdetect:0.1.0

Each part is named: the embedding model and its weights (and the precision the vectors were
computed at, when not fp32; `emb:none` for a model that reads no embedding), the feature set
(tag and version), the classifier file's hash, the card's seal, the decision threshold and
the mtdetect version. Two scores with the same signature were made the same way.
"""

from __future__ import annotations

from dataclasses import dataclass, replace


@dataclass(frozen=True)
class Signature:
    embedding: str | None  # "all-MiniLM-L6-v2@<sha256>", None when the model reads no embedding
    precision: str  # of the embedding: "fp32" or "bf16"
    features: str  # feature set tag and version: "v5", "rf2"
    classifier: str  # SHA-256 of the classifier file (12 hex shown)
    card: str  # the card's seal, card_sha256 (12 hex shown)
    threshold: float
    version: str  # of mtdetect

    @classmethod
    def of(cls, card: dict, tag: str, version: str) -> "Signature":
        """A model card's signature at its own threshold and embedding precision."""
        emb = card.get("embedding")
        return cls(embedding=f"{emb['name'].split('/')[-1]}@{emb['weights_sha256']}" if emb else None,
                   precision=(emb or {}).get("precision", "fp32"), features=f"{tag}{card['feature_version']}",
                   classifier=str(card["classifier_sha256"]), card=str(card.get("card_sha256", "")),
                   threshold=float(card["threshold"]), version=version)

    def at(self, threshold: float | None = None, precision: str | None = None) -> "Signature":
        """The same model flagging at another threshold, or with vectors computed at another
        precision (what this CPU ran); a model without an embedding has no precision to change."""
        return replace(self, threshold=self.threshold if threshold is None else float(threshold),
                       precision=precision if precision and self.embedding else self.precision)

    def __str__(self) -> str:
        emb = "none" if self.embedding is None else self.embedding + ("" if self.precision == "fp32" else f"/{self.precision}")
        return (f"emb:{emb}|feat:{self.features}|clf:{self.classifier[:12]}|card:{self.card[:12]}"
                f"|thr:{self.threshold:g}|mtdetect:{self.version}")
