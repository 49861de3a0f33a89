"""Reference-free feature families beyond `solo`, and the cue mask applied before all of them.

`mask_cues` removes what gives a training source away without saying anything about MT
(../shared/data/README.md): misspellings (a round trip silently corrects them, so any
feature that sees a misspelt word learns "misspelt = human"), anonymisation placeholders
(`@CAPS1`), French spaces before `!`/`?`, hashtags/mentions/URLs, Bible brackets and
backtick quotes. Every reference-free feature reads the masked sentence only, at training
and at scoring time alike.

Families (each a function sentence -> vector, names fixed):

* fluency    — the sentence against real English counts, in-vocabulary words only: Google
               web bigram counts (wordsegment) of adjacent pairs, PMI of the seen ones, the
               pairs that independence says should be common but are unseen, word Zipf
               frequencies (wordfreq).
* funcpunct  — function-word profile (share of each of ~150 function words) and punctuation
               profile (share of each mark), per token.
* chargram   — hashed lowercase character 1-4-grams within word boundaries, sublinear tf,
               L2-normalised (a sparse row; `HASH_DIM` buckets, crc32 so it is stable).
"""

from __future__ import annotations

import math
import re
import zlib
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from itertools import chain

import numpy as np

from mtdetect.text import normalize, tokenize
from mtdetect.features.lexicon import STOPWORDS, WEB_TOKENS, bigram_count, bigram_floor, unigram_count, zipf

PROFILE_VERSION = "1"
HASH_DIM = 1 << 15
NGRAM_RANGE = (1, 4)

_PLACEHOLDER = re.compile(r"@[A-Z]+[0-9]*\b")
_URL = re.compile(r"https?://\S+|www\.\S+")
_MENTION = re.compile(r"(?<!\w)@\w+")
_HASHTAG = re.compile(r"(?<!\w)#(\w)")
_FRENCH_SPACE = re.compile(r"\s+([!?;:])")
_BRACKETS = re.compile(r"[\[\]]")
_SPACES = re.compile(r"[ \t]{2,}")
_WORD = re.compile(r"[^\W\d_]+(?:'[^\W\d_]+)?")
_SPACE_PUNCT = re.compile(r"\s+([,.!?;:])")
# Misspellings English counts know as words: contractions without their apostrophe (not those
# that spell another word: its, ill, were, id, lets) and a
# lowercase "I" (students write them; a round trip corrects them). Restored before features.
_CONTRACTIONS = {w.replace("'", ""): w for w in (
    "don't doesn't didn't can't couldn't won't wouldn't shouldn't isn't aren't wasn't weren't haven't "
    "hasn't hadn't i'm i've you're you've they're they've we've that's there's what's").split()} | {"i": "I", "dont": "don't", "im": "I'm", "ive": "I've"}
_CONTRACTION = re.compile(r"\b(" + "|".join(sorted(_CONTRACTIONS, key=len, reverse=True)) + r")\b", re.IGNORECASE)


def _restore(match: re.Match) -> str:
    w = match.group(0)
    fixed = _CONTRACTIONS[w.lower()]
    return fixed[:1].upper() + fixed[1:] if w[:1].isupper() or fixed.startswith("I") else fixed


MIN_LOWER_ZIPF = 3.0  # web counts know common misspellings ("thier" 2.99, "untill" 2.97, "buisness" 2.41)


@dataclass(frozen=True)
class MaskConfig:
    """How mask_cues masks a sentence. The defaults are what the shipped model reads; the
    other settings exist for training-time comparisons (build_reffree.py loso)."""

    misspellings: bool = True  # drop unknown ASCII words; False keeps them (the ablation)
    min_lower_zipf: float = MIN_LOWER_ZIPF  # a lowercase word rarer than this counts as unknown


@lru_cache(maxsize=300_000)
def in_vocabulary(word: str, min_lower_zipf: float = MIN_LOWER_ZIPF) -> bool:
    """A word English usage counts know: any Zipf frequency for a capitalised word (names),
    at least `min_lower_zipf` for a lowercase one. Rare real words go with the misspellings,
    on both sides alike."""
    z = zipf(word.lower())
    return z > 0.0 if word[:1].isupper() else z >= min_lower_zipf


def _drop_oov(match: re.Match, min_lower_zipf: float = MIN_LOWER_ZIPF) -> str:
    w = match.group(0)
    if not w.isascii():
        return w  # "stoké": a round trip's trace, not a student's misspelling
    known = in_vocabulary(w, min_lower_zipf) or in_vocabulary(w.split("'")[0], min_lower_zipf)
    return w if known else ""


def mask_cues(text: str, config: MaskConfig = MaskConfig()) -> str:
    """The sentence with the source-revealing cues removed (see module doc).

    ASCII words English counts do not know are dropped (misspellings: "troble", "buisness"),
    contractions without an apostrophe get it back ("dont" -> "don't") and "i" becomes "I";
    accented non-English words ("stoké") are kept — they are a round trip's trace, not a
    student's. `config.misspellings=False` keeps them (for the ablation only).
    """
    misspellings = config.misspellings
    t = normalize(text).replace("`", "'")
    t = _URL.sub(" ", t)
    t = _PLACEHOLDER.sub(" ", t)
    t = _MENTION.sub(" ", t)
    t = _HASHTAG.sub(r"\1", t)
    t = _BRACKETS.sub("", t)
    t = _FRENCH_SPACE.sub(r"\1", t)
    if misspellings:
        t = _CONTRACTION.sub(_restore, t)
        t = _WORD.sub(lambda m: _drop_oov(m, config.min_lower_zipf), t)
    t = _SPACE_PUNCT.sub(r"\1", t) if misspellings else t  # "the , cat" left by a dropped word
    return _SPACES.sub(" ", t).strip()


