"""Hostile input, round three (issue 20), the input side: every corrupted index and reference-free
card a one-line exit 3 or 4, sentence limits on every path, user mistakes never exit 1, and the
minor cases (pivot, bench folder, usage errors, bidi controls, binary scan records, index records).

End to end through the CLI (CliRunner); limits are lowered with monkeypatch where the real ones
would make a test slow (benchmarks/hostile_rss.py measures the real ones).
"""

from __future__ import annotations

import json
import shutil
import sqlite3
import subprocess
import sys
import zlib
from pathlib import Path

import pytest

from conftest import ROOT, SEED, tiny_pairs
from mtdetect.inputs import limits
from mtdetect.card.card import card_sha256
from test_inputs_refused import assert_fails, run

ORIGINAL = SEED["original"].read_text(encoding="utf-8")
ROUNDTRIP = SEED["roundtrip"].read_text(encoding="utf-8")
SENT = "The minister said the talks would resume on Monday after a long pause in the capital."
FRENCH = ("Le gouvernement français a annoncé mardi une série de mesures destinées à soutenir les agriculteurs "
          "touchés par la sécheresse, mais les syndicats estiment qu'elles restent insuffisantes face aux pertes.\n")


@pytest.fixture(scope="module")
def good_index(tmp_path_factory) -> Path:
    idx = tmp_path_factory.mktemp("index") / "idx"
    r = run("index", SEED["original"], SEED["other"], "--out", idx, "-q")
    assert r.exit_code == 0, r.output
    return idx


def _json_edit(key, value):
    def edit(d: Path) -> None:
        meta = json.loads((d / "index.json").read_text())
        if key is None:
            meta = value
        elif value is KeyError:
            meta["config"].pop(key) if key != "config" else meta.pop("config")
        elif key.startswith("config."):
            meta["config"][key[7:]] = value
        else:
            meta[key] = value
        (d / "index.json").write_text(json.dumps(meta))
    return edit


def _truncate(name: str, keep: float = 0.5):
    def edit(d: Path) -> None:
        data = (d / name).read_bytes()
        (d / name).write_bytes(data[: int(len(data) * keep)])
    return edit


def _sql(statement: str, *args):
    def edit(d: Path) -> None:
        db = sqlite3.connect(d / "articles.sqlite")
        db.execute(statement, args)
        db.commit()
        db.close()
    return edit


def _short_idf(d: Path) -> None:
    import numpy as np

    np.save(d / "idf.npy", np.ones(10, dtype=np.float32), allow_pickle=False)


INDEX_DAMAGE = {
    "index.json a list": _json_edit(None, [1, 2]),
    "config missing": _json_edit("config", KeyError),
    "config extra key": _json_edit("config.extra", 1),
    "n_features 2**40": _json_edit("config.n_features", 2**40),
    "top_k 0": _json_edit("config.top_k", 0),
    "ngram_range a string": _json_edit("config.ngram_range", "ab"),
    "truncated npz": _truncate("lexical.npz"),
    "short idf": _short_idf,
    "sqlite missing": lambda d: (d / "articles.sqlite").unlink(),
    "sqlite garbage": lambda d: (d / "articles.sqlite").write_bytes(b"not a database" * 100),
    "sqlite truncated": _truncate("articles.sqlite", 0.3),
    "sqlite bad blob": _sql("UPDATE articles SET text = ?", b"not zlib"),
    "sqlite zlib bomb": _sql("UPDATE articles SET text = ?", zlib.compress(b" " * (limits.MAX_INPUT_BYTES + 10), 9)),
    "sqlite no rows": _sql("DELETE FROM articles"),
}


@pytest.mark.parametrize("case", list(INDEX_DAMAGE))
def test_damaged_index_is_one_line_exit_3(tmp_path, good_index, tiny_model_dir, case):
    idx = tmp_path / "idx"
    shutil.copytree(good_index, idx)
    INDEX_DAMAGE[case](idx)
    r = run("score", SEED["roundtrip"], "--index", idx, "--model", tiny_model_dir, "-q", "-f", "json")
    assert_fails(r, 3, str(idx))


