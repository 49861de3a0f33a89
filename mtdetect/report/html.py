"""The article result as one self-contained HTML page for a person deciding what to do.

Verdict and signature at the top, a chart of per-sentence p(MT), then suspect and reference
side by side, aligned sentence by sentence: each suspect sentence tinted by its probability,
the evidence marked (<mark>, keyboard-focusable) with the reference wording it replaced on
hover, on focus and in print. New material and reference sentences the suspect left out are
marked as such. No scripts, no network (a Content-Security-Policy forbids both), inline CSS,
the chart as inline SVG. Works from the result's dict (ArticleResult.to_dict()), so it also
renders reference-free results (no reference column) and index results (a `match` block).
"""

from __future__ import annotations

import html
import json
import re
from typing import Any, Iterable

from mtdetect.report import wording

# Text is near-black on every background below; tests check WCAG AA contrast for each pair.
TEXT = "#1b1b1b"
MUTED = "#4a4a4a"
TINTS = {  # background of a suspect sentence, by probability band (see _band)
    "mt-high": "#ffc9c9",  # flagged, p >= midway between threshold and 1
    "mt": "#ffe2b8",  # flagged
    "low-mid": "#e3eef8",  # not flagged, p >= threshold / 2
    "low": "#f5f9fc",  # not flagged, p < threshold / 2
    "copy": "#ececec",
    "new": "#ffffff",
    "short": "#ffffff",
}
MARK_BG = {"strong": "#fff07a", "weak": "transparent"}  # weak: the sentence tint shows through
BADGE = {"mt": ("#ffffff", "#a8231b"), "ok": ("#ffffff", "#1f5f99"), "other": ("#ffffff", "#555555")}
BAR = {"mt": "#a8231b", "ok": "#1f5f99", "none": "#8a8a8a"}
SWATCH_PX = 14  # legend swatches: the screenshot test allows for exactly these pixels

_SURFACE_LABEL = {
    "honorific": "title the reference lacks",
    "spacing": "stray space",
    "foreign": "not an English word",
    "shift": "word order",
}


def _e(value: Any) -> str:
    return html.escape("" if value is None else str(value), quote=True)


def _band(p: float | None, threshold: float, status: str) -> str:
    if status == "copy":
        return "copy"
    if status in ("unmatched", "short") or p is None:
        return "new" if status == "unmatched" else "short"
    if p >= threshold:
        return "mt-high" if p >= threshold + (1.0 - threshold) / 2 else "mt"
    return "low-mid" if p >= threshold / 2 else "low"


# --------------------------------------------------------------------------- highlights


def _find(text: str, needle: str, start: int) -> int:
    """Position of `needle` in `text` from `start`, not inside a longer word; -1 if absent."""
    pat = re.escape(needle)
    if needle[:1].isalnum():
        pat = r"(?<!\w)" + pat
    if needle[-1:].isalnum():
        pat += r"(?!\w)"
    m = re.compile(pat).search(text, start)
    return m.start() if m else -1


def _place(text: str, needles: Iterable[tuple[str, Any]]) -> tuple[list[tuple[int, int, list[Any]]], list[Any]]:
    """Spans of each needle in text, overlapping ones merged; and the items not found.

    A needle that occurs twice in the evidence ("Mr. Putin" added twice) takes successive
    occurrences in the text.
    """
    found: list[tuple[int, int, Any]] = []
    missing: list[Any] = []
    resume: dict[str, int] = {}
    for needle, item in needles:
        if not needle or not needle.strip():
            continue
        at = _find(text, needle, resume.get(needle, 0))
        if at < 0:
            at = _find(text, needle, 0)
        if at < 0:
            missing.append(item)
            continue
        resume[needle] = at + len(needle)
        found.append((at, at + len(needle), item))
    found.sort(key=lambda f: (f[0], -f[1]))
    groups: list[tuple[int, int, list[Any]]] = []
    for a, b, item in found:
        if groups and a < groups[-1][1]:
            ga, gb, items = groups[-1]
            groups[-1] = (ga, max(gb, b), items + [item])
        else:
            groups.append((a, b, [item]))
    return groups, missing


