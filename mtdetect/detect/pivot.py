"""Pivot guess: which language (and kind of engine) a round trip most likely went through.

Features of one (reference, candidate) pair read only what the round trip changed
(features/pivot.py: substituted spans, insertions, deletions, function-word shifts, casing,
accents), hashed to a fixed width so the model file needs no vocabulary.

A multinomial logistic regression over engine-qualified classes ("apertium:es", "opus-mt:de",
"wmt:zh"...) gives each sentence a distribution, temperature-scaled on held-out data (the
temperature is folded into the weights, so the file is a plain LogisticRegression).
An article sums its sentences' log-probabilities, divided by an article temperature fitted
on held-out pseudo-articles, and abstains ("unknown") below a confidence chosen there too.
The numbers are in models/pivot/card.json; training/build_pivot.py rebuilds the model.

Engines confound pivots: a class is a (engine family, language) pair, and the card reports
accuracy within each family. French is not among the classes (no French-pivot data exists
here); traces consistent with a French pivot are reported as unmeasured evidence only.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Sequence

import numpy as np

from mtdetect.card.card import ModelError
from mtdetect.card.kinds import default_model_dir
from mtdetect.card.load import load_model
from mtdetect.card.model import Model
from mtdetect.features.pivot import N_FEATURES, feature_matrix, french_traces, hashed_logits, pivot_feature_names

LANGUAGE_NAMES = {"es": "Spanish", "ca": "Catalan", "gl": "Galician", "eo": "Esperanto", "de": "German",
                  "ru": "Russian", "is": "Icelandic", "cs": "Czech", "zh": "Chinese", "fr": "French"}



def default_pivot_dir() -> Path:
    """The pivot model's directory: $MTDETECT_PIVOT_MODEL, else the shipped one (card/kinds.py)."""
    return default_model_dir("pivot")


def unseen_honorific_p(k: int, n: int, card: dict) -> float | None:
    """Chance of k or more of n sentences adding an honorific under the known pivot that adds
    them most often (its measured rate, add-one smoothed); None when the card has no rates."""
    counts = card.get("honorific_added")
    if not counts or k == 0:
        return None
    rate = max((v["added"] + 1) / (v["sentences"] + 2) for v in counts.values())
    # P(X >= k) for X ~ Binomial(n, rate), summed exactly (n is a number of sentences)
    return float(min(1.0, sum(math.comb(n, j) * rate**j * (1 - rate) ** (n - j) for j in range(k, n + 1))))


UNSEEN_P = 1e-3  # below this, the traces are ones no known pivot produces: abstain


# ---------------------------------------------------------------- model and article guess


@dataclass(frozen=True)
class PivotModel:
    """The loaded classifier, its classes and the article-level settings from its card."""

    model: Model

    @property
    def classes(self) -> list[str]:
        return [str(c) for c in self.model.card["classes"]]

    @property
    def article_temperature(self) -> float:
        return float(self.model.card["article"]["temperature"])

    @property
    def abstain_below(self) -> float:
        return float(self.model.card["article"]["abstain_below"])

    def sentence_proba(self, references: Sequence[str], candidates: Sequence[str]) -> np.ndarray:
        """(n, classes) temperature-scaled distribution for each pair."""
        if not len(references):
            return np.zeros((0, len(self.classes)))
        clf = self.model.classifier
        if isinstance(clf, dict):  # the numpy path: the card's arrays, no scikit-learn import
            z = hashed_logits(references, candidates, clf["coef"], clf["intercept"])
            z -= z.max(axis=1, keepdims=True)
            e = np.exp(z)
            return e / e.sum(axis=1, keepdims=True)
        from threadpoolctl import threadpool_limits

        with threadpool_limits(1):
            return clf.predict_proba(feature_matrix(references, candidates))


def load_pivot_model(path: Path | str | None = None) -> PivotModel:
    """Load and verify models/pivot (or `path`); ModelError with a one-line reason if not."""
    model = load_model(path or default_pivot_dir(), kind="pivot")
    if "article" not in model.card or "classes" not in model.card:
        raise ModelError(f"{model.path}: pivot card lacks its article settings or classes")
    clf = model.classifier
    n_classes = clf["coef"].shape[0] if isinstance(clf, dict) else len(clf.classes_)
    if isinstance(clf, dict):
        expected = (len(model.card["classes"]), int(model.card.get("n_features", N_FEATURES)))
        if clf["coef"].shape != expected or clf["intercept"].shape != (n_classes,):
            raise ModelError(f"{model.path}: the pivot arrays do not fit the card's classes and features")
        if [str(c) for c in clf["classes"]] != list(model.card["classes"]):
            raise ModelError(f"{model.path}: the classifier's classes differ from those in its card")
    elif [str(c) for c in clf.classes_] != list(model.card["classes"]):
        raise ModelError(f"{model.path}: the classifier's classes differ from those in its card")
    return PivotModel(model)


@lru_cache(maxsize=4)
def _cached(path: str) -> PivotModel | None:
    try:
        return load_pivot_model(path)
    except ModelError:
        return None


def shipped_pivot_model() -> PivotModel | None:
    """The default pivot model, loaded once; None when it is absent or unusable."""
    return _cached(str(default_pivot_dir()))


def language_of(cls: str) -> str:
    return cls.split(":", 1)[1]


# Apertium's French round trips (learn/roundtrip.py fr_es, fr_ca) go en -> es/ca -> fr -> es/ca -> en:
# the English the model reads was made by the en-es or en-ca pair, so they look like es or ca.
VIA_FRENCH = {"es": "fr_es", "ca": "fr_ca"}


