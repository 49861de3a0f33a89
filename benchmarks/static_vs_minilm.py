"""Measure the static embedding against MiniLM before making it the default (issue 23).

    PYTHONPATH=. python benchmarks/static_vs_minilm.py [--docs 150] [--out static_vs_minilm.json]

For each document pair, both embedders align the suspect's sentences to the reference's
(align.align, the same dynamic programme) and the whole article is scored with the shipped model
(score.Detector). Reported per set:

* link agreement: share of suspect sentences whose link (the reference sentences it is aligned to,
  or none) is the same under both embedders; and among the sentences MiniLM links to something;
* verdict agreement and the largest |p_article difference|; the verdicts' accuracy against the
  label where the set has one (round trip: "round-trip MT"; teacher rewrite: "rewritten").

Sets: the seeds (suspects 001-004 against 000), ASAP essays against their Google Translate round
trips (fr and zh; ../shared/data, a seeded sample of --docs per pivot among the essays the static
thresholds were not fitted on), OneStopEnglish originals against the teachers' rewrites (the topics
whose doc_id has an odd CRC32, never fitted on). About 10 minutes on 2 busy cores, most of it MiniLM.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import random
import sys
import time
import zlib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from mtdetect.align import align  # noqa: E402
from mtdetect.embed.minilm import BatchEncoder  # noqa: E402
from mtdetect.embed import make_embedder  # noqa: E402
from mtdetect.detect.reference import Detector  # noqa: E402
from mtdetect.text import split_sentences  # noqa: E402

DATA = ROOT.parent / "shared" / "data"
EXPECTED = {"mt": "round-trip MT", "human": "rewritten"}


def seed_pairs() -> list[dict]:
    files = sorted((ROOT / "seeds").glob("0*.txt"))
    ref = files[0].read_text(encoding="utf-8")
    labels = {"001": "mt", "002": "human", "003": "human", "004": None}
    return [{"set": "seeds", "id": f.name[:3], "reference": ref, "candidate": f.read_text(encoding="utf-8"),
             "label": labels[f.name[:3]]} for f in files[1:]]


def shared_pairs(n_per_pivot: int, seed: int) -> list[dict]:
    out: list[dict] = []
    asap = DATA / "asap_gt_roundtrips.jsonl.gz"
    if asap.exists():
        rows = [json.loads(x) for x in gzip.open(asap, "rt", encoding="utf-8")]
        for pivot in ("fr", "zh"):
            # essays with an odd CRC32: training/distil_static.py fits the static cosine thresholds on the even ones
            mine = [r for r in rows if r.get("pivot") == pivot and zlib.crc32(r["reference"].encode("utf-8")) % 2]
            random.Random(seed).shuffle(mine)
            out += [{"set": f"asap:gt-{pivot}", "id": str(i), "reference": r["reference"], "candidate": r["candidate"],
                     "label": "mt"} for i, r in enumerate(mine[:n_per_pivot])]
    onestop = DATA / "onestop_teacher_rewrites.jsonl.gz"
    if onestop.exists():
        rows = [json.loads(x) for x in gzip.open(onestop, "rt")]  # topics with an odd CRC32: never fitted on
        out += [{"set": "onestop:teacher", "id": str(i), "reference": r["reference"], "candidate": r["candidate"],
                 "label": "human"} for i, r in enumerate(rows) if zlib.crc32(str(r["doc_id"]).encode("utf-8")) % 2]
    return out


def links_of(doc: dict, encode, config) -> list[tuple]:  # noqa: ANN001
    sus = [s.text for s in split_sentences(doc["candidate"])]
    ref = [s.text for s in split_sentences(doc["reference"])]
    return [(lk.suspect, lk.reference) for lk in align(sus, ref, encode, config)]


def compare(docs: list[dict]) -> dict:
    encoders = {name: BatchEncoder(make_embedder(name)) for name in ("minilm", "static")}
    sentences = {s.text for d in docs for side in ("reference", "candidate") for s in split_sentences(d[side])}
    seconds = {}
    for name, enc in encoders.items():
        t = time.perf_counter()
        enc.prime(sentences)
        seconds[name] = round(time.perf_counter() - t, 2)
    detectors = {name: Detector(embedder=enc) for name, enc in encoders.items()}
    per_set: dict[str, dict] = {}
    rows = []
    for d in docs:
        links = {name: links_of(d, enc.encode, detectors[name].align_config) for name, enc in encoders.items()}
        results = {name: det.score_article(d["candidate"], d["reference"]) for name, det in detectors.items()}
        same = sum(a == b for a, b in zip(links["minilm"], links["static"]))
        linked = [(a, b) for a, b in zip(links["minilm"], links["static"]) if a[1]]
        row = {"set": d["set"], "id": d["id"], "label": d["label"],
               "sentences": sum(len(a[0]) for a in links["minilm"]),
               "same_links": same, "n_links": len(links["minilm"]), "minilm_linked": len(linked),
               "same_linked": sum(a == b for a, b in linked)}
        for name, r in results.items():
            row[f"{name}_verdict"] = r.verdict
            row[f"{name}_p_article"] = None if r.p_article is None else round(r.p_article, 4)
        rows.append(row)
    for name in sorted({r["set"] for r in rows}):
        rs = [r for r in rows if r["set"] == name]
        diffs = [abs(r["minilm_p_article"] - r["static_p_article"]) for r in rs
                 if r["minilm_p_article"] is not None and r["static_p_article"] is not None]
        s = {"docs": len(rs), "links": sum(r["n_links"] for r in rs),
             "link_agreement": round(sum(r["same_links"] for r in rs) / max(1, sum(r["n_links"] for r in rs)), 4),
             "linked_agreement": round(sum(r["same_linked"] for r in rs) / max(1, sum(r["minilm_linked"] for r in rs)), 4),
             "verdict_agreement": round(sum(r["minilm_verdict"] == r["static_verdict"] for r in rs) / len(rs), 4),
             "max_abs_p_article_diff": round(max(diffs), 4) if diffs else None,
             "mean_abs_p_article_diff": round(sum(diffs) / len(diffs), 4) if diffs else None}
        for emb in ("minilm", "static"):
            labelled = [r for r in rs if r["label"]]
            if labelled:
                s[f"{emb}_accuracy"] = round(sum(r[f"{emb}_verdict"] == EXPECTED[r["label"]] for r in labelled)
                                             / len(labelled), 4)
        per_set[name] = s
    return {"per_set": per_set, "rows": rows, "embedding_seconds": seconds, "distinct_sentences": len(sentences)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--docs", type=int, default=150, help="ASAP essays per pivot (default %(default)s)")
    ap.add_argument("--seed", type=int, default=13)
    ap.add_argument("--out", type=Path, default=Path("static_vs_minilm.json"))
    args = ap.parse_args()
    t0 = time.perf_counter()
    docs = seed_pairs() + shared_pairs(args.docs, args.seed)
    res = compare(docs)
    res.update(seconds=round(time.perf_counter() - t0, 1), load_average_1min=round(os.getloadavg()[0], 2))
    args.out.write_text(json.dumps(res, indent=1) + "\n")
    cols = ["docs", "links", "link_agreement", "linked_agreement", "verdict_agreement", "minilm_accuracy",
            "static_accuracy", "mean_abs_p_article_diff", "max_abs_p_article_diff"]
    print("| set | " + " | ".join(cols) + " |")
    print("|---" * (len(cols) + 1) + "|")
    for name, s in res["per_set"].items():
        print(f"| {name} | " + " | ".join(str(s.get(c, "")) for c in cols) + " |")
    for r in res["rows"]:
        if r["set"] == "seeds":
            print(f"seed {r['id']}: minilm {r['minilm_verdict']} p_article {r['minilm_p_article']}; "
                  f"static {r['static_verdict']} p_article {r['static_p_article']}; links {r['same_links']}/{r['n_links']}")
    print(f"embedding seconds {res['embedding_seconds']} for {res['distinct_sentences']} sentences; "
          f"total {res['seconds']} s; load {res['load_average_1min']}")


if __name__ == "__main__":
    main()
