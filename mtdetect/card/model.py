"""The trained classifier and its card: the Model object and saving it.

A model is a directory with two files (three with `arrays.npz`):

* `classifier.skops` — the scikit-learn estimator in skops format. It is loaded only with
  an explicit list of trusted types (never `trusted=True`, never pickle), after its
  SHA-256 has been checked against the card.
* `card.json` — everything needed to trust and reproduce a score: feature names and
  FEATURE_VERSION, embedding model, library versions, training-data hash and counts,
  held-out metrics and the decision threshold. Scoring also reads numbers from the card
  itself (`linear_export`, `article_model`, calibrations, the threshold), so the card is
  sealed: `card_sha256` is the SHA-256 of the rest of the card (canonical JSON), written by
  save_model, checked at load and named in the signature (`card:`).

The card's seal and checks are in card/card.py, loading (keyed by the card's `kind`) in
card/load.py, where each kind is found in card/kinds.py, the signature in card/signature.py.
"""

from __future__ import annotations

import json
import platform
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Sequence

import numpy as np

from mtdetect import __version__
from mtdetect.card.card import sha256_file  # noqa: F401 - re-exported for the loader
from mtdetect.card.card import (ARRAYS_FILE, CARD_FILE, CARD_FORMAT, CLASSIFIER_FILE, ModelError,
                                seal_card)
from mtdetect.card.kinds import FeatureSpec, reference_spec, spec_for
from mtdetect.card.signature import Signature
from mtdetect.outputs import MODEL_DIR, replace_dir


# Types a model file may contain beyond those skops itself deems safe (plain scikit-learn
# estimators such as CalibratedClassifierCV, IsotonicRegression, HistGradientBoosting...).
# Anything else in a model file is refused at load time. These are exactly what the two
# supported configurations (logistic or boosted trees, sigmoid or isotonic) produce.
TRUSTED_TYPES = [
    "mtdetect.card.linear.ClippedLogistic",
    "mtdetect.linear.ClippedLogistic",  # where model files written before the card/ package look for it
    "mtdetect.model.ClippedLogistic",
    "sklearn.calibration._CalibratedClassifier",
    "sklearn.calibration._SigmoidCalibration",
    "sklearn.ensemble._hist_gradient_boosting.predictor.TreePredictor",
]


def __getattr__(name: str) -> Any:
    """`mtdetect.card.model.ClippedLogistic` without importing
    scikit-learn when only scoring."""
    if name == "ClippedLogistic":
        from mtdetect.card.linear import ClippedLogistic

        return ClippedLogistic
    raise AttributeError(name)


class LinearEnsemble:
    """Prediction of a Platt-calibrated ClippedLogistic ensemble in plain numpy.

    The card carries these numbers (`linear_export`, written with the skops file at save
    time); scoring then needs neither scikit-learn nor skops, which halves a cold start.
    `tests/test_model.py` checks it gives the skops classifier's probabilities.
    """

    def __init__(self, folds: list[dict]) -> None:
        self.folds = [{k: np.asarray(v, dtype=np.float64) for k, v in f.items()} for f in folds]

    def predict_proba(self, X: np.ndarray) -> np.ndarray:
        X = np.asarray(X, dtype=np.float64)
        p = np.zeros(len(X))
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):  # Model checks the result is finite
            for f in self.folds:
                z = (np.clip(X, f["lower"], f["upper"]) - f["mean"]) / f["scale"]
                margin = z @ f["coef"] + f["intercept"]
                p += 1.0 / (1.0 + np.exp(f["a"] * margin + f["b"]))
        p /= len(self.folds)
        return np.column_stack([1.0 - p, p])


def export_linear(classifier: Any) -> list[dict] | None:
    """The numbers LinearEnsemble needs, or None for a classifier of another kind."""
    folds = []
    for cc in getattr(classifier, "calibrated_classifiers_", []):
        est, cals = cc.estimator, cc.calibrators
        if type(est).__name__ != "ClippedLogistic" or len(cals) != 1 or not hasattr(cals[0], "a_"):
            return None
        folds.append({"lower": est.lower_.tolist(), "upper": est.upper_.tolist(), "mean": est.mean_.tolist(),
                      "scale": est.scale_.tolist(), "coef": est.coef_.tolist(), "intercept": float(est.intercept_),
                      "a": float(cals[0].a_), "b": float(cals[0].b_)})
    return folds or None


def library_versions() -> dict[str, str]:
    import sklearn
    import skops

    return {
        "mtdetect": __version__,
        "python": platform.python_version(),
        "numpy": np.__version__,
        "scikit-learn": sklearn.__version__,
        "skops": skops.__version__,
    }


