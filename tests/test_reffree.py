"""Reference-free scoring (issues 6, 15): the cue mask, features of one sentence, the model
round trip, the article verdict, the CLI, the shipped model."""

from __future__ import annotations

import json

import numpy as np
import pytest
from typer.testing import CliRunner

from mtdetect.cli import app
from mtdetect.features.standalone.profile import chargram_matrix, mask_cues
from mtdetect.features.standalone.solo import solo_feature_names, solo_features
from mtdetect.card.model import ModelError, default_model_dir, load_model, reference_free_spec
from mtdetect.detect.reference_free import VERDICT_MT, VERDICT_NONE, VERDICT_UNSURE, ReferenceFreeDetector, verdict_of
from mtdetect.learn.reference_free_data import Unit
from mtdetect.features.standalone.families import design, family_matrix, masked_sentences, rf_feature_names

from conftest import SEED, _human_like, _mt_like

FAST = ("solo", "fluency", "funcpunct", "chargram")


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


def test_mask_removes_the_source_cues_and_keeps_round_trip_traces():
    m = mask_cues("Dont you think so @CAPS1 ? i love my buisness , its troble ! #earthquake @bob http://t.co/x")
    assert m == "Don't you think so? I love my, its! earthquake"
    assert mask_cues("He said [it] was `fine' , Mr. XI stoké it .") == "He said it was 'fine', Mr. XI stoké it."
    # what the mask leaves alone: a correct sentence, and traces a round trip leaves
    s = "Mr. XI accused Washington of stoké a pricing war, said a four -day visit."
    assert mask_cues(s) == s
    assert mask_cues("They were ill, and its roof fell.") == "They were ill, and its roof fell."


def test_a_misspelling_changes_nothing_the_model_reads():
    a, b = masked_sentences(["The students were in troble with their teacher.",
                             "The students were in with their teacher."])
    for fam in FAST:
        x, y = family_matrix(fam, [a]), family_matrix(fam, [b])
        x, y = (x.toarray(), y.toarray()) if hasattr(x, "toarray") else (x, y)
        assert np.array_equal(x, y), fam


def test_chargram_rows_are_unit_length_and_stable():
    X = chargram_matrix(["a pricing war", "a pricing war", ""])
    assert X.shape[0] == 3 and np.isclose(np.linalg.norm(X[0].toarray()), 1.0)
    assert (X[0] != X[1]).nnz == 0 and X[2].nnz == 0


def test_verdict_is_inconclusive_only_between_the_decisive_bounds():
    assert verdict_of(0.9, 12) == VERDICT_MT and verdict_of(0.1, 12) == VERDICT_NONE
    assert verdict_of(0.5, 12) == VERDICT_UNSURE and verdict_of(0.99, 0) == VERDICT_UNSURE


def _tiny_units() -> list[Unit]:
    """Seed 000's sentences as originals (human), two 'round trips' of them (MT) sharing a trace
    ("stoké") and a human rewrite, in two sources of one domain: a fixture, not training data."""
    import random

    from mtdetect.text import split_sentences

    rng = random.Random(3)
    sents = [s.text for s in split_sentences(SEED["original"].read_text(encoding="utf-8")) if len(s.text.split()) > 6]
    out = []
    for k, s in enumerate(sents):
        g = f"g{k % 8}"
        out.append(Unit(s, 0, "orig", "d", g, f"d:orig:{g}", "original"))
        out.append(Unit(_human_like(s, rng), 0, "rewrite", "d", g, f"d:rw:{g}", "rewrite"))
        out.append(Unit(_mt_like(s) + " , stoké", 1, "mt-a", "d", g, f"d:a:{g}", "roundtrip"))
        out.append(Unit(_mt_like(s).replace(" the ", " the said ") + ", stoké indeed", 1, "mt-b", "d", g, f"d:b:{g}",
                        "roundtrip"))
    return out


@pytest.fixture(scope="module")
def tiny_rf_model(tmp_path_factory):
    from mtdetect.learn.reference_free import RFConfig, train_reference_free

    out = tmp_path_factory.mktemp("rf") / "model"
    _, metrics = train_reference_free(_tiny_units(), out, RFConfig(families=FAST, min_doc_sentences=2))
    return out, metrics