def _ev_label(ev: dict) -> str:
    """What the reference had: its wording, or what kind of trace this is."""
    replaced = ev.get("replaced") or ""
    if replaced:
        return f"reference: \u201c{replaced}\u201d"
    kind = ev.get("kind", "")
    return _SURFACE_LABEL.get(kind) or ev.get("note") or kind or "trace"


def _mark(inner: str, evs: list[dict], weak: bool, has_reference: bool) -> str:
    labels = list(dict.fromkeys(_ev_label(ev) for ev in evs))
    kinds = {ev.get("kind", "") for ev in evs}
    cls = "ev " + ("ev-sub" if kinds <= {"substitution"} else "ev-srf") + (" weak" if weak else "")
    notes = list(dict.fromkeys(ev.get("note") for ev in evs if ev.get("note")))
    title = "; ".join(labels + notes)
    alt = "; ".join(("\u2190 " + lab) if lab.startswith("reference:") else lab for lab in labels)
    if not has_reference:
        alt = alt.replace("\u2190 reference: ", "\u2190 ")
    return (f'<mark class="{cls}" tabindex="0" title="{_e(title)}">{_e(inner)}'
            f'<span class="alt"> [{_e(alt)}]</span></mark>')


def _highlight_suspect(text: str, evidence: list[dict], weak: bool, has_reference: bool) -> str:
    groups, missing = _place(text, ((ev.get("text") or "", ev) for ev in evidence))
    out, pos = [], 0
    for a, b, evs in groups:
        out.append(_e(text[pos:a]))
        out.append(_mark(text[a:b], evs, weak, has_reference))
        pos = b
    out.append(_e(text[pos:]))
    if missing:  # evidence we cannot place in the sentence still gets shown
        items = ", ".join(_mark(ev.get("text", ""), [ev], weak, has_reference) for ev in missing)
        out.append(f' <span class="also">(also: {items})</span>')
    return "".join(out)


def _highlight_reference(text: str, evidence: list[dict]) -> str:
    """The reference sentence with the wording the suspect replaced underlined."""
    groups, _ = _place(text, ((ev.get("replaced") or "", ev) for ev in evidence))
    out, pos = [], 0
    for a, b, _evs in groups:
        out.append(_e(text[pos:a]))
        out.append(f'<span class="was">{_e(text[a:b])}</span>')
        pos = b
    out.append(_e(text[pos:]))
    return "".join(out)


# --------------------------------------------------------------------------- pieces


def _num(indices: list[int], prefix: str = "") -> str:
    if not indices:
        return ""
    lo, hi = min(indices) + 1, max(indices) + 1
    return f"{prefix}{lo}" if lo == hi else f"{prefix}{lo}\u2013{prefix}{hi}"


def _suspect_indices(s: dict) -> list[int]:
    """The suspect sentence numbers a result covers: a 2:1 link joins two."""
    n = 2 if str(s.get("alignment", "")).startswith("2:") else 1
    return list(range(s["index"], s["index"] + n))


def _prob_cell(s: dict, band: str) -> str:
    status, p = s.get("status"), s.get("p_mt")
    if status == "scored" and p is not None:
        badge = ('<span class="badge b-mt">MT</span>' if s.get("flagged")
                 else '<span class="badge b-ok">not MT</span>')
        return f'<td class="p t-{band}"><span class="pv">{p:.2f}</span> {badge}</td>'
    word = {"copy": "copy", "unmatched": "new", "short": "short"}.get(status, _e(status))
    return f'<td class="p t-{band}"><span class="badge b-other">{word}</span></td>'