RF = ROOT / "mtdetect" / "models" / "reference-free"


@pytest.mark.parametrize("field, value", [
    ("families", "solo"), ("families", [1, 2]), ("train_config", {"dense_weight": "0.3"}),
    ("article_calibration", [1, 2]), ("verdict_rule", {"decisive": "high"}), ("families", ["solo"]),
])  # fmt: skip
def test_reference_free_card_resealed_with_wrong_types_is_exit_4(tmp_path, field, value):
    if not (RF / "card.json").is_file():
        pytest.skip("no shipped reference-free model")
    d = tmp_path / "rf"
    shutil.copytree(RF, d)
    card = json.loads((d / "card.json").read_text())
    card[field] = value
    card["card_sha256"] = card_sha256(card)  # a forger re-seals
    (d / "card.json").write_text(json.dumps(card))
    (tmp_path / "a.txt").write_text(ROUNDTRIP)
    assert_fails(run("score", tmp_path / "a.txt", "--rf-model", d, "-q"), 4, str(d))


def _train_file(tmp_path: Path, edit) -> Path:
    f = tmp_path / "pairs.jsonl"
    f.write_text("".join(json.dumps(edit(dict(r))) + "\n" for r in tiny_pairs()))
    return f


def test_group_by_with_one_class_per_group_is_exit_3(tmp_path):
    f = _train_file(tmp_path, lambda r: {**r, "side": r["label"]})
    assert_fails(run("train", f, "--out", tmp_path / "m", "--group-by", "side", "-q", "--no-cache"), 3, "side")
    assert not (tmp_path / "m").exists()


def test_group_by_a_missing_field_is_exit_3(tmp_path):
    f = _train_file(tmp_path, lambda r: r)
    assert_fails(run("train", f, "--out", tmp_path / "m", "--group-by", "nosuch", "-q"), 3, "nosuch")
    assert not (tmp_path / "m").exists()


def test_unknown_pivot_is_a_usage_error(tmp_path):
    (tmp_path / "a.txt").write_text(SENT)
    assert_fails(run("roundtrip", tmp_path / "a.txt", "--via", "xx", "-q"), 2, "xx")


def test_refused_bench_pairs_leaves_no_folder(tmp_path):
    bad = tmp_path / "bad.jsonl"
    bad.write_text("{not json\n")
    out = tmp_path / "bench-out"
    r = run("bench", "--quick", "--pairs", bad, "--out", out, "-q")
    assert r.exit_code == 3, r.output
    assert not out.exists()


