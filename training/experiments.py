"""Measure model variants under the leave-one-source-out protocol, and check for shortcuts.

    python training/experiments.py features      # embed + features of every source, cached in training/work
    python training/experiments.py variants      # recipes: all features, no amount-of-edit features, edits only, trees
    python training/experiments.py hashed        # a learned lexicon of edits (hashed words of each edit)
    python training/experiments.py tokens        # contextual token alignment (MiniLM) as single features
    python training/experiments.py shortcuts     # per-group ablation, ASSET at matched length
    python training/experiments.py stacked --recipe shipped   # the matrix, sentence and article level, of
    python training/experiments.py stacked --recipe stacked   #   one recipe (7.5-15 min each at load 7-11),
    python training/experiments.py stacked --recipe compare   #   then all side by side (learn/lexicon.py;
                                                              #   --lexicon-C, --clip: variants of the lexicon)
    python training/experiments.py shift         # the shipped recipe's matrix judged without and with the
                                                 #   translationese shift (learn/shift.py), same sentence p
    python training/experiments.py cross         # a head on MiniLM's joint encoding of each pair, stacked
                                                 #   (learn/cross.py; the encoding: ~15 CPU-min, cached)

Every number is a cell of the (MT source, human source) matrix (mtdetect/protocol.py): the
model is trained on every other source. `variants` and `shortcuts` print Markdown tables;
the ones kept for the record are in benchmarks/results/protocol.md.
"""

from __future__ import annotations

import json
import sys
import time

import numpy as np
from _common import SHARED, WORK, log, parser

from mtdetect.embed.cache import CachedEncoder
from mtdetect.embed.minilm import Embedder
from mtdetect.features import feature_names, group_of
from mtdetect.inputs.pairs import Pair
from mtdetect.learn.protocol import run_matrix, summary
from mtdetect.learn.sources import Caps, load_sources
from mtdetect.learn.train import TrainConfig, prepare, transfer_fitter

CACHE = WORK / "features.npz"
# How much was edited, not how: these flip sign from one source to the next.
AMOUNT = ["sim_chrf", "sim_len_dev", "lex_seq_ratio", "lex_jaccard", "lex_content_kept",
          "lex_content_novel", "lex_sub_rate", "lex_indel_rate"]


def features() -> None:
    pairs, notes = load_sources(SHARED, WORK, Caps())
    for n in notes:
        log(f"warning: {n}")
    data = prepare(pairs, CachedEncoder(Embedder()))
    meta = [{k: p.meta.get(k) for k in ("group", "domain", "doc", "pos", "sub")} for p in data.pairs]
    np.savez_compressed(CACHE, X=data.X, y=data.y, names=np.array(data.names))
    (WORK / "features-meta.json").write_text(json.dumps({"meta": meta, "refs": [p.reference for p in data.pairs],
                                                         "cands": [p.candidate for p in data.pairs]}))
    log(f"{len(data.y)} pairs -> {CACHE} (encode {data.encode_seconds:.0f}s, features {data.feature_seconds:.0f}s)")


def load() -> tuple[np.ndarray, np.ndarray, list[str], list[Pair], dict]:
    z = np.load(CACHE)
    extra = json.loads((WORK / "features-meta.json").read_text())
    pairs = [Pair(r, c, int(y), m) for r, c, y, m in zip(extra["refs"], extra["cands"], z["y"], extra["meta"])]
    names = [str(n) for n in z["names"]]
    if names != feature_names():
        sys.exit("features cache is for another feature set: run `experiments.py features` again")
    return z["X"], z["y"], [p.meta["group"] for p in pairs], pairs, extra


def matrix(X, y, groups, pairs, cols=None, config=TrainConfig(group_key="group"), calibrated=True) -> dict:
    fit = transfer_fitter(X, y, pairs, groups, config, cols, calibrated=calibrated)
    cells, _, _ = run_matrix(y, groups, fit, 0.5)
    return {"cells": cells, **summary(cells)}


