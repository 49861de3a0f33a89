"""Fit the relatedness rule (detect/relatedness.py) per aligning embedder, on ../shared/data.

Document pairs, in two halves by learn/sources.held_out (the fit uses the even-CRC32 half, the
held-out figures the odd one; the seeds are never used):

* derived: ASAP essays against their Google Translate round trips (fr, zh); OneStopEnglish
  originals against the teachers' intermediate and elementary rewrites;
* derived, with new material: the same round trips and rewrites with only a share of their
  sentences kept (uniform in [0.3, 0.7], in order) and sentences of another text on the same
  subject put in for the rest at random places: another essay of the same prompt, the most similar
  other OneStopEnglish topic. Another outlet's rewrite, or a content farm's round trip padded
  with its own text, is derived all the same and must be scored;
* not derived: an essay's round trip against another essay of the same prompt (ASAP part); a
  OneStopEnglish rewrite against the original of the most similar other topic (word overlap).

Each pair is aligned as the product aligns (the embedder's own thresholds); a logistic model on
the six evidence values, derived and not derived weighing the same (every kind the same within
each), standardised, nearly unregularised (C = 100). `fit_rules` returns the card block: the
rules, what they were fitted on and the held-out share called related per kind, next to the old
share rule's.
"""

from __future__ import annotations

import gzip
import json
import random
from collections import Counter
from pathlib import Path
from typing import Any, Sequence

import numpy as np

from mtdetect.learn.sources import held_out
from mtdetect.detect.relatedness import FEATURES, THRESHOLD, RelatednessRule, relatedness_evidence, word_overlap
from mtdetect.report.progress import log

C = 100.0
SHARE_RULE = 0.18  # VerdictRule.min_related_share: the rule this one replaces, reported beside it
KEEP = (0.3, 0.7)  # share of a derived text's sentences kept when new material is put in


def with_new_material(derived: str, other: str, rng: random.Random) -> str:
    """`derived` with a share KEEP of its sentences kept (in order) and sentences of `other` (in
    order) put in at random places for the rest, about as many sentences as `derived` had."""
    from mtdetect.text import split_sentences

    mine, new = [x.text for x in split_sentences(derived)], [x.text for x in split_sentences(other)]
    keep = max(1, round(rng.uniform(*KEEP) * len(mine)))
    kept = [mine[i] for i in sorted(rng.sample(range(len(mine)), keep))]
    added = new[: max(1, len(mine) - keep)]
    slots = set(rng.sample(range(len(kept) + len(added)), len(added)))
    kept_it, added_it = iter(kept), iter(added)
    return " ".join(next(added_it) if i in slots else next(kept_it) for i in range(len(kept) + len(added)))


def document_pairs(data: Path, n: int, fit: bool, seed: int = 7) -> list[tuple[str, int, str, str]]:
    """(kind, derived?, suspect, reference) of one half of ../shared/data (n essays per pivot)."""
    want = (lambda k: not held_out(k)) if fit else held_out
    rows = [json.loads(x) for x in gzip.open(data / "asap_gt_roundtrips.jsonl.gz", "rt", encoding="utf-8")]
    out = []
    rng = random.Random(seed)
    for pivot in ("fr", "zh"):
        mine = [r for r in rows if r["pivot"] == pivot and want(r["reference"])]
        random.Random(seed).shuffle(mine)
        mine = mine[: 4 * n]
        out += [(f"asap round trip ({pivot})", 1, r["candidate"], r["reference"]) for r in mine[:n]]
        pool: dict[str, list] = {}
        for r in mine[n:]:
            pool.setdefault(r["doc_id"].split(".")[1], []).append(r)  # asap.<part = prompt>.<n>
        for r in mine[:n]:
            others = pool.get(r["doc_id"].split(".")[1])
            if others:
                out.append(("asap, same prompt", 0, r["candidate"], others.pop()["reference"]))
            if others:
                padded = with_new_material(r["candidate"], others.pop()["reference"], rng)
                out.append((f"asap round trip ({pivot}) + new material", 1, padded, r["reference"]))
    one = [json.loads(x) for x in gzip.open(data / "onestop_teacher_rewrites.jsonl.gz", "rt", encoding="utf-8")]
    one = [r for r in one if want(str(r["doc_id"]))]
    bags = {r["doc_id"]: Counter(w.lower() for w in r["reference"].split() if len(w) > 3) for r in one}

    def overlap(a: str, b: str) -> float:
        return sum((bags[a] & bags[b]).values()) / (sum(bags[a].values()) + sum(bags[b].values()))

    originals = {r["doc_id"]: r["reference"] for r in one}
    for r in one:
        out.append((f"onestop {r['kind'].removeprefix('teacher_rewrite_')}", 1, r["candidate"], r["reference"]))
        other = max((k for k in sorted(originals) if k != r["doc_id"]), key=lambda k: overlap(r["doc_id"], k))
        out.append(("onestop, other topic", 0, r["candidate"], originals[other]))
        out.append(("onestop rewrite + new material", 1, with_new_material(r["candidate"], originals[other], rng),
                    r["reference"]))
    return out