def test_click_usage_error_is_one_line():
    proc = subprocess.run([sys.executable, "-m", "mtdetect.cli", "score", "--no-such-option"], capture_output=True,
                          text=True, cwd=ROOT, env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"})
    assert proc.returncode == 2
    assert len(proc.stderr.strip().splitlines()) == 1, proc.stderr
    assert "--no-such-option" in proc.stderr


def test_bidi_controls_do_not_change_segmentation():
    from mtdetect.text import split_sentences

    plain = "The talks resume on Monday. The minister said so. Prices rose 3.5% in May."
    bidi = plain.replace(". ", ".\u202e ").replace("The", "\u2066The\u2069").replace("so", "s\u200fo")
    assert [s.text for s in split_sentences(bidi)] == [s.text for s in split_sentences(plain)]


def test_scan_refuses_control_character_text_like_score(tmp_path, tiny_model_dir):
    text = SENT + "".join(chr(c) for c in range(1, 9)) * 40
    (tmp_path / "a.txt").write_text(text)
    assert_fails(run("score", tmp_path / "a.txt", "--reference", SEED["original"], "--model", tiny_model_dir, "-q"),
                 3, "binary")
    src = tmp_path / "in.jsonl"
    src.write_text(json.dumps({"id": "x", "text": text, "reference": SENT}) + "\n")
    out = tmp_path / "out.jsonl"
    r = run("scan", src, "--out", out, "--model", tiny_model_dir, "-q", "-w", "1")
    assert r.exit_code == 0, r.output
    line = json.loads(out.read_text())
    assert "binary" in line.get("error", ""), line


@pytest.mark.parametrize("text, message", [(SENT + "\x01\x02\x03\x04" * 30, "binary"),
                                           (FRENCH * 3, "English")])
def test_index_refuses_binary_or_non_english_records(tmp_path, text, message):
    src = tmp_path / "archive.jsonl"
    src.write_text(json.dumps({"id": "ok", "text": ORIGINAL}) + "\n" + json.dumps({"id": "bad", "text": text}) + "\n")
    assert_fails(run("index", src, "--out", tmp_path / "idx", "-q"), 3, "bad")
    assert not (tmp_path / "idx").exists()


# --------------------------------------------------------------------------- 2. limits on every path


def test_a_huge_sentence_is_cut_lazily_and_refused_for_scoring(monkeypatch):
    from mtdetect.text import InputError, iter_sentences, split_article, split_sentences

    monkeypatch.setattr(limits, "MAX_SENTENCE_CHARS", 1000)
    text = "word " * 3000 + "end. Next one."
    sents = split_sentences(text)
    assert all(len(s.text) <= 1000 + len("word") for s in sents)  # cut after the word that passes the limit
    assert " ".join(s.text for s in sents) == text.strip()  # at spaces: nothing lost
    assert len(next(iter_sentences("word " * 10**6)).text) == 1004  # lazily: the first piece costs one piece
    with pytest.raises(InputError, match="a.txt: a sentence runs over the 1,000-character limit"):
        split_article(text, "a.txt")
    assert len(split_article("A short one. " * 5)) == 5


def test_a_huge_sentence_is_refused_end_to_end(tmp_path, tiny_model_dir, monkeypatch):
    monkeypatch.setattr(limits, "MAX_SENTENCE_CHARS", 1000)
    (tmp_path / "a.txt").write_text(ORIGINAL + " ".join(["word"] * 400) + "\n")
    for extra in (["--reference", SEED["original"], "--model", tiny_model_dir], []):
        assert_fails(run("score", tmp_path / "a.txt", *extra, "-q"), 3, "1,000-character limit")


@pytest.mark.parametrize("mode", ["reference", "reference-free", "index"])
def test_sentence_count_limit_on_every_scoring_path(tmp_path, monkeypatch, tiny_model_dir, good_index, mode):
    monkeypatch.setattr(limits, "MAX_SENTENCES", 10)
    (tmp_path / "a.txt").write_text(ORIGINAL)  # 18 sentences
    extra = {"reference": ["--reference", SEED["original"], "--model", tiny_model_dir],
             "reference-free": [], "index": ["--index", good_index, "--model", tiny_model_dir]}[mode]
    assert_fails(run("score", tmp_path / "a.txt", *extra, "-q"), 3, "10 sentences")


def test_scan_sentence_limit_is_an_error_line(tmp_path, monkeypatch):
    monkeypatch.setattr(limits, "MAX_SENTENCES", 10)
    src = tmp_path / "in.jsonl"
    src.write_text(json.dumps({"id": "long", "text": ORIGINAL}) + "\n" + json.dumps({"id": "ok", "text": SENT}) + "\n")
    out = tmp_path / "out.jsonl"
    r = run("scan", src, "--out", out, "--reference-free", "-q", "-w", "1")
    assert r.exit_code == 0, r.output
    lines = {json.loads(x)["id"]: json.loads(x) for x in out.read_text().splitlines()}
    assert "10 sentences" in lines["long"]["error"] and "error" not in lines["ok"]


def test_index_build_refuses_an_article_over_the_sentence_limit(tmp_path, monkeypatch):
    monkeypatch.setattr(limits, "MAX_SENTENCES", 10)
    assert_fails(run("index", SEED["original"], "--out", tmp_path / "idx", "-q"), 3, "10 sentences")
    assert not (tmp_path / "idx").exists()
