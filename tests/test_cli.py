"""The command line end to end, through typer's runner."""

import json

import pytest
from typer.testing import CliRunner

from mtdetect.cli import app

from conftest import SEED, tiny_pairs

runner = CliRunner()


def run(args, input=None):
    return runner.invoke(app, [str(a) for a in args], input=input)


@pytest.mark.parametrize("fmt", ["json", "jsonl", "tsv", "text"])
def test_score_article_formats(tiny_model_dir, fmt):
    r = run(["score", SEED["roundtrip"], "--reference", SEED["original"], "--model", tiny_model_dir, "-f", fmt, "-q"])
    assert r.exit_code == 0, r.output
    if fmt == "json":
        data = json.loads(r.stdout)
        assert {"verdict", "flagged_fraction", "signature", "sentences"} <= set(data)
        s = data["sentences"][1]
        assert {"text", "p_mt", "flagged", "reference", "evidence"} <= set(s)
    elif fmt == "jsonl":
        lines = [json.loads(x) for x in r.stdout.splitlines()]
        assert lines[-1]["type"] == "article" and all(x["type"] == "sentence" for x in lines[:-1])
    elif fmt == "tsv":
        rows = r.stdout.splitlines()
        assert rows[0].startswith("index\tstatus") and rows[-1].startswith("# verdict=")
    else:
        assert "verdict:" in r.stdout and "signature: emb:" in r.stdout


def test_score_reads_stdin_and_writes_out_atomically(tiny_model_dir, tmp_path):
    out = tmp_path / "res.json"
    r = run(["score", "--reference", SEED["original"], "--model", tiny_model_dir, "-f", "json", "-o", out],
            input=SEED["roundtrip"].read_text(encoding="utf-8"))
    assert r.exit_code == 0, r.output
    assert json.loads(out.read_text())["n_sentences"] > 10
    assert [p.name for p in tmp_path.iterdir()] == ["res.json"]  # no temp files left behind


def test_score_pairs_keeps_order_and_fields(tiny_model_dir):
    rows = [{"reference": p["reference"], "candidate": p["candidate"], "id": i, "extra": [i]}
            for i, p in enumerate(tiny_pairs()[:9])]
    rows.append({"reference": "Same.", "candidate": "Same.", "id": 99})
    r = run(["score", "--pairs", "-", "--model", tiny_model_dir], input="\n".join(json.dumps(x) for x in rows))
    assert r.exit_code == 0, r.output
    out = [json.loads(x) for x in r.stdout.splitlines()]
    assert [o["id"] for o in out] == [x["id"] for x in rows]
    assert out[0]["extra"] == [0] and all(0 <= o["p_mt"] <= 1 for o in out)
    assert out[-1]["p_mt"] == 0.0  # a copy is not MT


@pytest.mark.parametrize("content,message", [
    (b"", "empty"),
    (b"  \n\t\n", "empty"),
    (b"caf\xe9 au lait, tr\xe8s bien", "not UTF-8 text"),
    (b"\x00\x01\x02binary\x00", "binary file"),
])
def test_user_mistakes_one_line_exit_3(tmp_path, tiny_model_dir, content, message):
    bad = tmp_path / "suspect.txt"
    bad.write_bytes(content)
    r = run(["score", bad, "--reference", SEED["original"], "--model", tiny_model_dir])
    assert r.exit_code == 3
    assert message in r.output and "Traceback" not in r.output
    assert len(r.output.strip().splitlines()) == 1


def test_missing_file_and_usage_errors(tiny_model_dir, tmp_path):
    r = run(["score", tmp_path / "nope.txt", "--reference", SEED["original"], "--model", tiny_model_dir])
    assert r.exit_code == 3 and "no such file" in r.output
    r = run(["score", SEED["roundtrip"], "--reference", SEED["original"], "--index", tmp_path])
    assert r.exit_code == 2 and "--reference or --index" in r.output
    r = run(["score", SEED["roundtrip"], "--reference", SEED["original"], "--threshold", "7"])
    assert r.exit_code == 2


def test_bad_model_exit_4(tmp_path):
    r = run(["score", SEED["roundtrip"], "--reference", SEED["original"], "--model", tmp_path])
    assert r.exit_code == 4 and "card.json missing" in r.output


def test_bad_pairs_exit_3(tiny_model_dir):
    r = run(["score", "--pairs", "-", "--model", tiny_model_dir], input='{"reference": "a"}\n{oops\n')
    assert r.exit_code == 3
    assert "<stdin>:1: missing 'candidate'" in r.output and "<stdin>:2: not valid JSON" in r.output


def test_train_cli_csv(tmp_path):
    import csv

    f = tmp_path / "pairs.csv"
    with open(f, "w", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=["reference", "candidate", "label", "group"])
        w.writeheader()
        w.writerows(tiny_pairs())
    out = tmp_path / "model"
    r = run(["train", f, "--out", out, "-q"])
    assert r.exit_code == 0, r.output
    assert "held-out (group)" in r.stdout and (out / "card.json").exists()
    r = run(["train", f, "--out", out, "-q", "--no-cache"])
    assert r.exit_code == 0, r.output


def test_train_refuses_bad_sets(tmp_path):
    f = tmp_path / "pairs.jsonl"
    f.write_text("".join(json.dumps({"reference": f"r{i}", "candidate": f"c{i}", "label": "mt"}) + "\n" for i in range(30)))
    r = run(["train", f, "--out", tmp_path / "m"])
    assert r.exit_code == 3 and "only 'mt' examples" in r.output
