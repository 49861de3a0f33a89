import hashlib

import numpy as np

from mtdetect.align import AlignConfig, align


def bag_encoder(sentences):
    """Hashed bag-of-words unit vectors: similar wording -> high cosine (no model needed)."""
    out = np.zeros((len(sentences), 256))
    for i, s in enumerate(sentences):
        for w in s.lower().split():
            out[i, int(hashlib.md5(w.encode()).hexdigest(), 16) % 256] += 1
    norms = np.linalg.norm(out, axis=1, keepdims=True)
    return out / np.where(norms == 0, 1, norms)


REF = ["alpha beta gamma delta", "epsilon zeta eta theta", "iota kappa lambda mu", "nu xi omicron pi"]


def test_identity_is_one_to_one():
    links = align(REF, REF, bag_encoder)
    assert [(l.suspect, l.reference, l.kind) for l in links] == [((i,), (i,), "1:1") for i in range(4)]
    assert all(abs(l.similarity - 1) < 1e-9 for l in links)


def test_new_material_is_unmatched_and_order_kept():
    sus = [REF[0], "completely different words here", REF[1], REF[2], REF[3]]
    links = align(sus, REF, bag_encoder)
    assert [l.suspect[0] for l in links] == [0, 1, 2, 3, 4]
    assert links[1].kind == "unmatched" and links[1].reference == ()
    assert [l.reference for l in links if l.reference] == [(0,), (1,), (2,), (3,)]


def test_merge_and_split():
    merged = [REF[0] + " " + REF[1], REF[2], REF[3]]
    links = align(merged, REF, bag_encoder)
    assert links[0].kind == "1:2" and links[0].reference == (0, 1)
    split = ["iota kappa", "lambda mu"]
    links = align([REF[0], *split], REF[:3], bag_encoder)
    assert links[-1].kind == "2:1" and links[-1].suspect == (1, 2)


def test_empty_sides():
    assert align([], REF, bag_encoder) == []
    assert [l.kind for l in align(REF[:2], [], bag_encoder)] == ["unmatched", "unmatched"]


def test_threshold_controls_matching():
    links = align(["alpha beta omega psi"], ["alpha beta gamma delta"], bag_encoder, AlignConfig(min_similarity=0.9))
    assert links[0].kind == "unmatched"


def _reference_dp(suspect, reference, encode, config=AlignConfig()):
    """The alignment DP as first written (numpy scalars, candidates in a list, max by key): the
    oracle that align's faster loop must match link for link and bit for bit."""
    from mtdetect.align import Link, _merged

    n, m = len(suspect), len(reference)
    vecs = encode(list(suspect) + list(reference))
    s, r = vecs[:n], vecs[n:]
    s2, r2 = _merged(s, suspect), _merged(r, reference)
    one = s @ r.T
    tau, pen = config.min_similarity, config.merge_penalty
    best = np.full((n + 1, m + 1), -1e9)
    back = {}
    best[0, :] = 0.0
    best[:, 0] = 0.0
    for i in range(n + 1):
        for j in range(m + 1):
            if i == 0 or j == 0:
                if i > 0:
                    back[(i, j)] = (i - 1, j, "skip_s")
                elif j > 0:
                    back[(i, j)] = (i, j - 1, "skip_r")
                continue
            cands = [(best[i - 1, j - 1] + one[i - 1, j - 1] - tau, (i - 1, j - 1, "1:1")),
                     (best[i - 1, j], (i - 1, j, "skip_s")), (best[i, j - 1], (i, j - 1, "skip_r"))]
            if j >= 2:
                cands.append((best[i - 1, j - 2] + float(s[i - 1] @ r2[j - 2]) - tau - pen, (i - 1, j - 2, "1:2")))
            if i >= 2:
                cands.append((best[i - 2, j - 1] + float(s2[i - 2] @ r[j - 1]) - tau - pen, (i - 2, j - 1, "2:1")))
            best[i, j], back[(i, j)] = max(cands, key=lambda c: c[0])
    links, i, j = [], n, m
    while i > 0 or j > 0:
        pi, pj, kind = back[(i, j)]
        if kind == "1:1":
            links.append(Link((i - 1,), (j - 1,), float(one[i - 1, j - 1])))
        elif kind == "1:2":
            links.append(Link((i - 1,), (j - 2, j - 1), float(s[i - 1] @ r2[j - 2])))
        elif kind == "2:1":
            links.append(Link((i - 2, i - 1), (j - 1,), float(s2[i - 2] @ r[j - 1])))
        elif kind == "skip_s":
            links.append(Link((i - 1,), (), float(one[i - 1, int(np.argmax(one[i - 1]))])))
        i, j = pi, pj
    return links[::-1]


def test_dp_matches_the_plain_definition():
    """Random articles (float32 and float64 vectors, repeated sentences for ties, merges and
    splits): the same links and the same similarities, bit for bit, as the plain DP."""
    rng = np.random.default_rng(3)
    words = [f"w{k}" for k in range(40)]
    for trial in range(60):
        dtype = np.float32 if trial % 2 else np.float64
        ref = [" ".join(rng.choice(words, rng.integers(2, 9))) for _ in range(rng.integers(1, 14))]
        sus = [ref[k] if rng.random() < 0.5 else " ".join(rng.choice(words, rng.integers(2, 9)))
               for k in rng.integers(0, len(ref), rng.integers(1, 14))]
        if len(sus) > 2:
            sus[1] = sus[0] + " " + sus[1]  # a merge
        sus += sus[:1]  # a repeated sentence: ties
        enc = lambda xs: bag_encoder(xs).astype(dtype)  # noqa: E731
        for config in (AlignConfig(gap_margin=None), AlignConfig(min_similarity=0.2, merge_penalty=0.0, gap_margin=None)):
            got, want = align(sus, ref, enc, config), _reference_dp(sus, ref, enc, config)
            assert got == want


def test_a_one_sentence_gap_between_matches_is_filled_down_to_the_margin():
    """In order: suspect 1 sits where reference 1 was, between two matches; its cosine (0.42) is
    under min_similarity but over min_similarity - gap_margin, so its place links it. Without the
    margin, or where the gap holds two reference sentences, it stays new material."""
    vec = {"a": [1, 0, 0, 0, 0], "r": [0, 1, 0, 0, 0], "c": [0, 0, 1, 0, 0], "b": [0, 0.42, 0, 0.9075, 0],
           "x": [0, 0, 0, 1, 0], "r2": [0, 0, 0, 0, 1]}

    def enc(xs):  # type: ignore[no-untyped-def]
        v = np.array([vec[x] for x in xs], dtype=float)
        return v / np.linalg.norm(v, axis=1, keepdims=True)

    links = align(["a", "b", "c"], ["a", "r", "c"], enc, AlignConfig())
    assert [lk.reference for lk in links] == [(0,), (1,), (2,)] and abs(links[1].similarity - 0.42) < 0.01
    assert align(["a", "b", "c"], ["a", "r", "c"], enc, AlignConfig(gap_margin=None))[1].reference == ()
    assert align(["a", "x", "c"], ["a", "r", "c"], enc, AlignConfig())[1].reference == ()  # too far
    assert align(["a", "b", "c"], ["a", "r", "r2", "c"], enc, AlignConfig())[1].reference == ()  # two left out
