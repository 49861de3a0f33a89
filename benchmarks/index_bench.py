"""Archive-index benchmark (issue 6): index time, size on disk, query latency, match accuracy.

    python benchmarks/index_bench.py [--articles 100000] [--queries 60]

Archive: `--articles` articles. The first ones are real WMT pseudo-articles (20 consecutive
human reference sentences of one dataset); the rest, to reach the size, are generated from
random WMT sentences (never those of the held-out articles). Queries:
* spun copies whose original is archived: the MT output of one system for the same 20
  source sentences (a translation of the same story, worded by a machine);
* articles whose original is not archived: WMT pseudo-articles held out of the archive.
Writes benchmarks/results/index.md and index.json. Needs ../shared/data.
"""

from __future__ import annotations

import argparse
import gzip
import json
import random
import resource
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from mtdetect.embed.cache import CachedEncoder  # noqa: E402
from mtdetect.embed.minilm import Embedder  # noqa: E402
from mtdetect.detect.index import ArchiveIndex, build_index  # noqa: E402

SIZE = 20


def load_wmt(path: Path) -> tuple[dict, dict, list[str]]:
    refs: dict[tuple[str, int], str] = {}
    mt: dict[tuple[str, int], dict[str, str]] = defaultdict(dict)
    for line in gzip.open(path, "rt", encoding="utf-8"):
        r = json.loads(line)
        key = (r["dataset"], int(r["seg_id"]))
        refs[key] = r["reference"]
        if r["label"] == "mt":
            mt[key][r["system"]] = r["candidate"]
    return refs, mt, sorted(set(refs.values()))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", default=str(ROOT.parent / "shared" / "data" / "wmt_mt_vs_human.jsonl.gz"))
    ap.add_argument("--articles", type=int, default=100_000)
    ap.add_argument("--queries", type=int, default=60)
    ap.add_argument("--out-dir", default=str(ROOT / "benchmarks" / "results"))
    args = ap.parse_args()
    rng = random.Random(5)
    refs, mt, pool = load_wmt(Path(args.data))
    by_ds: dict[str, list[int]] = defaultdict(list)
    for ds, seg in refs:
        by_ds[ds].append(seg)
    real = []  # (id, ref sentences, keys)
    for ds, segs in sorted(by_ds.items()):
        segs.sort()
        for k in range(0, len(segs) - SIZE + 1, SIZE):
            keys = [(ds, s) for s in segs[k : k + SIZE]]
            real.append((f"{ds}#{k // SIZE}", [refs[x] for x in keys], keys))
    rng.shuffle(real)
    held_out = real[: args.queries // 3]
    archived = real[args.queries // 3 :]
    # Generated filler must not contain the held-out articles' sentences (or their MT output):
    # otherwise a "not archived" query truly has copies in the archive.
    held_keys = {k for _, _, keys in held_out for k in keys}
    banned = {refs[k] for k in held_keys} | {c for k in held_keys for c in mt.get(k, {}).values()}
    pool = [s for s in pool if s not in banned]
    spun = []
    for art_id, _, keys in archived[: args.queries - len(held_out)]:
        systems = set.intersection(*(set(mt[x]) for x in keys)) if all(mt.get(x) for x in keys) else set()
        if systems:
            system = sorted(systems)[0]
            spun.append((art_id, " ".join(mt[x][system] for x in keys)))

    def documents():
        for art_id, sents, _ in archived:
            yield art_id, " ".join(sents)
        for i in range(max(args.articles - len(archived), 0)):
            yield f"gen{i}", " ".join(rng.choice(pool) for _ in range(SIZE))

    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "index"
        t0 = time.perf_counter()
        stats = build_index(documents(), out)
        index_s = time.perf_counter() - t0
        t0 = time.perf_counter()
        index = ArchiveIndex(out)
        open_s = time.perf_counter() - t0
        enc = CachedEncoder(Embedder())
        lat, correct, no_match_ok = [], 0, 0
        for art_id, text in spun:
            t0 = time.perf_counter()
            best, _ = index.match(text, enc.encode)
            lat.append(time.perf_counter() - t0)
            correct += best is not None and best.id == art_id
        for _, sents, _ in held_out:
            t0 = time.perf_counter()
            best, _ = index.match(" ".join(sents), enc.encode)
            lat.append(time.perf_counter() - t0)
            no_match_ok += best is None
        lex = []
        for art_id, text in spun[:20]:
            t0 = time.perf_counter()
            index.lexical_candidates(text)
            lex.append(time.perf_counter() - t0)
    res = {
        "articles": stats.articles, "index_seconds": round(index_s, 1),
        "articles_per_second": round(stats.articles / index_s, 1),
        "bytes_on_disk": stats.bytes_on_disk, "open_seconds": round(open_s, 2),
        "query_latency_p50_s": round(float(np.median(lat)), 3),
        "query_latency_p95_s": round(float(np.quantile(lat, 0.95)), 3),
        "lexical_stage_p50_s": round(float(np.median(lex)), 4),
        "spun_queries": len(spun), "matched_to_original": correct,
        "not_archived_queries": len(held_out), "reported_no_original": no_match_ok,
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "note": "query latency includes embedding the suspect and the candidates' sentences "
                "(embedding cache on, so warm candidates are cheaper)",
    }
    outd = Path(args.out_dir)
    outd.mkdir(parents=True, exist_ok=True)
    (outd / "index.json").write_text(json.dumps(res, indent=2) + "\n")
    md = ["# Archive index benchmark", "", f"Created {time.strftime('%Y-%m-%d')} by benchmarks/index_bench.py "
          "on this machine (2 CPUs, shared with other jobs).", "", "| measure | value |", "|---|---|"]
    md += [f"| {k} | {v} |" for k, v in res.items()]
    (outd / "index.md").write_text("\n".join(md) + "\n")
    print(json.dumps(res, indent=2))


if __name__ == "__main__":
    main()