def _chart(sentences: list[dict], threshold: float) -> str:
    """Inline SVG bars of p(MT) per suspect sentence, with the threshold as a dashed line."""
    n = max(len(sentences), 1)
    W, H, left, right, top, bottom = 560, 180, 38, 8, 22, 28
    pw, ph = W - left - right, H - top - bottom
    step = pw / n
    bw = max(min(step * 0.7, 28), 1.0)
    y = lambda v: top + ph * (1 - v)  # noqa: E731
    parts = [f'<line x1="{left}" y1="{y(0):.1f}" x2="{W - right}" y2="{y(0):.1f}" class="axis"/>']
    for v in (0.0, 0.5, 1.0):
        parts.append(f'<text x="{left - 6}" y="{y(v) + 4:.1f}" text-anchor="end" class="tick">{v:.1f}</text>')
        parts.append(f'<line x1="{left - 3}" y1="{y(v):.1f}" x2="{left}" y2="{y(v):.1f}" class="axis"/>')
    label_every = 1 if n <= 30 else (5 if n <= 150 else 25)
    n_flagged = n_scored = 0
    for k, s in enumerate(sentences):
        x = left + k * step + (step - bw) / 2
        num = _num(_suspect_indices(s), "S")
        p = s.get("p_mt")
        if s.get("status") == "scored" and p is not None:
            n_scored += 1
            n_flagged += bool(s.get("flagged"))
            kind = "mt" if s.get("flagged") else "ok"
            h = max(ph * p, 1.0)
            tip = f"{num}: p(MT) {p:.2f}, {'flagged as MT' if s.get('flagged') else 'not flagged'}"
            parts.append(f'<rect x="{x:.1f}" y="{y(0) - h:.1f}" width="{bw:.1f}" height="{h:.1f}" '
                         f'class="bar-{kind}"><title>{_e(tip)}</title></rect>')
        else:
            tip = f"{num}: not scored ({s.get('status')})"
            parts.append(f'<rect x="{x:.1f}" y="{y(0) + 2:.1f}" width="{bw:.1f}" height="4" class="bar-none">'
                         f'<title>{_e(tip)}</title></rect>')
        if k % label_every == 0:
            parts.append(f'<text x="{x + bw / 2:.1f}" y="{H - 8}" text-anchor="middle" class="tick">'
                         f'{s["index"] + 1}</text>')
    ty = y(threshold)
    parts.append(f'<line x1="{left}" y1="{ty:.1f}" x2="{W - right}" y2="{ty:.1f}" class="thr"/>')
    parts.append(f'<line x1="{W - right - 150}" y1="8" x2="{W - right - 128}" y2="8" class="thr"/>'
                 f'<text x="{W - right}" y="12" text-anchor="end" class="tick">threshold {threshold:.2f}</text>')
    desc = (f"Bar chart of the probability of round-trip machine translation for each suspect sentence: "
            f"{n_flagged} of {n_scored} scored sentences at or above the threshold {threshold:.2f}; "
            f"grey stubs are sentences not scored (copies, new material, fragments).")
    return (f'<svg class="chart" viewBox="0 0 {W} {H}" width="{W}" height="{H}" role="img" '
            f'aria-labelledby="chart-t chart-d">'
            f'<title id="chart-t">p(MT) per suspect sentence</title><desc id="chart-d">{_e(desc)}</desc>'
            + "".join(parts) + "</svg>")


