"""Pivot guess: which language (and kind of engine) a round trip most likely went through.

Features of one (reference, candidate) pair read only what the round trip changed: the
words and character n-grams of substituted spans on both sides, the substitution itself
("comeback>return"), inserted and deleted tokens, shifts in function-word counts, casing
changes and accented words the reference lacks. They are hashed (FeatureHasher, fixed
width) so the model file stays small and needs no vocabulary.

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
import os
import re
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterable, Sequence

import numpy as np

from mtdetect.features.base import PairView
from mtdetect.features.surface import _casing as surface_casing
from mtdetect.card.model import FeatureSpec, Model, ModelError, load_model

PIVOT_FEATURE_VERSION = "1"
N_FEATURES = 2**15
MAX_SPAN = 3  # substitution pairs ("a b>c d") are kept for spans of at most this many tokens
LANGUAGE_NAMES = {"es": "Spanish", "ca": "Catalan", "gl": "Galician", "eo": "Esperanto", "de": "German",
                  "ru": "Russian", "is": "Icelandic", "cs": "Czech", "zh": "Chinese", "fr": "French"}

FUNCTION_WORDS = frozenset("""
a an the this that these those some any each every no all both either neither another such
of in on at by for with from to into onto upon over under about above below between among through
during before after since until within without against toward towards across along around behind
beyond near off out up down via per than as like unlike
and or but nor so yet if then because although though while whereas unless whether
i me my mine we us our you your he him his she her it its they them their there here
who whom whose which what where when why how
is are was were be been being am do does did done have has had having
will would shall should can could may might must ought
not never also too very just only even still already yet again
one ones own same other more most less least much many few several
""".split())
HONORIFICS = frozenset({"mr.", "mrs.", "ms.", "mr", "mrs", "ms", "m.", "mme", "mme."})
_ACCENTED = re.compile(r"[àâäçéèêëîïôöùûüÿœæ]", re.IGNORECASE)


def pivot_feature_names() -> list[str]:
    """The card's description of the hashed feature space (checked at load time)."""
    return [f"hashed[{N_FEATURES}]:sub-word,sub-char3,sub-char4,sub-pair,insert,delete,"
            "function-word-shift,casing,accented,change-rate"]


def pivot_spec() -> FeatureSpec:
    return FeatureSpec("pivot", PIVOT_FEATURE_VERSION, pivot_feature_names, "pivot", "pv")


def default_pivot_dir() -> Path:
    """$MTDETECT_PIVOT_MODEL, else the model shipped in models/pivot."""
    env = os.environ.get("MTDETECT_PIVOT_MODEL")
    return Path(env) if env else Path(__file__).resolve().parent.parent / "models" / "pivot"


def _char_ngrams(text: str, n: int) -> Iterable[str]:
    padded = f"<{text}>"
    return (padded[i : i + n] for i in range(len(padded) - n + 1))


_CASE_CODE = {"upper": "U", "title": "T", "lower": "l", "mixed": "m"}  # the codes the hashed names use


def _casing(t: str) -> str:
    return _CASE_CODE[surface_casing(t)]


def pair_features(reference: str, candidate: str) -> dict[str, float]:
    """Named (to be hashed) indicators of what the round trip changed in one pair."""
    view = PairView(reference, candidate, 0.0)
    ref, cand = view.ref_lower, view.cand_lower
    f: dict[str, float] = {}
    changed = 0
    for tag, i1, i2, j1, j2 in view.opcodes:
        if tag == "equal":
            for a, b in zip(view.ref_tokens[i1:i2], view.cand_tokens[j1:j2]):
                if a != b and a[:1].isalpha() and _casing(a) != _casing(b):
                    f[f"case:{_casing(a)}>{_casing(b)}"] = 1.0
            continue
        changed += max(i2 - i1, j2 - j1)
        rs, cs = ref[i1:i2], cand[j1:j2]
        if tag == "replace":
            for w in cs:
                f["sc:" + w] = 1.0
                for n in (3, 4):
                    for g in _char_ngrams(w, n):
                        f[f"c{n}:" + g] = 1.0
            for w in rs:
                f["sr:" + w] = 1.0
                for g in _char_ngrams(w, 3):
                    f["r3:" + g] = 1.0
            if len(rs) <= MAX_SPAN and len(cs) <= MAX_SPAN:
                f["p:" + " ".join(rs) + ">" + " ".join(cs)] = 1.0
            f[f"shape:{min(len(rs), 4)}>{min(len(cs), 4)}"] = 1.0
        elif tag == "insert":
            for w in cs:
                f["i:" + w] = 1.0
        else:
            for w in rs:
                f["d:" + w] = 1.0
    rc, cc = Counter(t for t in ref if t in FUNCTION_WORDS), Counter(t for t in cand if t in FUNCTION_WORDS)
    for w in set(rc) | set(cc):
        d = cc[w] - rc[w]
        if d:
            f[f"fw:{w}:{'+' if d > 0 else '-'}"] = 1.0
    ref_set = set(ref)
    if any(_ACCENTED.search(t) and t not in ref_set for t in cand):
        f["accented-new"] = 1.0
    rate = changed / max(len(ref), len(cand), 1)
    f[f"rate:{min(int(rate * 10), 9)}"] = 1.0
    lr = math.log((len(cand) + 1) / (len(ref) + 1))
    f[f"len:{max(min(round(lr * 10), 5), -5)}"] = 1.0
    return f