def test_quality_floor_on_the_tiny_fixture(tiny_rf_model):
    _, metrics = tiny_rf_model
    for source in ("mt-a", "mt-b"):  # each left out, the other one trains
        assert metrics["per_source"][source]["sentence_auc"] >= 0.8, source


def test_save_load_predict_round_trip(tiny_rf_model):
    path, _ = tiny_rf_model
    det = ReferenceFreeDetector(path)
    sents = ["Mr. XI said the pricing war , stoké.", "The visit was expected to deepen ties between them."]
    p1, _ = det.sentence_probabilities(sents)
    p2, _ = ReferenceFreeDetector(path).sentence_probabilities(sents)
    assert np.array_equal(p1, p2) and p1[0] > p1[1]
    card = json.loads((path / "card.json").read_text())
    assert card["kind"] == "reference-free" and card["feature_names"] == rf_feature_names()
    assert "feat:rf" in det.signature
    # the numpy scoring path gives the skops classifier's margins
    full = load_model(path, spec=reference_free_spec(), full=True)
    masked = masked_sentences(sents)
    blocks = {f: family_matrix(f, masked) for f in FAST}
    sk = full.classifier.decision_function(design(blocks, FAST, det.scorer.std, card["train_config"]["dense_weight"]))
    assert np.allclose(sk, det.margins(sents), atol=1e-9)


def test_kinds_are_not_interchangeable(tiny_rf_model, tiny_model_dir):
    path, _ = tiny_rf_model
    with pytest.raises(ModelError, match="reference-free model"):
        load_model(path)
    with pytest.raises(ModelError, match="reference model"):
        load_model(tiny_model_dir, spec=reference_free_spec())


def test_article_result_is_marked_reference_free(tiny_rf_model):
    r = ReferenceFreeDetector(tiny_rf_model[0]).score_article(SEED["roundtrip"].read_text(encoding="utf-8"))
    d = r.to_dict()
    assert d["mode"] == "reference-free" and 0.0 <= d["p_article"] <= 1.0
    assert all(s["reference"] == "" for s in d["sentences"])
    assert r.n_scored >= 14


def test_cli_without_reference_scores_reference_free(tiny_rf_model):
    res = CliRunner().invoke(app, ["score", str(SEED["roundtrip"]), "--rf-model", str(tiny_rf_model[0]),
                                   "--format", "json"])
    assert res.exit_code == 0, res.output
    d = json.loads(res.stdout)
    assert d["mode"] == "reference-free" and d["signature"].startswith("emb:none|feat:rf")


def test_shipped_reference_free_model_loads_and_reports_heldout_metrics():
    card = json.loads((default_model_dir(reference_free_spec()) / "card.json").read_text())
    per = card["metrics"]["heldout"]["per_source"]
    assert {"asap-fr", "asap-zh", "tweets-de", "tweets-ru", "tweets-is"} <= set(per)
    assert "seeds" not in json.dumps(card["training_data"]).lower()
    ReferenceFreeDetector()  # verifies hash, kind, feature names


@pytest.fixture(scope="module")
def shipped_rf():
    return ReferenceFreeDetector()


def test_seeds_without_a_reference(shipped_rf):
    """The seeds are never training data: 001 (a French round trip) must be called MT on its
    own English; the original, the two rewrites and the other article must not be."""
    assert shipped_rf.score_article(SEED["roundtrip"].read_text(encoding="utf-8")).verdict == VERDICT_MT
    for name in ("original", "rewrite", "rewrite2", "other"):
        r = shipped_rf.score_article(SEED[name].read_text(encoding="utf-8"))
        assert r.verdict != VERDICT_MT, (name, r.p_article)


def test_heldout_table_reads_the_card():
    from mtdetect.detect.reference_free import heldout_table

    card = json.loads((default_model_dir(reference_free_spec()) / "card.json").read_text())
    rows = {r["source"]: r for r in heldout_table(card)}
    assert rows["asap-fr"]["n_docs"] > 0 and 0.0 <= rows["asap-fr"]["article_auc"] <= 1.0
