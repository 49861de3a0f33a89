"""Rebuild the shipped model in models/default from ../shared/data and Apertium round trips.

Seeded and deterministic: running it again reproduces the card's metrics.

    python training/make_roundtrips.py          # once: Apertium round trips of WMT references
    python training/build_model.py              # features, held-out evaluation, model + card

Training data (the seeds are never used: they are the test):
* WMT21/22 pairs: a human reference next to real MT output (label mt) or an independent
  human translation (label human); identical candidates are dropped (they are copies).
* Apertium round trips (en -> es/ca/gl/eo -> en) of the same human references: true round
  trips, whose hard negatives are the independent human translations of the same sentence.
* opus-mt round trips of English tweets (en -> de/ru/is -> en, ../shared/data) are true
  neural round trips but positives only, with no human pairs in their domain: trained on,
  they would let the model tell the classes apart by source (tweets vs news). So they are
  an evaluation-only source of the transfer matrix, never trained on.

The card's `metrics.transfer` is the headline: leave-one-source-out over every WMT dataset,
system family, Apertium pivot and the tweets (mtdetect/transfer.py).
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from _common import ROOT, parser  # also puts the repository on sys.path

from mtdetect.pairs import read_pairs
from mtdetect.train import TrainConfig, train


def main() -> None:
    args = parser(__doc__, sources=True, out=ROOT / "models" / "default", seed=13).parse_args()

    sources = [args.wmt]
    if Path(args.roundtrips).exists():
        sources.append(args.roundtrips)
    else:
        print(f"warning: {args.roundtrips} missing; run training/make_roundtrips.py first", file=sys.stderr)
    t0 = time.time()
    pairs = read_pairs(sources, require_label=True)
    for p in pairs:  # hold out whole WMT datasets: round trips follow the dataset of their reference
        p.meta["group"] = p.meta.get("dataset")
    tweets = read_pairs([args.tweets], require_label=True) if Path(args.tweets).exists() else []
    for p in tweets:
        p.meta["kind"] = "tweets_opusmt"
    print(f"read {len(pairs)} pairs in {time.time() - t0:.0f}s", file=sys.stderr)
    report = train(
        pairs,
        Path(args.out),
        TrainConfig(seed=args.seed),
        extra_card={"recipe": "training/build_model.py", "sources": [Path(s).name for s in sources],
                    "evaluation_only_sources": [Path(args.tweets).name] if tweets else []},
        eval_only=tweets,
    )
    print(report.model.signature)
    print({k: v for k, v in report.metrics["overall"].items() if k != "confusion"})
    for g, m in report.metrics["per_group"].items():
        print(f"  {g:28s} auc={m['roc_auc']} f1={m['f1']}")
    tr = report.metrics.get("transfer") or {}
    for r in tr.get("sentence", []):
        print(f"  left out {r['kind']:8s} {r['name']:28s} auc={r['roc_auc']}")
    for r in tr.get("article", []):
        print(f"  article  {r['kind']:8s} {r['name']:28s} acc={r['accuracy']} docs={r['n_docs']}")
    print(report.seconds)


if __name__ == "__main__":
    main()
