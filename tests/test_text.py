"""Tests for mtdetect.text: decoding, normalisation, sentence splitting, tokens."""

from __future__ import annotations

import io
import re
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mtdetect.text import InputError, Sentence, decode_bytes, normalize, read_text, split_sentences, tokenize

SEEDS = Path(__file__).resolve().parent.parent / "seeds"


def texts(text: str) -> list[str]:
    return [s.text for s in split_sentences(text)]


def seed(prefix: str) -> str:
    (path,) = SEEDS.glob(f"{prefix}_*.txt")
    return read_text(str(path))


# ----------------------------------------------------------------- decoding and reading


@pytest.mark.parametrize(
    "data",
    [
        "Café – ok\r\nnext\rlast".encode("utf-8"),
        b"\xef\xbb\xbf" + "Café – ok\r\nnext\rlast".encode("utf-8"),
        "Café – ok\r\nnext\rlast".encode("utf-16"),  # native order with BOM
        b"\xff\xfe" + "Café – ok\r\nnext\rlast".encode("utf-16-le"),
        b"\xfe\xff" + "Café – ok\r\nnext\rlast".encode("utf-16-be"),
    ],
)
def test_decode_bytes_accepts_utf8_and_utf16_with_bom(data: bytes) -> None:
    assert decode_bytes(data, "x.txt") == "Café – ok\nnext\nlast"


def test_decode_bytes_rejects_latin1_and_binary() -> None:
    with pytest.raises(InputError, match=r"^ref\.txt: not UTF-8 text$"):
        decode_bytes("Café crème".encode("latin-1"), "ref.txt")
    with pytest.raises(InputError, match=r"^a\.bin: binary file, not text$"):
        decode_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "a.bin")
    with pytest.raises(InputError, match="binary file"):
        decode_bytes(bytes(range(1, 32)) * 4 + b"text", "b.bin")
    with pytest.raises(InputError, match="binary file"):
        decode_bytes("a\x00b".encode("utf-16"), "c.bin")


def test_read_text_errors(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"missing\.txt: no such file$"):
        read_text(str(tmp_path / "missing.txt"))
    with pytest.raises(InputError, match="is a directory$"):
        read_text(str(tmp_path))
    blank = tmp_path / "blank.txt"
    blank.write_bytes(b" \n\t\r\n\xc2\xa0\n")
    with pytest.raises(InputError, match=r"blank\.txt: empty \(no text\)$"):
        read_text(str(blank))
    good = tmp_path / "good.txt"
    good.write_bytes(b"Hello.\r\nWorld.")
    assert read_text(str(good)) == "Hello.\nWorld."


@pytest.mark.parametrize("arg", [None, "-"])
def test_read_text_stdin(monkeypatch: pytest.MonkeyPatch, arg: str | None) -> None:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO("Hi “there”.".encode())))
    assert read_text(arg) == "Hi “there”."
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(b"")))
    with pytest.raises(InputError, match=r"^<stdin>: empty \(no text\)$"):
        read_text(arg)


# ----------------------------------------------------------------- normalize


def test_normalize_maps_typography() -> None:
    raw = "  “No\u00a0limits”  ‘deal’ « oui »\u2009–\u200b — ― − ‐ ‑ ‒ 5′ 6″ wait…  \n\tCafe\u0301\t\t ok "
    assert normalize(raw) == "\"No limits\" 'deal' \" oui \" - - - - - - - 5' 6\" wait...\nCafé ok"


def test_normalize_keeps_case_lines_and_mt_spacing() -> None:
    raw = "Mr. XI began a four -day visit , he said .\n\nNext  line"
    assert normalize(raw) == "Mr. XI began a four -day visit , he said .\n\nNext line"


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from([chr(i) for i in range(128)] + [" ", " ", "\n", "a"])))
def test_normalize_shortcut_for_normal_ascii_is_the_full_normalisation(text: str) -> None:
    """normalize() returns ASCII text that has nothing to change as it is (a speed-up, issue 23):
    the same as the full steps, which are spelled out here."""
    import mtdetect.text as t

    full = t._drop_mark_floods(text).replace("\r\n", "\n").translate(t._CHAR_MAP)
    full = t._OTHER_SPACE.sub(" ", full)
    full = t._drop_mark_floods("\n".join(t._SPACE_RUN.sub(" ", line).strip(" ") for line in full.split("\n")))
    assert normalize(text) == full


