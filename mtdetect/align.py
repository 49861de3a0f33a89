"""Monotone alignment of suspect sentences to reference sentences.

A dynamic programme over the two sentence sequences allows 1:1, 1:2 (a suspect sentence
that merges two reference sentences), 2:1 (a split) and unmatched sentences on either
side. A match earns `cosine - min_similarity`, skipping earns nothing, so a sentence is
matched only where that beats leaving it out; merges pay a small penalty so 1:1 wins ties.
Then one gap is filled: a suspect sentence left between two matched links that leave exactly
one reference sentence between them is that sentence's counterpart down to a lower cosine
(min_similarity - gap_margin), because its place says so (a round trip of a misspelled or
reworded sentence can fall just under the threshold; people who drop a sentence rarely put a
new one in the same place). A suspect sentence left unmatched is new material: it is
reported, never scored as MT.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Sequence

import numpy as np


@dataclass(frozen=True)
class AlignConfig:
    """Alignment parameters: the shipped model was trained on documents aligned with these defaults
    (training/make_documents.py, make_asap_pairs.py), so a change means rebuilding it."""

    min_similarity: float = 0.5  # below this cosine a pair is not a counterpart
    merge_penalty: float = 0.05  # cost of a 1:2 or 2:1 link relative to 1:1
    gap_margin: float | None = 0.15  # a one-sentence gap between matched links is filled down to
    # min_similarity - gap_margin (None: no gap filling, the DP alone)


@dataclass(frozen=True)
class Link:
    """Suspect sentences `suspect` correspond to reference sentences `reference` (may be empty)."""

    suspect: tuple[int, ...]
    reference: tuple[int, ...]
    similarity: float

    @property
    def kind(self) -> str:
        if not self.reference:
            return "unmatched"
        return f"{len(self.suspect)}:{len(self.reference)}"


Encoder = Callable[[Sequence[str]], np.ndarray]


def _merged(vecs: np.ndarray, sentences: Sequence[str]) -> np.ndarray:
    """Vectors of each two adjacent sentences taken together, without encoding them again.

    The model mean-pools token vectors, so the vector of "a b" is close to the length-weighted
    mean of the vectors of a and b (re-normalised). Encoding every joined pair would double
    the embedding work, which is most of the cost of scoring an article.
    """
    if len(sentences) < 2:
        return np.zeros((0, vecs.shape[1]), dtype=vecs.dtype)
    n = np.array([len(s.split()) + 2 for s in sentences], dtype=np.float64)[:, None]
    m = vecs[:-1] * n[:-1] + vecs[1:] * n[1:]
    return m / np.maximum(np.linalg.norm(m, axis=1, keepdims=True), 1e-12)


# what each step of the path consumes: (suspect sentences, reference sentences)
_STEP_BACK = {"1:1": (1, 1), "skip_s": (1, 0), "skip_r": (0, 1), "1:2": (1, 2), "2:1": (2, 1)}


def _best_path(one: np.ndarray, s: np.ndarray, r: np.ndarray, s2: np.ndarray, r2: np.ndarray, tau: float,
               pen: float) -> list[list[str]]:
    """The DP's last step into each cell (i, j) = first i suspect and first j reference sentences.

    A cell takes the best of its candidates, the first one on a tie, in the order 1:1, skip a
    suspect sentence, skip a reference sentence, 1:2, 2:1. Plain floats: the same sums as numpy
    scalars give, without their per-cell cost."""
    n, m = one.shape
    cos = one.tolist()
    best = [[0.0] * (m + 1) for _ in range(n + 1)]
    back = [["skip_r"] * (m + 1) for _ in range(n + 1)]
    back[0][0] = ""
    for i in range(1, n + 1):
        back[i][0] = "skip_s"
        above, row, row_back, cos_row, si = best[i - 1], best[i], back[i], cos[i - 1], s[i - 1]
        above2 = best[i - 2] if i >= 2 else None
        for j in range(1, m + 1):
            score, step = above[j - 1] + cos_row[j - 1] - tau, "1:1"
            if above[j] > score:
                score, step = above[j], "skip_s"
            if row[j - 1] > score:
                score, step = row[j - 1], "skip_r"
            if j >= 2:
                c = above[j - 2] + float(si @ r2[j - 2]) - tau - pen
                if c > score:
                    score, step = c, "1:2"
            if above2 is not None:
                c = above2[j - 1] + float(s2[i - 2] @ r[j - 1]) - tau - pen
                if c > score:
                    score, step = c, "2:1"
            row[j], row_back[j] = score, step
    return back


def align(
    suspect: Sequence[str],
    reference: Sequence[str],
    encode: Encoder,
    config: AlignConfig = AlignConfig(),
) -> list[Link]:
    """Align `suspect` to `reference`; returns one Link per suspect sentence group, in order.

    `encode` maps sentences to unit vectors (e.g. `Embedder.encode`). Unmatched reference
    sentences are not returned (they are simply absent from every link).
    """
    n, m = len(suspect), len(reference)
    if n == 0:
        return []
    if m == 0:
        return [Link((i,), (), 0.0) for i in range(n)]
    vecs = encode(list(suspect) + list(reference))
    s, r = vecs[:n], vecs[n:]
    s2, r2 = _merged(s, suspect), _merged(r, reference)
    one = s @ r.T  # (n, m)
    back = _best_path(one, s, r, s2, r2, config.min_similarity, config.merge_penalty)

    links: list[Link] = []
    i, j = n, m
    while i > 0 or j > 0:
        kind = back[i][j]
        pi, pj = i - _STEP_BACK[kind][0], j - _STEP_BACK[kind][1]
        if kind == "1:1":
            links.append(Link((i - 1,), (j - 1,), float(one[i - 1, j - 1])))
        elif kind == "1:2":
            links.append(Link((i - 1,), (j - 2, j - 1), float(s[i - 1] @ r2[j - 2])))
        elif kind == "2:1":
            links.append(Link((i - 2, i - 1), (j - 1,), float(s2[i - 2] @ r[j - 1])))
        elif kind == "skip_s":
            best_j = int(np.argmax(one[i - 1]))
            links.append(Link((i - 1,), (), float(one[i - 1, best_j])))
        i, j = pi, pj
    links.reverse()
    if config.gap_margin is None:
        return links
    return _fill_gaps(links, one, config.min_similarity - config.gap_margin)


def _fill_gaps(links: list[Link], one: np.ndarray, floor: float) -> list[Link]:
    """An unmatched suspect sentence between two matched links that leave exactly one reference
    sentence between them is linked to it when their cosine reaches `floor`."""
    out = list(links)
    for k in range(1, len(out) - 1):
        before, here, after = out[k - 1], out[k], out[k + 1]
        if here.reference or not before.reference or not after.reference:
            continue
        j = max(before.reference) + 1
        if min(after.reference) == j + 1 and one[here.suspect[0], j] >= floor:
            out[k] = Link(here.suspect, (j,), float(one[here.suspect[0], j]))
    return out
