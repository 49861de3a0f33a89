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
| news:human-rt | human | professional round trips of English news (en -> de -> en by two translators): translation effects without MT |
| essays:crowd | human | JFLEG crowd fluency rewrites of learner essay sentences (the essay-domain counterpart of the GT round trips) |
| tweets:people | human | Twitter URL: another person's tweet on the same news link (detokenised on both sides, `detokenize`) |
| articles:teachers | human | OneStopEnglish teachers' rewrites of whole Guardian articles, aligned as articles (training/make_documents.py) |
| articles:apertium | mt | Apertium round trips (es, ca, fr via es) of the same OneStopEnglish originals, as whole documents |

WMT *system output* is not used: MT from a foreign source next to an independent human
translation is not a round trip of the reference. Each source is capped by a seeded sample
(`Caps`), drawn evenly over its producers' sub-parts (pivots, rewriters); the real-document
sources (`articles:*`) are capped by whole documents, so that every kept document is whole.
"""

from __future__ import annotations

import gzip
import json
import random
import re
import zlib
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

from mtdetect.inputs.pairs import Pair
from mtdetect.text import normalize

# Twitter URL text is tokenised ("Arana , 4-year-old", "books ."), the opus-mt tweets are not: undo it
_SPACE_BEFORE = re.compile(r" +([,.!?;:%)\]}]|'s\b|'re\b|'ve\b|'ll\b|'d\b|'m\b|n't\b)")
_SPACE_AFTER = re.compile(r"([(\[{$]) +")


_SPACED_QUOTE = re.compile(r'" ([^"]*?) "')
_HANDLE = re.compile(r"(?:(?<=\s)|^)@\w+:?\s*|https?://\S+")


def detokenize(text: str) -> str:
    """Undo PTB-style tokenisation ("do n't" -> "don't", "books ." -> "books.")."""
    text = _SPACE_AFTER.sub(r"\1", _SPACE_BEFORE.sub(r"\1", text.replace(" n't", "n't")))
    return _SPACED_QUOTE.sub(r'"\1"', text)


def mask_tweet(text: str) -> str:
    """Twitter URL's candidates carry more @handles and #tags than their references (README cue):
    handles and links are dropped and '#' is removed from tags, on both sides."""
    return re.sub(r" {2,}", " ", _HANDLE.sub("", text).replace("#", "")).strip()

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
    documents: int = 120  # per real-document source (articles:*): whole documents
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
        for r in _rows(tweets):  # the same masking as the human tweets (mask_tweet), so no side keeps a cue
            r = {**r, "reference": mask_tweet(r["reference"]), "candidate": mask_tweet(r["candidate"])}
            add(_pair(r, 1, "tweets:opus-mt", "tweets", r["pivot"], _int(r.get("doc_id")), r["pivot"]))
    for domain, name in APERTIUM_FILES.items():
        path = work / name
        if not path.exists():
            notes.append(f"{path} missing: run training/make_roundtrips.py --corpus ...")
            continue
        for r in _rows(path):
            add(_pair(r, 1, f"{domain}:apertium", domain, f"{r.get('dataset', domain)}:{r['pivot']}",
                      _int(r.get("seg_id")), r["pivot"]))
    _crowd_rewrites(shared / "asset_human_rewrites.jsonl.gz", "wikipedia", "asset", add)
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
    _new_human_sources(shared, add)
    onestop = work / "onestop-pairs.jsonl.gz"
    if onestop.exists():
        for r in _rows(onestop):
            add(_pair(r, 1 if r["label"] == "mt" else 0, r["group"], "articles", r["doc_id"], _int(r["seg_id"]),
                      r["sub"]))
    else:
        notes.append(f"{onestop} missing: run training/make_documents.py")
    out: list[Pair] = []
    for name in sorted(groups):
        kind = name.split(":", 1)
        if kind[0] == "articles":
            out += _cap_documents(groups[name], caps.documents, rng)
            continue
        n = (caps.essays if kind[0] == "essays" else caps.tweets if kind[0] == "tweets"
             else caps.apertium if kind[1] == "apertium" else caps.human)
        out += _cap(groups[name], n, rng)
    return out, notes


def _cap_documents(pairs: list[Pair], n: int, rng: random.Random) -> list[Pair]:
    """At most n whole documents (a seeded sample), in file order."""
    docs = sorted({p.meta["doc"] for p in pairs})
    keep = set(docs if len(docs) <= n else rng.sample(docs, n))
    return [p for p in pairs if p.meta["doc"] in keep]


def _crowd_rewrites(path: Path, domain: str, dataset: str, add) -> None:  # type: ignore[no-untyped-def]
    """Crowd rewrites (ASSET, JFLEG) as `domain:crowd`, one pseudo-document group per rewriter slot."""
    if path.exists():
        for r in _rows(path):
            slot = str(r.get("annotator_slot", 0))
            add(_pair(r, 0, f"{domain}:crowd", domain, f"{dataset}:{slot}", _int(r.get("seg_id")), slot))


def _new_human_sources(shared: Path, add) -> None:  # type: ignore[no-untyped-def]
    """JFLEG (essays:crowd), Twitter URL (tweets:people, detokenised), human round trips of news
    (news:human-rt). Pseudo-documents: consecutive pairs of one rewriter slot / file."""
    _crowd_rewrites(shared / "jfleg_human_rewrites.jsonl.gz", "essays", "jfleg", add)
    twitter = shared / "twitter_url_human.jsonl.gz"
    if twitter.exists():
        for i, r in enumerate(_rows(twitter)):
            r = {**r, "reference": mask_tweet(detokenize(r["reference"])),
                 "candidate": mask_tweet(detokenize(r["candidate"]))}
            add(_pair(r, 0, "tweets:people", "tweets", "twitter-url", i, "people"))
    hrt = shared / "human_roundtrips_news.jsonl.gz"
    if hrt.exists():
        for r in _rows(hrt):
            add(_pair(r, 0, "news:human-rt", WMT_DOMAIN, str(r.get("doc_id")), _int(r.get("seg_id")),
                      str(r.get("pivot"))))


def load_structures(work: Path) -> dict[tuple[str, str], dict]:
    """(group, doc) -> the shape and verbatim share of each real document
    (training/make_documents.py; features/article.document_structure). {} when absent."""
    from mtdetect.features.article import document_structure

    path = work / "documents.jsonl.gz"
    if not path.exists():
        return {}
    return {(r["group"], r["doc"]): document_structure(r["suspect"], r["reference"], [(s, t) for s, t, _ in r["links"]])
            for r in _rows(path)}


def held_out(key: str) -> bool:
    """The measuring half of the document sets: an ASAP essay (key: its reference text) or OneStopEnglish
    topic (key: its doc_id) with an odd CRC32. The static embedding's tuning and thresholds and the
    relatedness rule's fit use only the even half; bench/embedders.py and the held-out rates measure on this."""
    return bool(zlib.crc32(key.encode("utf-8")) % 2)
