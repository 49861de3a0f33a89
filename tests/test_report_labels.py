"""Issue 24: every number a user reads from `score` is the number that was measured.

Labels never disagree with the flag they sit beside, the chart uses the table's colour bands,
the text table fits the terminal, sentences are numbered one way everywhere, reference-free
output says nothing about a reference, and a pivot guess says what its classes mean.
"""

from __future__ import annotations

import json
import re

import pytest
from typer.testing import CliRunner

from mtdetect.cli import app
from mtdetect.report.render import render_article
from mtdetect.results import ArticleResult, SentenceResult

from conftest import SEED

runner = CliRunner()


def _result(p: float, threshold: float = 0.5, p_article: float | None = None, pivot: dict | None = None,
            mode: str = "reference") -> ArticleResult:
    s = [SentenceResult(index=0, text="The minister said the talks would resume on Monday.", status="scored",
                        reference=["The minister said talks resume Monday."], reference_index=[0], alignment="1:1",
                        similarity=0.9, p_mt=p, flagged=p >= threshold),
         SentenceResult(index=1, text="He added that twenty delegates would attend the talks.", status="scored",
                        reference=["He said 20 delegates would attend."], reference_index=[1], alignment="1:1",
                        similarity=0.9, p_mt=0.9, flagged=True)]
    return ArticleResult(verdict="rewritten", flagged_fraction=0.5, mean_p_mt=(p + 0.9) / 2, related_share=1.0,
                         copy_share=0.0, n_sentences=2, n_scored=2, n_unmatched=0, threshold=threshold,
                         signature="sig", sentences=s, mode=mode, p_article=p_article, pivot=pivot)


# ------------------------------------------------------------------ 2. labels agree with the numbers

@pytest.mark.parametrize("p", [0.4956, 0.49996, 0.4951])
def test_a_probability_below_the_threshold_never_prints_as_the_threshold(p):
    res = _result(p, p_article=p)
    text = render_article(res, "text", width=200)
    row = next(line for line in text.splitlines() if "minister" in line)
    shown = [c.strip() for c in row.split("│")][2]
    assert float(shown) < 0.5, row  # shown with enough digits to stay below the threshold
    assert "p(article is MT) 0.50" not in text and "p(article is MT) 0.5," not in text
    page = render_article(res, "html")
    cell = re.search(r'<span class="pv">([^<]*)</span> <span class="badge b-ok">not MT', page)
    assert cell and float(cell.group(1)) < 0.5, cell and cell.group(0)
    assert not re.search(r"p\(MT\) 0\.50, not flagged", page)


@pytest.mark.parametrize("p, shown", [(0.501, "0.501"), (0.5000001, "\u2265 0.5"), (0.5, "0.50"), (0.62, "0.62")])
def test_a_probability_at_or_just_above_the_threshold_is_not_shown_as_it(p, shown):
    row = next(line for line in render_article(_result(p), "text", width=200).splitlines() if "minister" in line)
    assert [c.strip() for c in row.split("\u2502")][2:4] == [shown, "MT"], row


def test_chart_bars_use_the_colour_band_of_their_table_row():
    page = render_article(_result(0.6), "html")  # 0.6: the "flagged" band, 0.9: the "very likely" band
    bars = re.findall(r'<rect [^>]*class="bar-([a-z-]+)"', page)
    rows = re.findall(r'<td class="p t-([a-z-]+)">', page)
    assert bars == rows == ["mt", "mt-high"]
    fills = dict(re.findall(r"\.bar-([a-z-]+) \{ fill: (#[0-9a-f]{6})", page))
    assert fills["mt"] != fills["mt-high"]  # 0.50-0.75 is not drawn like >= 0.75
    legend = page.split('<ul class="legend">')[1].split("</ul>")[0]
    for band in ("mt-high", "mt", "low-mid", "low"):  # each band's tint and its bar colour, side by side
        item = next(li for li in legend.split("<li>") if f"t-{band}\"" in li)
        assert f"sb-{band}\"" in item, item
        assert re.search(rf"\.sb-{band} \{{ background: {fills[band]}", page)


# ------------------------------------------------------------------ 3. the terminal's width

