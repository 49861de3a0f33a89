"""Tests for mtdetect.learn.roundtrip (need the apertium binary; skipped without it)."""

from __future__ import annotations

import re
import shutil

import pytest

from mtdetect.learn import roundtrip as rt

if shutil.which("apertium") is None:
    pytest.skip("apertium is not installed", allow_module_level=True)

PIVOTS = rt.available_pivots()


@pytest.fixture
def pivot() -> str:
    """The first installed pivot (skips the test when none is)."""
    if not PIVOTS:
        pytest.skip("no Apertium pair installed")
    return PIVOTS[0]

SENTENCES = [
    "The goods cost less than 20 euros.",
    "In 1998, the committee approved 7 new bridges across the river.",
    "About 350 people attended the meeting on Tuesday evening.",
    "The team scored 4 goals in the second half.",
]


def _numbers(text: str) -> list[str]:
    return re.findall(r"\d+", text)


@pytest.mark.parametrize("each_pivot", PIVOTS)
def test_roundtrip_changes_text_and_keeps_order(each_pivot: str) -> None:
    out = rt.roundtrip(SENTENCES, each_pivot)
    assert len(out) == len(SENTENCES)
    assert all(o.strip() for o in out)
    assert any(o != s for o, s in zip(out, SENTENCES))
    assert [_numbers(o) for o in out] == [_numbers(s) for s in SENTENCES]


def test_special_characters_and_empty_strings_keep_count(pivot: str) -> None:
    sentences = [
        'He said "yes" | she said \'no\' * 3 # done.',
        "",
        "Line one\nline two with 42 apples.",
        "   ",
        "Follow #news and @press for 7 updates.",
    ]
    out = rt.roundtrip(sentences, pivot, batch_size=3)
    assert len(out) == len(sentences)
    assert out[1] == "" and out[3] == ""
    assert "42" in out[2] and "\n" not in out[2]
    assert "|" in out[0] and "7" in out[4]


def test_separator_inside_sentence_falls_back(
    pivot: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[str] = []
    real_run = rt._run

    def counting_run(text: str, mode: str) -> str:
        calls.append(text)
        return real_run(text, mode)

    monkeypatch.setattr(rt, "_run", counting_run)
    sentences = ["There were 5 cats.", rt.MARKER, "There were 9 dogs."]
    out = rt.translate(sentences, rt.PIVOTS[pivot].forward[0])
    assert len(out) == 3
    assert "5" in out[0] and "9" in out[2]
    assert len(calls) > 1  # the misaligned batch was bisected


@pytest.mark.skipif("ca" not in PIVOTS, reason="apertium-eng-cat not installed")
def test_sentence_crashing_apertium_does_not_shift_others() -> None:
    # apertium-postchunk segfaults on this in apertium-eng-cat (Debian 2023)
    # while the pipeline still exits 0, truncating the batch's output.
    sentences = [
        "There were 5 cats.",
        "Ski lift operators are not complaining.",
        "There were 9 dogs.",
    ]
    out = rt.translate(sentences, "eng-cat")
    assert len(out) == 3
    assert "5" in out[0] and "9" in out[2]


def test_progress_reports_each_batch(pivot: str) -> None:
    done: list[int] = []
    rt.roundtrip(SENTENCES, pivot, batch_size=3, progress=done.append)
    assert done == [3, 4]


def test_unknown_pivot_names_known_ones() -> None:
    with pytest.raises(rt.RoundTripError) as err:
        rt.check_pivot("fr")
    for code in rt.PIVOTS:
        assert code in str(err.value)
    with pytest.raises(rt.RoundTripError):
        rt.roundtrip(["Hello."], "xx")


def test_missing_apertium_mentions_apt_get(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(rt.shutil, "which", lambda name: None)
    assert rt.available_pivots() == []
    with pytest.raises(rt.RoundTripError, match="apt-get install apertium"):
        rt.check_pivot("es")
    with pytest.raises(rt.RoundTripError, match="apt-get"):
        rt.roundtrip(["Hello."], "es")
    with pytest.raises(rt.RoundTripError, match="apt-get"):
        rt.translate(["Hello."], "eng-spa")


def test_missing_pair_mentions_package(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(rt, "_installed_modes", lambda: {"eng-spa", "spa-eng"})
    assert rt.available_pivots() == ["es"]
    with pytest.raises(rt.RoundTripError, match="apt-get install apertium-eo-en"):
        rt.check_pivot("eo")


def test_apertium_failure_raises() -> None:
    with pytest.raises(rt.RoundTripError, match="does not exist"):
        rt.translate(["Hello."], "xx-yy")


def test_clean_removes_leftover_marks_only() -> None:
    assert rt._clean("  The *zorp  #flub @bar\n ok ", "") == "The zorp flub bar ok"
    assert rt._clean("See #news and 5*3", "See #news and 5*3") == "See #news and 5*3"


def test_roundtrip_cli_writes_trainable_pairs(tmp_path):
    import json

    from typer.testing import CliRunner

    from mtdetect.cli import app

    art = tmp_path / "story.txt"
    art.write_text("The minister said the talks would resume on Monday.\nHe added that 20 delegates would attend.\n")
    out = tmp_path / "pairs.jsonl"
    r = CliRunner().invoke(app, ["roundtrip", str(art), "--via", "es", "--out", str(out), "-q"])
    assert r.exit_code == 0, r.output
    rows = [json.loads(x) for x in out.read_text().splitlines()]
    assert rows and all(x["label"] == "mt" and x["pivot"] == "es" and x["doc_id"] == "story.txt" for x in rows)
    assert all(x["candidate"] != x["reference"] for x in rows)


def test_roundtrip_cli_unknown_pivot_is_a_usage_error(tmp_path):
    """A pivot name that does not exist is a bad option (exit 2, issue 20), not a missing tool (5)."""
    from typer.testing import CliRunner

    from mtdetect.cli import app

    art = tmp_path / "story.txt"
    art.write_text("Some text here.")
    r = CliRunner().invoke(app, ["roundtrip", str(art), "--via", "xx"])
    assert r.exit_code == 2 and "known pivots" in r.output
