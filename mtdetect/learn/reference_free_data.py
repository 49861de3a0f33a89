"""The reference-free training set: standalone English texts, grouped by the original they share.

Each unit is one sentence on its own (no reference), labelled MT (a round trip) or human
(an original, or a human rewrite of one). Every unit carries the *original* it comes from
(`group`): an essay, a tweet, an ASSET sentence, a KJV verse, a WMT reference. Held-out
evaluation splits by group, so no fold trains on one side of a pair it is tested on — nor on
another pivot's round trip of the same original.

Sources (`source` names the engine and pivot; `domain` the kind of text):

* ASAP essays (documents): the student original (human) and its Google Translate round trips
  via French (`asap-fr`) and Chinese (`asap-zh`).
* Tweets: the original (human) and its opus-mt round trips via German, Russian, Icelandic
  (`tweets-de`, `tweets-ru`, `tweets-is`); pseudo-documents of `TWEETS_PER_DOC` consecutive tweets.
* Apertium round trips (`apertium-es`, -ca, -gl, -eo, -fr_es, -fr_ca) of ASSET sentences, KJV
  verses and WMT references (training/make_roundtrips.py), next to those originals (human);
  pseudo-documents of `SENTS_PER_PSEUDO_DOC` consecutive originals.
* Human rewrites of the same originals (ASSET simplifications at a matched length, Bible
  versions), human.

`doc` names the (pseudo-)document a unit belongs to, one class per document, for article-level
evaluation.
"""

from __future__ import annotations

import gzip
import json
import random
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Iterable, Iterator

from mtdetect.text import normalize, split_sentences

TWEETS_PER_DOC = 12
SENTS_PER_PSEUDO_DOC = 12
MIN_WORDS = 4  # what the detector scores: shorter sentences are `short`
ASSET_MIN_LENGTH_RATIO = 0.8  # a rewrite much shorter than its original teaches "short = human"


@dataclass(frozen=True)
class Unit:
    """One standalone sentence with its label and where it comes from."""

    text: str
    label: int  # 1 MT (round trip), 0 human
    source: str  # asap-fr, tweets-ru, apertium-es, asap-original, asset-rewrite, ...
    domain: str  # asap, tweets, asset, bible, wmt
    group: str  # the original it derives from (fold unit)
    doc: str  # (pseudo-)document, one class and one source each
    kind: str  # original | roundtrip | rewrite


def _read(path: Path) -> Iterator[dict]:
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                yield json.loads(line)


def _sentences(text: str) -> list[str]:
    return [s.text for s in split_sentences(text) if len(s.text.split()) >= MIN_WORDS]


def asap_units(path: Path, n_essays: int, rng: random.Random) -> list[Unit]:
    """Essays: the original's sentences (human) and each pivot's round trip's (MT)."""
    by_doc: dict[str, dict] = {}
    for r in _read(path):
        d = by_doc.setdefault(str(r["doc_id"]), {"reference": r["reference"]})
        d[str(r["pivot"])] = r["candidate"]
    ids = sorted(by_doc)
    rng.shuffle(ids)
    out: list[Unit] = []
    for doc_id in sorted(ids[:n_essays]):
        d = by_doc[doc_id]
        g = f"asap:{doc_id}"
        out += [Unit(s, 0, "asap-original", "asap", g, f"{g}:orig", "original") for s in _sentences(d["reference"])]
        for pivot in ("fr", "zh"):
            if pivot in d:
                out += [Unit(s, 1, f"asap-{pivot}", "asap", g, f"{g}:{pivot}", "roundtrip")
                        for s in _sentences(d[pivot])]
    return out


def tweet_units(path: Path, n_tweets: int, rng: random.Random) -> list[Unit]:
    """Tweets (human) and their opus-mt round trips (MT), in pseudo-documents of consecutive tweets."""
    by_tweet: dict[int, dict] = {}
    for r in _read(path):
        t = by_tweet.setdefault(int(str(r["doc_id"]).removeprefix("tweet")), {"reference": r["reference"]})
        t[str(r["pivot"])] = r["candidate"]
    ids = sorted(by_tweet)
    rng.shuffle(ids)
    out: list[Unit] = []
    for k, tid in enumerate(sorted(ids[:n_tweets])):
        block = k // TWEETS_PER_DOC
        t, g = by_tweet[tid], f"tweets:block{block}"  # the pseudo-document's tweets share one fold
        out += [Unit(s, 0, "tweets-original", "tweets", g, f"tweets:orig:{block}", "original")
                for s in _sentences(t["reference"])]
        for pivot in ("de", "ru", "is"):
            if pivot in t:
                out += [Unit(s, 1, f"tweets-{pivot}", "tweets", g, f"tweets:{pivot}:{block}", "roundtrip")
                        for s in _sentences(t[pivot])]
    return out


