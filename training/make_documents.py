"""Real documents for the article model: OneStopEnglish (teachers' rewrites and Apertium round
trips of the same originals) and the ASAP essays' Google Translate round trips.

Each suspect document is split and aligned to its original exactly as a user's article is
(`text.split_sentences`, `align.align`, the product's AlignConfig). Two files:

* training/work/onestop-pairs.jsonl.gz: one pair per aligned link of the OneStopEnglish documents
  (`label: human` for teachers' rewrites, `label: mt` for the Apertium round trips), `doc_id` =
  "<topic>:<level or pivot>", `seg_id` = the link's index in the document;
* training/work/documents.jsonl.gz: one record per document, ASAP included (the same seeded
  essay sample as make_asap_pairs.py): its group (`domain:producer`, mtdetect/learn/sources.py), doc key,
  label, both sentence lists and the alignment links, so that the article evidence that only a
  real document has (shape, verbatim sentences: features/article.py) can be measured.

The Apertium documents are made like a real round trip of an article: the original is split
with the product's `split_sentences`, every sentence goes through the pivot, and the
sentences are joined back in their paragraphs; the suspect is then split afresh.

Cues (../shared/data/README.md): OneStopEnglish lost its curly quotes and apostrophes on the
rewritten side and they are deleted on both sides there; the Apertium round trips are made
from that same text, so both classes share it. Elementary rewrites are much shorter (dropped
content is real rewriting, but "shorter = human" is a cue): the length ratio is no article
feature. ASAP: French spaces before `! ? : ;` removed; placeholders/misspelling masking stays
in make_asap_pairs.py (the pairs); the document records only give the shape.

    python training/make_documents.py [--pivots es,ca,fr_es] [--essays 400]    # ~3-6 CPU-minutes
"""

from __future__ import annotations

import gzip
import json
import sys
import time
from collections import defaultdict
from pathlib import Path

import numpy as np
from _common import SHARED, WORK, log, parser
from make_asap_pairs import _FRENCH_SPACE
from make_asap_pairs import load as load_asap

from mtdetect.align import align
from mtdetect.embed.cache import CachedEncoder
from mtdetect.detect.reference import embedder_thresholds
from mtdetect.embed import make_embedder
from mtdetect.learn.roundtrip import roundtrip
from mtdetect.text import split_sentences

LEVELS = {"teacher_rewrite_int": "int", "teacher_rewrite_ele": "ele"}


def _write(path: Path, rows: list[dict]) -> None:
    tmp = path.with_suffix(path.suffix + ".tmp")
    with open(tmp, "wb") as raw, gzip.GzipFile(filename="", fileobj=raw, mode="wb", mtime=0) as gz:
        for r in rows:
            gz.write((json.dumps(r, ensure_ascii=False) + "\n").encode("utf-8"))
    tmp.replace(path)


def onestop_documents(path: Path, pivots: list[str]) -> tuple[list[tuple], dict[str, str]]:
    """[(group, doc key, label, suspect text, original text)] and the originals by topic."""
    originals: dict[str, str] = {}
    docs: list[tuple] = []
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        for line in fh:
            r = json.loads(line)
            originals[r["doc_id"]] = r["reference"]
            docs.append(("articles:teachers", f"{r['doc_id']}:{LEVELS.get(r['kind'], r['kind'])}", "human",
                         r["candidate"], r["reference"]))
    topics = sorted(originals)
    units = [(t, s.paragraph, s.text) for t in topics for s in split_sentences(originals[t])]
    for pivot in pivots:
        t0 = time.time()
        back = roundtrip([u[2] for u in units], pivot)
        by_topic: dict[str, dict[int, list[str]]] = defaultdict(lambda: defaultdict(list))
        for (t, para, _), out in zip(units, back):
            if out.strip():
                by_topic[t][para].append(out.strip())
        for t in topics:
            paras = by_topic[t]
            text = "\n".join(" ".join(paras[k]) for k in sorted(paras))
            docs.append(("articles:apertium", f"{t}:{pivot}", "mt", text, originals[t]))
        log(f"  apertium {pivot}: {len(units)} sentences in {time.time() - t0:.0f}s")
    return docs, originals


def main() -> int:
    ap = parser(__doc__, out=WORK, seed=13)
    ap.add_argument("--onestop", type=Path, default=SHARED / "onestop_teacher_rewrites.jsonl.gz")
    ap.add_argument("--asap", type=Path, default=SHARED / "asap_gt_roundtrips.jsonl.gz")
    ap.add_argument("--pivots", default="es,ca,fr_es", help="Apertium pivots for the OneStopEnglish originals")
    ap.add_argument("--essays", type=int, default=400, help="as make_asap_pairs.py (same seeded sample)")
    ap.add_argument("--embedder", choices=("minilm", "static"), default="minilm",
                    help="the embedding that aligns the documents (default: %(default)s, as the shipped model was "
                    "trained; static: to measure the matrix with the other aligner, into another --out)")
    ap.add_argument("--threads", type=int, default=None)
    args = ap.parse_args()
    t0 = time.time()

    docs, _ = onestop_documents(args.onestop, [p for p in args.pivots.split(",") if p])
    asap = load_asap(args.asap, args.essays, args.seed)
    for doc_id, d in asap.items():
        for pivot in ("fr", "zh"):
            docs.append((f"essays:gt-{pivot}", f"{doc_id}:{pivot}", "mt", _FRENCH_SPACE.sub(r"\1", d[pivot]),
                         _FRENCH_SPACE.sub(r"\1", d["reference"])))
    log(f"{len(docs)} documents")
    split = {text: [s.text for s in split_sentences(text)] for d in docs for text in (d[3], d[4])}
    embedder = make_embedder(args.embedder, threads=args.threads)
    config = embedder_thresholds(embedder)[0]  # the aligner's own threshold (MiniLM's: config)
    encoder = CachedEncoder(embedder)
    unique = sorted({s for sents in split.values() for s in sents})
    vectors = dict(zip(unique, encoder.encode(unique, progress=True)))
    encode = lambda sents: np.array([vectors[s] for s in sents])  # noqa: E731
    records, pairs = [], []
    for group, key, label, sus_text, ref_text in docs:
        sus, ref = split[sus_text], split[ref_text]
        if not sus or not ref:
            continue
        links = align(sus, ref, encode, config)
        records.append({"group": group, "doc": key, "label": label, "suspect": sus, "reference": ref,
                        "links": [[list(k.suspect), list(k.reference), round(k.similarity, 4)] for k in links]})
        if group.startswith("articles:"):
            topic, sub = key.rsplit(":", 1)
            for k, link in enumerate(links):
                if link.reference:
                    pairs.append({"reference": " ".join(ref[j] for j in link.reference),
                                  "candidate": " ".join(sus[i] for i in link.suspect), "label": label,
                                  "group": group, "doc_id": key, "topic": topic, "sub": sub, "seg_id": k,
                                  "dataset": "onestopenglish", "alignment": link.kind})
    args.out.mkdir(parents=True, exist_ok=True)
    _write(args.out / "onestop-pairs.jsonl.gz", pairs)
    _write(args.out / "documents.jsonl.gz", records)
    encoder.close()
    log(f"wrote {len(pairs)} OneStopEnglish pairs and {len(records)} documents in {time.time() - t0:.0f}s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
