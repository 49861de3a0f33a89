"""The benchmark: a tiny run end to end, and the baselines on a synthetic set."""

import json
import random

import numpy as np
import pytest

from conftest import ROOT, SHARED_DATA, tiny_pairs


def test_ngram_and_chrf_baselines_give_aucs():
    from mtdetect.bench import chrf_scores, fit_ngram, row_metrics

    rng = random.Random(3)
    words = "the a minister said talks were held on trade war tariffs economy visit moscow beijing".split()
    refs, cands, y = [], [], []
    for k in range(60):
        ref = " ".join(rng.choice(words) for _ in range(12)) + "."
        if k % 2:  # "MT": a near copy with a literal artefact
            cand, label = ref.replace("the", "Mr. THE", 1) + " .", 1
        else:  # "human": reworded
            cand, label = "Reportedly, " + " ".join(reversed(ref.rstrip(".").split())) + ".", 0
        refs.append(ref), cands.append(cand), y.append(label)
    y = np.array(y)
    ngram = fit_ngram(cands[:40], y[:40])(cands[40:])
    chrf = chrf_scores(refs, cands)
    for s, yy in ((ngram, y[40:]), (chrf, y)):
        m = row_metrics(yy, np.asarray(s), 0.5)
        assert m["roc_auc"] is not None and 0.0 <= m["roc_auc"] <= 1.0
    assert row_metrics(y, chrf, 0.5)["roc_auc"] < 0.5  # a near copy has high chrF: 1 - chrF ranks it low


@pytest.fixture(scope="module")
def quick_bench(tmp_path_factory, tiny_model_dir):
    """A quick run on tiny samples (the real --quick sizes, scaled down further for the test)."""
    from mtdetect.bench import QUICK, BenchConfig, run_bench

    model = ROOT / "models" / "default"
    out = tmp_path_factory.mktemp("bench")
    pairs = out / "extra.jsonl"
    pairs.write_text("".join(json.dumps(p) + "\n" for p in tiny_pairs()))
    sizes = QUICK.__class__(**{**QUICK.__dict__, "mt_per_system": 2, "human_per_dataset": 16, "rt_per_pivot": 3,
                               "tweets": 20, "tsrt_per_dataset": 6, "speed_pairs": 0})
    cfg = BenchConfig(quick=True, out_dir=out, pairs=(str(pairs),), sizes=sizes,
                      model_dir=model if (model / "card.json").exists() else tiny_model_dir)
    return run_bench(cfg), out


def test_quick_bench_writes_report_json_and_plots(quick_bench):
    report, out = quick_bench
    for name in ("report.md", "results.json", "speed.png"):
        assert (out / name).stat().st_size > 0, name
    md = (out / "report.md").read_text()
    res = json.loads((out / "results.json").read_text())
    assert "Model signature: `emb:" in md and "## Seeds" in md and "## Speed and memory" in md
    assert [s["file"][:3] for s in res["seeds"]] == ["000", "001", "002", "003", "004"]
    for s in res["seeds"]:
        assert 0.0 <= s["flagged_fraction"] <= 1.0 and s["expected"] in md
    stages = res["speed"]["articles"]["stages"]
    assert stages["embedding"]["ratio_to_embedding"] == 1.0
    assert all(v["sentences_per_s"] > 0 for v in stages.values())
    assert res["speed"]["cli"]["python -m mtdetect.cli score"]["exit"] == 0
    assert "Targets:" in md and "cold `mtdetect score`" in md  # the speed targets, met or not, in the report
    assert res["pairs_rows"][0]["name"] == "extra.jsonl" and "extra.jsonl" in md
    assert "signature" in report.summary()


def test_quick_bench_heldout_rows(quick_bench):
    _, out = quick_bench
    res = json.loads((out / "results.json").read_text())
    md = (out / "report.md").read_text()
    if not (SHARED_DATA / "wmt_mt_vs_human.jsonl.gz").exists():
        assert res["heldout"] is None and "skipped" in md.lower()
        return
    rows = res["heldout"]["rows"]
    datasets = [r["name"] for r in rows if r["section"] == "dataset"]
    assert len(datasets) == 5 and all(d in md for d in datasets)
    assert any(r["section"] == "system" for r in rows)
    assert (out / "roc_heldout.png").stat().st_size > 0
    for r in rows + [res["heldout"]["tweets"]["cross_domain_row"]]:
        for method in ("mtdetect", "1-chrF", "cosine", "n-gram"):
            auc = r["methods"][method]["roc_auc"]
            assert auc is None or 0.0 <= auc <= 1.0
    assert 0.0 <= res["heldout"]["tweets"]["recall_shipped"] <= 1.0
    assert "## Where mtdetect loses" in md and "cross-domain" in md


def test_quick_bench_transfer_matrix_and_ablation(quick_bench):
    _, out = quick_bench
    res = json.loads((out / "results.json").read_text())
    md = (out / "report.md").read_text()
    if not (SHARED_DATA / "wmt_mt_vs_human.jsonl.gz").exists():
        assert "transfer" not in res
        return
    from mtdetect.features import GROUPS

    tr = res["transfer"]
    kinds = {r["kind"] for r in tr["sentence"]}
    assert {"dataset", "family"} <= kinds and "## Transfer matrix on this bench's sample" in md
    for r in tr["sentence"]:
        assert r["roc_auc"] is None or 0.0 <= r["roc_auc"] <= 1.0
        assert set(r["baselines"]) == {"1-chrF", "cosine"}
    assert set(GROUPS) <= set(tr["ablation"]) and "## Feature-group ablation on the left-out sources" in md
    for a in tr["article"]:
        assert 0.0 <= a["accuracy"] <= 1.0 and a["n_docs"] > 0