def test_text_table_fits_an_80_column_terminal():
    r = runner.invoke(app, ["score", str(SEED["rewrite"]), "--reference", str(SEED["original"]), "-q"],
                      env={"COLUMNS": "80"})
    assert r.exit_code == 0, r.output
    # the signature is an identifier a user copies: one line, whole, however wide (the terminal
    # folds it on screen without breaking it); everything else fits the 80 columns
    lines = r.stdout.splitlines()
    sig = [line for line in lines if line.startswith("signature: ")]
    assert len(sig) == 1 and "|" in sig[0] and " " not in sig[0].removeprefix("signature: "), sig
    widest = max(len(line) for line in lines if line not in sig)
    assert widest <= 80, widest


def test_text_table_uses_a_wide_terminal():
    text = render_article(_result(0.3), "text", width=120)
    assert max(len(line) for line in text.splitlines()) <= 120
    assert any(len(line) > 100 for line in text.splitlines())


# ------------------------------------------------------------------ 4. one sentence numbering

def _score(seed: str, fmt: str, *extra: str) -> str:
    r = runner.invoke(app, ["score", str(SEED[seed]), "--reference", str(SEED["original"]), "-f", fmt, "-q", *extra])
    assert r.exit_code == 0, r.output
    return r.stdout


@pytest.fixture(scope="module")
def seed002():
    return {fmt: _score("rewrite", fmt) for fmt in ("json", "text", "html")}


def test_json_numbering_is_documented_and_covers_every_suspect_sentence(seed002):
    from mtdetect.text import split_sentences

    data = json.loads(seed002["json"])
    n = len(split_sentences(SEED["rewrite"].read_text(encoding="utf-8")))
    assert data["n_sentences"] == n  # sentences of the suspect, not rows
    covered = [i for s in data["sentences"] for i in s["suspect_index"]]
    assert covered == list(range(n))  # 0-based, every sentence once, in order
    assert all(s["index"] == s["suspect_index"][0] for s in data["sentences"])
    merged = [s for s in data["sentences"] if len(s["suspect_index"]) == 2]
    assert merged and all(s["alignment"].startswith("2:") for s in merged)


def test_text_and_html_number_sentences_from_one_like_the_json(seed002):
    data = json.loads(seed002["json"])
    labels = ["\u2013".join(str(i + 1) for i in (s["suspect_index"][0], s["suspect_index"][-1]))
              if len(s["suspect_index"]) > 1 else str(s["suspect_index"][0] + 1) for s in data["sentences"]]
    text_rows = re.findall(r"^│\s*(\d+(?:\u2013\d+)?)\s*│", seed002["text"], re.M)
    assert text_rows == labels
    assert f"sentences: {data['n_sentences']}" in seed002["text"]
    html_rows = re.findall(r'<th scope="row" id="s\d+">S(\d+(?:\u2013S\d+)?)</th>', seed002["html"])
    assert [h.replace("S", "") for h in html_rows] == labels
    assert f"{data['n_sentences']} in the suspect" in seed002["html"]


def test_unrelated_article_keeps_its_merged_pairs_numbered():
    data = json.loads(_score("other", "json"))
    covered = [i for s in data["sentences"] for i in s["suspect_index"]]
    assert covered == list(range(data["n_sentences"]))
    page = _score("other", "html")
    for s in data["sentences"]:
        if len(s["suspect_index"]) == 2:
            a, b = s["suspect_index"]
            assert f"S{a + 1}\u2013S{b + 1}" in page


# ------------------------------------------------------------------ 6. reference-free output

def test_reference_free_text_says_nothing_about_a_reference():
    r = runner.invoke(app, ["score", str(SEED["rewrite"]), "-q"])
    assert r.exit_code == 0, r.output
    assert "related share" not in r.stdout and "new material" not in r.stdout.split("verdict:")[1]


# ------------------------------------------------------------------ 8. what a pivot class means

def test_pivot_guess_says_the_class_is_the_engines_path():
    pivot = {"language": "es", "confidence": 1.0, "engine": "apertium", "distribution": {"es": 1.0},
             "n_sentences": 11, "french_traces": {}, "note": ""}
    text = render_article(_result(0.9, pivot=pivot), "text", width=200)
    line = next(x for x in text.splitlines() if x.startswith("pivot"))
    # the class is the engine's path: Apertium's French round trips (fr_es) pass through Spanish
    assert "through Spanish" in line and "fr_es" in line, line