def table(rows: list[tuple[str, dict]], calibrated: bool = True) -> None:
    mt, human = None, None
    for name, res in rows:
        s = res
        if mt is None:
            mt, human = list(s["mt_sources"]), list(s["human_sources"])
            head = ["recipe", "min AUC", "mean AUC"] + ([f"recall {m}" for m in mt] + [f"FPR {h}" for h in human]
                                                         if calibrated else [])
            print("| " + " | ".join(head) + " |")
            print("|" + "---|" * len(head))
        vals = [name, f"{s['min_roc_auc']:.3f}", f"{s['mean_roc_auc']:.3f}"]
        if calibrated:
            vals += [f"{s['mt_sources'][m]['recall']:.2f}" for m in mt] + [f"{s['human_sources'][h]['fpr']:.2f}"
                                                                           for h in human]
        print("| " + " | ".join(vals) + " |", flush=True)


def variants() -> None:
    X, y, groups, pairs, _ = load()
    names = feature_names()
    idx = {n: i for i, n in enumerate(names)}
    no_amount = np.array([i for n, i in idx.items() if n not in AMOUNT])
    edits = np.array([i for n, i in idx.items() if group_of(n) in ("edits", "literal", "collocation", "surface")])
    rows = []
    for name, cols, cfg in [
        ("all features, signed logistic", None, TrainConfig(group_key="group")),
        ("without amount-of-edit features", no_amount, TrainConfig(group_key="group")),
        ("kind of edit only (edits, literal, collocation, surface)", edits, TrainConfig(group_key="group")),
        ("all features, boosted trees", None, TrainConfig(group_key="group", classifier="hgb")),
    ]:
        t = time.time()
        rows.append((name, matrix(X, y, groups, pairs, cols, cfg)))
        log(f"{name}: {time.time() - t:.0f}s")
        table(rows[-1:])
    for name, res in rows:
        print(f"\n{name}: worst cells " + ", ".join(f"{c.mt} vs {c.human} {c.roc_auc}" for c in
                                                    sorted(res["cells"], key=lambda c: c.roc_auc or 0)[:4]))


def hashed() -> None:
    """A learned lexicon of edits: logistic regression on hashed substitution/insertion/deletion
    words and character n-grams (pivot.feature_matrix), uncalibrated (AUC is what it measures)."""
    from sklearn.linear_model import LogisticRegression

    from mtdetect.features.pivot import feature_matrix as hashed_matrix
    from mtdetect.learn.weights import balanced_weights, pair_sources

    X, y, groups, pairs, extra = load()
    H = hashed_matrix(extra["refs"], extra["cands"]).tocsr()

    def fit(train: np.ndarray):
        w = balanced_weights(y[train], *pair_sources([pairs[i] for i in train]))
        clf = LogisticRegression(C=0.3, max_iter=300, solver="liblinear").fit(H[train], y[train], sample_weight=w)
        return lambda rows: clf.predict_proba(H[rows])[:, 1]

    cells, _, _ = run_matrix(y, groups, fit, 0.5)
    table([("hashed edit lexicon (uncalibrated)", {"cells": cells, **summary(cells)})], calibrated=False)
    for c in cells:
        print(f"  {c.mt} vs {c.human}: {c.roc_auc}")


