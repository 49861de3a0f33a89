"""The shared view of one aligned (reference, candidate) pair that every feature group reads."""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from functools import cached_property

from mtdetect.text import normalize, tokenize


MAX_TOKENS = 300


@dataclass(frozen=True)
class Evidence:
    """Something a person can check: the suspect's wording and what it replaced."""

    kind: str  # "substitution", "literal", "honorific", "casing", "spacing", "foreign", "shift"
    text: str  # the suspect's wording
    replaced: str = ""  # the reference wording it stands for ("" when nothing)
    note: str = ""  # a short explanation
    score: float = 0.0  # strength of the trace; larger is more MT-like

    def to_dict(self) -> dict:
        return {"kind": self.kind, "text": self.text, "replaced": self.replaced, "note": self.note,
                "score": round(self.score, 3)}


@dataclass(frozen=True)
class Span:
    """One substitution: reference tokens ref[i1:i2] became candidate tokens cand[j1:j2]."""

    i1: int
    i2: int
    j1: int
    j2: int


@dataclass
class PairView:
    """Normalised texts, tokens and the token-level diff of one pair (computed once, read by all)."""

    reference: str
    candidate: str
    emb_cos: float
    ref_tokens: list[str] = field(init=False)
    cand_tokens: list[str] = field(init=False)

    def __post_init__(self) -> None:
        self.reference = normalize(self.reference)
        self.candidate = normalize(self.candidate)
        # Features read at most MAX_TOKENS tokens a side: the diff is quadratic, and a
        # "sentence" longer than this is not a sentence (the embedder reads 256 word pieces).
        self.ref_tokens = tokenize(self.reference)[:MAX_TOKENS]
        self.cand_tokens = tokenize(self.candidate)[:MAX_TOKENS]

    @cached_property
    def ref_lower(self) -> list[str]:
        return [t.lower() for t in self.ref_tokens]

    @cached_property
    def cand_lower(self) -> list[str]:
        return [t.lower() for t in self.cand_tokens]

    @cached_property
    def matcher(self) -> difflib.SequenceMatcher:
        return difflib.SequenceMatcher(None, self.ref_lower, self.cand_lower, autojunk=False)

    @cached_property
    def opcodes(self) -> list[tuple[str, int, int, int, int]]:
        return self.matcher.get_opcodes()

    @cached_property
    def substitutions(self) -> list[Span]:
        """Replaced spans that contain at least one word on each side."""
        out = []
        for tag, i1, i2, j1, j2 in self.opcodes:
            if tag != "replace":
                continue
            if any(t.isalnum() or t[:1].isalnum() for t in self.ref_lower[i1:i2]) and any(
                t[:1].isalnum() for t in self.cand_lower[j1:j2]
            ):
                out.append(Span(i1, i2, j1, j2))
        return out

    @cached_property
    def ref_spans(self) -> list[tuple[int, int]] | None:
        return _char_spans(self.reference, self.ref_tokens)

    @cached_property
    def cand_spans(self) -> list[tuple[int, int]] | None:
        return _char_spans(self.candidate, self.cand_tokens)

    def ref_text(self, i1: int, i2: int) -> str:
        """The reference's own text for tokens i1..i2 (as written, e.g. "Mr. Xi", not "Mr . Xi")."""
        return _slice(self.reference, self.ref_tokens, self.ref_spans, i1, i2)

    def cand_text(self, j1: int, j2: int) -> str:
        """The candidate's own text for tokens j1..j2."""
        return _slice(self.candidate, self.cand_tokens, self.cand_spans, j1, j2)


def _char_spans(text: str, tokens: list[str]) -> list[tuple[int, int]] | None:
    """Character span of each token in `text` (tokens are substrings, in order); None if not."""
    spans, pos = [], 0
    for tok in tokens:
        start = text.find(tok, pos)
        if start < 0:
            return None
        pos = start + len(tok)
        spans.append((start, pos))
    return spans


def _slice(text: str, tokens: list[str], spans: list[tuple[int, int]] | None, a: int, b: int) -> str:
    if b <= a:
        return ""
    if spans is None:
        return " ".join(tokens[a:b])
    return text[spans[a][0] : spans[b - 1][1]]


Group = tuple[dict[str, float], list[Evidence]]
