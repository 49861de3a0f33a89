"""Fit the relatedness rule (is the suspect derived from the reference at all?) for both aligning
embedders and write it into the shipped reference model's card (issue 23).

    python training/fit_relatedness.py            # ~2-4 CPU-minutes, most of it MiniLM on one thread

The rule replaces the share cut-off that was set from the seeds (18% of sentences aligned at
cosine >= related_cosine): a logistic model on four alignment figures, fitted per embedder on
document pairs of ../shared/data, the held-out half reported in the card (mtdetect/learn/relatedness.py
says which pairs). training/build_model.py fits it too, so a rebuilt card keeps it; this script
refits it alone: the card gets its `relatedness` block and a new seal, written beside the old
one and renamed into place. The classifier and every other field are untouched.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from _common import REPO, SHARED, log, parser


def relatedness_block(shared: Path) -> dict:
    """learn/relatedness.fit_rules with MiniLM (one thread: reproducible) and the static embedding."""
    from mtdetect.embed import make_embedder
    from mtdetect.learn.relatedness import fit_rules

    return fit_rules(shared, [make_embedder("minilm", threads=1), make_embedder("static")])


def main() -> None:
    ap = parser(__doc__, out=REPO / "mtdetect" / "models" / "default")
    ap.add_argument("--shared", type=Path, default=SHARED, help="../shared/data")
    args = ap.parse_args()
    from mtdetect.card.card import CARD_FILE, seal_card

    path = args.out / CARD_FILE
    card = json.loads(path.read_text(encoding="utf-8"))
    block = relatedness_block(args.shared)
    for name, rates in block["held_out"].items():
        log(f"{name}: held-out share called related, rule vs share rule: "
            + ", ".join(f"{k} {v['rule']:.3f}/{v['share_rule']:.3f}" for k, v in rates.items()))
    card = seal_card({**card, "relatedness": block})
    part = path.with_name(f".{CARD_FILE}.part")
    part.write_text(json.dumps(card, indent=2, ensure_ascii=False, allow_nan=False) + "\n", encoding="utf-8")
    os.replace(part, path)
    log(f"wrote {path} (card seal {card['card_sha256'][:12]})")


if __name__ == "__main__":
    main()