def tokens(n: int = 300) -> None:
    """Contextual token alignment (MiniLM's last layer, BERTScore-style) as single features:
    how similar each changed word piece stays to its best counterpart on the other side."""
    from mtdetect.learn.metrics import auc

    _, y, groups, _, extra = load()
    rng = np.random.default_rng(13)
    g = np.asarray(groups)
    embedder = Embedder()

    def values(i_ref: tuple, i_cand: tuple) -> dict[str, float]:
        (rt, rx), (ct, cx) = i_ref, i_cand
        sim = cx @ rx.T
        best_c, best_r = sim.max(1), sim.max(0)
        ref_pieces = set(rt)
        changed = [best_c[i] for i, t in enumerate(ct) if t not in ref_pieces and t.isalpha()]
        return {"precision (mean)": float(best_c.mean()), "recall (mean)": float(best_r.mean()),
                "changed words' similarity": float(np.mean(changed)) if changed else 1.0,
                "share of changed words below 0.6": float(np.mean(np.array(changed) < 0.6)) if changed else 0.0}

    feats: dict[str, list[dict[str, float]]] = {}
    for src in sorted(set(groups)):
        rows = rng.choice(np.flatnonzero(g == src), min(n, int((g == src).sum())), replace=False)
        states = embedder.token_states([extra["refs"][i] for i in rows] + [extra["cands"][i] for i in rows])
        feats[src] = [values(states[k], states[len(rows) + k]) for k in range(len(rows))
                      if len(states[k][0]) and len(states[len(rows) + k][0])]
    mt = sorted({s for s in groups if y[g == s][0] == 1})
    human = sorted(set(groups) - set(mt))
    for name in feats[mt[0]][0]:
        print(f"\n{name}: single-feature AUC (MT source row, human source column)\n")
        print("| | " + " | ".join(human) + " |\n|---|" + "---|" * len(human))
        for m in mt:
            aucs = [auc([1] * len(feats[m]) + [0] * len(feats[h]),
                        [d[name] for d in feats[m]] + [d[name] for d in feats[h]]) for h in human]
            print(f"| {m} | " + " | ".join(f"{a:.2f}" for a in aucs) + " |", flush=True)


def shortcuts() -> None:
    from mtdetect.bench.transfer import transfer_ablation

    X, y, groups, pairs, extra = load()
    ab = transfer_ablation(X, y, pairs, groups, feature_names(), TrainConfig(group_key="group"))
    print("\nAblation by feature group (base classifier, uncalibrated: AUC only)\n")
    print("| recipe | min AUC | mean AUC |\n|---|---|---|")
    for name, res in ab.items():
        print(f"| {'all' if name == 'full' else 'without ' + name} | {res['min_roc_auc']:.3f} | {res['mean_roc_auc']:.3f} |")
    # ASSET at matched length: only pairs whose length ratio is within 0.8-1.25 on both classes.
    ratio = np.array([len(c.split()) / max(len(r.split()), 1) for r, c in zip(extra["refs"], extra["cands"])])
    matched = (ratio >= 0.8) & (ratio <= 1.25)
    g = np.asarray(groups)
    keep = np.flatnonzero(~((g == "wikipedia:crowd") | (g == "wikipedia:apertium")) | matched)
    res = matrix(X[keep], y[keep], list(g[keep]), [pairs[i] for i in keep])
    cells = [c for c in res["cells"] if c.human == "wikipedia:crowd"]
    print(f"\nASSET at matched length (ratio 0.8-1.25: {int(matched[g == 'wikipedia:crowd'].sum())} crowd pairs): "
          + ", ".join(f"{c.mt} auc={c.roc_auc} fpr={c.fpr:.2f}" for c in cells))


def _without_amount(H):  # type: ignore[no-untyped-def]
    """H with the hashed columns of the amount-of-edit bins (pivot.pair_features: rate:, len:, shape:) zeroed."""
    from mtdetect.features.pivot import N_FEATURES, murmur3_32

    names = [f"rate:{k}" for k in range(10)] + [f"len:{k}" for k in range(-5, 6)] + \
        [f"shape:{a}>{b}" for a in range(5) for b in range(5)]
    cols = sorted({(2147483647 if h == -2147483648 else abs(h)) % N_FEATURES
                   for h in (murmur3_32(n.encode("utf-8")) for n in names)})
    H = H.tocsc(copy=True)
    for c in cols:
        H.data[H.indptr[c]:H.indptr[c + 1]] = 0.0
    H.eliminate_zeros()
    return H.tocsr()