@dataclass(frozen=True)
class Model:
    """A loaded classifier with its card."""

    classifier: Any
    card: dict
    path: Path
    lexicon: Any = None  # the stacked edit lexicon (features/edit_lexicon.Lexicon), when the card names one

    @property
    def threshold(self) -> float:
        return float(self.card["threshold"])

    @property
    def feature_names(self) -> list[str]:
        return list(self.card["feature_names"])

    @property
    def kind(self) -> str:
        return str(self.card.get("kind", "reference"))

    def signature_of(self, threshold: float | None = None, precision: str | None = None) -> Signature:
        """The Signature of scores flagged at `threshold` (the card's own when None) from embeddings
        computed at `precision` (the card's own when None, or the one this CPU ran)."""
        return Signature.of(self.card, spec_for(self.kind).tag, __version__).at(threshold, precision)

    @property
    def signature(self) -> str:
        """emb:…|feat:v…|clf:…|card:…|thr:…|mtdetect:x.y — enough to reproduce a score."""
        return str(self.signature_of())

    @property
    def article_model(self) -> Any:
        """The article-level model (transfer.ArticleModel) from the card, or None for older cards."""
        from mtdetect.detect.article import ArticleModel

        d = self.card.get("article_model")
        return ArticleModel.from_dict(d) if d else None

    def predict_proba(self, X: np.ndarray, references: Sequence[str] | None = None,
                      candidates: Sequence[str] | None = None) -> np.ndarray:
        """Calibrated probability of round-trip MT for each row of X (columns in card order).

        A model with a stacked edit lexicon reads the pairs' texts too: X then holds the feature
        columns (features.feature_matrix) and the lexicon's column is computed from the texts."""
        if len(X) == 0:
            return np.zeros(0)
        if self.lexicon is not None and np.shape(X)[1] == len(self.feature_names) - 1:
            if references is None or candidates is None:
                raise ValueError("this model stacks the edit lexicon: give the pairs' texts")
            X = np.column_stack([X, self.lexicon.column_of_texts(references, candidates)])
        from threadpoolctl import threadpool_limits

        with threadpool_limits(1):  # tiny matrices: threads only cost time, and results stay bit-stable
            p = self.classifier.predict_proba(X)[:, 1]
        if not np.all(np.isfinite(p)):  # never a NaN score: a model that gives one is broken
            raise ModelError(f"{self.path}: the model gives non-finite probabilities (damaged model)")
        return np.clip(p, 0.0, 1.0)


def save_model(classifier: Any, card: dict, out_dir: Path, spec: FeatureSpec | None = None,
               arrays: dict[str, np.ndarray] | None = None, force: bool = False,
               inputs: Sequence[object] = ()) -> Model:
    """Write classifier + card atomically: out_dir holds the old model or the complete new one
    (outputs.replace_dir; a folder that is not an mtdetect model is refused unless `force`).

    `arrays`: plain numeric arrays for the numpy scoring path (saved without pickle, hashed
    in the card) when they are too big for the card itself.
    """
    import skops.io as sio

    spec = spec or reference_spec()
    out_dir = Path(out_dir)
    with replace_dir(out_dir, MODEL_DIR, force=force, inputs=inputs) as tmp:
        sio.dump(classifier, tmp / CLASSIFIER_FILE)
        untrusted = set(sio.get_untrusted_types(file=tmp / CLASSIFIER_FILE)) - set(TRUSTED_TYPES)
        if untrusted:
            raise ModelError(f"classifier uses types outside the trusted list: {sorted(untrusted)}")
        card = {k: v for k, v in card.items() if k not in ("linear_export", "arrays_file", "arrays_sha256")}
        linear = export_linear(classifier)
        if linear is not None:
            card["linear_export"] = linear
        if arrays:
            np.savez(tmp / ARRAYS_FILE, **arrays)
            card["arrays_file"], card["arrays_sha256"] = ARRAYS_FILE, sha256_file(tmp / ARRAYS_FILE)
        card.update(
            format=CARD_FORMAT,
            classifier_file=CLASSIFIER_FILE,
            classifier_sha256=sha256_file(tmp / CLASSIFIER_FILE),
            kind=spec.kind,
            feature_version=spec.version,
            versions=library_versions(),
        )
        card = seal_card(card)  # after every field the loader reads is in place
        (tmp / CARD_FILE).write_text(json.dumps(card, indent=2, ensure_ascii=False, allow_nan=False) + "\n")
    # What is returned predicts exactly as the loaded model will (the numpy path when there is one).
    from mtdetect.features.edit_lexicon import Lexicon

    lexicon = Lexicon.from_arrays(arrays, card["lexicon"]) if card.get("lexicon") and arrays else None
    return Model(LinearEnsemble(linear) if linear is not None else classifier, card, out_dir, lexicon)


