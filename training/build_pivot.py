"""Rebuild the pivot-guess model in mtdetect/models/pivot from data with known pivots.

    python training/make_roundtrips.py     # once: Apertium round trips of WMT references
    python training/build_pivot.py

Classes are (engine family, pivot language):
* apertium:es|ca|gl|eo — Apertium round trips of WMT human references (the same reference
  through each pivot: only the pivot differs);
* opus-mt:de|ru|is — opus-mt round trips of tweets (../shared/data);
* wmt:cs|de|zh — WMT system output translated from that source language (not round trips).
Identical pairs (no change, no evidence) are dropped; each class is capped at --per-class rows.
Split by reference sentence (tweets: by document), hashed: 70% train, 15% calibration
(sentence temperature, article temperature, abstention threshold), 15% test (the card's
numbers). The shipped classifier is the one fitted on the training part, so the card's
held-out numbers are those of the file itself.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import random
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

import numpy as np

from _common import REPO, parser  # also puts the repository on sys.path

from mtdetect.detect.pivot import (
    UNSEEN_P, adds_honorific, aggregate, feature_matrix, language_of, save_pivot_model, unseen_honorific_p,
)
from mtdetect.text import normalize

FAMILIES = {"apertium": ["es", "ca", "gl", "eo"], "opus-mt": ["de", "ru", "is"], "wmt": ["cs", "de", "zh"]}
ARTICLE_SIZES = (3, 5, 10, 20)
TARGET_ACCURACY = 0.8


def _rows(path: Path):
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        for line in fh:
            yield json.loads(line)


def _split(group: str) -> str:
    h = int(hashlib.sha256(group.encode()).hexdigest()[:8], 16) % 100
    return "train" if h < 70 else "calib" if h < 85 else "test"


def load(args, rng: random.Random) -> list[dict]:
    """Rows {ref, cand, cls, family, group, unit}; unit = what one pseudo-article is drawn from."""
    by_cls: dict[str, list[dict]] = defaultdict(list)
    seen_wmt: Counter = Counter()
    wmt = list(_rows(Path(args.wmt)))
    rng.shuffle(wmt)  # which systems a segment keeps is random (seeded), not file order
    sources = [("apertium", _rows(Path(args.roundtrips))), ("opus-mt", _rows(Path(args.tweets))), ("wmt", wmt)]
    for family, rows in sources:
        for r in rows:
            if r.get("label", "mt") != "mt":
                continue
            ref, cand = normalize(r["reference"]), normalize(r["candidate"])
            if not ref or not cand or ref.lower() == cand.lower():
                continue
            if family == "wmt":
                key = (r["dataset"], r["seg_id"])
                if seen_wmt[key] >= args.wmt_systems_per_segment:
                    continue
                seen_wmt[key] += 1
                unit = f"wmt:{r['pivot']}:{r['system']}"
            else:
                unit = f"{family}:{r['pivot']}"
            group = f"tweet:{r['doc_id']}" if family == "opus-mt" else "ref:" + ref.lower()
            cls = f"{family}:{r['pivot']}"
            by_cls[cls].append({"ref": ref, "cand": cand, "cls": cls, "family": family, "group": group,
                                "unit": unit})
    out = []
    for cls in sorted(by_cls):
        rows = by_cls[cls]
        rng.shuffle(rows)
        out += rows[: args.per_class]
    for r in out:
        r["split"] = _split(r["group"])
    return out


def ece(conf: np.ndarray, correct: np.ndarray, bins: int = 15) -> float:
    """Expected calibration error of the top-class probability (equal-width bins)."""
    edges = np.linspace(0, 1, bins + 1)
    idx = np.clip(np.digitize(conf, edges[1:-1]), 0, bins - 1)
    total = 0.0
    for b in range(bins):
        m = idx == b
        if m.any():
            total += m.sum() * abs(conf[m].mean() - correct[m].mean())
    return float(total / max(len(conf), 1))


def brier(P: np.ndarray, y: np.ndarray) -> float:
    onehot = np.zeros_like(P)
    onehot[np.arange(len(y)), y] = 1.0
    return float(np.mean(np.sum((P - onehot) ** 2, axis=1)))


def fit_temperature(logits: np.ndarray, y: np.ndarray) -> float:
    """Scalar T minimising the NLL of softmax(logits / T)."""
    from scipy.optimize import minimize_scalar
    from scipy.special import log_softmax

    def nll(log_t: float) -> float:
        return -float(np.mean(log_softmax(logits / np.exp(log_t), axis=1)[np.arange(len(y)), y]))

    return float(np.exp(minimize_scalar(nll, bounds=(-3, 4), method="bounded").x))


def sentence_metrics(P: np.ndarray, y: np.ndarray, classes: list[str], fam: np.ndarray) -> dict:
    pred = P.argmax(1)
    langs = np.array([language_of(c) for c in classes])
    out = {"n": int(len(y)), "accuracy": round(float((pred == y).mean()), 4),
           "language_accuracy": round(float((langs[pred] == langs[y]).mean()), 4),
           "chance": round(1 / len(classes), 4),
           "brier": round(brier(P, y), 4), "ece_top": round(ece(P.max(1), (pred == y).astype(float)), 4),
           "per_family": {}}
    for family, pivots in FAMILIES.items():
        m = fam == family
        cols = [classes.index(f"{family}:{p}") for p in pivots]
        sub = P[m][:, cols]
        sub = sub / sub.sum(1, keepdims=True)  # the distribution given the engine family
        yk = np.array([cols.index(v) for v in y[m]])
        pk = sub.argmax(1)
        conf = np.zeros((len(pivots), len(pivots)), dtype=int)
        for a, b in zip(yk, pk):
            conf[a, b] += 1
        out["per_family"][family] = {
            "n": int(m.sum()), "classes": pivots, "chance": round(1 / len(pivots), 4),
            "majority": round(float(np.bincount(yk, minlength=len(pivots)).max() / max(len(yk), 1)), 4),
            "accuracy_within_family": round(float((pk == yk).mean()), 4),
            "accuracy_unrestricted": round(float((pred[m] == y[m]).mean()), 4),
            "family_identified": round(float(np.isin(pred[m], cols).mean()), 4),
            "brier_within_family": round(brier(sub, yk), 4),
            "ece_within_family": round(ece(sub.max(1), (pk == yk).astype(float)), 4),
            "confusion": {"rows_true_cols_pred": pivots, "matrix": conf.tolist()},
        }
    return out


def pseudo_articles(rows: list[dict], logp: np.ndarray, size: int, rng: random.Random) -> list[tuple]:
    """Disjoint articles of `size` sentences, each from one unit (one engine and pivot)."""
    by_unit: dict[str, list[int]] = defaultdict(list)
    for i, r in enumerate(rows):
        by_unit[r["unit"]].append(i)
    out = []
    for unit in sorted(by_unit):
        idx = by_unit[unit][:]
        rng.shuffle(idx)
        for k in range(0, len(idx) - size + 1, size):
            out.append((rows[idx[k]]["cls"], logp[idx[k : k + size]],
                        sum(rows[i]["hon"] for i in idx[k : k + size])))
    return out


def article_eval(arts, classes: list[str], temperature: float, threshold: float, hon: dict) -> dict:
    langs = [language_of(c) for c in classes]
    right, conf, fams, unseen = [], [], [], []
    for cls, lp, k in arts:
        p_unseen = unseen_honorific_p(k, len(lp), {"honorific_added": hon})
        unseen.append(p_unseen is not None and p_unseen < UNSEEN_P)
        d = aggregate(lp, classes, temperature)
        by_lang: dict[str, float] = defaultdict(float)
        for c, p in d.items():
            by_lang[language_of(c)] += p
        top = max(by_lang, key=by_lang.get)
        right.append(top == language_of(cls))
        conf.append(by_lang[top])
        fams.append(cls.split(":")[0])
    right_a, conf_a, fams_a = np.array(right, float), np.array(conf), np.array(fams)
    ans = (conf_a >= threshold) & ~np.array(unseen, bool)

    def block(m):
        a = m & ans
        return {"n": int(m.sum()), "language_accuracy": round(float(right_a[m].mean()), 4) if m.any() else None,
                "answered": round(float(a.sum() / max(m.sum(), 1)), 4),
                "accuracy_when_answered": round(float(right_a[a].mean()), 4) if a.any() else None,
                "ece_top": round(ece(conf_a[m], right_a[m]), 4) if m.any() else None}

    out = block(np.ones(len(right_a), bool))
    out["abstained_for_unseen_honorifics"] = int(sum(unseen))
    out["chance"] = round(1 / len(set(langs)), 4)
    out["per_family"] = {f: block(fams_a == f) for f in FAMILIES}
    return out


def main() -> None:
    ap = parser(__doc__, sources=True, out=REPO / "mtdetect" / "models" / "pivot", seed=0)
    ap.add_argument("--per-class", type=int, default=6000)
    ap.add_argument("--wmt-systems-per-segment", type=int, default=2)
    ap.add_argument("--C", type=float, nargs="+", default=[0.1, 0.25, 0.5],
                    help="regularisation values tried; the best on the calibration split is kept")
    args = ap.parse_args()
    from scipy.special import log_softmax
    from sklearn.linear_model import LogisticRegression
    from threadpoolctl import threadpool_limits

    rng = random.Random(args.seed)
    t0 = time.time()
    rows = load(args, rng)
    split = {s: [r for r in rows if r["split"] == s] for s in ("train", "calib", "test")}
    assert not ({r["group"] for r in split["train"]} & {r["group"] for r in split["test"]})
    print({s: len(v) for s, v in split.items()}, f"{time.time() - t0:.0f}s", file=sys.stderr)
    X = {s: feature_matrix([r["ref"] for r in v], [r["cand"] for r in v]) for s, v in split.items()}
    print(f"features {time.time() - t0:.0f}s", file=sys.stderr)
    tried = {}
    with threadpool_limits(1):
        for C in args.C:
            model = LogisticRegression(C=C, max_iter=300, tol=1e-4).fit(X["train"], [r["cls"] for r in split["train"]])
            tried[C] = (float((model.predict(X["calib"]) == np.array([r["cls"] for r in split["calib"]])).mean()), model)
            print(f"C={C}: calibration accuracy {tried[C][0]:.4f}", file=sys.stderr)
    best_C = max(tried, key=lambda c: tried[c][0])
    clf = tried[best_C][1]
    classes = [str(c) for c in clf.classes_]
    print(f"fit {time.time() - t0:.0f}s", file=sys.stderr)
    y = {s: np.array([classes.index(r["cls"]) for r in v]) for s, v in split.items()}
    fam = {s: np.array([r["family"] for r in v]) for s, v in split.items()}

    raw_test = sentence_metrics(clf.predict_proba(X["test"]), y["test"], classes, fam["test"])
    T = fit_temperature(clf.decision_function(X["calib"]), y["calib"])
    clf.coef_ = clf.coef_ / T  # temperature scaling folded into the weights
    clf.intercept_ = clf.intercept_ / T
    P = {s: clf.predict_proba(X[s]) for s in ("calib", "test")}
    test = sentence_metrics(P["test"], y["test"], classes, fam["test"])
    train_acc = float((clf.predict(X["train"]) == np.array([r["cls"] for r in split["train"]])).mean())

    # How often each known pivot adds an honorific the reference lacks (the French "M." trace),
    # measured on the training split.
    for r in rows:
        r["hon"] = adds_honorific(r["ref"], r["cand"])
    hon = {}
    for cls in classes:
        flags = [r["hon"] for r in split["train"] if r["cls"] == cls]
        hon[cls] = {"sentences": len(flags), "added": int(sum(flags)),
                    "rate": round(sum(flags) / max(len(flags), 1), 5)}

    # Article level: temperature and abstention threshold on calibration pseudo-articles.
    logp = {s: log_softmax(clf.decision_function(X[s]), axis=1) for s in ("calib", "test")}
    arts_cal = [a for n in ARTICLE_SIZES for a in pseudo_articles(split["calib"], logp["calib"], n, random.Random(args.seed))]
    lab = np.array([classes.index(a[0]) for a in arts_cal])
    sums = np.stack([a[1].sum(0) for a in arts_cal])
    T_art = fit_temperature(sums, lab)
    langs = sorted({language_of(c) for c in classes})
    cal_conf, cal_right = [], []
    for cls, lp, _ in arts_cal:
        d = aggregate(lp, classes, T_art)
        bl = {g: sum(p for c, p in d.items() if language_of(c) == g) for g in langs}
        top = max(bl, key=bl.get)
        cal_conf.append(bl[top])
        cal_right.append(top == language_of(cls))
    # Abstain where an answer would be right less than TARGET_ACCURACY of the time: the lowest
    # confidence c from which on every 0.1-wide window [c', c'+0.1) of calibration articles
    # (with at least 30 in it) is right at least that often.
    cal_c, cal_r = np.array(cal_conf), np.array(cal_right, float)
    threshold = 1.0
    for c in np.round(np.arange(0.95, 0.19, -0.01), 2):
        m = (cal_c >= c) & (cal_c < c + 0.1)
        if m.sum() >= 30 and cal_r[m].mean() < TARGET_ACCURACY:
            break
        threshold = float(c)
    article = {"temperature": round(T_art, 4), "abstain_below": threshold,
               "abstain_rule": f"lowest confidence c such that calibration pseudo-articles (sizes {ARTICLE_SIZES}) "
                               f"in every 0.1-wide confidence window from c up are right >= {TARGET_ACCURACY:.0%} "
                               "of the time",
               "test": {}}
    for n in ARTICLE_SIZES:
        arts = pseudo_articles(split["test"], logp["test"], n, random.Random(args.seed + 1))
        article["test"][f"{n}_sentences"] = article_eval(arts, classes, T_art, threshold, hon)

    card = {
        "description": "Pivot language of a round trip from (reference, candidate) pairs; classes are "
                       "engine family:language. French is not a class (no French-pivot data).",
        "recipe": "training/build_pivot.py",
        "args": {k: v for k, v in vars(args).items() if k not in ("wmt", "roundtrips", "tweets", "out")},
        "sources": [Path(s).name for s in (args.roundtrips, args.tweets, args.wmt)],
        "classifier": f"LogisticRegression(multinomial, C={best_C}) on hashed pair features",
        "C_tried_calibration_accuracy": {str(c): round(a, 4) for c, (a, _) in tried.items()},
        "split": "by reference sentence (tweets: document), sha256 of the group: 70% train, 15% calibration, "
                 "15% test",
        "counts": {s: dict(sorted(Counter(r["cls"] for r in v).items())) for s, v in split.items()},
        "sentence_temperature": round(T, 4),
        "train_accuracy": round(train_acc, 4),
        "held_out_sentence": test,
        "held_out_sentence_before_temperature": {k: raw_test[k] for k in ("accuracy", "brier", "ece_top")},
        "article": article,
        "honorific_added": hon,
    }
    pm = save_pivot_model(clf, card, Path(args.out))
    print(json.dumps({k: card[k] for k in ("sentence_temperature", "train_accuracy",
                                            "held_out_sentence_before_temperature")}, indent=1))
    print(json.dumps(test, indent=1))
    print(json.dumps(article, indent=1))
    print(json.dumps(hon))
    print(pm.model.path, f"{(pm.model.path / 'classifier.skops').stat().st_size / 1e6:.2f} MB",
          f"{time.time() - t0:.0f}s", file=sys.stderr)


if __name__ == "__main__":
    main()
