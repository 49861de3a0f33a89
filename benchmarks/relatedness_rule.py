"""Is a suspect derived from the reference at all? The verdict rule's relatedness test, fitted on data
instead of set by hand (issue 23: the static embedding calls seed 003 `unrelated`).

    PYTHONPATH=. python benchmarks/relatedness_rule.py [--docs 120] [--out relatedness.md]

The shipped rule (detect/reference.VerdictRule) calls an article unrelated when fewer than 18% of
its sentences are aligned at cosine >= related_cosine (MiniLM 0.7; the static model's equivalent
from its card). Here, for each embedder, a logistic model on document-level alignment evidence is
fitted on document pairs of ../shared/data and judged on held-out ones (bench/embedders.held_out:
the fit uses the even-CRC32 halves, the report the odd ones):

* derived: ASAP essays against their Google Translate round trips (fr, zh); OneStopEnglish
  originals against the teachers' intermediate and elementary rewrites;
* not derived: an essay's round trip against another essay of the same prompt (ASAP part), a
  OneStopEnglish rewrite against the original of the most similar other topic (word overlap).

Evidence: `share` (the rule's related share), `linked` (share of suspect sentences aligned at all),
`mean_best` and `top3` (mean best cosine of all / of the three closest suspect sentences). The
seeds are scored last, as a check, never as a target. Two CPU-minutes, most of it MiniLM.
"""

from __future__ import annotations

import argparse
import gzip
import json
import random
import sys
from collections import Counter
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from mtdetect.bench.embedders import held_out, seed_docs  # noqa: E402
from mtdetect.bench.tables import table  # noqa: E402

FEATURES = ("share", "linked", "mean_best", "top3")
RULES = {"share only": ("share",), "all four": FEATURES}


def document_pairs(data: Path, n: int, fit: bool, seed: int = 7) -> list[tuple[str, int, str, str]]:
    """(kind, derived?, suspect, reference) of one half of ../shared/data."""
    want = (lambda k: not held_out(k)) if fit else held_out
    rows = [json.loads(x) for x in gzip.open(data / "asap_gt_roundtrips.jsonl.gz", "rt", encoding="utf-8")]
    out = []
    for pivot in ("fr", "zh"):
        mine = [r for r in rows if r["pivot"] == pivot and want(r["reference"])]
        random.Random(seed).shuffle(mine)
        mine = mine[: 4 * n]
        out += [(f"asap round trip ({pivot})", 1, r["candidate"], r["reference"]) for r in mine[:n]]
        pool: dict[str, list] = {}
        for r in mine[n:]:
            pool.setdefault(r["doc_id"].split(".")[1], []).append(r)
        for r in mine[:n]:
            if pool.get(r["doc_id"].split(".")[1]):
                out.append(("asap, same prompt", 0, r["candidate"], pool[r["doc_id"].split(".")[1]].pop()["reference"]))
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
    return out


def evidence(pairs: list, embedder) -> np.ndarray:  # noqa: ANN001
    """FEATURES of each pair, aligned as the product aligns (the embedder's own thresholds)."""
    from mtdetect.align import AlignConfig, align
    from mtdetect.detect.reference import VerdictRule
    from mtdetect.embed.minilm import BatchEncoder
    from mtdetect.text import split_sentences

    scale = getattr(embedder, "cosine_thresholds", None) or {}
    config = AlignConfig(min_similarity=scale.get("align_min_similarity", AlignConfig().min_similarity))
    related = scale.get("related_cosine", VerdictRule().related_cosine)
    enc = BatchEncoder(embedder)
    enc.prime({s.text for p in pairs for t in p[2:] for s in split_sentences(t)})
    rows = []
    for _, _, suspect, reference in pairs:
        sus = [s.text for s in split_sentences(suspect)] or [""]
        ref = [s.text for s in split_sentences(reference)] or [""]
        links = [lk for lk in align(sus, ref, enc.encode, config) if lk.reference]
        best = np.sort((enc.encode(sus) @ enc.encode(ref).T).max(axis=1))
        rows.append([sum(lk.similarity >= related for lk in links) / len(sus), len(links) / len(sus),
                     best.mean(), best[-3:].mean()])
    return np.array(rows)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--docs", type=int, default=120, help="ASAP essays per pivot and half (default %(default)s)")
    ap.add_argument("--out", type=Path, help="also write the report here (markdown)")
    args = ap.parse_args()
    import torch
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    from mtdetect.embed import make_embedder

    torch.set_num_threads(1)
    data = ROOT.parent / "shared" / "data"
    fit, test = document_pairs(data, args.docs, True), document_pairs(data, args.docs, False)
    seeds = [(f"seed {d['id']}", -1, d["candidate"], d["reference"]) for d in seed_docs(ROOT / "seeds")]
    lines = ["# A relatedness rule fitted on data, per embedder", "",
             f"Fitted on {len(fit)} document pairs, judged on {len(test)} held-out ones "
             "(`benchmarks/relatedness_rule.py`, whose docstring says what they are). Share called related.", ""]
    for name in ("minilm", "static"):
        emb = make_embedder(name, threads=1) if name == "minilm" else make_embedder(name)
        F, T, S = evidence(fit, emb), evidence(test, emb), evidence(seeds, emb)
        y, kinds = np.array([p[1] for p in fit]), [p[0] for p in fit]
        count = Counter(kinds)
        w = np.array([1.0 / count[k] for k in kinds])  # every kind weighs the same
        shipped = lambda X: X[:, 0] >= 0.18  # noqa: E731 - VerdictRule.min_related_share
        cols = {"shipped rule": (shipped(T), shipped(S))}
        for rule, feats in RULES.items():
            idx = [FEATURES.index(f) for f in feats]
            m = make_pipeline(StandardScaler(), LogisticRegression(C=100.0, max_iter=5000))
            m.fit(F[:, idx], y, logisticregression__sample_weight=w)
            cols[f"fitted, {rule}"] = (m.predict_proba(T[:, idx])[:, 1] >= 0.5, m.predict_proba(S[:, idx])[:, 1])
        test_kinds = sorted({p[0] for p in test})
        rows = [[k] + [f"{np.mean(v[0][[p[0] == k for p in test]]):.3f}" for v in cols.values()] for k in test_kinds]
        rows += [[p[0]] + [("related" if v[1][i] else "unrelated") if v[1].dtype == bool else f"p = {v[1][i]:.2f}"
                           for v in cols.values()] for i, p in enumerate(seeds)]
        lines += [f"## {name}", "", table(["held-out pairs"] + list(cols), rows), ""]
    text = "\n".join(lines)
    print(text)
    if args.out:
        args.out.write_text(text + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
