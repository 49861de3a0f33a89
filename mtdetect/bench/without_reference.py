"""Without the original: reference-free verdicts, archive matching and the pivot guess on the seeds."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from mtdetect.bench.config import SEEDS
from mtdetect.bench.tables import fmt, table


# The reference-free card names some sources differently (its folds split tweets by pivot).
SAME_SOURCE = {"asap-fr": "essays:gt-fr", "asap-zh": "essays:gt-zh", "tweets": "tweets:opus-mt"}


def same_source(name: str) -> str:
    """The reference-based matrix's name for a source of the reference-free card."""
    return SAME_SOURCE.get(name) or ("tweets:opus-mt" if name.startswith("tweets-") else name)


def bench_without_reference(detector: Any) -> dict:
    """Issue 6 on the seeds, live: reference-free verdicts, archive matching (000 archived), the
    pivot guess for 001; and the reference-free model's held-out AUC per source (its card)
    next to the reference model's worst left-out cell for the same source (its card's matrix)."""
    import tempfile

    from mtdetect.detect.index import ArchiveIndex, build_index
    from mtdetect.card.model import default_model_dir, reference_free_spec
    from mtdetect.detect.reference_free import ReferenceFreeDetector
    from mtdetect.detect.reference import score_with_index

    files = sorted(SEEDS.glob("0*.txt"))
    rf = ReferenceFreeDetector()
    out: dict = {"seeds": []}
    with tempfile.TemporaryDirectory() as tmp:
        build_index([(files[0].name, files[0].read_text(encoding="utf-8"))], Path(tmp) / "index")
        index = ArchiveIndex(Path(tmp) / "index")
        for f in files:
            text = f.read_text(encoding="utf-8")
            r = rf.score_article(text)
            m = score_with_index(detector, index, text, rf)
            out["seeds"].append({
                "file": f.name, "rf_verdict": r.verdict, "rf_flagged_fraction": round(r.flagged_fraction, 4),
                "rf_p_article": None if r.p_article is None else round(r.p_article, 4),
                "index_match": (m.match or {}).get("id"), "index_verdict": m.verdict,
                "pivot": (m.pivot or {}).get("language"),
            })
    rf_card = json.loads((default_model_dir(reference_free_spec()) / "card.json").read_text(encoding="utf-8"))
    tr = detector.model.card.get("metrics", {}).get("transfer") or {}
    ref_sources = {**tr.get("mt_sources", {}), **tr.get("human_sources", {})}
    per = rf_card["metrics"]["heldout"]["sentence"]["per_group"]
    out["auc_by_source"] = [{"source": g, "reference_free": m["roc_auc"],
                             "reference_based": (ref_sources.get(same_source(g)) or {}).get("min_roc_auc")}
                            for g, m in per.items()]
    return out


def render_without_reference(w: dict) -> list[str]:
    L = ["## Without the original (archive index, reference-free, pivot)", "",
         "Seeds, live: reference-free verdicts; `score --index` with 000 as the archive; the pivot guess "
         "where the verdict is round-trip MT.", "",
         table(["file", "reference-free verdict", "rf flagged", "rf p_article", "index match", "verdict via index",
                 "pivot"],
                [[r["file"], r["rf_verdict"], fmt(r["rf_flagged_fraction"]), fmt(r["rf_p_article"]),
                  r["index_match"] or "none (falls back to reference-free)", r["index_verdict"], r["pivot"] or ""]
                 for r in w["seeds"]]), "",
         "Held-out sentence ROC-AUC per source: the reference-free model (its card, folds hold out whole "
         "sources) next to the reference-based model's worst cell with that source left out (its card's "
         "leave-one-source-out matrix; – where the two cards do not share the source).", "",
         table(["source", "reference-free", "reference-based"],
                [[r["source"], fmt(r["reference_free"]), fmt(r["reference_based"])] for r in w["auc_by_source"]]), ""]
    return L
