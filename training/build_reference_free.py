"""Rebuild the reference-free model in models/reference-free from ../shared/data.

    python training/make_roundtrips.py              # once: Apertium round trips of WMT references
    python training/build_reference_free.py

Sentences (the seeds are never used):
* WMT21/22: MT system output (mt) and independent human translations (human), plus each
  distinct human reference (human);
* Apertium round trips of those references (mt);
* opus-mt round trips of tweets (mt) next to the original tweets (human): a source of its own.
Folds hold out whole sources (each WMT dataset with its round trips; the tweets).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from mtdetect.pairs import read_pairs  # noqa: E402
from mtdetect.reffree import ReferenceFreeConfig, examples_from_pairs, train_reference_free  # noqa: E402

SHARED = ROOT.parent / "shared" / "data"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--wmt", default=str(SHARED / "wmt_mt_vs_human.jsonl.gz"))
    ap.add_argument("--roundtrips", default=str(ROOT / "training" / "work" / "roundtrips.jsonl.gz"))
    ap.add_argument("--tweets", default=str(SHARED / "tweets_opusmt_roundtrips.jsonl.gz"))
    ap.add_argument("--out", default=str(ROOT / "models" / "reference-free"))
    args = ap.parse_args()
    sources = [s for s in (args.wmt, args.roundtrips, args.tweets) if Path(s).exists()]
    pairs = read_pairs(sources, require_label=True)
    for p in pairs:
        if "tweet" in str(p.meta.get("doc_id", "")):
            p.meta["group"], p.meta["kind"] = "tweets", "opus_mt_roundtrip"
            p.meta["system"] = f"opus-mt-{p.meta.get('pivot')}"
            p.meta["doc_id"] = f"tweets-{int(str(p.meta['doc_id'])[5:]) // 12}"
        else:
            p.meta["group"] = p.meta.get("dataset")
    examples = examples_from_pairs(pairs)
    model, metrics = train_reference_free(
        examples, Path(args.out), ReferenceFreeConfig(),
        extra_card={"recipe": "training/build_reference_free.py", "sources": [Path(s).name for s in sources]})
    print(model.signature)
    for level in ("sentence", "article"):
        print(level, {k: v for k, v in metrics[level]["overall"].items() if k != "confusion"})
        for g, m in metrics[level]["per_group"].items():
            print(f"  {g:28s} auc={m['roc_auc']} n={m['n']} recall={m['recall']} fpr={m['false_positive_rate']}")


if __name__ == "__main__":
    main()