def _legend(threshold: float, two_col: bool) -> str:
    t, hi = threshold, threshold + (1 - threshold) / 2
    sw = lambda band: f'<span class="sw t-{band}" aria-hidden="true"></span>'  # noqa: E731
    items = [
        f'{sw("mt-high")}p(MT) \u2265 {hi:.2f}: flagged, very likely round-trip MT',
        f'{sw("mt")}p(MT) {t:.2f}\u2013{hi:.2f}: flagged as round-trip MT',
        f'{sw("low-mid")}p(MT) {t / 2:.2f}\u2013{t:.2f}: not flagged',
        f'{sw("low")}p(MT) &lt; {t / 2:.2f}: not flagged, unlikely MT',
        '<mark class="ev ev-sub" aria-hidden="true">wording</mark> substitution in a flagged sentence: an odd '
        'collocation; hover, focus (Tab) or print to see the reference wording it replaced',
        '<mark class="ev ev-srf" aria-hidden="true">trace</mark> surface trace of MT: an added title, '
        'changed casing, a stray space, a non-English word',
        '<mark class="ev ev-sub weak" aria-hidden="true">wording</mark> changed wording in a sentence '
        'that is not flagged (rewording, not evidence of MT)',
    ]
    if two_col:
        items[4:4] = [f'{sw("copy")}copy: identical to the reference, not a translation',
                      '<span class="badge b-other">new</span> new material: no counterpart in the reference, '
                      'not scored']
        items.append('<span class="was">wording</span> in the reference: what the suspect replaced')
        items.append('<span class="omit">not in the suspect</span> a reference sentence the suspect left out')
    return "<ul class=\"legend\">" + "".join(f"<li>{i}</li>" for i in items) + "</ul>"


def _summary(data: dict, sources: dict[str, str]) -> str:
    scored = [s for s in data["sentences"] if s.get("status") == "scored"]
    n_copy = sum(s.get("status") == "copy" for s in data["sentences"])
    mode = data.get("mode", "reference")
    rows = [("why", line) for line in (wording.unrelated(data),) if line]
    rows += [
        ("p(article is MT)", f"{data['p_article']:.2f} (pools every scored sentence; decides the verdict)")
        if data.get("p_article") is not None else None,
        ("flagged", wording.flagged(data)),
        ("mean p(MT)", f"{data.get('mean_p_mt', 0):.2f} (threshold {data.get('threshold', 0.5):.2f})") if scored else None,
        ("pivot", wording.pivot(data.get("pivot"))) if data.get("pivot") else None,
        ("sentences", f"{data.get('n_sentences', len(data['sentences']))} in the suspect: {len(scored)} scored, "
                      f"{data.get('n_unmatched', 0)} new material, {n_copy} copied"),
        ("mode", {"reference": "compared with a reference article", "index": "compared with an archived "
                  "article found in the index", "reference-free": "reference-free: no original to compare "
                  "with; the suspect alone is judged"}.get(mode, mode)),
    ]
    rows = [r for r in rows if r]
    if "related_share" in data and mode != "reference-free":
        rows.append(("related", f"{data['related_share']:.0%} of suspect sentences closely match the reference"))
    for key in ("suspect", "reference"):
        if sources.get(key):
            rows.append((key, sources[key]))
    rows.append(("signature", data.get("signature", "")))
    sig = ' class="sig"'
    return '<dl class="summary">' + "".join(
        f"<dt>{_e(k)}</dt><dd{sig if k == 'signature' else ''}>{_e(v)}</dd>" for k, v in rows
    ) + "</dl>"


def _match_block(match: Any) -> str:
    if not match:
        return ""
    if isinstance(match, dict):
        body = "".join(
            f"<dt>{_e(k)}</dt><dd>{_e(v if isinstance(v, (str, int, float)) else json.dumps(v, ensure_ascii=False))}"
            "</dd>" for k, v in match.items())
        body = f'<dl class="summary">{body}</dl>'
    else:
        body = f"<p>{_e(match)}</p>"
    return (f'<section class="match" aria-labelledby="match-h"><h2 id="match-h">Matched archived article</h2>'
            f"{body}</section>")


# --------------------------------------------------------------------------- rows


