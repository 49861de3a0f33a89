"""Property tests (hypothesis): segmentation, alignment and features hold their invariants on
arbitrary input. Example counts are modest so the file runs in well under 30 s."""

from __future__ import annotations

import math
import re

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mtdetect.align import align
from mtdetect.features import pair_features
from mtdetect.text import decode_bytes, iter_sentences, normalize, split_sentences, tokenize
from test_align import bag_encoder

FAST = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
_WS = re.compile(r"\s")

# News-like text: words, abbreviations, quotes and every kind of line break and space.
_PIECES = [
    "The", "the", "Mr.", "U.S.", "a.m.", "No.", "Xi", "said", "3.5", "20,000", "four-day", "Inc.",
    ".", "!", "?", "...", "\u2026", '"', "\u201c", "\u201d", "'", "(", ")", "-", "\u2014", ",",
    " ", "  ", "\t", "\n", "\r\n", "\r", "\u2028", "\x85", "\u00a0", "\u200b", "e\u0301", "\u00ad",
]  # fmt: skip
news_like = st.lists(st.sampled_from(_PIECES), max_size=60).map("".join)
any_text = st.text(max_size=300) | news_like


# --------------------------------------------------------------------------- segmentation


@FAST
@given(any_text)
def test_segmentation_never_crashes_and_loses_nothing(text: str) -> None:
    sentences = split_sentences(text)
    joined = "".join(s.text for s in sentences)
    # Same characters in the same order; only spaces and line breaks between sentences differ.
    assert _WS.sub("", joined) == _WS.sub("", normalize(text))
    assert [s.index for s in sentences] == list(range(len(sentences)))
    assert all(s.text and s.text == s.text.strip() and "\n" not in s.text for s in sentences)
    paragraphs = [s.paragraph for s in sentences]
    assert paragraphs == sorted(paragraphs)
    for s in sentences:  # every sentence is tokenised into its own non-space characters
        assert "".join(tokenize(s.text)) == s.text.replace(" ", "")


@FAST
@given(any_text)
def test_lazy_segmentation_equals_eager(text: str) -> None:
    assert list(iter_sentences(text)) == split_sentences(text)


@FAST
@given(st.binary(max_size=200))
def test_decode_bytes_either_decodes_or_raises_input_error(data: bytes) -> None:
    from mtdetect.text import InputError

    try:
        text = decode_bytes(data, "x")
    except InputError as exc:
        assert str(exc).startswith("x: ") and "\n" not in str(exc)
    else:
        assert "\r" not in text and "\x00" not in text


@FAST
@given(st.text(max_size=200))
def test_utf8_text_round_trips_through_decode(text: str) -> None:
    from mtdetect.text import InputError

    for data, expected in ((text.encode("utf-8"), text.removeprefix("\ufeff")),  # a leading U+FEFF in
                           (text.encode("utf-16"), text), (text.encode("utf-32"), text)):  # UTF-8 is its BOM
        try:
            decoded = decode_bytes(data, "x")
        except InputError:
            continue  # control characters: refused as binary, never garbled
        assert decoded == expected.replace("\r\n", "\n").replace("\r", "\n")


# --------------------------------------------------------------------------- alignment

_VOCAB = ["alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta", "theta", "iota", "kappa"]
sentence = st.lists(st.sampled_from(_VOCAB), min_size=1, max_size=6).map(" ".join)


@settings(max_examples=100, deadline=None)
@given(st.lists(sentence, max_size=12), st.lists(sentence, max_size=12))
def test_alignment_covers_each_suspect_sentence_once_in_order(suspect: list[str], reference: list[str]) -> None:
    links = align(suspect, reference, bag_encoder)
    covered = [i for link in links for i in link.suspect]
    assert covered == list(range(len(suspect)))  # increasing, each exactly once
    refs = [j for link in links for j in link.reference]
    assert refs == sorted(refs) and len(refs) == len(set(refs))  # monotone, no reference used twice
    assert all(0 <= j < len(reference) for j in refs)
    for link in links:
        assert link.kind in {"1:1", "1:2", "2:1", "unmatched"}
        assert list(link.suspect) == list(range(link.suspect[0], link.suspect[0] + len(link.suspect)))
        assert math.isfinite(link.similarity)


@settings(max_examples=50, deadline=None)
@given(st.lists(sentence, min_size=1, max_size=10))
def test_alignment_of_identical_articles_is_the_identity(sents: list[str]) -> None:
    links = align(sents, sents, bag_encoder)
    assert all(len(link.suspect) == 1 for link in links) or len(set(sents)) < len(sents)
    if len(set(sents)) == len(sents):
        assert [(link.suspect, link.reference) for link in links] == [((i,), (i,)) for i in range(len(sents))]


# --------------------------------------------------------------------------- features


@FAST
@given(any_text, any_text, st.floats(min_value=-1.0, max_value=1.0))
def test_features_are_finite_and_deterministic(ref: str, cand: str, cos: float) -> None:
    first = pair_features(ref, cand, cos)
    assert all(isinstance(v, float) and math.isfinite(v) for v in first.values.values()), first.values
    again = pair_features(ref, cand, cos)
    assert again.values == first.values and again.evidence == first.evidence
