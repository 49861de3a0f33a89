"""The translationese shift as held-out article evidence (issue 22).

A document's translationese shift is the reference-free model's mean p(MT) over its suspect
sentences minus the mean over its reference sentences (detect/reference_free.translationese_shift
computes it at scoring with the shipped model). The shipped reference-free model was trained
on essays, tweets, Wikipedia (ASSET), Bible and WMT news (learn/reference_free_data.py), so in
the leave-one-source-out matrix (learn/protocol.py) its p(MT) is not held out. Here it is:

* Exclusion by domain. Each reference-free training unit belongs to a matrix domain
  (source_names.DOMAINS: asap -> essays, asset -> wikipedia, wmt -> news, ...). The documents of
  cell (m, h) are scored by a reference-free model refit without every unit of m's and of h's
  domain. That is more than the units that come from m or h, on purpose ("when in doubt exclude
  more"): the originals are the references of every source of their domain (KJV verses for the
  Apertium Bible round trips and for YLT), other pivots round-trip the same originals, and a
  domain left with one class would teach the domain. OneStopEnglish (articles:*) is in no unit.
* The pooled value of a document (what the article model is fitted on) comes from the model
  without its own source's domain.
* The model is linear over fixed features: the feature blocks of the units and of the judged
  texts are computed once; the standardiser, the logistic regression and Platt are refit per
  exclusion set (16 sets for the 63 cells). Platt is fitted on margins held out inside the kept
  units (two folds by original, reference_free.half), so the probabilities are held out too.

Training only (scikit-learn); scoring reads the shift through detect/reference.py.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Sequence

import numpy as np

from mtdetect.learn.protocol import domain_of
from mtdetect.learn.reference_free_data import Unit
from mtdetect.learn.source_names import DOMAINS
from mtdetect.learn.weights import balanced_weights
from mtdetect.report.progress import log


def unit_domain(u: Unit) -> str:
    """The matrix domain (protocol.domain_of of a source) a reference-free unit comes from."""
    return DOMAINS.get(u.domain, u.domain)


def excluded_domains(left_out: Iterable[str]) -> frozenset[str]:
    """The reference-free training domains a document of the left-out sources must not see."""
    return frozenset(domain_of(s) for s in left_out)


def _key(excluded: frozenset[str]) -> str:
    return "without:" + "+".join(sorted(excluded))


@dataclass
class HeldOutShift:
    """Per-text reference-free p(MT) under each exclusion set, and documents' shifts from them.

    `units`: the reference-free training set; `texts`: every sentence a judged document has
    (deduplicated here); `config`: the shipped model's RFConfig (families, C, dense weight);
    `cache`: an .npz of the probabilities per exclusion set, reused while the digest matches. The
    feature blocks (reference_free.compute_blocks) are computed once, when first needed."""

    units: Sequence[Unit]
    texts: Sequence[str]
    config: Any
    cache: Path | None = None
    probs: dict[str, np.ndarray] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.texts = list(dict.fromkeys(self.texts))
        self.index = {t: i for i, t in enumerate(self.texts)}
        self._blocks: tuple[dict, dict] | None = None
        self.domains = np.array([unit_domain(u) for u in self.units])
        if self.cache is not None and self.cache.exists():
            z = np.load(self.cache)
            if str(z["digest"]) == self.digest():
                self.probs = {k: z[k] for k in z.files if k != "digest"}

    def digest(self) -> str:
        h = hashlib.sha256(json.dumps([[u.text, u.label, u.domain] for u in self.units]).encode("utf-8"))
        h.update(json.dumps(list(self.texts)).encode("utf-8"))
        h.update(repr(self.config).encode("utf-8"))
        return h.hexdigest()

    def _save(self) -> None:
        if self.cache is None:
            return
        tmp = self.cache.with_name(self.cache.name + ".tmp.npz")
        np.savez_compressed(tmp, digest=np.array(self.digest()), **self.probs)
        tmp.replace(self.cache)

    def blocks(self) -> tuple[dict, dict]:
        """(units' feature blocks, texts' feature blocks)."""
        if self._blocks is None:
            from mtdetect.learn.reference_free import compute_blocks

            cfg = self.config
            log(f"translationese shift: features of {len(self.units)} reference-free units and {len(self.texts)} texts")
            self._blocks = (compute_blocks([u.text for u in self.units], cfg.families, mask=cfg.mask),
                            compute_blocks(self.texts, cfg.families, mask=cfg.mask))
        return self._blocks

    def _fit(self, rows: np.ndarray) -> Any:
        from mtdetect.learn.reference_free import bucket, fit_sentence_model

        cfg = self.config
        clf, std = fit_sentence_model({f: self.blocks()[0][f][rows] for f in cfg.families},
                                      np.array([self.units[i].label for i in rows]),
                                      [self.units[i].source for i in rows], cfg, [bucket(self.units[i]) for i in rows])
        return lambda blocks, sel=None: clf.decision_function(self._design(blocks, std, sel))

    def _design(self, blocks: dict[str, Any], std: Any, sel: np.ndarray | None) -> Any:
        from mtdetect.features.standalone.families import design

        cfg = self.config
        part = {f: (blocks[f] if sel is None else blocks[f][sel]) for f in cfg.families}
        return design(part, cfg.families, std, cfg.dense_weight, cfg.dense)

    def probabilities(self, excluded: frozenset[str]) -> np.ndarray:
        """p(MT) of every text from a reference-free model trained without the `excluded` domains."""
        excluded = frozenset(excluded) & set(self.domains.tolist())  # a domain no unit has excludes nothing
        key = _key(excluded)
        if key not in self.probs:
            from mtdetect.learn.calibration import fit_platt, platt_probability
            from mtdetect.learn.reference_free import half

            keep = np.flatnonzero(~np.isin(self.domains, sorted(excluded)))
            fold = np.array([half(self.units[i].group) for i in keep])
            y = np.array([self.units[i].label for i in keep])
            margins = np.zeros(len(keep))
            for f in (0, 1):  # Platt on margins held out inside the kept units
                margins[fold == f] = self._fit(keep[fold != f])(self.blocks()[0], keep[fold == f])
            platt = fit_platt(margins, y, balanced_weights(y, [self.units[i].source for i in keep]))
            self.probs[key] = platt_probability(platt, self._fit(keep)(self.blocks()[1]))
            log(f"translationese shift: reference-free model {key} ({len(keep)} units, Platt {platt[0]:.3f}, "
                f"{platt[1]:.3f})")
            self._save()
        return self.probs[key]

    def shift(self, suspect: Sequence[str], reference: Sequence[str], left_out: Iterable[str]) -> float | None:
        """Mean p(MT) of the suspect minus that of the reference, from the model that did not see
        the domains of `left_out` (None when either side is empty)."""
        if not suspect or not reference:
            return None
        p = self.probabilities(excluded_domains(left_out))
        return float(np.mean(p[[self.index[t] for t in suspect]]) - np.mean(p[[self.index[t] for t in reference]]))


def document_sentences(path: Path) -> dict[tuple[str, str], tuple[list[str], list[str]]]:
    """(group, doc) -> (suspect sentences, reference sentences) of each real document
    (training/make_documents.py): the shift of a real document reads all of both, as at scoring."""
    import gzip

    if not path.exists():
        return {}
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        return {(r["group"], r["doc"]): (list(r["suspect"]), list(r["reference"])) for r in map(json.loads, fh)}


def shipped_shift(pairs: Sequence[Any], work: Path, sentences: dict | None = None) -> HeldOutShift:
    """The HeldOutShift of the shipped reference-free model's recipe (its card's train_config)
    over every side of `pairs` and every sentence of the real documents, on the reference-free
    units of training/build_reffree.py (work/rf/units.jsonl.gz), cached in work/shift-probs.npz."""
    from mtdetect.card.kinds import default_model_dir
    from mtdetect.learn.reference_free import RFConfig
    from mtdetect.learn.reference_free_data import read_units

    path = work / "rf" / "units.jsonl.gz"
    if not path.exists():
        raise FileNotFoundError(f"{path} missing: run training/build_reffree.py data")
    tc = json.loads((default_model_dir("reference-free") / "card.json").read_text())["train_config"]
    config = RFConfig(**{k: tuple(v) if isinstance(v, list) else v for k, v in tc.items()})
    texts = [t for p in pairs for t in (p.reference, p.candidate)]
    texts += [t for sus, ref in (sentences or {}).values() for t in (*sus, *ref)]
    return HeldOutShift(read_units(path), texts, config, work / "shift-probs.npz")