def _rows(data: dict, two_col: bool) -> list[str]:
    sentences = data["sentences"]
    threshold = float(data.get("threshold", 0.5))
    ref_sents = data.get("reference_sentences")
    used = {j for s in sentences for j in (s.get("reference_index") or [])}
    pending = [j for j in range(len(ref_sents))] if ref_sents else []
    pending = [j for j in pending if j not in used]
    rows: list[str] = []

    def omitted(j: int) -> str:
        return (f'<tr class="omitted"><th scope="row">\u2014</th><td class="p"></td>'
                f'<td class="sus"><span class="omit">not in the suspect</span></td>'
                f'<td class="ref"><span class="rnum">R{j + 1}</span> {_e(ref_sents[j])}</td></tr>')

    for s in sentences:
        ref_idx = list(s.get("reference_index") or [])
        if two_col and ref_idx:
            while pending and pending[0] < min(ref_idx):
                rows.append(omitted(pending.pop(0)))
        status = s.get("status", "")
        band = _band(s.get("p_mt"), threshold, status)
        evidence = list(s.get("evidence") or [])
        weak = not s.get("flagged")
        sus_html = _highlight_suspect(s.get("text", ""), evidence, weak, two_col)
        num = _num(_suspect_indices(s), "S")
        cls = f"row st-{_e(status)}" + (" flagged" if s.get("flagged") else "")
        cells = [f'<th scope="row" id="s{s["index"] + 1}">{num}</th>', _prob_cell(s, band),
                 f'<td class="sus t-{band}">{sus_html}</td>']
        if two_col:
            if ref_idx and ref_sents and all(0 <= j < len(ref_sents) for j in ref_idx):
                parts = [f'<span class="rnum">R{j + 1}</span> {_highlight_reference(ref_sents[j], evidence)}'
                         for j in ref_idx]
                ref_html = " ".join(parts)
            elif s.get("reference"):
                ref = s["reference"]
                ref_html = _highlight_reference(" ".join(ref) if isinstance(ref, list) else str(ref), evidence)
            else:
                ref_html = '<span class="omit">no counterpart in the reference: new material, not scored</span>'
            if ref_idx:
                sim = s.get("similarity")
                meta = f"{_e(s.get('alignment', ''))} aligned" + (f", similarity {sim:.2f}" if sim is not None else "")
                ref_html += f'<span class="meta">{meta}</span>'
            cells.append(f'<td class="ref">{ref_html}</td>')
        rows.append(f'<tr class="{cls}">' + "".join(cells) + "</tr>")
    if two_col:
        rows.extend(omitted(j) for j in pending)
    return rows


_TINT_CSS = "\n".join(".t-%s { background: %s; }" % kv for kv in TINTS.items())

