"""The HTML report (issue 8): structure, escaping, self-containment, contrast, the CLI, and the
seeds report rendered in a real headless Chromium (skipped where no Chromium is installed)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest
from typer.testing import CliRunner

from mtdetect.report import html as report_html
from mtdetect.cli import app
from mtdetect.report.html import render_html

from conftest import SEED

HOSTILE = '<script>alert("x")</script> & <img src=http://evil.example/x.png onerror=alert(1)>'


def _sentence(index, text, status="scored", p=0.9, flagged=True, ref_index=(0,), reference="", evidence=()):
    return {"index": index, "text": text, "status": status, "alignment": "1:1" if ref_index else "unmatched",
            "reference": reference, "reference_index": list(ref_index), "similarity": 0.9 if ref_index else 0.0,
            "p_mt": p, "flagged": flagged, "evidence": list(evidence)}


def _result(hostile=HOSTILE, **extra):
    refs = ["Xi is locked in a tariff war with the United States.", "It was a four-day visit.",
            "A sentence the suspect left out.", f"Hostile reference {hostile}."]
    sentences = [
        _sentence(0, "Mr. XI is locked in a pricing war with the United States.", p=0.93, reference=refs[0],
                  evidence=[{"kind": "honorific", "text": "Mr. XI", "replaced": "", "note": "honorific the "
                             "reference lacks", "score": 1.0},
                            {"kind": "casing", "text": "XI", "replaced": "Xi", "note": "", "score": 1.0},
                            {"kind": "substitution", "text": "a pricing war", "replaced": "a tariff war",
                             "note": "1/2 bigrams unseen", "score": 2.0}]),
        _sentence(1, "It was a four -day visit.", p=0.3, flagged=False, ref_index=(1,), reference=refs[1],
                  evidence=[{"kind": "spacing", "text": "four -day", "replaced": "", "note": "", "score": 0.5}]),
        _sentence(2, f"New material {hostile}.", status="unmatched", p=None, flagged=False, ref_index=()),
        _sentence(3, f"Hostile suspect {hostile}.", p=0.6, ref_index=(3,), reference=refs[3],
                  evidence=[{"kind": "substitution", "text": "<script>", "replaced": '"><b>',
                             "note": "", "score": 1.0}]),
    ]
    data = {"verdict": "round-trip MT", "mode": "reference", "flagged_fraction": 0.6667, "mean_p_mt": 0.61,
            "related_share": 0.75, "copy_share": 0.0, "n_sentences": 4, "n_scored": 3, "n_unmatched": 1,
            "threshold": 0.5, "signature": "emb:x|feat:v2|clf:abc|thr:0.5|mtdetect:0.1.0",
            "sentences": sentences, "reference_sentences": refs}
    data.update(extra)
    return data


class _Tags(HTMLParser):
    """Collects elements with their attributes and text, and checks that tags nest properly.

    "plain" is an element's text without the evidence annotations (<span class="alt">) inside it.
    """

    VOID = {"meta", "col", "br", "img", "input", "link", "hr", "rect", "line"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack, self.elements, self.errors = [], [], []

    def handle_starttag(self, tag, attrs):
        el = {"tag": tag, "attrs": dict(attrs), "text": "", "plain": ""}
        self.elements.append(el)
        if tag not in self.VOID:
            self.stack.append(el)

    def handle_startendtag(self, tag, attrs):
        self.elements.append({"tag": tag, "attrs": dict(attrs), "text": "", "plain": ""})

    def handle_endtag(self, tag):
        if tag in self.VOID:
            return
        if not self.stack or self.stack[-1]["tag"] != tag:
            self.errors.append(f"unexpected </{tag}>")
            return
        self.stack.pop()

    def handle_data(self, data):
        alt = next((i for i, el in enumerate(self.stack) if "alt" in _classes(el)), len(self.stack))
        for i, el in enumerate(self.stack):
            el["text"] += data
            if i >= alt or alt == len(self.stack):
                el["plain"] += data

    def find(self, tag, cls=None):
        return [e for e in self.elements if e["tag"] == tag
                and (cls is None or cls in _classes(e))]


def _classes(el) -> list[str]:
    return (el["attrs"].get("class") or "").split()


def _parse(html: str) -> _Tags:
    p = _Tags()
    p.feed(html)
    p.close()
    assert not p.errors and not p.stack, (p.errors, [e["tag"] for e in p.stack])
    return p


def test_structure_marks_and_alignment():
    html = render_html(_result(), {"suspect": "a<b>.txt", "reference": "ref.txt"})
    assert html.startswith("<!DOCTYPE html>") and '<html lang="en">' in html
    t = _parse(html)
    assert [e["text"] for e in t.find("h1")] == ["Round-trip MT report"]
    assert "round-trip MT" in t.find("h2", "verdict")[0]["text"]
    assert "emb:x|feat:v2|clf:abc" in t.find("dd", "sig")[0]["text"]
    assert len(t.find("th")) >= 4 and len(t.find("caption")) == 1 and t.find("svg")[0]["attrs"]["role"] == "img"
    rows = t.find("tr", "row")
    assert [e["text"] for e in t.find("th") if e["attrs"].get("scope") == "row"] == ["S1", "S2", "S3", "\u2014", "S4"]
    # every suspect sentence is in its own row, the flagged ones tinted as MT
    assert "pricing war" in rows[0]["text"] and "flagged" in rows[0]["attrs"]["class"]
    assert "st-unmatched" in rows[2]["attrs"]["class"] and "no counterpart" in rows[2]["text"]
    sus = t.find("td", "sus")  # S1, S2, S3 (new), R3 (left out), S4
    assert [c for td in sus for c in _classes(td) if c.startswith("t-")] == ["t-mt-high", "t-low-mid", "t-new",
                                                                           "t-mt"]
    assert sus[0]["plain"] == "Mr. XI is locked in a pricing war with the United States."
    assert sus[4]["plain"] == f"Hostile suspect {HOSTILE}."
    # the left-out reference sentence gets a row of its own, in reference order (after R2, before R4)
    omitted = t.find("tr", "omitted")
    assert len(omitted) == 1 and "A sentence the suspect left out." in omitted[0]["text"]
    assert html.index("A sentence the suspect left out.") < html.index("Hostile suspect")
    # highlights: focusable, with the replaced wording in title and in the visible/print annotation
    marks = t.find("mark", "ev")
    row_marks = [m for m in marks if m["attrs"].get("tabindex") == "0"]
    assert all(m["attrs"].get("title") for m in row_marks)
    xi = next(m for m in row_marks if m["text"].startswith("Mr. XI"))  # "Mr. XI" and "XI" merged
    assert "reference: \u201cXi\u201d" in xi["attrs"]["title"] and "title the reference lacks" in xi["text"]
    war = next(m for m in row_marks if m["text"].startswith("a pricing war"))
    assert "\u2190 reference: \u201ca tariff war\u201d" in war["text"] and "weak" not in war["attrs"]["class"]
    day = next(m for m in row_marks if m["text"].startswith("four -day"))
    assert "weak" in day["attrs"]["class"]  # a trace in a sentence that is not flagged is shown quietly
    assert [e["text"] for e in t.find("span", "was")][1:3] == ["Xi", "a tariff war"]  # after the legend sample
    assert "@media print" in html and "mark.ev:focus .alt" in html


ALLOWED_TAGS = {"html", "head", "meta", "title", "style", "body", "a", "header", "main", "div", "section", "h1",
                "h2", "dl", "dt", "dd", "svg", "desc", "line", "text", "rect", "ul", "li", "span", "mark", "strong",
                "table", "caption", "colgroup", "col", "thead", "tbody", "tr", "th", "td", "footer"}


def test_hostile_text_is_escaped():
    html = render_html(_result(match={"id": "<script>x</script>", "score": 0.9}),
                       {"suspect": "<script>s</script>", "reference": "r.txt"})
    t = _parse(html)
    assert {e["tag"] for e in t.elements} <= ALLOWED_TAGS  # no script, img, link, iframe, object
    for e in t.elements:
        assert not [a for a in e["attrs"] if a.startswith("on") or a in ("src", "srcset", "action")], e
        assert e["attrs"].get("href", "#").startswith("#"), e
    assert html.count("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;") == 2  # new material, reference
    marked = next(m for m in t.find("mark", "ev") if m["plain"] == "<script>")  # S4: evidence on hostile text
    assert marked["attrs"]["title"] == 'reference: \u201c"><b>\u201d'
    assert t.find("td", "sus")[4]["plain"] == f"Hostile suspect {HOSTILE}."
    assert "&lt;script&gt;x&lt;/script&gt;" in html and "&lt;script&gt;s&lt;/script&gt;" in html
    assert "default-src 'none'" in html  # the browser itself refuses any fetch or script


def test_self_contained_no_urls():
    html = render_html(_result(hostile="<b>bold</b>", mode="index", match={"id": "a1"}), {"suspect": "s.txt"})
    assert not re.search(r"https?://|//[a-z0-9.-]+\.[a-z]{2,}/|\bsrc\s*=|\bhref\s*=\s*\"(?!#)|url\(|@import|@font-face",
                         html, re.I)


def test_reference_free_and_index_match():
    data = _result(mode="reference-free", match=None)
    data.pop("reference_sentences")
    for s in data["sentences"]:
        s.update(reference="", reference_index=[], alignment="none")
        for ev in s["evidence"]:
            ev["replaced"] = ""
    html = render_html(data)
    t = _parse(html)
    assert "reference-free" in t.find("h1")[0]["text"] and "Reference-free" in t.find("caption")[0]["text"]
    assert len(t.find("thead")[0]["text"].split("p(MT)")) == 2 and "Reference" not in t.find("thead")[0]["text"]
    assert not t.find("tr", "omitted") and len(t.find("tr", "row")) == 4

    html = render_html(_result(mode="index", match={"id": "archive/123", "title": "Xi & Putin", "similarity": 0.8}))
    t = _parse(html)
    assert "Matched archived article" in html and "Xi &amp; Putin" in html and "archive/123" in html
    assert "Matched archived article" in t.find("thead")[0]["text"]


def _luminance(hex_colour: str) -> float:
    rgb = [int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    lin = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in rgb]
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]


def _contrast(a: str, b: str) -> float:
    la, lb = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def test_colours_meet_wcag_aa():
    backgrounds = [c for c in list(report_html.TINTS.values()) + list(report_html.MARK_BG.values())
                   if c.startswith("#")] + ["#ffffff"]
    for bg in backgrounds:
        assert _contrast(report_html.TEXT, bg) >= 7.0, bg
        assert _contrast(report_html.MUTED, bg) >= 4.5, bg
    for fg, bg in report_html.BADGE.values():
        assert _contrast(fg, bg) >= 4.5, (fg, bg)
    for bar in report_html.BAR.values():  # graphics: 3:1 against the white page
        assert _contrast(bar, "#ffffff") >= 3.0, bar
    # the MT tints must be told apart from the not-MT ones at a glance (hue, not only lightness)
    assert len(set(report_html.TINTS.values())) == len(report_html.TINTS) - 1  # "new" and "short" share white


def test_cli_writes_html_report(tiny_model_dir, tmp_path):
    out = tmp_path / "sub" / "report.html"
    r = CliRunner().invoke(app, ["score", str(SEED["roundtrip"]), "--reference", str(SEED["original"]),
                                 "--model", str(tiny_model_dir), "--format", "html", "--out", str(out), "-q"])
    assert r.exit_code == 0, r.output
    assert r.stdout == ""
    html = out.read_text(encoding="utf-8")
    t = _parse(html)
    assert SEED["roundtrip"].name in t.find("thead")[0]["text"] and SEED["original"].name in html
    from mtdetect.text import split_sentences

    # every suspect sentence in the suspect column, every reference sentence in the reference column
    # (aligned beside its suspect sentence, or in a row of its own as left out), in order
    sus = " ".join(td["plain"] for td in t.find("td", "sus"))
    ref = " ".join(td["plain"] for td in t.find("td", "ref"))
    for col, seed in ((sus, "roundtrip"), (ref, "original")):
        at = 0
        for s in split_sentences(SEED[seed].read_text(encoding="utf-8")):
            at = col.index(s.text, at)


# --------------------------------------------------------------------------- headless Chromium

CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "chrome")
WINDOW = (1280, 4200)


def _chromium() -> str:
    exe = os.environ.get("MTDETECT_CHROMIUM") or next(filter(None, map(shutil.which, CHROMIUM_NAMES)), None)
    if not exe:
        pytest.skip("no Chromium binary (apt-get install chromium); the browser test is skipped")
    return exe


def _browser(exe: str, profile: Path, *args: str) -> subprocess.CompletedProcess:
    cmd = [exe, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--no-first-run",
           "--force-color-profile=srgb", "--force-device-scale-factor=1", f"--user-data-dir={profile}", *args]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=120)


@pytest.fixture(scope="module")
def chromium() -> str:
    return _chromium()


@pytest.fixture(scope="module")
def rendered(chromium, tmp_path_factory, embedder):  # chromium first: skip before loading the model
    """The 001 and 002 reports (shipped model) as Chromium rendered them: DOM and screenshot."""
    from concurrent.futures import ThreadPoolExecutor

    from mtdetect.report.render import render_article
    from mtdetect.detect.reference import Detector

    exe = chromium
    det = Detector(embedder=embedder)
    reference = SEED["original"].read_text(encoding="utf-8")
    tmp = tmp_path_factory.mktemp("html")
    out, jobs = {}, {}
    for name in ("roundtrip", "rewrite"):
        result = det.score_article(SEED[name].read_text(encoding="utf-8"), reference)
        page = tmp / f"{name}.html"
        page.write_text(render_article(result, "html"), encoding="utf-8")
        out[name] = {"result": result, "png": tmp / f"{name}.png", "page": page}
    with ThreadPoolExecutor(4) as pool:  # four browsers at once: each spends most of its time starting
        for name in out:
            page, png = out[name]["page"], out[name]["png"]
            jobs[name, "shot"] = pool.submit(_browser, exe, tmp / f"p-{name}-shot", f"--screenshot={png}",
                                             f"--window-size={WINDOW[0]},{WINDOW[1]}", page.as_uri())
            jobs[name, "dom"] = pool.submit(_browser, exe, tmp / f"p-{name}-dom", "--dump-dom", page.as_uri())
    for name in out:
        shot, dom = jobs[name, "shot"].result(), jobs[name, "dom"].result()
        assert out[name]["png"].exists() and out[name]["png"].stat().st_size > 10_000, shot.stderr[-2000:]
        assert dom.returncode == 0 and "</html>" in dom.stdout, dom.stderr[-2000:]
        out[name]["dom"] = dom.stdout
    return out


def test_chromium_dom_shows_flags_highlights_and_alignment(rendered):
    mt, rw = rendered["roundtrip"], rendered["rewrite"]
    t = _parse(mt["dom"])
    flagged_rows = t.find("tr", "flagged")
    assert len(flagged_rows) == sum(s.flagged for s in mt["result"].sentences) >= 10
    marked = " | ".join(m["text"] for m in t.find("mark", "ev") if m["attrs"].get("tabindex") == "0")
    for trace in ("pricing war", "rescue buoy", "sail on", "Mr. XI", "stoké", "four -day"):
        assert trace in marked, trace
    assert "reference: \u201ca tariff war\u201d" in marked

    t = _parse(rw["dom"])
    assert not t.find("tr", "flagged") and not [c for td in t.find("td") for c in _classes(td) if c.startswith("t-mt")]
    assert not [m for m in t.find("mark", "ev") if "weak" not in m["attrs"]["class"].split()
                and m["attrs"].get("tabindex")]  # no strong highlight: nothing is evidence of MT
    assert len(t.find("tr", "st-unmatched")) == rw["result"].n_unmatched >= 1  # the rewrite's new material
    assert len(t.find("tr", "omitted")) >= 1  # reference sentences it dropped
    assert "2:1 aligned" in rw["dom"]  # two of its sentences merged against one of the reference


def _pixels(png: Path):
    Image = pytest.importorskip("PIL.Image", reason="Pillow reads the screenshot (bench extra)")
    import numpy as np

    with Image.open(png) as im:
        return np.asarray(im.convert("RGB"))


def _count(px, hex_colour: str) -> int:
    rgb = [int(hex_colour[i : i + 2], 16) for i in (1, 3, 5)]
    return int((px == rgb).all(axis=-1).sum())


def test_chromium_screenshot_shows_mt_tint_only_for_the_round_trip(rendered):
    tints, bar = report_html.TINTS, report_html.BAR
    swatch = report_html.SWATCH_PX**2  # the legend shows each tint once, in a swatch
    mt = _pixels(rendered["roundtrip"]["png"])
    rw = _pixels(rendered["rewrite"]["png"])
    for px in (mt, rw):
        assert px.shape[:2] == (WINDOW[1], WINDOW[0])
        assert len({tuple(c) for c in px[::7, ::7].reshape(-1, 3)}) > 20  # not a blank page
        assert (px[-40:] == 255).all(), "page longer than the window: the screenshot misses its end"
    # 001: the flagged sentences are tinted (tens of thousands of pixels), the chart has MT bars
    assert _count(mt, tints["mt-high"]) + _count(mt, tints["mt"]) > 100_000
    assert _count(mt, bar["mt"]) > 2_000 and _count(mt, report_html.MARK_BG["strong"]) > 5_000
    # 002: no MT tint beyond the legend swatches, no MT bar or badge, no strong highlight; its
    # sentences are tinted as not MT and the chart shows them under the threshold
    assert _count(rw, tints["mt-high"]) <= swatch and _count(rw, tints["mt"]) <= swatch
    assert _count(rw, bar["mt"]) == 0
    assert _count(rw, report_html.MARK_BG["strong"]) <= 2 * 60 * 20  # the two legend samples only
    assert _count(rw, tints["low-mid"]) + _count(rw, tints["low"]) > 50_000 and _count(rw, bar["ok"]) > 2_000
