"""The edit lexicon as a scorer applies it: the stacked column `lexicon` of the sentence model.

A linear model over the hashed edits of a pair (features/pivot.py: the words, character
n-grams and substitutions of each edit, murmur3-hashed as scikit-learn's FeatureHasher does),
applied in plain numpy from the weights stored beside the model (`arrays.npz`); its clipped
logit is one more column of the sentence model, bound to count towards MT only
(features.feature_directions). learn/lexicon.py fits it.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any, Sequence

import numpy as np

from mtdetect.features.pivot import N_FEATURES, PIVOT_FEATURE_VERSION, hashed_logits

NAME = "lexicon"  # the stacked column's feature name


@dataclass(frozen=True)
class LexiconConfig:
    """How the lexicon is learned and applied; stored in the card."""

    C: float = 0.3  # L2 strength of the lexicon's logistic regression (liblinear, dual)
    clip: float = 8.0  # the column is the lexicon's logit clipped to [-clip, clip]
    max_iter: int = 20  # dual coordinate descent passes: held-out logits agree with 100 passes to r=0.99999
    n_features: int = N_FEATURES  # hashed width (features/pivot.py, murmur3 as FeatureHasher)
    hashing: str = f"pivot-features-v{PIVOT_FEATURE_VERSION}"


@dataclass(frozen=True)
class Lexicon:
    """A fitted lexicon: one weight per hashed feature and an intercept."""

    coef: np.ndarray
    intercept: float
    config: LexiconConfig

    def column(self, H: Any) -> np.ndarray:
        """The stacked column for rows of a hashed matrix H."""
        return np.clip(np.asarray(H @ self.coef).ravel() + self.intercept, -self.config.clip, self.config.clip)

    def column_of_texts(self, references: Sequence[str], candidates: Sequence[str]) -> np.ndarray:
        """The same from the texts, in plain numpy (no scikit-learn: the scoring path)."""
        z = hashed_logits(references, candidates, self.coef[None, :], np.array([self.intercept]))[:, 0]
        return np.clip(z, -self.config.clip, self.config.clip)

    def arrays(self) -> dict[str, np.ndarray]:
        return {"lexicon_coef": self.coef.astype(np.float64), "lexicon_intercept": np.array([self.intercept])}

    def card(self) -> dict:
        return {"feature": NAME, **asdict(self.config), "nonzero": int(np.count_nonzero(self.coef)),
                "applied": "clip(hashed pair features (features/pivot.py) . lexicon_coef + lexicon_intercept)"}

    @classmethod
    def from_arrays(cls, arrays: Any, card: dict) -> "Lexicon":
        fields = {k: card[k] for k in LexiconConfig.__dataclass_fields__ if k in card}
        return cls(np.asarray(arrays["lexicon_coef"], dtype=np.float64), float(arrays["lexicon_intercept"][0]),
                   LexiconConfig(**fields))
