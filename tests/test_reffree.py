"""Reference-free scoring (issue 6): features of one sentence, the model round trip, the CLI."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from mtdetect.cli import app
from mtdetect.features.solo import solo_feature_names, solo_features
from mtdetect.model import ModelError, default_model_dir, load_model, reference_free_spec
from mtdetect.reffree import ReferenceFreeDetector, SoloExample, train_reference_free

from conftest import SEED, _human_like, _mt_like, tiny_pairs


def test_solo_features_name_their_values_and_keep_evidence():
    sf = solo_features("Mr. XI accused the United States of stoké war , said the better assistant.")
    assert list(sf.values) == solo_feature_names()
    assert sf.values["rf_caps_name"] == 1 and sf.values["rf_foreign"] == 1 and sf.values["rf_spacing"] == 1
    kinds = {e.kind: e.text for e in sf.evidence}
    assert kinds["casing"] == "Mr. XI" and kinds["foreign"] == "stoké"


def test_clean_english_has_no_surface_traces():
    sf = solo_features("Chinese President Xi Jinping is due to start a four-day visit to Russia on Wednesday.")
    for name in ("rf_honorific", "rf_caps_name", "rf_spacing", "rf_foreign", "rf_unknown_word"):
        assert sf.values[name] == 0, name


@pytest.fixture(scope="module")
def tiny_rf_model(tmp_path_factory) -> Path:
    import random

    rng = random.Random(3)
    ex = []
    for k, r in enumerate(tiny_pairs()):
        group = f"g{k % 3}"
        text = _mt_like(r["reference"]) + " , stoké" if r["label"] == "mt" else _human_like(r["reference"], rng)
        ex.append(SoloExample(text, 1 if r["label"] == "mt" else 0, group, "sys" if r["label"] == "mt" else "h",
                              "k", f"{group}|{r['label']}|{k // 6}"))
    out = tmp_path_factory.mktemp("rf") / "model"
    train_reference_free(ex, out)
    return out


def test_save_load_predict_round_trip(tiny_rf_model):
    det = ReferenceFreeDetector(tiny_rf_model)
    sents = ["Mr. XI said the pricing war , stoké.", "The visit was expected to deepen ties between them."]
    p1, _ = det.sentence_probabilities(sents)
    p2, _ = ReferenceFreeDetector(tiny_rf_model).sentence_probabilities(sents)
    assert np.array_equal(p1, p2) and p1[0] > p1[1]
    card = json.loads((tiny_rf_model / "card.json").read_text())
    assert card["kind"] == "reference-free" and card["feature_names"] == solo_feature_names()
    assert card["metrics"]["heldout"]["sentence"]["overall"]["roc_auc"] is not None
    assert "feat:rf" in det.signature


def test_kinds_are_not_interchangeable(tiny_rf_model, tiny_model_dir):
    with pytest.raises(ModelError, match="reference-free model"):
        load_model(tiny_rf_model)
    with pytest.raises(ModelError, match="reference model"):
        load_model(tiny_model_dir, spec=reference_free_spec())


def test_article_result_is_marked_reference_free(tiny_rf_model):
    r = ReferenceFreeDetector(tiny_rf_model).score_article(SEED["roundtrip"].read_text(encoding="utf-8"))
    d = r.to_dict()
    assert d["mode"] == "reference-free" and 0.0 <= d["p_article"] <= 1.0
    assert all(s["reference"] == "" for s in d["sentences"])
    assert r.n_scored >= 14


def test_cli_without_reference_scores_reference_free(tiny_rf_model):
    res = CliRunner().invoke(app, ["score", str(SEED["roundtrip"]), "--rf-model", str(tiny_rf_model),
                                   "--format", "json"])
    assert res.exit_code == 0, res.output
    d = json.loads(res.stdout)
    assert d["mode"] == "reference-free" and d["signature"].startswith("emb:none|feat:rf")


def test_shipped_reference_free_model_loads_and_reports_heldout_metrics():
    card = json.loads((default_model_dir(reference_free_spec()) / "card.json").read_text())
    per = card["metrics"]["heldout"]["sentence"]["per_group"]
    assert {"generaltest2022.zh-en", "tweets"} <= set(per)
    ReferenceFreeDetector()  # verifies hash, kind, feature names