def _original_key(r: dict) -> str:
    return f"{r.get('dataset')}:{r.get('seg_id')}:{normalize(r['reference'])[:80]}"


def apertium_units(paths: Iterable[Path], domains: dict[str, str], n_originals: int,
                   rng: random.Random) -> tuple[list[Unit], dict[str, str]]:
    """Apertium round trips (MT) of ASSET / KJV / WMT originals, and those originals (human).

    Also returns each original's group (its pseudo-document), for the rewrites of it."""
    out: list[Unit] = []
    group_of: dict[str, str] = {}
    for path in paths:
        domain = domains[path.name]
        by_orig: dict[str, dict] = {}
        for r in _read(path):
            if r.get("label") != "mt":
                continue
            o = by_orig.setdefault(_original_key(r), {"reference": r["reference"]})
            o[str(r["pivot"])] = r["candidate"]
        keys = sorted(by_orig)
        rng.shuffle(keys)
        for k, key in enumerate(sorted(keys[:n_originals])):
            block = k // SENTS_PER_PSEUDO_DOC
            o, g = by_orig[key], f"{domain}:block{block}"
            group_of[f"{domain}:{key}"] = g
            out += [Unit(s, 0, f"{domain}-original", domain, g, f"{domain}:orig:{block}", "original")
                    for s in _sentences(o["reference"])]
            for pivot in sorted(p for p in o if p != "reference"):
                out += [Unit(s, 1, f"apertium-{pivot}", domain, g, f"{domain}:{pivot}:{block}", "roundtrip")
                        for s in _sentences(o[pivot])]
    return out, group_of


def rewrite_units(asset: Path | None, bible: Path | None, group_of: dict[str, str]) -> list[Unit]:
    """Human rewrites of originals already in the set (same group), at matched length for ASSET."""
    out: list[Unit] = []
    for path, domain in ((asset, "asset"), (bible, "bible")):
        if path is None or not path.exists():
            continue
        for k, r in enumerate(_read(path)):
            g = group_of.get(f"{domain}:{_original_key(r)}")
            if g is None or r.get("identical"):
                continue
            ref, cand = normalize(r["reference"]), normalize(r["candidate"])
            if domain == "asset" and len(cand) < ASSET_MIN_LENGTH_RATIO * len(ref):
                continue
            who = str(r.get("version") or r.get("annotator_slot") or "")
            out += [Unit(s, 0, f"{domain}-rewrite", domain, g, f"{domain}:rewrite:{who}:{k // SENTS_PER_PSEUDO_DOC}",
                         "rewrite") for s in _sentences(cand)]
    return out


def wmt_units(path: Path, group_of: dict[str, str], rng: random.Random, per_original: int = 2) -> list[Unit]:
    """WMT news: neural MT systems' English (MT, `wmt-mt`) and independent human translations
    (human, `wmt-human`) of the foreign sources behind the WMT originals already in the set
    (same group). Not round trips: MT English of news, next to human English of the same content."""
    mt: dict[str, list[dict]] = {}
    human: list[tuple[str, dict]] = []
    for r in _read(path):
        g = group_of.get(f"wmt:{_original_key(r)}")
        if g is None or r.get("identical"):
            continue
        if r.get("label") == "mt":
            mt.setdefault(g + "|" + _original_key(r), []).append(r)
        else:
            human.append((g, r))
    out: list[Unit] = []
    for key in sorted(mt):
        g = key.split("|")[0]
        for r in rng.sample(mt[key], min(per_original, len(mt[key]))):
            out += [Unit(s, 1, "wmt-mt", "wmt", g, f"{g}:mt", "translation") for s in _sentences(r["candidate"])]
    for g, r in human:
        out += [Unit(s, 0, "wmt-human", "wmt", g, f"{g}:human", "rewrite") for s in _sentences(r["candidate"])]
    return out


def write_units(units: list[Unit], path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with gzip.open(path, "wt", encoding="utf-8") as fh:
        for u in units:
            fh.write(json.dumps(asdict(u), ensure_ascii=False) + "\n")


def read_units(path: Path) -> list[Unit]:
    return [Unit(**r) for r in _read(path)]