def stacked(recipe: str, lexicon_C: float | None = None, clip: float | None = None, no_amount: bool = False,
            tag: str = "") -> None:
    """The leave-one-source-out matrix at sentence and article level (learn/documents.source_matrix)
    of the shipped recipe or of the recipe with the edit lexicon stacked (learn/lexicon.py);
    `compare` prints both from training/work/matrix-*.json."""
    if recipe == "compare":
        files = sorted(f for f in WORK.glob("matrix-*.json") if f.name != "matrix-shipped.json")
        return compare({f.stem.removeprefix("matrix-"): json.loads(f.read_text())
                        for f in [WORK / "matrix-shipped.json", *files]})
    from mtdetect.features.edit_lexicon import LexiconConfig
    from mtdetect.learn.documents import source_matrix
    from mtdetect.learn.lexicon import hashed as hashed_matrix
    from mtdetect.learn.lexicon import stacked_fitter
    from mtdetect.learn.sources import load_structures

    X, y, groups, pairs, extra = load()
    config = TrainConfig(group_key="group")
    if recipe == "stacked":
        lex = LexiconConfig(**{k: v for k, v in (("C", lexicon_C), ("clip", clip)) if v is not None})
        H = hashed_matrix(extra["refs"], extra["cands"])
        if no_amount:  # the lexicon without its amount-of-edit bins (change rate, length ratio, span shape)
            H = _without_amount(H)
        fit = stacked_fitter(X, H, y, pairs, groups, config, feature_names(), lex)
        if lex != LexiconConfig() or no_amount:
            recipe = f"stacked-C{lex.C:g}-clip{lex.clip:g}" + ("-no-amount" if no_amount else "")
    else:
        fit = transfer_fitter(X, y, pairs, groups, config)
    t = time.time()
    out, _ = source_matrix(y, pairs, groups, fit, 0.5, config.seed, load_structures(WORK))
    out = {**out, "seconds": round(time.time() - t), "load": open("/proc/loadavg").read().split()[:3]}
    recipe += f"-{tag}" if tag else ""
    (WORK / f"matrix-{recipe}.json").write_text(json.dumps(out, indent=1))
    log(f"{recipe}: {out['seconds']}s, min AUC {out['min_roc_auc']}, mean AUC {out['mean_roc_auc']}")


def shift() -> None:
    """The article-level matrix of the shipped recipe without and with the held-out translationese
    shift (learn/shift.py) as article evidence: one run_matrix, so the sentence probabilities are
    the same; writes matrix-shift-off.json and matrix-shift-on.json, then compares them."""
    from mtdetect.learn.documents import source_matrix
    from mtdetect.learn.protocol import run_matrix
    from mtdetect.learn.shift import document_sentences, shipped_shift
    from mtdetect.learn.sources import load_structures

    X, y, groups, pairs, _ = load()
    config = TrainConfig(group_key="group")
    structures, sentences = load_structures(WORK), document_sentences(WORK / "documents.jsonl.gz")
    held = shipped_shift(pairs, WORK, sentences)
    t = time.time()
    cells = run_matrix(y, groups, transfer_fitter(X, y, pairs, groups, config), 0.5, progress=log)
    base = time.time() - t
    res = {}
    for name, sh in (("shift-off", None), ("shift-on", held)):
        t = time.time()
        out, am = source_matrix(y, pairs, groups, None, 0.5, config.seed, structures, sh, sentences, matrix=cells)
        out = {**out, "seconds": round(base + time.time() - t), "load": open("/proc/loadavg").read().split()[:3],
               "article_model": am.to_dict() if am else None}
        (WORK / f"matrix-{name}.json").write_text(json.dumps(out, indent=1))
        res[name] = out
    compare(res)


