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