@settings(max_examples=100, deadline=None)
@given(st.text())
def test_normalize_is_idempotent(text: str) -> None:
    once = normalize(text)
    assert normalize(once) == once


@settings(max_examples=100, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("aB .!?\"'()“”…–\n\u00a0\u200bJ.U.S.The"))) | st.text())
def test_split_loses_and_reorders_nothing(text: str) -> None:
    sentences = split_sentences(text)
    no_space = re.compile(r"\s")
    assert no_space.sub("", "".join(s.text for s in sentences)) == no_space.sub("", normalize(text))
    assert [s.index for s in sentences] == list(range(len(sentences)))
    assert all(s.text and s.text == s.text.strip() for s in sentences)


# ----------------------------------------------------------------- sentence splitting


def test_empty_text_has_no_sentences() -> None:
    assert split_sentences("") == []
    assert split_sentences(" \n\t\n\u00a0 ") == []


def test_lines_and_blank_lines_are_paragraphs() -> None:
    text = "Putin and Xi Signal United Front Against U.S. Influence\nBy Andrew Osborn\n\nFirst one. Second one.\n"
    assert split_sentences(text) == [
        Sentence("Putin and Xi Signal United Front Against U.S. Influence", 0, 0),
        Sentence("By Andrew Osborn", 1, 1),
        Sentence("First one.", 2, 2),
        Sentence("Second one.", 2, 3),
    ]


@pytest.mark.parametrize(
    "text",
    [
        "Mr. Xi met Mrs. Smith, Ms. Lee, Dr. Ng, Prof. Ru and Gen. Tao at St. Mark's.",
        "Sen. Cruz, Rep. Doe and Gov. Hochul met Martin Luther King Jr. Day organisers.",
        "Messrs. Putin and Xi met executives of Acme Inc. Corp. Ltd. and Smith Co. Ltd. today.",
        "It was Smith vs. Jones, apples etc. Pears too, e.g. Pears, i.e. Fruit.",
        "It happened on Jan. 5, Feb. 6, Sept. 7, Oct. 8, Nov. 9 and Dec. 10 in No. 10 Downing Street.",
        "President Donald J. Trump met George W. Bush and J. A. Smith.",
        "Despite U.S. President Donald Trump and U.K. Prime Minister Keir Starmer, the U.N. Security Council and the E.U. Commission agreed.",
        "Growth was 3.5 percent at 10.30 a.m. on Monday, up from 2.1 at 4 p.m. yesterday.",
        "He paused... and then went on.",
        "Xi will drive \"changes the world has not seen in a century\", is due to hold talks.",
        "(Reuters) - Chinese President Xi Jinping is due to start a visit.",
        "MOSCOW (Reuters) - Chinese President Xi Jinping is due to start a visit.",
        "(Reuters) – Chinese President Xi Jinping is due to start a visit.",
    ],
)
def test_no_split(text: str) -> None:
    assert texts(text) == [normalize(text)]


@pytest.mark.parametrize(
    "text, expected",
    [
        ("It ended. Then came 2022. \"Why?\" he asked. Nobody knew!", ["It ended.", "Then came 2022.", '"Why?" he asked.', "Nobody knew!"]),
        ("“Yes,” she said. “No.” He left.", ['"Yes," she said.', '"No."', "He left."]),
        ("He asked \"why?\" Then he left.", ['He asked "why?"', "Then he left."]),
        ("It was over (finally.) The end.", ["It was over (finally.)", "The end."]),
        ("He paused... Then he went on.", ["He paused...", "Then he went on."]),
        ("He paused… Then he went on.", ["He paused...", "Then he went on."]),
        ("Troops landed in the U.S. The next day they left.", ["Troops landed in the U.S.", "The next day they left."]),
        ("It met at 10 a.m. The vote followed.", ["It met at 10 a.m.", "The vote followed."]),
        ("It is No. 1. No. 2 follows.", ["It is No. 1.", "No. 2 follows."]),
        ("The point is No. Nobody came.", ["The point is No.", "Nobody came."]),
        ("He bought Acme Inc. The deal closed.", ["He bought Acme Inc.", "The deal closed."]),
        ("He spoke in the US. Later they met.", ["He spoke in the US.", "Later they met."]),
        ("Putin will visit in September, Ushakov added. Reuters", ["Putin will visit in September, Ushakov added.", "Reuters"]),
    ],
)
def test_split(text: str, expected: list[str]) -> None:
    assert texts(text) == expected