CSS = f"""
:root {{ color-scheme: light; }}
* {{ box-sizing: border-box; -webkit-print-color-adjust: exact; print-color-adjust: exact; }}
body {{ font-family: system-ui, "Segoe UI", "Helvetica Neue", "Liberation Sans", "DejaVu Sans", Arial, sans-serif;
  color: {TEXT}; background: #ffffff; margin: 0 auto; padding: 1.2rem 1.5rem; max-width: 78rem; line-height: 1.45;
  font-size: 15px; }}
h1 {{ font-size: 1.45rem; margin: 0 0 .6rem; }}
h2 {{ font-size: 1.1rem; margin: 1.1rem 0 .5rem; }}
a.skip {{ position: absolute; left: -999px; }}
a.skip:focus {{ left: 1rem; top: .5rem; background: #fff; padding: .3rem .6rem; outline: 3px solid #1f5f99; }}
.top {{ display: grid; grid-template-columns: minmax(0, 1fr) auto; gap: 1rem 2rem; align-items: start; }}
.verdict {{ font-size: 1.25rem; margin: 0 0 .5rem; padding: .45rem .8rem; border-left: .45rem solid #555;
  background: #f4f4f4; }}
.verdict.v-mt {{ border-color: {BADGE["mt"][1]}; }}
.verdict.v-rewritten {{ border-color: {BADGE["ok"][1]}; }}
dl.summary {{ display: grid; grid-template-columns: max-content minmax(0, 1fr); gap: .15rem .8rem; margin: 0; }}
dl.summary dt {{ font-weight: 600; }}
dl.summary dd {{ margin: 0; }}
dd.sig {{ font-family: "DejaVu Sans Mono", Menlo, Consolas, monospace; font-size: .8rem; overflow-wrap: anywhere; }}
.chart {{ max-width: 100%; height: auto; }}
.chart .axis {{ stroke: {MUTED}; stroke-width: 1; }}
.chart .thr {{ stroke: {TEXT}; stroke-width: 1.2; stroke-dasharray: 5 3; }}
.chart .tick {{ font-size: 11px; fill: {TEXT}; }}
.chart .bar-mt {{ fill: {BAR["mt"]}; }}
.chart .bar-ok {{ fill: {BAR["ok"]}; }}
.chart .bar-none {{ fill: {BAR["none"]}; }}
ul.legend {{ list-style: none; padding: 0; margin: 0; columns: 2 24rem; column-gap: 2rem; font-size: .9rem; }}
ul.legend li {{ margin: 0 0 .3rem; break-inside: avoid; }}
.sw {{ display: inline-block; width: {SWATCH_PX}px; height: {SWATCH_PX}px; vertical-align: -2px;
  margin-right: .4rem; outline: 1px solid {MUTED}; }}
table {{ border-collapse: collapse; width: 100%; table-layout: fixed; }}
caption {{ text-align: left; font-size: .9rem; color: {MUTED}; padding-bottom: .3rem; }}
th, td {{ border: 1px solid #c4c4c4; padding: .35rem .5rem; vertical-align: top; text-align: left; }}
thead th {{ background: #f0f0f0; }}
col.c-num {{ width: 4.4rem; }} col.c-p {{ width: 7rem; }}
tbody th {{ font-weight: 600; white-space: nowrap; }}
td.p {{ white-space: nowrap; }}
.pv {{ font-variant-numeric: tabular-nums; font-weight: 600; }}
{_TINT_CSS}
tr.flagged td.sus {{ box-shadow: inset .3rem 0 0 {BADGE["mt"][1]}; padding-left: .8rem; }}
tr.st-unmatched td.sus {{ box-shadow: inset .3rem 0 0 #8a8a8a; padding-left: .8rem; }}
.badge {{ display: inline-block; font-size: .75rem; font-weight: 700; padding: 0 .35rem; border-radius: .2rem;
  letter-spacing: .02em; }}
.b-mt {{ color: {BADGE["mt"][0]}; background: {BADGE["mt"][1]}; }}
.b-ok {{ color: {BADGE["ok"][0]}; background: {BADGE["ok"][1]}; }}
.b-other {{ color: {BADGE["other"][0]}; background: {BADGE["other"][1]}; }}
mark.ev {{ position: relative; color: {TEXT}; background: {MARK_BG["strong"]}; border-bottom: 2px solid {TEXT};
  padding: 0 .1rem; border-radius: .15rem; }}
mark.ev.ev-srf {{ border-bottom: 3px double {TEXT}; }}
mark.ev.weak {{ background: {MARK_BG["weak"]}; border-bottom: 2px dotted {MUTED}; }}
mark.ev:focus {{ outline: 3px solid #1f5f99; outline-offset: 1px; }}
mark.ev .alt {{ position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0);
  clip-path: inset(50%); white-space: nowrap; }}
mark.ev:hover .alt, mark.ev:focus .alt {{ width: auto; height: auto; overflow: visible; clip: auto;
  clip-path: none; left: 0; top: 100%; z-index: 3; margin-top: .2rem; padding: .2rem .45rem; border-radius: .2rem;
  width: max-content; max-width: 24rem; white-space: normal; background: {TEXT}; color: #ffffff; font-size: .85rem;
  font-weight: 400; }}
.also {{ font-size: .85rem; color: {MUTED}; }}
.was {{ text-decoration: underline dotted {MUTED}; text-decoration-thickness: 2px; text-underline-offset: 3px; }}
.rnum {{ font-size: .75rem; font-weight: 700; color: {MUTED}; }}
.meta {{ display: block; font-size: .78rem; color: {MUTED}; margin-top: .2rem; }}
.omit {{ font-style: italic; color: {MUTED}; }}
tr.omitted td.ref {{ color: {MUTED}; }}
footer {{ margin-top: 1.2rem; font-size: .8rem; color: {MUTED}; }}
@media (max-width: 48rem) {{ .top {{ grid-template-columns: 1fr; }} }}
@media print {{
  body {{ max-width: none; padding: 0; font-size: 10.5pt; }}
  a.skip {{ display: none; }}
  .top {{ grid-template-columns: 1fr auto; }}
  tr {{ break-inside: avoid; }}
  mark.ev .alt {{ position: static; width: auto; height: auto; overflow: visible; clip: auto; clip-path: none;
    white-space: normal; font-style: italic; font-size: .85em; background: none; color: {TEXT}; }}
  mark.ev.weak .alt {{ color: {MUTED}; }}
}}
"""


