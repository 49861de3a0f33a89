"""Fuzz the text pipeline: bytes -> decode -> (HTML) -> normalize -> sentences -> tokens -> features.

    python benchmarks/fuzz_text.py [-n 10000] [--seed 0]

No extra dependencies: inputs come from a seeded `random.Random` mixing random Unicode,
news-like fragments, punctuation storms, long tokens, HTML snippets and corrupted bytes.
Every input must either be refused with an InputError or pass through every stage with
its invariants intact; any other exception, a broken invariant or an input slower than
SLOW_SECONDS of CPU time is a failure. Embeddings are skipped (features get a cosine of 0.5).
"""

from __future__ import annotations

import argparse
import math
import random
import re
import sys
import time
from pathlib import Path
from typing import Callable

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from mtdetect.features import pair_features  # noqa: E402
from mtdetect.inputs.guard import html_to_text, looks_like_html  # noqa: E402
from mtdetect.text import InputError, decode_bytes, iter_sentences, normalize, split_sentences, tokenize  # noqa: E402

SLOW_SECONDS = 2.0
MAX_FEATURE_PAIRS = 3  # feature pairs per input (features cost more than segmentation)
# The token diff behind the features (difflib, autojunk off) is quadratic in sentence length:
# a 4,000-token sentence takes seconds. Segmentation and tokens are fuzzed at any length;
# features only on sentences up to this many tokens (skips are counted in the report).
MAX_FEATURE_TOKENS = 400
_WS = re.compile(r"\s")

_NEWS = [
    "MOSCOW (Reuters) - Chinese President Xi Jinping is due to start a four-day visit to Russia on Wednesday.",
    "Mr. Putin said the U.S. and the E.U. had agreed, at 10 a.m. on Jan. 5, to talks in No. 10 Downing St.",
    '"We will not accept this," she said. "Never!" Growth was 3.5% in Q2, up from 2.1%.',
    "Despite U.S. President Donald J. Trump's efforts, ties frayed... Then came 2022.",
    "Acme Inc. bought Smith Co. Ltd. for $20,000,000 - a four -day deal, e.g. a record.",
    "(Reporting by Reuters; Writing by Andrew Osborn; Editing by Tomasz Janowski)",
    "“Yes,” he said — ‘maybe’ … or not? « Oui », ja, sí.",
    "Café naïve coöperate résumé Zürich São Paulo Łódź Ærø İstanbul",
]
_PUNCT = list(".!?…,;:-–—―'\"“”‘’«»()[]{}/\\|*&^%$#@~`") + [" ", "  ", "\n", "\r\n", "\t", "\u00a0", "\u200b"]
_SPACES = [" ", "\t", "\n", "\r", "\r\n", "\v", "\f", "\x85", "\u00a0", "\u2028", "\u2029", "\u3000", "\u200b", "\ufeff"]
_HTML = ["<p>", "</p>", "<br>", "<div class='x'>", "</div>", "<script>", "</script>", "<!-- c -->",
         "&amp;", "&lt;", "&#x27;", "&nbsp;", "&bogus;", "<html>", "<head>", "<body>", "<", ">", "</"]


def _random_unicode(rng: random.Random) -> str:
    """Code points from every plane, weighted towards the BMP; surrogates included (they occur in str)."""
    n = rng.randint(0, 200)
    out = []
    for _ in range(n):
        plane = rng.random()
        if plane < 0.5:
            out.append(chr(rng.randint(0x20, 0x7E)))
        elif plane < 0.9:
            out.append(chr(rng.randint(0x80, 0xFFFF)))
        else:
            out.append(chr(rng.randint(0x10000, 0x10FFFF)))
    return "".join(out)


def _news_like(rng: random.Random) -> str:
    words = " ".join(rng.choice(_NEWS) for _ in range(rng.randint(1, 6))).split(" ")
    for _ in range(rng.randint(0, 5)):  # small mutations: drop, duplicate, case, inject punctuation
        k = rng.randrange(len(words))
        op = rng.random()
        if op < 0.25:
            words.pop(k)
        elif op < 0.5:
            words.insert(k, words[k])
        elif op < 0.75:
            words[k] = words[k].upper()
        else:
            words[k] += rng.choice(_PUNCT)
        if not words:
            words = [""]
    sep = [rng.choice(_SPACES) if rng.random() < 0.05 else " " for _ in words]
    return "".join(w + s for w, s in zip(words, sep))


def _punctuation_storm(rng: random.Random) -> str:
    run = rng.choice(["." * rng.randint(1, 5000), " " * rng.randint(1, 5000), '"' * rng.randint(1, 3000),
                      "-" * rng.randint(1, 3000), "9" * rng.randint(1, 3000), "1," * rng.randint(1, 2000),
                      ". " * rng.randint(1, 2000), "A. " * rng.randint(1, 1000), "U.S." * rng.randint(1, 500)])
    noise = "".join(rng.choice(_PUNCT) for _ in range(rng.randint(0, 300)))
    return rng.choice([run + noise, noise + run, "Start. " + run + " The end.", noise])


def _long_token(rng: random.Random) -> str:
    unit = rng.choice(["a", "ab", "1", "a-", "a'", "a.", "é", "\u0301", "x\u200b", "中"])
    return rng.choice(["", "He said ", "The "]) + unit * rng.randint(100, 5000) + rng.choice(["", ".", " Then it ended."])


def _html_like(rng: random.Random) -> str:
    parts = [rng.choice(_HTML + _NEWS) for _ in range(rng.randint(1, 40))]
    return rng.choice(["<!DOCTYPE html>", ""]) + "".join(parts)


