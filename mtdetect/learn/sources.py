"""The training and evaluation sources: ../shared/data and the round trips made from it.

Every pair is tagged with its source, `domain:producer` (protocol.py), in `group`, plus
`domain`, and `doc`/`pos` (document and position, for documents and pseudo-documents):

| source | class | what |
|---|---|---|
| essays:gt-fr, essays:gt-zh | mt | Google Translate round trips of ASAP essays, aligned as articles (training/make_asap_pairs.py) |
| tweets:opus-mt | mt | opus-mt round trips of tweets via de, ru, is |
| wikipedia:apertium, bible:apertium, news:apertium | mt | Apertium round trips (es, ca, gl, eo, fr via es, fr via ca) of the ASSET, KJV and WMT originals (training/make_roundtrips.py) |
| wikipedia:crowd | human | ASSET crowd rewrites of the same Wikipedia sentences |
| bible:Webster, bible:BBE, bible:YLT | human | human revisions / retranslations of the same KJV verses |
| news:human | human | independent human translations of the WMT news sources (same content as the reference) |

WMT *system output* is not used: MT from a foreign source next to an independent human
translation is not a round trip of the reference. Each source is capped by a seeded sample
(`Caps`), drawn evenly over its producers' sub-parts (pivots, rewriters).
"""

from __future__ import annotations

import gzip
import json
import random
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

from mtdetect.inputs.pairs import Pair
from mtdetect.text import normalize

WMT_DOMAIN = "news"
APERTIUM_FILES = {"wikipedia": "roundtrips-asset.jsonl.gz", "bible": "roundtrips-bible.jsonl.gz",
                  "news": "roundtrips-wmt.jsonl.gz"}


@dataclass(frozen=True)
class Caps:
    """Pairs kept per source (a seeded sample, spread evenly over its sub-parts)."""

    essays: int = 3000  # per pivot (fr, zh)
    tweets: int = 3600
    apertium: int = 4200  # per domain, spread over the pivots
    human: int = 3000  # per human source
    seed: int = 13


def _rows(path: Path) -> Iterator[dict]:
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        for line in fh:
            yield json.loads(line)


def _pair(r: dict, label: int, group: str, domain: str, doc: str, pos: int, sub: str) -> Pair | None:
    ref, cand = normalize(r["reference"]), normalize(r["candidate"])
    if not ref or not cand or ref == cand:
        return None  # a copy is not a translation: scored as "copy", never trained on
    meta = {"group": group, "domain": domain, "doc": doc, "pos": pos, "sub": sub,
            **{k: r[k] for k in ("pivot", "system", "dataset", "doc_id", "seg_id") if r.get(k) is not None}}
    return Pair(r["reference"], r["candidate"], label, meta)


def _int(v: object) -> int:
    try:
        return int(v)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        digits = "".join(c for c in str(v) if c.isdigit())
        return int(digits) if digits else 0


def _cap(pairs: list[Pair], n: int, rng: random.Random) -> list[Pair]:
    """At most n pairs, an equal share from each sub-part (pivot, rewriter), in file order."""
    by_sub: dict[str, list[int]] = defaultdict(list)
    for i, p in enumerate(pairs):
        by_sub[p.meta["sub"]].append(i)
    keep: list[int] = []
    share = max(n // max(len(by_sub), 1), 1)
    for sub in sorted(by_sub):
        idx = by_sub[sub]
        keep += idx if len(idx) <= share else rng.sample(idx, share)
    return [pairs[i] for i in sorted(keep)]


def load_sources(shared: Path, work: Path, caps: Caps = Caps()) -> tuple[list[Pair], list[str]]:
    """All sources that are present; returns (pairs, notes on what was missing)."""
    rng = random.Random(caps.seed)
    groups: dict[str, list[Pair]] = defaultdict(list)
    notes: list[str] = []

    def add(p: Pair | None) -> None:
        if p is not None:
            groups[p.meta["group"]].append(p)

    asap = work / "asap-pairs.jsonl.gz"
    if asap.exists():
        for r in _rows(asap):
            add(_pair(r, 1, f"essays:gt-{r['pivot']}", "essays", f"{r['doc_id']}:{r['pivot']}", _int(r["seg_id"]),
                      r["pivot"]))
    else:
        notes.append(f"{asap} missing: run training/make_asap_pairs.py")
    tweets = shared / "tweets_opusmt_roundtrips.jsonl.gz"
    if tweets.exists():
        for r in _rows(tweets):
            add(_pair(r, 1, "tweets:opus-mt", "tweets", r["pivot"], _int(r.get("doc_id")), r["pivot"]))
    for domain, name in APERTIUM_FILES.items():
        path = work / name
        if not path.exists():
            notes.append(f"{path} missing: run training/make_roundtrips.py --corpus ...")
            continue
        for r in _rows(path):
            add(_pair(r, 1, f"{domain}:apertium", domain, f"{r.get('dataset', domain)}:{r['pivot']}",
                      _int(r.get("seg_id")), r["pivot"]))
    asset = shared / "asset_human_rewrites.jsonl.gz"
    if asset.exists():
        for r in _rows(asset):
            slot = str(r.get("annotator_slot", 0))
            add(_pair(r, 0, "wikipedia:crowd", "wikipedia", f"asset:{slot}", _int(r.get("seg_id")), slot))
    bible = shared / "bible_human_versions.jsonl.gz"
    if bible.exists():
        for r in _rows(bible):
            v = r.get("version") or "?"
            add(_pair(r, 0, f"bible:{v}", "bible", f"{r.get('doc_id')}:{v}", _int(r.get("seg_id")), v))
    wmt = shared / "wmt_mt_vs_human.jsonl.gz"
    if wmt.exists():
        for r in _rows(wmt):
            if r.get("label") == "human":
                add(_pair(r, 0, "news:human", WMT_DOMAIN, f"{r['dataset']}:{r.get('system')}", _int(r.get("seg_id")),
                          f"{r['dataset']}:{r.get('system')}"))
    out: list[Pair] = []
    for name in sorted(groups):
        kind = name.split(":", 1)
        n = (caps.essays if kind[0] == "essays" else caps.tweets if kind[0] == "tweets"
             else caps.apertium if kind[1] == "apertium" else caps.human)
        out += _cap(groups[name], n, rng)
    return out, notes
