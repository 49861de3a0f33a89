"""Both aligning embedders on whole documents (issue 23): does the static embedding decide as MiniLM does?

For each document pair both embedders align the suspect's sentences to the reference's (align.align,
the same dynamic programme) and the whole article is scored with the shipped model. Per set:

* link agreement: share of suspect sentence groups whose link (the reference sentences it is aligned
  to, or none) is the same under both embedders; and among those MiniLM links to something;
* verdict agreement, mean and largest |p_article difference|; each embedder's accuracy against the
  label where the set has one (round trip: "round-trip MT"; teacher rewrite: "rewritten").

Sets: the seeds (001-004 against 000); ASAP essays against their Google Translate round trips (fr, zh;
a seeded sample among the essays whose reference has an odd CRC32: training/distil_static.py and
training/tune_static.py never saw them); OneStopEnglish originals against the teachers' rewrites (the
topics whose doc_id has an odd CRC32, likewise never seen).
"""

from __future__ import annotations

import gzip
import json
import random
import time
from pathlib import Path

from mtdetect.bench.tables import table
from mtdetect.learn.sources import held_out

EXPECTED = {"mt": "round-trip MT", "human": "rewritten"}
COLUMNS = ["docs", "links", "link_agreement", "linked_agreement", "verdict_agreement", "minilm_accuracy",
           "static_accuracy", "mean_abs_p_article_diff", "max_abs_p_article_diff"]


def seed_docs(seeds_dir: Path) -> list[dict]:
    files = sorted(seeds_dir.glob("0*.txt"))
    if not files:
        return []
    ref = files[0].read_text(encoding="utf-8")
    labels = {"001": "mt", "002": "human", "003": "human"}
    return [{"set": "seeds", "id": f.name[:3], "reference": ref, "candidate": f.read_text(encoding="utf-8"),
             "label": labels.get(f.name[:3])} for f in files[1:]]


def shared_docs(data_dir: Path, n_per_pivot: int, seed: int, n_onestop: int | None = None) -> list[dict]:
    """The held-out document pairs of ../shared/data that exist (none when the data is absent)."""
    out: list[dict] = []
    asap = data_dir / "asap_gt_roundtrips.jsonl.gz"
    if asap.exists():
        rows = [json.loads(x) for x in gzip.open(asap, "rt", encoding="utf-8")]
        for pivot in ("fr", "zh"):
            mine = [r for r in rows if r.get("pivot") == pivot and held_out(r["reference"])]
            random.Random(seed).shuffle(mine)
            out += [{"set": f"asap:gt-{pivot}", "id": str(i), "reference": r["reference"], "candidate": r["candidate"],
                     "label": "mt"} for i, r in enumerate(mine[:n_per_pivot])]
    onestop = data_dir / "onestop_teacher_rewrites.jsonl.gz"
    if onestop.exists():
        rows = [r for r in map(json.loads, gzip.open(onestop, "rt", encoding="utf-8")) if held_out(str(r["doc_id"]))]
        out += [{"set": "onestop:teacher", "id": str(i), "reference": r["reference"], "candidate": r["candidate"],
                 "label": "human"} for i, r in enumerate(rows[:n_onestop])]
    return out


def _links(doc: dict, encode, config) -> list[tuple]:  # noqa: ANN001
    from mtdetect.align import align
    from mtdetect.text import split_sentences

    sus = [s.text for s in split_sentences(doc["candidate"])]
    ref = [s.text for s in split_sentences(doc["reference"])]
    return [(lk.suspect, lk.reference) for lk in align(sus, ref, encode, config)]


