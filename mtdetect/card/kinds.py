"""The kinds of model mtdetect ships, and where each is found: the one locator.

A model directory's `card.json` names its `kind`; each kind reads one feature set:

| kind           | feature set                               | shipped in (package data) | override          |
|----------------|-------------------------------------------|---------------------------|-------------------|
| reference      | aligned pairs (features/, FEATURE_VERSION)| mtdetect/models/default   | $MTDETECT_MODEL   |
| reference-free | single sentences (features/standalone/)   | mtdetect/models/reference-free | $MTDETECT_RF_MODEL |
| pivot          | what a round trip changed (features/pivot)| mtdetect/models/pivot     | $MTDETECT_PIVOT_MODEL |

`default_model_dir(kind)` is the only place that turns a kind into a directory; it works the
same from a checkout, an editable install or a wheel, because the shipped models are package
data (pyproject: `models/*/*`).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Callable


@dataclass(frozen=True)
class FeatureSpec:
    """Which feature set a model reads: its kind, version and names (checked at load time)."""

    kind: str  # "reference", "reference-free" or "pivot"
    version: str
    names: Callable[[], list[str]]
    default_dir: str  # under mtdetect/models/
    tag: str  # in the signature: feat:<tag><version>
    env: str  # the environment variable that points at another model of this kind


def reference_spec() -> FeatureSpec:
    from mtdetect.features import FEATURE_VERSION, feature_names

    return FeatureSpec("reference", FEATURE_VERSION, feature_names, "default", "v", "MTDETECT_MODEL")


def reference_free_spec() -> FeatureSpec:
    from mtdetect.features.standalone.families import RF_FEATURE_VERSION, rf_feature_names

    return FeatureSpec("reference-free", RF_FEATURE_VERSION, rf_feature_names, "reference-free", "rf",
                       "MTDETECT_RF_MODEL")


def pivot_spec() -> FeatureSpec:
    from mtdetect.features.pivot import PIVOT_FEATURE_VERSION, pivot_feature_names

    return FeatureSpec("pivot", PIVOT_FEATURE_VERSION, pivot_feature_names, "pivot", "pv", "MTDETECT_PIVOT_MODEL")


SPECS: dict[str, Callable[[], FeatureSpec]] = {
    "reference": reference_spec, "reference-free": reference_free_spec, "pivot": pivot_spec}


def spec_for(kind: str) -> FeatureSpec:
    """The feature set of a model kind; ValueError for a kind this mtdetect does not know."""
    if kind not in SPECS:
        raise ValueError(f"unknown model kind {kind!r} (known: {', '.join(SPECS)})")
    return SPECS[kind]()


def shipped_models_dir() -> Path:
    """mtdetect/models/ inside the installed package (a checkout, editable install or wheel)."""
    return Path(str(resources.files("mtdetect") / "models"))


def default_model_dir(kind: str = "reference") -> Path:
    """The model directory of `kind`: its environment variable when set, else the model shipped
    as package data (mtdetect/models/default, reference-free or pivot)."""
    spec = spec_for(kind)
    env = os.environ.get(spec.env)
    return Path(env) if env else shipped_models_dir() / spec.default_dir
