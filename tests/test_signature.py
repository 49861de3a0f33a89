"""The signature (card/signature.py): built from named parts, it renders exactly the line the
f-string of mtdetect 0.1.0 rendered, for every shipped model, threshold and precision."""

import pytest

from mtdetect import __version__
from mtdetect.card.card import read_card
from mtdetect.card.kinds import default_model_dir
from mtdetect.card.signature import Signature


def old_signature(card: dict, threshold: float | None = None, precision: str | None = None) -> str:
    """The signature as Model.signature / signature_at wrote it before the Signature object."""
    def tag(e: dict) -> str:
        p = e.get("precision", "fp32")
        return "" if p == "fp32" else f"/{p}"

    emb = card.get("embedding")
    kind = card.get("kind", "reference")
    head = f"emb:{emb['name'].split('/')[-1]}@{emb['weights_sha256']}{tag(emb)}|" if emb else "emb:none|"
    sig = (f"{head}feat:{'v' if kind == 'reference' else 'rf'}{card['feature_version']}"
           f"|clf:{card['classifier_sha256'][:12]}|card:{str(card.get('card_sha256', ''))[:12]}"
           f"|thr:{float(card['threshold']):g}|mtdetect:{__version__}")
    if threshold is not None and threshold != float(card["threshold"]):
        sig = sig.replace(f"thr:{float(card['threshold']):g}", f"thr:{threshold:g}")
    if emb and precision and precision != emb.get("precision", "fp32"):
        h = f"@{emb['weights_sha256']}"
        sig = sig.replace(h + tag(emb), h + tag({"precision": precision}), 1)
    return sig


@pytest.mark.parametrize("kind,tag", [("reference", "v"), ("reference-free", "rf")])
@pytest.mark.parametrize("threshold,precision", [(None, None), (0.9, None), (None, "bf16"), (0.35, "fp32")])
def test_shipped_signatures_are_unchanged(kind, tag, threshold, precision):
    path = default_model_dir(kind) / "card.json"
    if not path.is_file():
        pytest.skip(f"no shipped {kind} model")
    card = read_card(path)
    sig = Signature.of(card, tag, __version__).at(threshold, precision)
    assert str(sig) == old_signature(card, threshold, precision)


def test_parts_are_named():
    s = Signature("all-MiniLM-L6-v2@" + "a" * 64, "bf16", "v5", "b" * 64, "c" * 64, 0.5, "9.9")
    assert str(s) == f"emb:all-MiniLM-L6-v2@{'a' * 64}/bf16|feat:v5|clf:{'b' * 12}|card:{'c' * 12}|thr:0.5|mtdetect:9.9"
    assert str(s.at(precision="fp32")).startswith(f"emb:all-MiniLM-L6-v2@{'a' * 64}|")
    assert str(Signature(None, "fp32", "rf2", "b", "c", 0.5, "1").at(precision="bf16")).startswith("emb:none|feat:rf2")
