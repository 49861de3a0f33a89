"""Hostile and unsuitable inputs, end to end through the CLI where possible.

Every failure must be: the documented exit code, exactly one line on stderr, no traceback.
Scoring uses the session's `tiny_model_dir`, so no shipped model is needed.
"""

from __future__ import annotations

import contextlib
import gzip
import json
import random
import signal
import sys
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from conftest import SEED
from mtdetect.inputs import guard
from mtdetect.inputs import limits
from mtdetect.cli import app
from mtdetect.text import InputError, read_text, split_sentences

runner = CliRunner()

ORIGINAL = SEED["original"].read_text(encoding="utf-8")
ROUNDTRIP = SEED["roundtrip"].read_text(encoding="utf-8")

FRENCH = (
    "Le gouvernement français a annoncé mardi une série de mesures destinées à soutenir les agriculteurs "
    "touchés par la sécheresse. Selon le ministre, les aides seront versées dès le mois prochain, mais les "
    "syndicats estiment qu'elles restent insuffisantes face à l'ampleur des pertes. Le président de la "
    "République doit se rendre jeudi dans une exploitation du sud-ouest du pays.\n"
)
GERMAN = (
    "Die Bundesregierung hat am Dienstag neue Maßnahmen zur Unterstützung der Landwirte angekündigt, die "
    "von der Dürre betroffen sind. Nach Angaben des Ministers sollen die Hilfen bereits im nächsten Monat "
    "ausgezahlt werden, doch die Verbände halten sie für unzureichend und fordern weitere Gespräche.\n"
)


class TooSlow(BaseException):
    """Not an Exception, so the CLI's error handler cannot turn it into an exit code."""


@contextlib.contextmanager
def time_limit(seconds: int):
    """Fail (rather than hang) when a command runs past `seconds` (SIGALRM; Unix main thread)."""
    def _raise(signum, frame):  # noqa: ANN001, ARG001
        raise TooSlow(f"over {seconds} s")

    old = signal.signal(signal.SIGALRM, _raise)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)


def run(*args: object, input: str | bytes | None = None, limit: int = 120):
    with time_limit(limit):
        return runner.invoke(app, [str(a) for a in args], input=input)


def score(suspect: object, model: Path, *extra: object, reference: object = SEED["original"], input=None,
          limit: int = 120):
    return run("score", suspect, "--reference", reference, "--model", model, "-q", *extra, input=input, limit=limit)


def assert_fails(r, code: int, *messages: str) -> None:
    """Documented exit code, one line on stderr holding every message, no traceback anywhere."""
    assert r.exit_code == code, (r.exit_code, r.output)
    assert "Traceback" not in r.output
    assert r.exception is None or isinstance(r.exception, SystemExit), repr(r.exception)
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1, r.stderr
    for message in messages:
        assert message in lines[0], lines[0]


def verdict(r) -> str:
    assert r.exit_code == 0, r.output
    return json.loads(r.stdout)["verdict"]


def sentence_texts(r) -> list[tuple[str, str, str]]:
    assert r.exit_code == 0, r.output
    data = json.loads(r.stdout)
    return [(s["text"], s["status"], s["reference"]) for s in data["sentences"]]


@pytest.fixture(scope="module")
def lf_result(tiny_model_dir):
    """The reference result: the round-trip seed scored as plain UTF-8 with LF line ends."""
    return sentence_texts(score(SEED["roundtrip"], tiny_model_dir, "-f", "json"))


# --------------------------------------------------------------------------- empty, binary, encodings


@pytest.mark.parametrize("content, message", [
    (b"", "empty (no text)"),
    (b" \n\t\r\n\xc2\xa0\n\xe2\x80\x8b", "empty (no text)"),  # spaces, NBSP, zero-width space
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)), "binary file, not text"),
    (bytes(range(1, 9)) * 50 + b"some text", "binary file, not text"),
    ("Café crème, très bien. Le thé.".encode("latin-1"), "not UTF-8 text"),
    (b"\xff\xfe" + b"\x00\xd8", "not UTF-16 text"),  # a BOM, then a lone surrogate
    (b"<html><head><title>Only a title</title></head><body><script>x()</script></body></html>",
     "empty (no text)"),
])  # fmt: skip
def test_unreadable_suspect_exit_3(tmp_path, tiny_model_dir, content, message):
    bad = tmp_path / "suspect.txt"
    bad.write_bytes(content)
    assert_fails(score(bad, tiny_model_dir), 3, f"{bad}: {message}")