def test_seed_000_original_story() -> None:
    sentences = split_sentences(seed("000"))
    assert len(sentences) == 18  # 17 lines; line 8 holds two sentences
    assert [s.paragraph for s in sentences] == [0, 1, 2, 3, 4, 5, 6, 7, 7, *range(8, 17)]
    assert sentences[0].text == "By Andrew Osborn"
    assert sentences[1].text.startswith("(Reuters) - Chinese President Xi Jinping is due to start a four-day visit")
    assert sentences[4].text.startswith("Despite recent efforts under U.S. President Donald Trump to reset U.S.-Russia ties")
    assert sentences[7].text.endswith("disrupt Russia's close ties with countries like China.")
    assert sentences[8].text == "Days later, Xi and Putin reaffirmed their countries' \"no limits partnership\"."
    assert sentences[9].text.startswith('Xi, who has told Putin that the two have a chance to drive "changes')
    assert sentences[-1].text == "(Reporting by Reuters; Writing by Andrew Osborn; Editing by Tomasz Janowski)"


def test_seed_001_round_trip() -> None:
    sentences = split_sentences(seed("001"))
    assert len(sentences) == 17  # 15 paragraphs; paragraphs 6 and 14 hold two sentences
    per_paragraph = [sum(s.paragraph == p for s in sentences) for p in range(15)]
    assert per_paragraph == [1] * 6 + [2] + [1] * 7 + [2]
    assert sentences[0].text.startswith("date 2025-05-06 Moscow - Chinese President Xi Jinping is expected to start a four -day visit")
    assert sentences[1].text.startswith("Mr. XI, whose country is locked in a pricing war")
    assert sentences[7].text.startswith("A few days later, Mr. Xi and Mr. Putin reaffirmed")
    assert [s.text for s in sentences[-2:]] == [
        "Mr. Putin is expected to visit China at the end of August or early September, Ushakov added.",
        "Reuters",
    ]


@pytest.mark.parametrize("prefix, count", [("002", 14), ("003", 20), ("004", 37)])
def test_other_seeds_counts(prefix: str, count: int) -> None:
    assert len(split_sentences(seed(prefix))) == count


# ----------------------------------------------------------------- tokens


@pytest.mark.parametrize(
    "sentence, tokens",
    [
        ("Xi began a four-day visit.", ["Xi", "began", "a", "four-day", "visit", "."]),
        ("Xi began a four -day visit.", ["Xi", "began", "a", "four", "-", "day", "visit", "."]),
        ("Russia’s 20,000 troops grew 3.5%!", ["Russia's", "20,000", "troops", "grew", "3.5", "%", "!"]),
        ("“No,” said Mr. Xi (U.S.) at 10 a.m.", ['"', "No", ",", '"', "said", "Mr", ".", "Xi", "(", "U.S.", ")", "at", "10", "a.m."]),
        ("countries' rock 'n' roll", ["countries", "'", "rock", "'", "n", "'", "roll"]),
        ("", []),
    ],
)
def test_tokenize(sentence: str, tokens: list[str]) -> None:
    assert tokenize(sentence) == tokens


def test_bare_utf32_mark_is_not_silently_empty():
    """b'\\xff\\xfe\\x00\\x00' is a UTF-32 LE mark and also a NUL in UTF-16: refused, not read as ''."""
    from mtdetect.text import InputError, decode_bytes

    with pytest.raises(InputError, match="binary"):
        decode_bytes("\x00".encode("utf-16"), "x")
