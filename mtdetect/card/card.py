"""The model card (card.json): its seal, its reading and the checks of the fields scoring reads.

A card holds everything needed to trust and reproduce a score (feature names and version,
embedding model, library versions, training-data hash, held-out metrics, the threshold), and
scoring reads numbers from it (`linear_export`, `article_model`, calibrations), so it is
sealed: `card_sha256` is the SHA-256 of the rest of the card as canonical JSON, written when
the model is saved (card/model.py) and checked when it is loaded (card/load.py).
"""

from __future__ import annotations

import hashlib
import json
import math
from pathlib import Path
from typing import Any

from mtdetect.inputs.budget import loads_strict
from mtdetect.inputs.errors import InputError

CARD_FORMAT = "mtdetect-model/1"
CLASSIFIER_FILE = "classifier.skops"
CARD_FILE = "card.json"
CARD_HASH_FIELD = "card_sha256"
ARRAYS_FILE = "arrays.npz"
MAX_CARD_BYTES = 16 * 1024 * 1024  # the shipped cards are 4-200 kB


def sha256_file(path: Path) -> str:
    """SHA-256 of a file, read 1 MiB at a time (classifier, arrays and static-model files)."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def card_sha256(card: dict) -> str:
    """SHA-256 of the card without its own seal, as canonical JSON (sorted keys, no spaces,
    ASCII): what json.load gives back of a saved card hashes to the same value."""
    body = {k: v for k, v in card.items() if k != CARD_HASH_FIELD}
    text = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=True, allow_nan=False)
    return hashlib.sha256(text.encode("ascii")).hexdigest()


def seal_card(card: dict) -> dict:
    """The card with its `card_sha256` set (what save_model writes)."""
    return {**{k: v for k, v in card.items() if k != CARD_HASH_FIELD}, CARD_HASH_FIELD: card_sha256(card)}


class ModelError(InputError):
    """A model directory that is missing, damaged, untrusted or built for something else."""


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
            ok = all(_numbers(list(v), n) for v in (am.lower, am.upper, am.mean, am.scale, am.coef)) \
                and all(am.scale) and all(_is_number(x) for x in (am.intercept, am.threshold, am.neutral_p))
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