def _to_bytes(text: str, rng: random.Random) -> bytes:
    """Encode as real files are (UTF-8 with/without BOM, UTF-16/32, Latin-1), sometimes corrupted."""
    enc = rng.choice(["utf-8", "utf-8", "utf-8", "utf-8-sig", "utf-16", "utf-32", "latin-1"])
    data = text.encode(enc, errors="replace" if enc == "latin-1" else "surrogatepass")
    if data and rng.random() < 0.2:
        buf = bytearray(data)
        for _ in range(rng.randint(1, 8)):
            buf[rng.randrange(len(buf))] = rng.randrange(256)
        if rng.random() < 0.3:
            del buf[rng.randrange(len(buf)) :]  # truncated
        data = bytes(buf)
    return data


GENERATORS: dict[str, Callable[[random.Random], str]] = {
    "unicode": _random_unicode,
    "news": _news_like,
    "storm": _punctuation_storm,
    "long": _long_token,
    "html": _html_like,
}


def _check(data: bytes, rng: random.Random, stats: dict[str, int]) -> bool:
    """Run one input through the pipeline, asserting invariants; False if refused (InputError)."""
    try:
        text = decode_bytes(data, "fuzz")
    except InputError as exc:
        assert "\n" not in str(exc) and str(exc).startswith("fuzz: "), str(exc)
        return False
    assert "\r" not in text
    if looks_like_html(text):
        text = html_to_text(text)
    norm = normalize(text)
    assert normalize(norm) == norm, "normalize is not idempotent"
    sentences = split_sentences(text)
    assert list(iter_sentences(text)) == sentences, "iter_sentences differs from split_sentences"
    assert _WS.sub("", "".join(s.text for s in sentences)) == _WS.sub("", norm), "characters lost or reordered"
    assert [s.index for s in sentences] == list(range(len(sentences)))
    n_tokens = {}
    for s in sentences:
        assert s.text and s.text == s.text.strip() and "\n" not in s.text
        tokens = tokenize(s.text)
        assert "".join(tokens) == s.text.replace(" ", ""), "tokens lose characters"
        n_tokens[s.text] = len(tokens)
    texts = [s.text for s in sentences]
    pairs = list(zip(texts, texts[1:]))[:MAX_FEATURE_PAIRS]
    if texts:  # a sentence against a slightly edited copy of itself: the round-trip shape
        words = texts[0].split(" ")
        words[rng.randrange(len(words))] = rng.choice(["conflict", "Mr.", "XI", ""])
        pairs.append((texts[0], " ".join(words)))
    for ref, cand in pairs:
        if max(n_tokens[ref], n_tokens.get(cand, len(tokenize(cand)))) > MAX_FEATURE_TOKENS:
            stats["feature_pairs_skipped"] += 1
            continue
        stats["feature_pairs"] += 1
        values = pair_features(ref, cand, 0.5).values
        bad = {k: v for k, v in values.items() if not (isinstance(v, float) and math.isfinite(v))}
        assert not bad, f"non-finite features {bad}"
    return True


def fuzz(n: int = 10_000, seed: int = 0) -> dict:
    """Run `n` generated inputs; returns counts, timings and up to 20 failures (never raises)."""
    rng = random.Random(seed)
    names = list(GENERATORS)
    failures: list[dict] = []
    refused = 0
    by_kind = dict.fromkeys(names, 0)
    slowest = (0.0, -1, "")
    stats = {"feature_pairs": 0, "feature_pairs_skipped": 0}
    start = time.perf_counter()
    for i in range(n):
        kind = names[i % len(names)]
        text = GENERATORS[kind](rng)
        data = _to_bytes(text, rng)
        t0 = time.process_time()  # CPU time: other jobs on the machine must not make an input "slow"
        try:
            refused += not _check(data, rng, stats)
        except Exception as exc:  # noqa: BLE001 - every other exception is a finding
            if len(failures) < 20:
                failures.append({"index": i, "kind": kind, "error": f"{type(exc).__name__}: {exc}"[:300],
                                 "input": repr(data[:200])})
        elapsed = time.process_time() - t0
        by_kind[kind] += 1
        if elapsed > slowest[0]:
            slowest = (elapsed, i, kind)
        if elapsed > SLOW_SECONDS and len(failures) < 20:
            failures.append({"index": i, "kind": kind, "error": f"slow: {elapsed:.2f}s", "input": repr(data[:200])})
    seconds = time.perf_counter() - start
    return {
        "count": n, "seed": seed, "seconds": round(seconds, 2), "per_second": round(n / seconds, 1) if seconds else None,
        "refused": refused, "by_kind": by_kind, **stats, "slowest_seconds": round(slowest[0], 3),
        "slowest_index": slowest[1], "slowest_kind": slowest[2], "failures": failures,
    }  # fmt: skip


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-n", type=int, default=10_000, help="number of inputs (default 10000)")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    report = fuzz(args.n, args.seed)
    print(f"inputs: {report['count']}  refused (InputError): {report['refused']}  "
          f"time: {report['seconds']} s  ({report['per_second']} inputs/s)")
    print(f"feature pairs: {report['feature_pairs']}  skipped (over {MAX_FEATURE_TOKENS} tokens): "
          f"{report['feature_pairs_skipped']}")
    print(f"slowest: {report['slowest_seconds']} s (input {report['slowest_index']}, {report['slowest_kind']})")
    print(f"failures: {len(report['failures'])}")
    for f in report["failures"]:
        print(f"  #{f['index']} [{f['kind']}] {f['error']}\n      {f['input']}")
    return 1 if report["failures"] else 0


if __name__ == "__main__":
    sys.exit(main())