def path_meaning(language: str, engine: str | None) -> str:
    """What a class means: the engine's path into English, not the language a publisher chose."""
    name = LANGUAGE_NAMES.get(language, language)
    if engine == "wmt":
        return f"MT from {name} like a WMT system's (a translation, not a round trip)"
    if engine == "apertium":
        out = f"a round trip whose path into English went through {name}, as Apertium's does"
        if language in VIA_FRENCH:
            out += (f"; Apertium's French round trips ({VIA_FRENCH[language]}) also go through {name} and read "
                    f"as {language}, so the language chosen may have been French")
        return out
    return f"a round trip through {name}" + (f", {engine}-like" if engine else "")


def aggregate(log_p: np.ndarray, classes: Sequence[str], temperature: float) -> dict[str, float]:
    """Article distribution over classes: softmax(sum of sentence log-probabilities / T)."""
    z = log_p.sum(axis=0) / temperature
    z = np.exp(z - z.max())
    z /= z.sum()
    return {c: float(p) for c, p in zip(classes, z)}


def by_language(dist: dict[str, float]) -> dict[str, float]:
    out: dict[str, float] = {}
    for c, p in dist.items():
        out[language_of(c)] = out.get(language_of(c), 0.0) + p
    return dict(sorted(out.items(), key=lambda kv: -kv[1]))


def guess_pivot(references: Sequence[str], candidates: Sequence[str], model: PivotModel | None = None) -> dict:
    """Most likely pivot language of an article's flagged (reference, candidate) sentence pairs.

    Returns {"language", "confidence", "distribution", "n_sentences", "note", ...}: language is
    "unknown" when the calibrated confidence is below the card's abstain_below (or with no
    sentences), and then confidence is None (the rejected best guess is in "best");
    distribution is over languages (engines summed), engine over classes.
    """
    model = model or shipped_pivot_model()
    if model is None:
        raise ModelError(f"{default_pivot_dir()}: no pivot model (build it with training/build_pivot.py)")
    pairs = [(r, c) for r, c in zip(references, candidates) if r.strip() and c.strip()]
    n = len(pairs)
    traces = french_traces([p[0] for p in pairs], [p[1] for p in pairs])
    fr = ""
    if traces["honorifics_added"] or traces["accented_words"]:
        fr = (f" Added honorifics ({traces['honorifics_added']}) or accented words "
              f"({', '.join(traces['accented_words']) or 'none'}) are consistent with a French pivot, "
              "which this model cannot measure (no French-pivot data; not a class).")
    if n == 0:
        return {"language": "unknown", "confidence": None, "best": None, "distribution": {}, "n_sentences": 0,
                "engine": None, "french_traces": traces, "note": "no flagged sentence pairs." + fr}
    p = model.sentence_proba([q[0] for q in pairs], [q[1] for q in pairs])
    dist = aggregate(np.log(np.clip(p, 1e-12, 1.0)), model.classes, model.article_temperature)
    langs = by_language(dist)
    top, conf = next(iter(langs.items()))
    engine = max((c for c in dist if language_of(c) == top), key=dist.get)
    known = ", ".join(sorted({LANGUAGE_NAMES.get(language_of(c), language_of(c)) for c in model.classes}))
    p_unseen = unseen_honorific_p(traces["sentences_with_added_honorific"], n, model.model.card)
    if p_unseen is not None and p_unseen < UNSEEN_P:
        language = "unknown"
        note = (f"{traces['sentences_with_added_honorific']} of {n} sentences add an honorific; no known pivot "
                f"does that so often (chance under the likeliest {p_unseen:.1e}), so none of them "
                f"(best {top}, {conf:.2f}) is trusted; the model knows only {known}.")
    elif conf < model.abstain_below:
        language = "unknown"
        note = (f"no pivot reaches confidence {model.abstain_below:.2f} (best {top}, {conf:.2f}); "
                f"the model knows only {known}.")
    else:
        language = top
        note = f"among the pivots the model knows ({known}); held-out figures in models/pivot/card.json."
    unknown = language == "unknown"  # a confidence belongs to a guess made, not to one rejected
    return {"language": language, "confidence": None if unknown else round(conf, 4),
            "best": {"language": top, "confidence": round(conf, 4)} if unknown else None,
            "distribution": {k: round(v, 4) for k, v in langs.items()}, "n_sentences": n,
            "engine": engine.split(":", 1)[0] if language != "unknown" else None,
            "means": None if unknown else path_meaning(language, engine.split(":", 1)[0]),
            "french_traces": traces, "note": note + fr}


def save_pivot_model(classifier: Any, card: dict, out_dir: Path | str) -> PivotModel:
    """Save a fitted multinomial classifier with its card (classes and features filled in)."""
    from mtdetect.card.kinds import pivot_spec
    from mtdetect.card.model import save_model

    card = {**card, "classes": [str(c) for c in classifier.classes_], "feature_names": pivot_feature_names(),
            "n_features": N_FEATURES}
    card.setdefault("threshold", card["article"]["abstain_below"])
    coef = np.asarray(classifier.coef_, dtype=np.float64)
    intercept = np.asarray(classifier.intercept_, dtype=np.float64)
    if coef.shape[0] == 1:  # binary: softmax over (-z/2, z/2) is (1 - sigmoid(z), sigmoid(z))
        coef, intercept = np.vstack([-coef / 2, coef / 2]), np.concatenate([-intercept / 2, intercept / 2])
    arrays = {"coef": coef, "intercept": intercept, "classes": np.array([str(c) for c in classifier.classes_])}
    return PivotModel(save_model(classifier, card, Path(out_dir), spec=pivot_spec(), arrays=arrays))
