"""The relatedness rule (is the suspect derived from the reference at all?) against the share rule it
replaced, per aligning embedder, on held-out document pairs of ../shared/data and on the seeds.

    PYTHONPATH=. python benchmarks/relatedness_rule.py [--docs 120] [--out relatedness.md]

The old rule called an article unrelated when fewer than 18% of its sentences were aligned at
cosine >= related_cosine, a cut-off set from the seeds. The shipped rule is a logistic model on
four alignment figures and two word-overlap figures, fitted per embedder on ../shared
(mtdetect/learn/relatedness.py: which pairs, which half; training/fit_relatedness.py writes it
into the card). This script refits it exactly as the card's was fitted, and beside it the same
model on the alignment figures alone, on the words alone and on the share alone, and reports
the share of each kind of held-out pair called related; the seeds are scored last, as a check,
never as a target. Two to four CPU-minutes, most of it MiniLM on one thread.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from mtdetect.bench.embedders import seed_docs  # noqa: E402
from mtdetect.bench.tables import table  # noqa: E402

# Sources the rule never saw, as pseudo-documents of 12 consecutive pairs in a seeded order
# (candidates against their references: derived; against another chunk's references: not)
OTHER_SOURCES = {"asset_human_rewrites": "ASSET crowd rewrites", "bible_human_versions": "Bible versions",
                 "human_roundtrips_news": "professional round trips of news", "jfleg_human_rewrites":
                 "JFLEG fluency rewrites", "tweets_opusmt_roundtrips": "opus-mt tweet round trips",
                 "twitter_url_human": "Twitter URL rewordings", "wmt_mt_vs_human": "WMT independent translations"}


def other_source_pairs(data: Path, chunks: int = 20, size: int = 12) -> list[tuple[str, int, str, str]]:
    import gzip
    import json
    import random

    out = []
    for stem, name in OTHER_SOURCES.items():
        path = data / f"{stem}.jsonl.gz"
        if not path.is_file():
            continue
        rows = [r for r in map(json.loads, gzip.open(path, "rt", encoding="utf-8"))
                if not r.get("identical") and r.get("label", "human") == ("mt" if "opusmt" in stem else "human")]
        random.Random(0).shuffle(rows)
        for d in range(chunks):
            mine, other = rows[d * size:(d + 1) * size], rows[(d + chunks) * size:(d + chunks + 1) * size]
            if len(mine) < size or len(other) < size:
                break
            sus = " ".join(r["candidate"].strip() for r in mine)
            out.append((name, 1, sus, " ".join(r["reference"].strip() for r in mine)))
            out.append((f"{name}, mismatched", 0, sus, " ".join(r["reference"].strip() for r in other)))
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--docs", type=int, default=120, help="ASAP essays per pivot and half (default %(default)s)")
    ap.add_argument("--out", type=Path, help="also write the report here (markdown)")
    args = ap.parse_args()
    from mtdetect.detect.relatedness import FEATURES
    from mtdetect.embed import make_embedder
    from mtdetect.learn.relatedness import SHARE_RULE, document_pairs, evidence, fit_rule

    data = ROOT.parent / "shared" / "data"
    fit, test = document_pairs(data, args.docs, True), document_pairs(data, args.docs, False)
    seeds = [(f"seed {d['id']}", -1, d["candidate"], d["reference"]) for d in seed_docs(ROOT / "seeds")]
    others = other_source_pairs(data)
    lines = ["# The relatedness rule against the share rule, per embedder", "",
             f"Fitted on {len(fit)} document pairs of ../shared/data, judged on {len(test)} held-out ones "
             "(`mtdetect/learn/relatedness.py` says which); share of each kind called related, then the seeds "
             "(a check, not a target). `benchmarks/relatedness_rule.py`.", ""]
    y, kinds = np.array([p[1] for p in fit]), [p[0] for p in fit]
    for name in ("minilm", "static"):
        emb = make_embedder(name, threads=1) if name == "minilm" else make_embedder(name)
        F, T, S, O = evidence(fit, emb), evidence(test, emb), evidence(seeds, emb), evidence(others, emb)
        rules = {"fitted, six figures (shipped)": fit_rule(F, y, kinds, emb),
                 "fitted, alignment alone": fit_rule(F, y, kinds, emb, features=FEATURES[:4]),
                 "fitted, words alone": fit_rule(F, y, kinds, emb, features=FEATURES[4:]),
                 "fitted, share alone": fit_rule(F, y, kinds, emb, features=("share",))}
        cols = {f"share rule ({SHARE_RULE:.0%})": (lambda X: X[:, 0] >= SHARE_RULE, None)}
        cols.update({k: (lambda X, r=r: np.array([r.related(x) for x in X]),
                         lambda X, r=r: [r.p_related(x) for x in X]) for k, r in rules.items()})
        rows = [[kind] + [f"{np.mean(f(T)[[p[0] == kind for p in test]]):.3f}" for f, _ in cols.values()]
                for kind in sorted({p[0] for p in test})]
        for i, p in enumerate(seeds):
            rows.append([p[0]] + [("related" if f(S)[i] else "unrelated") + ("" if g is None else f" (p {g(S)[i]:.2f})")
                                  for f, g in cols.values()])
        lines += [f"## {emb.name}", "", table(["held-out pairs"] + list(cols), rows), ""]
        if others:
            rows = [[kind] + [f"{np.mean(f(O)[[p[0] == kind for p in others]]):.3f}" for f, _ in cols.values()]
                    for kind in dict.fromkeys(p[0] for p in others)]
            lines += ["Sources the rule never saw, as pseudo-documents of 12 pairs (`other_source_pairs`): share called "
                      "related.", "", table(["pseudo-documents"] + list(cols), rows), ""]
    text = "\n".join(lines)
    print(text)
    if args.out:
        args.out.write_text(text + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