FLUENCY_NAMES = [
    "fl_pair_seen_share", "fl_pair_logc_mean", "fl_pair_logc_min", "fl_pair_logc_q25", "fl_pmi_mean",
    "fl_pmi_min", "fl_unexpected_share", "fl_content_seen_share", "fl_zipf_mean", "fl_zipf_min",
    "fl_zipf_q25", "fl_rare_share", "fl_word_len_mean", "fl_log_words",
]


def fluency(masked: str) -> np.ndarray:
    """Real-English-count profile of the (masked, in-vocabulary) words."""
    words = [w.lower() for w in tokenize(masked) if w.isalpha()]
    floor, total = bigram_floor(), WEB_TOKENS
    logc, pmi, content_seen, n_content, unexpected = [], [], 0, 0, 0
    for a, b in zip(words, words[1:]):
        c = bigram_count(f"{a} {b}")
        content = not (a in STOPWORDS and b in STOPWORDS)
        n_content += content
        logc.append(math.log10(1.0 + c))
        ua, ub = unigram_count(a), unigram_count(b)
        if c and ua and ub:
            pmi.append(math.log10(c * total / (ua * ub)))
            content_seen += content
        elif content and ua * ub / total >= 4.0 * floor:  # independence predicts it well above the file's floor
            unexpected += 1
    z = [zipf(w) for w in words if w not in STOPWORDS] or [0.0]
    n_pairs = max(len(words) - 1, 1)
    q = np.quantile(logc, 0.25) if logc else 0.0
    return np.array([
        sum(c > 0 for c in logc) / n_pairs,
        float(np.mean(logc)) if logc else 0.0, min(logc) if logc else 0.0, float(q),
        float(np.mean(pmi)) if pmi else 0.0, min(pmi) if pmi else 0.0,
        unexpected / max(n_content, 1), content_seen / max(n_content, 1),
        float(np.mean(z)), float(min(z)), float(np.quantile(z, 0.25)), float(np.mean([v < 3.0 for v in z])),
        float(np.mean([len(w) for w in words])) if words else 0.0, math.log1p(len(words)),
    ])


FUNCTION_WORDS = sorted(STOPWORDS)
PUNCT = list(",.;:!?\"'()-/&%$")
FUNCPUNCT_NAMES = [f"fw_{w}" for w in FUNCTION_WORDS] + [f"pu_{p}" for p in PUNCT] + ["fw_share", "pu_share"]
_FW_INDEX = {w: i for i, w in enumerate(FUNCTION_WORDS)}
_PU_INDEX = {p: i for i, p in enumerate(PUNCT)}


def funcpunct(masked: str) -> np.ndarray:
    """Share of each function word and punctuation mark among the tokens."""
    toks = tokenize(masked)
    n = max(len(toks), 1)
    fw = np.zeros(len(FUNCTION_WORDS))
    pu = np.zeros(len(PUNCT))
    for t in toks:
        low = t.lower()
        if low in _FW_INDEX:
            fw[_FW_INDEX[low]] += 1
        elif t in _PU_INDEX:
            pu[_PU_INDEX[t]] += 1
    return np.concatenate([fw / n, pu / n, [fw.sum() / n, pu.sum() / n]])


@lru_cache(maxsize=200_000)
def _word_buckets(word: str) -> tuple[int, ...]:
    """The hash buckets of one word's character n-grams, in the order chargram_indices counts them
    (cached: a word's n-grams were most of the reference-free features' time)."""
    w = f" {word} "
    lo, hi = NGRAM_RANGE
    return tuple(zlib.crc32(w[i:i + n].encode("utf-8")) % HASH_DIM
                 for n in range(lo, hi + 1) for i in range(len(w) - n + 1))


def chargram_indices(masked: str) -> tuple[np.ndarray, np.ndarray]:
    """(bucket indices, values) of the hashed character n-gram vector: sublinear tf, L2 norm 1."""
    # counted in order of first occurrence (the CSR row's order, which chargram_dot's sum follows)
    counts = Counter(chain.from_iterable(map(_word_buckets, masked.lower().split())))
    if not counts:
        return np.zeros(0, dtype=np.int64), np.zeros(0)
    idx = np.fromiter(counts, dtype=np.int64, count=len(counts))
    val = 1.0 + np.log(np.fromiter(counts.values(), dtype=np.float64, count=len(counts)))
    return idx, val / np.linalg.norm(val)


def chargram_dot(rows: list[tuple[np.ndarray, np.ndarray]], weights: np.ndarray) -> np.ndarray:
    """Each chargram row (chargram_indices) times `weights`: the same numbers as
    `chargram_matrix(...) @ weights` without scipy. The products are summed one after the other
    in the row's own order, as scipy's CSR product does (np.cumsum is such a running sum; np.sum
    and np.dot may reorder), so the result is bit-identical."""
    out = np.zeros(len(rows))
    for k, (idx, val) in enumerate(rows):
        if len(idx):
            out[k] = np.cumsum(val * weights[idx])[-1]
    return out


def chargram_matrix(masked: list[str]):
    """Sparse (n, HASH_DIM) CSR matrix of chargram rows."""
    from scipy.sparse import csr_matrix

    indptr, indices, data = [0], [], []
    for s in masked:
        i, v = chargram_indices(s)
        indices.append(i)
        data.append(v)
        indptr.append(indptr[-1] + len(i))
    return csr_matrix((np.concatenate(data) if data else np.zeros(0),
                       np.concatenate(indices) if indices else np.zeros(0, dtype=np.int64), indptr),
                      shape=(len(masked), HASH_DIM))
