"""Hostile input, round two (issue 16): bounded reading of every kind of input, a sealed model
card, and the documented exit code for every user mistake.

Each case runs the CLI end to end: exit code, exactly one line on stderr, no traceback, no
file left behind. Limits are lowered with monkeypatch where the real ones would make a test
slow; benchmarks/hostile_rss.py measures the real limits' peak memory.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import stat
import subprocess
import sys
import threading
import unicodedata
from pathlib import Path

import pytest

from conftest import ROOT, SEED
from mtdetect.inputs import limits
from mtdetect.inputs.budget import Budget, BudgetReader
from mtdetect.card.card import card_sha256, seal_card
from mtdetect.card.load import load_model
from mtdetect.text import InputError, normalize
from test_inputs_refused import assert_fails, run, score

SENT = "The minister said the talks would resume on Monday after a long pause in the capital."
CAND = "The minister said talks would restart on Monday after a long break in the capital."
FRENCH = "Le ministre a déclaré que les négociations reprendraient lundi après une longue pause dans la capitale."
GOOD = json.dumps({"reference": SENT, "candidate": CAND, "id": 1})


def pairs_cli(path: object, model: Path, input: str | bytes | None = None):
    return run("score", "--pairs", path, "--model", model, "-q", input=input)


def strict_json(line: str) -> dict:
    def no_constant(name: str) -> None:
        raise AssertionError(f"{name} in the output is not JSON")

    return json.loads(line, parse_constant=no_constant)


# --------------------------------------------------------------------------- reading: one budget


def test_dev_zero_is_refused_at_once(tiny_model_dir):
    assert_fails(pairs_cli("/dev/zero", tiny_model_dir), 3, "/dev/zero: binary file, not text")
    assert_fails(score("/dev/zero", tiny_model_dir), 3, "/dev/zero: binary file, not text")


def _feed_fifo(path: Path, chunk: bytes, total: int) -> threading.Thread:
    def writer() -> None:
        try:
            with open(path, "wb") as fh:
                for _ in range(total // len(chunk)):
                    fh.write(chunk)
        except BrokenPipeError:  # the reader refused the input and closed its end
            pass

    thread = threading.Thread(target=writer, daemon=True)
    thread.start()
    return thread


@pytest.mark.parametrize("what", ["pairs", "zeros", "one-line"])
def test_endless_fifo_is_refused_while_streaming(tmp_path, tiny_model_dir, monkeypatch, what):
    monkeypatch.setattr(limits, "MAX_PAIRS_BYTES", 2_000_000)
    fifo = tmp_path / "pairs.jsonl"
    os.mkfifo(fifo)
    chunk = {"pairs": (GOOD + "\n").encode(), "zeros": bytes(65536), "one-line": b"x" * 65536}[what]
    thread = _feed_fifo(fifo, chunk, 50_000_000)  # 25 times the budget
    message = {"pairs": "over the 2,000,000-byte limit; split the file", "zeros": "binary file, not text",
               "one-line": ":1: line over the 200,000-character limit"}[what]
    assert_fails(pairs_cli(fifo, tiny_model_dir), 3, f"{fifo}", message)
    thread.join(10)


def test_one_huge_pair_is_refused_before_scoring(tmp_path, tiny_model_dir):
    f = tmp_path / "big.jsonl"
    f.write_text(json.dumps({"reference": SENT, "candidate": "word " * 300_000}) + "\n", encoding="utf-8")
    assert_fails(pairs_cli(f, tiny_model_dir), 3, f"{f}:1: line over the 200,000-character limit")


def test_gzip_bomb_and_record_count_are_refused(tmp_path, tiny_model_dir, monkeypatch):
    import gzip

    bomb = tmp_path / "bomb.jsonl.gz"
    with gzip.open(bomb, "wb") as fh:
        fh.write(((GOOD + "\n") * 20_000).encode())  # ~2.2 MB inflated from a few kB
    monkeypatch.setattr(limits, "MAX_PAIRS_BYTES", 1_000_000)
    assert_fails(pairs_cli(bomb, tiny_model_dir), 3, f"{bomb}: over the 1,000,000-byte limit")
    monkeypatch.setattr(limits, "MAX_PAIRS_BYTES", 10_000_000)
    monkeypatch.setattr(limits, "MAX_PAIRS", 1000)
    assert_fails(pairs_cli(bomb, tiny_model_dir), 3, f"{bomb}: more than 1,000 records is over the limit")


def test_budget_reader_lines(tmp_path):
    from mtdetect.inputs import budget

    f = tmp_path / "a.txt"
    # CR LF split over two chunks, a lone CR, a last line without its end
    f.write_bytes(b"x" * (budget.CHUNK - 1) + b"\r\nsecond\rthird\n\nlast")
    lines = list(BudgetReader(str(f), Budget(10**6)).lines())
    assert [n for n, _ in lines] == [1, 2, 3, 4, 5] and [t for _, t in lines][1:] == ["second", "third", "", "last"]
    f.write_bytes("héllo\nwörld\n".encode("utf-16"))  # UTF-16 (BOM) is decoded while streaming
    assert [t for _, t in BudgetReader(str(f), Budget(10**6)).lines()] == ["héllo", "wörld"]
    f.write_bytes(b"ok\n\xff\xfe\xfa\n")
    with pytest.raises(InputError, match="not UTF-8 text"):
        list(BudgetReader(str(f), Budget(10**6)).lines())
    f.write_bytes(b"a\n" * 10)
    with pytest.raises(InputError, match="more than 5 records"):
        list(BudgetReader(str(f), Budget(10**6, max_records=5)).lines())
    with pytest.raises(InputError, match=r"^.*a\.txt: 20 bytes is over the 19-byte limit"):  # from its size
        BudgetReader(str(f), Budget(19)).read_all()


# --------------------------------------------------------------------------- pairs lines


@pytest.mark.parametrize("line, message", [
    ('{"reference": "A \\ud800 b.", "candidate": "A c."}', ":2: holds a lone surrogate"),
    ('{"reference": "A b.", "candidate": "A c.", "id": "\\udfff"}', ":2: holds a lone surrogate"),
    ("[" * 100_000 + "]" * 100_000, ":2: not valid JSON (nested too deeply)"),
    ('{"reference": "A b.", "candidate": "A c.", "x": ' + "[" * 50_000 + "]" * 50_000 + "}",
     ":2: not valid JSON (nested too deeply)"),
    ('{"reference": "A b.", "candidate": "A c.", "id": ' + "9" * 5000 + "}", ":2: not valid JSON"),
    ('{"reference": "A b.", "candidate": "A c.", "id": NaN}', ":2: not valid JSON (NaN is not a JSON number)"),
    ('{"reference": "A b.", "candidate": "A c.", "id": -Infinity}', ":2: not valid JSON"),
    ('{"reference": "A b.", "candidate": "A c.", "id": 1e999}', ":2: not valid JSON (number 1e999 is out of range)"),
])  # fmt: skip
def test_hostile_pairs_line_exit_3(tmp_path, tiny_model_dir, line, message):
    f = tmp_path / "pairs.jsonl"
    f.write_text(GOOD + "\n" + line + "\n", encoding="utf-8")
    assert_fails(pairs_cli(f, tiny_model_dir), 3, f"{f}{message}")


def test_pairs_sides_are_checked_like_articles(tiny_model_dir):
    rows = [{"reference": SENT, "candidate": CAND, "id": 1},
            {"reference": " \u200b ", "candidate": CAND, "id": 2},
            {"reference": SENT, "candidate": "", "id": 3},
            {"reference": SENT, "candidate": FRENCH, "id": 4},
            {"reference": FRENCH, "candidate": CAND, "id": 5}]
    r = pairs_cli("-", tiny_model_dir, input="\n".join(json.dumps(x) for x in rows))
    assert r.exit_code == 0, r.output
    out = [strict_json(x) for x in r.stdout.splitlines()]
    assert [o["id"] for o in out] == [1, 2, 3, 4, 5]
    assert isinstance(out[0]["p_mt"], float) and "error" not in out[0]
    assert [o["p_mt"] for o in out[1:]] == [None] * 4
    assert [o["error"] for o in out[1:]] == [
        "empty reference (no text): not scored", "empty candidate (no text): not scored",
        "candidate is not English text: not scored", "reference is not English text: not scored"]


def test_problems_past_the_shown_ones_are_counted_not_kept(tmp_path, tiny_model_dir):
    f = tmp_path / "p.jsonl"
    f.write_text("{bad\n" * 5000, encoding="utf-8")
    r = pairs_cli(f, tiny_model_dir)
    assert r.exit_code == 3 and "Traceback" not in r.output
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 21 and lines[-1] == "... and 4980 more problems"


# --------------------------------------------------------------------------- the model card


@pytest.fixture
def model_copy(tiny_model_dir, tmp_path):
    dst = tmp_path / "m"
    shutil.copytree(tiny_model_dir, dst)
    return dst


def _card(path: Path) -> dict:
    return json.loads((path / "card.json").read_text(encoding="utf-8"))


def _write_card(path: Path, card: object, seal: bool = False) -> None:
    text = json.dumps(seal_card(card) if seal else card)
    (path / "card.json").write_text(text, encoding="utf-8")


def test_save_model_seals_the_card_and_names_it_in_the_signature(tiny_model_dir):
    card = _card(tiny_model_dir)
    assert card["card_sha256"] == card_sha256(card)
    assert f"|card:{card['card_sha256'][:12]}|" in load_model(tiny_model_dir).signature
    for shipped in ("default", "reference-free", "pivot"):
        c = _card(ROOT / "mtdetect" / "models" / shipped)
        assert c["card_sha256"] == card_sha256(c), shipped


def test_edited_scoring_numbers_are_refused(model_copy):
    card = _card(model_copy)
    for fold in card["linear_export"]:
        fold["intercept"] += 50  # the attack of the issue: every rewrite becomes round-trip MT
    _write_card(model_copy, card)
    r = score(SEED["rewrite"], model_copy)
    assert_fails(r, 4, "card.json: card does not match its 'card_sha256'")


@pytest.mark.parametrize("edit, message", [
    (lambda c: c.update(threshold=float("nan")), "NaN is not a JSON number"),
    (lambda c: c["linear_export"][0].update(a=float("inf")), "Infinity is not a JSON number"),
    (lambda c: c.pop("card_sha256"), "card has no integrity hash"),
])  # fmt: skip
def test_nan_inf_and_unsealed_cards_exit_4(model_copy, edit, message):
    card = _card(model_copy)
    edit(card)
    _write_card(model_copy, card)
    assert_fails(score(SEED["rewrite"], model_copy), 4, message)


@pytest.mark.parametrize("raw, message", [
    ("[1, 2, 3]", "not an mtdetect model card (a JSON list, not an object)"),
    ('{"format": ' + "[" * 100_000 + "]" * 100_000 + "}", "nested too deeply"),
    ('{"format": "mtdetect-model/1", "threshold": ' + "7" * 5000 + "}", "not a valid model card"),
    ('"just a string"', "a JSON str, not an object"),
])  # fmt: skip
def test_malformed_cards_exit_4(model_copy, raw, message):
    (model_copy / "card.json").write_text(raw, encoding="utf-8")
    assert_fails(score(SEED["rewrite"], model_copy), 4, message)


@pytest.mark.parametrize("field, value", [
    ("threshold", "high"), ("threshold", 7), ("feature_names", "abc"), ("linear_export", {"a": 1}),
    ("embedding", [1]), ("versions", "x"), ("classifier_file", "../../etc/passwd"), ("article_model", [1]),
])  # fmt: skip
def test_wrong_typed_fields_exit_4_even_when_resealed(model_copy, field, value):
    card = _card(model_copy)
    card[field] = value
    _write_card(model_copy, card, seal=True)
    r = score(SEED["rewrite"], model_copy)
    assert r.exit_code == 4 and "Traceback" not in r.output, r.output
    assert len(r.stderr.strip().splitlines()) == 1


# --------------------------------------------------------------------------- environment, names, files


def test_cache_pointing_at_a_file_or_unwritable_home_exit_3(tmp_path, monkeypatch):
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    docs = tmp_path / "docs.jsonl"
    docs.write_text(json.dumps({"id": "a", "text": SENT}) + "\n", encoding="utf-8")
    out = tmp_path / "out.jsonl"
    # (`train` with a feature-v5 model embeds nothing, so it opens no cache: `scan --cache` does)
    monkeypatch.setenv("MTDETECT_CACHE", str(blocker))
    r = run("scan", docs, "--out", out, "--reference-free", "--cache", "-q", "-w", "1")
    assert_fails(r, 3, f"{blocker}: embedding cache directory (from MTDETECT_CACHE) is a file")
    assert not out.exists()
    # HOME below a file: no cache directory can be made there (a permission check, even as root)
    monkeypatch.delenv("MTDETECT_CACHE")
    monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
    monkeypatch.setenv("HOME", str(blocker / "home"))
    r = run("scan", docs, "--out", out, "--reference-free", "--cache", "-q", "-w", "1")
    assert_fails(r, 3, "cannot create the embedding cache directory")
    assert not out.exists()


def test_file_names_are_escaped_in_one_line_messages(tmp_path, tiny_model_dir):
    name = tmp_path / "evil\nname\u2028.txt"
    assert_fails(score(name, tiny_model_dir), 3, "evil\\x0aname\\u2028.txt: no such file")
    bad = tmp_path / "bad\rline.jsonl"
    bad.write_text(GOOD + "\n{broken\n", encoding="utf-8")
    assert_fails(pairs_cli(bad, tiny_model_dir), 3, "bad\\x0dline.jsonl:2: not valid JSON")


@pytest.mark.parametrize("umask, mode", [(0o022, 0o644), (0o002, 0o664), (0o077, 0o600)])
def test_out_honours_the_umask(tmp_path, tiny_model_dir, umask, mode):
    out = tmp_path / "report.html"
    old = os.umask(umask)
    try:
        r = pairs_cli("-", tiny_model_dir, input=GOOD)
        assert r.exit_code == 0
        from mtdetect.report.render import write_output

        write_output("<p>x</p>\n", str(out))
    finally:
        os.umask(old)
    assert stat.S_IMODE(out.stat().st_mode) == mode


def test_refused_scan_leaves_no_file(tmp_path):
    docs = tmp_path / "docs.jsonl"
    docs.write_text(json.dumps({"id": "a", "text": SENT, "reference": SENT}) + "\n", encoding="utf-8")
    out = tmp_path / "results.jsonl"
    r = run("scan", docs, "--out", out, "--model", tmp_path / "no-model", "-q", "-w", "1")
    assert_fails(r, 4, "no model directory")
    assert not out.exists()
    r = run("score", "--pairs", tmp_path / "nope.jsonl", "--model", tmp_path / "no-model", "--out", tmp_path / "o")
    assert_fails(r, 3, "no such file")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["docs.jsonl"]


def test_combining_mark_flood_is_normalised_away():
    rng = random.Random(3)
    text = SEED["roundtrip"].read_text(encoding="utf-8")
    flood = "".join(c + "".join(chr(rng.randint(0x300, 0x36F)) for _ in range(rng.randint(1, 20)))
                    if c.isalpha() else c for c in text)
    def unaccented(t: str) -> str:
        return "".join(c for c in unicodedata.normalize("NFD", t) if not unicodedata.combining(c))

    # Every mark of the flood is gone; a word the flood hit loses its own accents too ("stoké")
    assert unaccented(normalize(flood)) == unaccented(normalize(text))
    assert sum(map(unicodedata.combining, unicodedata.normalize("NFD", normalize(flood)))) <= sum(
        map(unicodedata.combining, unicodedata.normalize("NFD", normalize(text))))
    assert normalize("Łódź, São Paulo, Nguyễn, Zürich") == "Łódź, São Paulo, Nguyễn, Zürich"


def _flooded_seed(tmp_path: Path) -> Path:
    rng = random.Random(1)  # one random combining mark after every letter
    text = SEED["roundtrip"].read_text(encoding="utf-8")
    f = tmp_path / "001-flooded.txt"
    f.write_text("".join(c + chr(rng.randint(0x300, 0x36F)) if c.isalpha() else c for c in text), encoding="utf-8")
    return f


def test_flooded_roundtrip_seed_scores_like_the_seed(tmp_path, tiny_model_dir):
    plain = strict_json(score(SEED["roundtrip"], tiny_model_dir, "-f", "json").stdout)
    flooded = strict_json(score(_flooded_seed(tmp_path), tiny_model_dir, "-f", "json").stdout)
    assert flooded["verdict"] == plain["verdict"]
    assert [s["status"] for s in flooded["sentences"]] == [s["status"] for s in plain["sentences"]]
    for a, b in zip(flooded["sentences"], plain["sentences"]):
        assert (a["p_mt"] is None) == (b["p_mt"] is None)
        assert a["p_mt"] is None or abs(a["p_mt"] - b["p_mt"]) < 0.05, (a["text"], a["p_mt"], b["p_mt"])


def test_flooded_roundtrip_seed_stays_round_trip_mt_with_the_shipped_model(tmp_path):
    """The case of the issue: the flood turned 001 into `rewritten` with the shipped model."""
    from mtdetect.card.card import ModelError

    try:
        load_model()
    except ModelError as exc:
        if "feature version" not in str(exc):
            raise
        pytest.skip(f"the shipped model awaits retraining: {exc}")
    r = run("score", _flooded_seed(tmp_path), "--reference", SEED["original"], "-f", "json", "-q")
    assert r.exit_code == 0, r.output
    assert strict_json(r.stdout)["verdict"] == "round-trip MT"


def test_score_without_input_on_a_terminal_says_what_it_expects(tiny_model_dir):
    import pty

    master, slave = pty.openpty()
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    try:
        proc = subprocess.run([sys.executable, "-m", "mtdetect.cli", "score", "--model", str(tiny_model_dir)],
                              stdin=slave, capture_output=True, text=True, timeout=60, env=env, cwd=ROOT)
    finally:
        os.close(slave)
        os.close(master)
    assert proc.returncode == 2, proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and "stdin, which is a terminal" in lines[0] and "Traceback" not in proc.stderr


# --------------------------------------------------------------------------- fuzz (short CI version)


def test_fuzz_pairs_lines_and_cards_short(tmp_path, tiny_model_dir):
    sys.path.insert(0, str(ROOT / "benchmarks"))
    from fuzz_inputs import fuzz_cards, fuzz_pairs

    pairs = fuzz_pairs(150, seed=2, model=tiny_model_dir, workdir=tmp_path)
    assert pairs["failures"] == [] and pairs["tracebacks"] == 0 and pairs["exit_1"] == 0
    assert pairs["accepted"] > 20 and pairs["exit_codes"].get(3, 0) > 20  # both paths were exercised
    cards = fuzz_cards(100, seed=2, model=tiny_model_dir, workdir=tmp_path)
    assert cards["failures"] == [] and cards["tracebacks"] == 0 and cards["exit_1"] == 0
    assert cards["refused"] > 20 and cards["loaded_unchanged"] > 5
