"""Mode selection (detect/select.py) and the one detector interface (detect/base.py)."""

import pytest

from mtdetect.detect.base import ArticleDetector
from mtdetect.detect.select import MODES, IndexDetector, detector_for, pick_mode, without_reference

from conftest import SEED


def test_pick_mode():
    assert pick_mode(True, None) == "reference"
    assert pick_mode(False, "archive-index") == "index"
    assert pick_mode(False, None) == "reference-free"
    with pytest.raises(ValueError, match="unknown mode"):
        without_reference("guess", None)
    assert without_reference("reference", None) is None and set(MODES) == {"reference", "index", "reference-free"}


def test_every_detector_has_the_one_interface(embedder, tmp_path):
    from mtdetect.detect.index import build_index

    text = SEED["roundtrip"].read_text(encoding="utf-8")
    rf = detector_for("reference-free")
    ref = detector_for("reference", embedder=embedder)
    build_index([(SEED["original"].name, SEED["original"].read_text(encoding="utf-8"))], tmp_path / "index")
    idx = detector_for("index", index=tmp_path / "index", embedder=embedder)
    assert isinstance(idx, IndexDetector)
    for det in (rf, ref, idx):
        assert isinstance(det, ArticleDetector), type(det).__name__
        assert det.mode in MODES and 0.0 <= det.threshold <= 1.0 and det.signature.startswith("emb:")
    with pytest.raises(ValueError, match="give the reference"):
        ref.score_article(text)
    for det in (rf, idx):
        with pytest.raises(ValueError, match="needs no original"):
            det.score_article(text, "a reference")
    assert rf.score_article(text).mode == "reference-free"