def feature_matrix(references: Sequence[str], candidates: Sequence[str]) -> Any:
    """Sparse (n, N_FEATURES) matrix of hashed pair features (scikit-learn's FeatureHasher)."""
    from sklearn.feature_extraction import FeatureHasher

    hasher = FeatureHasher(n_features=N_FEATURES, input_type="dict", alternate_sign=False)
    return hasher.transform(pair_features(r, c) for r, c in zip(references, candidates))


def murmur3_32(data: bytes, seed: int = 0) -> int:
    """Signed 32-bit MurmurHash3 (x86), as scikit-learn's FeatureHasher computes it."""
    c1, c2, m = 0xCC9E2D51, 0x1B873593, 0xFFFFFFFF

    def mix(k: int) -> int:
        k = (k * c1) & m
        k = ((k << 15) | (k >> 17)) & m
        return (k * c2) & m

    h = seed & m
    n = len(data) - len(data) % 4
    for i in range(0, n, 4):
        h ^= mix(int.from_bytes(data[i : i + 4], "little"))
        h = ((h << 13) | (h >> 19)) & m
        h = (h * 5 + 0xE6546B64) & m
    if len(data) > n:
        h ^= mix(int.from_bytes(data[n:], "little"))
    h ^= len(data)
    h ^= h >> 16
    h = (h * 0x85EBCA6B) & m
    h ^= h >> 13
    h = (h * 0xC2B2AE35) & m
    h ^= h >> 16
    return h - (1 << 32) if h & 0x80000000 else h


def hashed_logits(references: Sequence[str], candidates: Sequence[str], coef: np.ndarray,
                  intercept: np.ndarray) -> np.ndarray:
    """X @ coef.T + intercept for the hashed features, without building X (numpy path)."""
    out = np.tile(intercept, (len(references), 1)).astype(np.float64)
    n_features = coef.shape[1]
    for i, (r, c) in enumerate(zip(references, candidates)):
        cols: dict[int, float] = {}
        for name, value in pair_features(r, c).items():
            h = murmur3_32(name.encode("utf-8"))
            col = (2147483647 if h == -2147483648 else abs(h)) % n_features
            cols[col] = cols.get(col, 0.0) + value
        if cols:
            idx = np.fromiter(cols, dtype=np.int64)
            out[i] += coef[:, idx] @ np.fromiter(cols.values(), dtype=np.float64)
    return out


def _added_honorifics(view: PairView) -> int:
    return max(sum(t in HONORIFICS for t in view.cand_lower) - sum(t in HONORIFICS for t in view.ref_lower), 0)


def adds_honorific(reference: str, candidate: str) -> bool:
    """Whether the candidate has more honorifics ("Mr.", "M.", "Mrs."...) than the reference."""
    return _added_honorifics(PairView(reference, candidate, 0.0)) > 0


def french_traces(references: Sequence[str], candidates: Sequence[str]) -> dict:
    """Honorifics and accented words the candidates add: consistent with a French pivot
    ("M. Xi" -> "Mr. Xi", "stoking" -> "stoké"), but unmeasured (no French-pivot data)."""
    honorifics, sentences, accented = 0, 0, []
    for r, c in zip(references, candidates):
        view = PairView(r, c, 0.0)
        added = _added_honorifics(view)
        honorifics += added
        sentences += added > 0
        ref_set = set(view.ref_lower)
        accented += [t for t in view.cand_tokens if _ACCENTED.search(t) and t.lower() not in ref_set]
    return {"honorifics_added": honorifics, "sentences_with_added_honorific": sentences,
            "accented_words": sorted(set(accented))[:10]}


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
    model = load_model(path or default_pivot_dir(), spec=pivot_spec())
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
            "engine": engine.split(":", 1)[0] if language != "unknown" else None, "french_traces": traces, "note": note + fr}


def save_pivot_model(classifier: Any, card: dict, out_dir: Path | str) -> PivotModel:
    """Save a fitted multinomial classifier with its card (classes and features filled in)."""
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