def test_unreadable_reference_names_the_reference(tmp_path, tiny_model_dir):
    bad = tmp_path / "ref.txt"
    bad.write_bytes("naïve".encode("latin-1"))
    assert_fails(score(SEED["roundtrip"], tiny_model_dir, reference=bad), 3, f"{bad}: not UTF-8 text")


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le-nobom", "utf-32", "utf-8-sig"])
def test_utf16_utf32_and_bom_are_decoded_and_scored(tmp_path, tiny_model_dir, lf_result, encoding):
    f = tmp_path / "suspect.txt"
    if encoding == "utf-16-le-nobom":
        f.write_bytes(ROUNDTRIP.encode("utf-16-le"))
    else:
        f.write_bytes(ROUNDTRIP.encode(encoding))
    assert sentence_texts(score(f, tiny_model_dir, "-f", "json")) == lf_result


@pytest.mark.parametrize("newline", ["\r\n", "\r", "mixed"])
def test_crlf_and_mixed_line_ends_score_like_lf(tmp_path, tiny_model_dir, lf_result, newline):
    lines = ROUNDTRIP.split("\n")
    if newline == "mixed":
        text = "".join(line + ("\r\n", "\n", "\r", "\u2028")[k % 4] for k, line in enumerate(lines))
    else:
        text = newline.join(lines)
    f = tmp_path / "suspect.txt"
    f.write_bytes(text.encode("utf-8"))
    assert sentence_texts(score(f, tiny_model_dir, "-f", "json")) == lf_result


def test_directory_and_stdin_twice(tmp_path, tiny_model_dir):
    assert_fails(score(tmp_path, tiny_model_dir), 3, "is a directory")
    assert_fails(run("score", "-", "--reference", "-", "--model", tiny_model_dir), 2, "only one of")


# --------------------------------------------------------------------------- size


def test_input_size_limit_refuses_before_reading(tmp_path):
    huge = tmp_path / "huge.txt"
    with open(huge, "wb") as fh:  # sparse: no disk used, and never read
        fh.truncate(guard.MAX_INPUT_BYTES + 1)
    with pytest.raises(InputError, match=r"huge\.txt: 52,428,801 bytes is over the 52,428,800-byte limit"):
        read_text(str(huge))
    just = tmp_path / "just.txt"
    with open(just, "wb") as fh:
        fh.truncate(guard.MAX_INPUT_BYTES)
    with pytest.raises(InputError, match="binary file"):  # at the limit: read (and found to be zeros)
        read_text(str(just))


def test_stdin_over_the_limit_is_refused(monkeypatch, tiny_model_dir):
    monkeypatch.setattr(limits, "MAX_INPUT_BYTES", 1000)  # check_input_size's default
    r = run("score", "--reference", SEED["original"], "--model", tiny_model_dir, input="word " * 400)
    assert_fails(r, 3, "<stdin>: over the 1,000-byte limit")