def _summary(rs: list[dict]) -> dict:
    diffs = [abs(r["minilm_p_article"] - r["static_p_article"]) for r in rs
             if r["minilm_p_article"] is not None and r["static_p_article"] is not None]
    n_links = max(1, sum(r["n_links"] for r in rs))
    s = {"docs": len(rs), "links": sum(r["n_links"] for r in rs),
         "link_agreement": round(sum(r["same_links"] for r in rs) / n_links, 4),
         "linked_agreement": round(sum(r["same_linked"] for r in rs) / max(1, sum(r["minilm_linked"] for r in rs)), 4),
         "verdict_agreement": round(sum(r["minilm_verdict"] == r["static_verdict"] for r in rs) / len(rs), 4),
         "max_abs_p_article_diff": round(max(diffs), 4) if diffs else None,
         "mean_abs_p_article_diff": round(sum(diffs) / len(diffs), 4) if diffs else None}
    labelled = [r for r in rs if r["label"]]
    for emb in ("minilm", "static"):
        if labelled:
            s[f"{emb}_accuracy"] = round(sum(r[f"{emb}_verdict"] == EXPECTED[r["label"]] for r in labelled)
                                         / len(labelled), 4)
    return s


def compare(docs: list[dict], model_dir: Path | None = None) -> dict:
    """Align and score every document with both embedders; per-set agreement and accuracy."""
    from mtdetect.detect.reference import Detector
    from mtdetect.embed import make_embedder
    from mtdetect.embed.minilm import BatchEncoder
    from mtdetect.text import split_sentences

    encoders = {name: BatchEncoder(make_embedder(name)) for name in ("minilm", "static")}
    sentences = {s.text for d in docs for side in ("reference", "candidate") for s in split_sentences(d[side])}
    seconds = {}
    for name, enc in encoders.items():
        t = time.perf_counter()
        enc.prime(sentences)
        seconds[name] = round(time.perf_counter() - t, 2)
    detectors = {name: Detector(model_dir, embedder=enc) for name, enc in encoders.items()}
    rows = []
    for d in docs:
        links = {name: _links(d, enc.encode, detectors[name].align_config) for name, enc in encoders.items()}
        linked = [(a, b) for a, b in zip(links["minilm"], links["static"]) if a[1]]
        row = {"set": d["set"], "id": d["id"], "label": d["label"],
               "same_links": sum(a == b for a, b in zip(links["minilm"], links["static"])),
               "n_links": len(links["minilm"]), "minilm_linked": len(linked),
               "same_linked": sum(a == b for a, b in linked)}
        for name, det in detectors.items():
            r = det.score_article(d["candidate"], d["reference"])
            row[f"{name}_verdict"] = r.verdict
            row[f"{name}_p_article"] = None if r.p_article is None else round(r.p_article, 4)
        rows.append(row)
    per_set = {name: _summary([r for r in rows if r["set"] == name]) for name in sorted({r["set"] for r in rows})}
    return {"per_set": per_set, "rows": rows, "embedding_seconds": seconds, "distinct_sentences": len(sentences)}


def render(res: dict | None) -> list[str]:
    """The report section (empty when the comparison did not run)."""
    if not res:
        return []
    L = ["## The two aligning embeddings on whole documents", "",
         "Both embedders align and the shipped model scores each document (`mtdetect/bench/embedders.py`); "
         "documents neither the static model's tuning nor its thresholds saw. Accuracy: share with the expected "
         "verdict (round trip: `round-trip MT`; rewrite: `rewritten`).", "",
         table(["set"] + COLUMNS, [[name] + [s.get(c, "") for c in COLUMNS] for name, s in res["per_set"].items()]), ""]
    for r in res["rows"]:
        if r["set"] == "seeds":
            L.append(f"- seed {r['id']}: minilm {r['minilm_verdict']} (p_article {r['minilm_p_article']}), static "
                     f"{r['static_verdict']} (p_article {r['static_p_article']}); same links {r['same_links']}/{r['n_links']}")
    secs = res["embedding_seconds"]
    L += ["", f"Embedding the {res['distinct_sentences']:,} distinct sentences: MiniLM {secs['minilm']} s, static "
          f"{secs['static']} s.", ""]
    return L