def render_html(data: dict, sources: dict[str, str] | None = None) -> str:
    """A complete HTML document for one article result dict (ArticleResult.to_dict()).

    `sources` may name the files: {"suspect": ..., "reference": ...}.
    """
    sources = dict(sources or {})
    sentences = data.get("sentences") or []
    mode = data.get("mode", "reference")
    threshold = float(data.get("threshold", 0.5))
    two_col = mode != "reference-free" and bool(
        data.get("reference_sentences") or any(s.get("reference") for s in sentences))
    verdict = data.get("verdict", "")
    vclass = {"round-trip MT": "v-mt", "rewritten": "v-rewritten"}.get(verdict, "v-other")
    sus_name = f"Suspect ({sources['suspect']})" if sources.get("suspect") else "Suspect"
    if mode == "index" and not sources.get("reference"):
        ref_name = "Matched archived article"
    else:
        ref_name = f"Reference ({sources['reference']})" if sources.get("reference") else "Reference"
    head_cells = ['<th scope="col">#</th>', '<th scope="col">p(MT)</th>', f'<th scope="col">{_e(sus_name)}</th>']
    cols = '<col class="c-num"><col class="c-p"><col class="c-sus">'
    if two_col:
        head_cells.append(f'<th scope="col">{_e(ref_name)}</th>')
        cols += '<col class="c-ref">'
    caption = ("Each suspect sentence beside the reference sentence(s) it is aligned to, in order."
               if two_col else "Reference-free: each suspect sentence judged on its own (no reference column).")
    title = "Round-trip MT report" + (" (reference-free)" if mode == "reference-free" else "")
    body = f"""<a class="skip" href="#sentences">Skip to the sentences</a>
<header><h1>{_e(title)}</h1></header>
<main>
<div class="top">
<section aria-labelledby="verdict-h">
<h2 id="verdict-h" class="verdict {vclass}">Verdict: <strong>{_e(verdict)}</strong></h2>
{_summary(data, sources)}
</section>
<section aria-labelledby="chart-h">
<h2 id="chart-h">Probability of MT per sentence</h2>
{_chart(sentences, threshold)}
</section>
</div>
{_match_block(data.get("match"))}
<section aria-labelledby="legend-h">
<h2 id="legend-h">How to read this report</h2>
{_legend(threshold, two_col)}
</section>
<section id="sentences" aria-labelledby="sent-h">
<h2 id="sent-h">Sentences{"" if two_col else " (reference-free)"}</h2>
<table>
<caption>{_e(caption)}</caption>
<colgroup>{cols}</colgroup>
<thead><tr>{"".join(head_cells)}</tr></thead>
<tbody>
{chr(10).join(_rows(data, two_col))}
</tbody>
</table>
</section>
</main>
<footer>Generated by mtdetect. Signature: {_e(data.get("signature", ""))}. A probability is the model's
calibrated estimate for one sentence; the verdict pools all of them (see the README, "Article verdict").</footer>"""
    csp = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'"
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="{csp}">
<meta name="color-scheme" content="light">
<title>{_e(title)}: {_e(verdict)}</title>
<style>{CSS}</style>
</head>
<body>
{body}
</body>
</html>
"""
