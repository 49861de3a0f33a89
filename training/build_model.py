"""Rebuild the shipped model in mtdetect/models/default from ../shared/data and the round trips made from it.

Seeded and deterministic: running it again reproduces the card's metrics.

    python training/make_roundtrips.py --corpus asset    # once each: Apertium round trips (es, ca, gl, eo,
    python training/make_roundtrips.py --corpus bible    #   fr via es, fr via ca) of the originals that
    python training/make_roundtrips.py --corpus wmt      #   have human rewrites
    python training/make_asap_pairs.py                   # once: ASAP essays' GT round trips, aligned
    python training/make_documents.py                    # once: OneStopEnglish documents (teachers' rewrites,
                                                         #   Apertium round trips) and every real document's shape
    python training/build_model.py                       # features, the leave-one-source-out matrix, model + card
                                                         #   (with the relatedness rule: fit_relatedness.py)
                                                         #   (~9-18 min on the shared 2 CPUs: 1,055 s at high load)
    python training/build_model.py --lexicon             # the same with the edit lexicon stacked (learn/lexicon.py):
                                                         #   545 s at load ~7; measured, not shipped (its matrix:
                                                         #   benchmarks/results/protocol.md)
    python training/build_model.py --shift               # the article model also reads the translationese shift,
                                                         #   held out by source (learn/shift.py; needs
                                                         #   training/build_reffree.py data first; +~10 min)

Sources (mtdetect/sources.py; the seeds are never used: they are the test): real neural round
trips (Google Translate of essays via fr and zh, opus-mt of tweets) and Apertium round trips of
ASSET, KJV and WMT originals as MT; crowd rewrites (ASSET), human Bible versions (Webster, BBE,
YLT) and independent human translations (WMT) of those same originals as human. The card's
`metrics.transfer` is the headline: the (MT source, human source) matrix, each cell scored by a
model trained on every other source (mtdetect/protocol.py).
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from _common import REPO, SHARED, WORK, log, parser

from mtdetect.learn.sources import Caps, load_sources, load_structures
from mtdetect.learn.train import TrainConfig, train


def main() -> int:
    ap = parser(__doc__, out=REPO / "mtdetect" / "models" / "default", seed=13)
    ap.add_argument("--shared", type=Path, default=SHARED, help="../shared/data")
    ap.add_argument("--work", type=Path, default=WORK, help="where the round trips were written")
    ap.add_argument("--lexicon", action="store_true",
                    help="stack the learned edit lexicon (learn/lexicon.py; measured, not shipped: see the docstring)")
    ap.add_argument("--shift", action="store_true",
                    help="the article model reads the held-out translationese shift (learn/shift.py; docstring)")
    args = ap.parse_args()

    t0 = time.time()
    pairs, notes = load_sources(args.shared, args.work, Caps(seed=args.seed))
    for n in notes:
        log(f"warning: {n}")
    counts: dict[str, int] = {}
    for p in pairs:
        counts[p.meta["group"]] = counts.get(p.meta["group"], 0) + 1
    log(f"read {len(pairs)} pairs in {time.time() - t0:.0f}s: {counts}")
    structures = load_structures(args.work)
    log(f"{len(structures)} real documents with their shape (training/make_documents.py)")
    shift, sentences = None, None
    if args.shift:
        from mtdetect.learn.shift import document_sentences, shipped_shift

        sentences = document_sentences(args.work / "documents.jsonl.gz")
        shift = lambda prepared: shipped_shift(prepared, args.work, sentences)  # noqa: E731
    from fit_relatedness import relatedness_block

    relatedness = relatedness_block(args.shared)  # the verdict's relatedness rule, per aligning embedder
    report = train(pairs, args.out, TrainConfig(seed=args.seed, group_key="group", lexicon=args.lexicon),
                   extra_card={"recipe": "training/build_model.py" + (" --shift" if args.shift else ""),
                               "sources": counts, "relatedness": relatedness},
                   structures=structures, shift=shift, sentences=sentences)
    print(report.model.signature)
    tr = report.metrics.get("transfer") or {}
    for c in tr.get("cells", []):
        print(f"  {c['mt']:22s} vs {c['human']:18s} auc={c['roc_auc']} recall={c['recall']} fpr={c['fpr']} "
              f"article: recall={c['article_recall']}/{c['article_recall_real']} (pseudo/real) "
              f"fpr={c['article_fpr']}/{c['article_fpr_real']}")
    for m, r in tr.get("mt_sources", {}).items():
        print(f"  MT {m:22s} {r}")
    for h, r in tr.get("human_sources", {}).items():
        print(f"  human {h:19s} {r}")
    print({k: tr.get(k) for k in ("min_roc_auc", "mean_roc_auc", "min_article_accuracy")})
    print(report.seconds)
    return 0


if __name__ == "__main__":
    sys.exit(main())
