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

from pathlib import Path

from _common import REPO, parser  # also puts the repository on sys.path

from mtdetect.pairs import read_pairs
from mtdetect.reffree import ReferenceFreeConfig, examples_from_pairs, train_reference_free


def main() -> None:
    args = parser(__doc__, sources=True, out=REPO / "models" / "reference-free").parse_args()
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