def evidence(pairs: Sequence[tuple[str, int, str, str]], embedder: Any) -> np.ndarray:
    """FEATURES of each pair, aligned as the Detector aligns with this embedder."""
    from mtdetect.align import align
    from mtdetect.detect.reference import embedder_thresholds
    from mtdetect.embed.minilm import BatchEncoder
    from mtdetect.text import split_sentences

    config, related = embedder_thresholds(embedder)
    enc = BatchEncoder(embedder)
    enc.prime({s.text for p in pairs for t in p[2:] for s in split_sentences(t)})
    rows = []
    for _, _, suspect, reference in pairs:
        sus, ref = [s.text for s in split_sentences(suspect)], [s.text for s in split_sentences(reference)]
        links = align(sus, ref, enc.encode, config)
        rows.append(relatedness_evidence([lk.similarity for lk in links], [bool(lk.reference) for lk in links],
                                         related, word_overlap(sus, ref)))
    return np.array(rows).reshape(len(rows), len(FEATURES))


def fit_rule(X: np.ndarray, y: np.ndarray, kinds: Sequence[str], embedder: Any,
             features: Sequence[str] = FEATURES) -> RelatednessRule:
    """The logistic rule on `features` (the others get weight 0). Derived and not derived weigh
    the same, and within each every kind weighs the same (there are more kinds of derived pair)."""
    from sklearn.linear_model import LogisticRegression

    count = Counter(kinds)
    kinds_of = {c: len({k for k, label in zip(kinds, y) if label == c}) for c in set(y.tolist())}
    w = np.array([1.0 / count[k] / kinds_of[label] for k, label in zip(kinds, y.tolist())])
    idx = [FEATURES.index(f) for f in features]
    mean, std = X.mean(axis=0), X.std(axis=0)
    scale = np.where(std > 0, std, 1.0)
    clf = LogisticRegression(C=C, max_iter=5000).fit(((X - mean) / scale)[:, idx], y, sample_weight=w)
    coef = np.zeros(len(FEATURES))
    coef[idx] = clf.coef_[0]
    r = lambda a: tuple(round(float(x), 6) for x in a)  # noqa: E731
    return RelatednessRule(r(mean), r(scale), r(coef), round(float(clf.intercept_[0]), 6), embedder.name,
                           embedder.weights_sha256)


def held_out_rates(rule: RelatednessRule, X: np.ndarray, kinds: Sequence[str]) -> dict[str, dict[str, float]]:
    """Per kind of held-out pair: share called related by the rule and by the old share rule."""
    related = np.array([rule.related(x) for x in X])
    k = np.array(kinds)
    return {kind: {"rule": round(float(np.mean(related[k == kind])), 4),
                   "share_rule": round(float(np.mean(X[k == kind, 0] >= SHARE_RULE)), 4), "n": int((k == kind).sum())}
            for kind in sorted(set(kinds))}


def fit_rules(data: Path, embedders: Sequence[Any], n: int = 120) -> dict:
    """The card's `relatedness` block: a rule per embedder and its held-out rates."""
    fit, test = document_pairs(data, n, True), document_pairs(data, n, False)
    block: dict = {"features": list(FEATURES), "C": C, "threshold": THRESHOLD, "fitted_on": __doc__.split("\n\n")[1],
                   "n_fit": len(fit), "n_held_out": len(test), "rules": [], "held_out": {}}
    for emb in embedders:
        log(f"relatedness: aligning {len(fit) + len(test)} document pairs with {emb.name}")
        F, T = evidence(fit, emb), evidence(test, emb)
        rule = fit_rule(F, np.array([p[1] for p in fit]), [p[0] for p in fit], emb)
        block["rules"].append(rule.to_dict())
        block["held_out"][emb.name] = held_out_rates(rule, T, [p[0] for p in test])
    return block