def cross() -> None:
    """The matrix with a head on MiniLM's joint encoding of each pair stacked under the sentence model
    (learn/cross.py; the stacking is the edit lexicon's, learn/lexicon.py), next to the same code
    without it (matrix-shipped-observed-scale.json, `stacked --recipe shipped --tag observed-scale`)."""
    from mtdetect.features.edit_lexicon import LexiconConfig
    from mtdetect.learn.cross import pair_encodings
    from mtdetect.learn.documents import source_matrix
    from mtdetect.learn.lexicon import stacked_fitter
    from mtdetect.learn.sources import load_structures

    X, y, groups, pairs, extra = load()
    t = time.time()
    H = pair_encodings(extra["refs"], extra["cands"], WORK)
    H = (H - H.mean(axis=0)) / np.where(H.std(axis=0) > 0, H.std(axis=0), 1.0)  # label-free scaling
    log(f"cross: {H.shape} encodings in {time.time() - t:.0f}s")
    config = TrainConfig(group_key="group")
    fit = stacked_fitter(X, H, y, pairs, groups, config, feature_names(), LexiconConfig(C=0.3))
    t = time.time()
    out, _ = source_matrix(y, pairs, groups, fit, 0.5, config.seed, load_structures(WORK))
    out = {**out, "seconds": round(time.time() - t), "load": open("/proc/loadavg").read().split()[:3]}
    (WORK / "matrix-cross.json").write_text(json.dumps(out, indent=1))
    base = WORK / "matrix-shipped-observed-scale.json"
    compare({**({"shipped": json.loads(base.read_text())} if base.exists() else {}), "cross": out})


def compare(res: dict[str, dict]) -> None:
    """Markdown: per recipe the sentence-level summary, then per source the sentence and article rates."""
    print("| recipe | min AUC | mean AUC | seconds (load) |\n|---|---|---|---|")
    for r, s in res.items():
        print(f"| {r} | {s['min_roc_auc']:.4f} | {s['mean_roc_auc']:.4f} | {s['seconds']} ({' '.join(s['load'])}) |")
    fmt = lambda v: "-" if v is None else f"{v:.3f}"  # noqa: E731
    names = list(res)
    for side, key, rate in (("MT source", "mt_sources", "recall"), ("human source", "human_sources", "fpr")):
        label = "recall" if rate == "recall" else "FPR"
        print(f"\n| {side} | " + " | ".join(f"{r}: {label} / min AUC / article {label} pseudo, real" for r in names)
              + " |\n|---|" + "---|" * len(names))
        for src in res[names[0]][key]:
            print(f"| {src} | " + " | ".join(
                f"{fmt(d[rate])} / {fmt(d['min_roc_auc'])} / {fmt(d[f'article_{rate}'])}, {fmt(d[f'article_{rate}_real'])}"
                for d in (res[r][key][src] for r in names)) + " |")


def main() -> int:
    ap = parser(__doc__)
    ap.add_argument("what", choices=["features", "variants", "hashed", "tokens", "shortcuts", "stacked", "shift",
                                       "cross"])
    ap.add_argument("--recipe", choices=["shipped", "stacked", "compare"], default="compare", help="for `stacked`")
    ap.add_argument("--lexicon-C", type=float, help="for `stacked`: the lexicon's C (default: LexiconConfig's)")
    ap.add_argument("--clip", type=float, help="for `stacked`: the column's clip (default: LexiconConfig's)")
    ap.add_argument("--tag", default="", help="for `stacked`: a suffix of the result's name (matrix-RECIPE-TAG.json), "
                    "to measure a code change without replacing the recorded matrix")
    ap.add_argument("--no-amount", action="store_true", help="for `stacked`: the lexicon without amount-of-edit bins")
    args = ap.parse_args()
    if args.what == "stacked":
        stacked(args.recipe, args.lexicon_C, args.clip, args.no_amount, args.tag)
        return 0
    {"features": features, "variants": variants, "hashed": hashed, "tokens": tokens,
     "shortcuts": shortcuts, "shift": shift, "cross": cross}[args.what]()
    return 0


if __name__ == "__main__":
    sys.exit(main())