def test_large_article_is_refused_quickly(tmp_path, tiny_model_dir):
    """~5 MB (~28,000 sentences): over MAX_SENTENCES, refused before any embedding."""
    big = tmp_path / "big.txt"
    big.write_text((ORIGINAL + "\n") * (5 * 2**20 // len(ORIGINAL)), encoding="utf-8")
    assert big.stat().st_size > 5_000_000
    t0 = time.perf_counter()
    r = score(big, tiny_model_dir, limit=60)
    assert_fails(r, 3, f"{big}: more than 5,000 sentences")
    assert time.perf_counter() - t0 < 30


def test_alignment_limit():
    guard.check_alignment_size(1000, 1000)
    with pytest.raises(InputError, match="over the alignment limit"):
        guard.check_alignment_size(2000, 2000)
    guard.check_sentence_count(guard.MAX_SENTENCES, "a.txt")
    with pytest.raises(InputError, match=r"^a\.txt: more than 5,000 sentences"):
        guard.check_sentence_count(guard.MAX_SENTENCES + 1, "a.txt")


def test_gzip_bomb_is_stopped(tmp_path):
    from mtdetect.inputs.budget import Budget, BudgetReader

    def read(data: bytes, limit: int = 1_000_000) -> bytes:
        (tmp_path / "p.gz").write_bytes(data)
        return BudgetReader(str(tmp_path / "p.gz"), Budget(limit), name="p.gz").read_all()

    with pytest.raises(InputError, match=r"^p\.gz: over the 1,000,000-byte limit"):
        read(gzip.compress(b"a" * (2 * 2**20)))
    assert read(gzip.compress(b"ab") + gzip.compress(b"cd")) == b"abcd"
    assert read(gzip.compress(b"x" * 300_000) + gzip.compress(b"y" * 300_000)) == b"x" * 300_000 + b"y" * 300_000
    assert read(b"") == b""
    with pytest.raises(InputError, match="not a valid gzip file"):
        read(gzip.compress(b"abcdef")[:-6])


def test_single_10000_word_sentence_is_scored_in_seconds(tmp_path, tiny_model_dir):
    words = [w for w in ORIGINAL.replace(".", "").split() if w.isalpha()]
    rng = random.Random(5)
    ref = " ".join(rng.choice(words) for _ in range(10_000)) + "."
    sus = ref.replace(" the ", " a ").replace(" war ", " conflict ")
    (tmp_path / "ref.txt").write_text(ref, encoding="utf-8")
    (tmp_path / "sus.txt").write_text(sus, encoding="utf-8")
    t0 = time.perf_counter()
    split = split_sentences(sus)
    assert len(split) == 1 and time.perf_counter() - t0 < 1.0
    r = score(tmp_path / "sus.txt", tiny_model_dir, "-f", "json", reference=tmp_path / "ref.txt")
    assert r.exit_code == 0, r.output
    assert json.loads(r.stdout)["n_sentences"] == 1
    assert time.perf_counter() - t0 < 30  # ~5 s here; features of one huge pair dominate


# --------------------------------------------------------------------------- language


@pytest.mark.parametrize("text", [FRENCH, GERMAN], ids=["french", "german"])
def test_non_english_suspect_exit_3(tmp_path, tiny_model_dir, text):
    f = tmp_path / "foreign.txt"
    f.write_text(text, encoding="utf-8")
    assert_fails(score(f, tiny_model_dir), 3, f"{f}: does not look like English text", "English only")


def test_reference_in_another_language_names_the_reference(tmp_path, tiny_model_dir):
    f = tmp_path / "original_fr.txt"
    f.write_text(FRENCH * 3, encoding="utf-8")
    assert_fails(score(SEED["roundtrip"], tiny_model_dir, reference=f), 3, f"{f}: does not look like English")


def test_english_share_separates_languages():
    assert guard.english_share(ORIGINAL) > 0.9
    assert guard.english_share(ROUNDTRIP) > 0.9
    for text in (FRENCH, GERMAN, "Президент России Владимир Путин заявил во вторник, что переговоры прошли успешно.",
                 "中国国家主席习近平周二抵达莫斯科，开始为期四天的国事访问，双方将签署多项协议。"):
        assert guard.english_share(text) < 0.3, text
    guard.check_english("Xi met Ushakov.", "short.txt")  # too short to judge: accepted
    with pytest.raises(InputError, match=r"^fr\.txt: does not look like English text \(\d+% English words\)"):
        guard.check_english(FRENCH, "fr.txt")


def test_english_check_is_fast_on_50_mb():
    text = (ORIGINAL + "\n") * (50 * 2**20 // len(ORIGINAL))
    t0 = time.perf_counter()
    assert guard.english_share(text) > 0.9
    assert time.perf_counter() - t0 < 2.0


# --------------------------------------------------------------------------- verdicts


def test_reference_identical_to_suspect_is_a_copy(tiny_model_dir):
    assert verdict(score(SEED["original"], tiny_model_dir, "-f", "json")) == "copy"


def test_unrelated_reference_is_unrelated(tiny_model_dir):
    assert verdict(score(SEED["other"], tiny_model_dir, "-f", "json")) == "unrelated"


def test_html_input_is_scored_by_its_text(tmp_path, tiny_model_dir, lf_result):
    body = "".join(f"<p>{line.replace('&', '&amp;')}</p>\n" for line in ROUNDTRIP.split("\n") if line.strip())
    page = (
        "<!DOCTYPE html>\n<html><head><title>News</title><style>p { color: red }</style>"
        "<script>var s = '<p>not text</p>';</script></head>\n<body><nav><a href='/'>Home</a></nav>\n"
        f"<article>\n{body}</article><footer>Copyright</footer></body></html>\n"
    )
    f = tmp_path / "page.html"
    f.write_text(page, encoding="utf-8")
    assert sentence_texts(score(f, tiny_model_dir, "-f", "json")) == lf_result


def test_html_helpers():
    page = "<html><head><title>T</title><body><h1>Big &amp; bold</h1><p>One\nline.</p>two<br>three"
    assert guard.looks_like_html(page)
    assert guard.html_to_text(page) == "Big & bold\nOne line.\ntwo\nthree"
    assert not guard.looks_like_html("Plain text, 3 < 4 and a <b>bold</b> word.")
    assert not guard.looks_like_html(ORIGINAL)


# --------------------------------------------------------------------------- pairs files


@pytest.mark.parametrize("line, message", [
    ('{"reference": "A b.", "candidate": "A c."', ":2: not valid JSON"),
    ('{"reference": "A b."}', ":2: missing 'candidate'"),
    ('{"reference": "A b.", "candidate": ["A", "c."]}', ":2: 'candidate' must be a string, not list"),
    ('"just a string"', ":2: expected an object"),
])  # fmt: skip
def test_bad_pairs_line_exit_3_with_file_and_line(tmp_path, tiny_model_dir, line, message):
    f = tmp_path / "pairs.jsonl"
    f.write_text(json.dumps({"reference": "A b.", "candidate": "A d."}) + "\n" + line + "\n", encoding="utf-8")
    r = run("score", "--pairs", f, "--model", tiny_model_dir)
    assert_fails(r, 3, f"{f}{message}")


def test_pairs_file_not_utf8_exit_3(tmp_path, tiny_model_dir):
    f = tmp_path / "pairs.jsonl"
    f.write_bytes('{"reference": "Caf\u00e9.", "candidate": "Cafe."}\n'.encode("latin-1"))
    assert_fails(run("score", "--pairs", f, "--model", tiny_model_dir), 3, f"{f}: not UTF-8 text")


# --------------------------------------------------------------------------- fuzz (short CI version)


def test_fuzz_text_pipeline_short():
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))
    from fuzz_text import fuzz

    report = fuzz(300, seed=1)
    assert report["count"] == 300 and report["failures"] == []


def test_pairs_non_english_line_is_marked_not_scored(tiny_model_dir):
    import json

    rows = [{"reference": "The minister said the talks would resume on Monday after a long pause in the capital.",
             "candidate": "The minister said talks would restart on Monday after a long break in the capital.", "id": 1},
            {"reference": "Le ministre a déclaré que les négociations reprendraient lundi après une longue pause dans la capitale.",
             "candidate": "Le ministre a dit que les pourparlers recommenceraient lundi après une longue interruption.", "id": 2}]
    r = run("score", "--pairs", "-", "--model", tiny_model_dir, input="\n".join(json.dumps(x) for x in rows))
    assert r.exit_code == 0, r.output
    out = [json.loads(x) for x in r.stdout.splitlines()]
    assert [o["id"] for o in out] == [1, 2]
    assert isinstance(out[0]["p_mt"], float) and "error" not in out[0]
    assert out[1]["p_mt"] is None and "not English" in out[1]["error"]
