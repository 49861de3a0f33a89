"""The HTML report's look: its colours (each checked for WCAG AA contrast by the tests), which
tint a sentence gets, and the one inline stylesheet. report/html.py builds the page's
structure and uses these."""

from __future__ import annotations

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
# Chart bars, one colour per band of TINTS (the same hue, dark enough for 3:1 on white); the
# legend shows each band's bar beside its tint.
BAR = {"mt-high": "#a8231b", "mt": "#c25e00", "low-mid": "#1f5f99", "low": "#5a8bbd", "none": "#8a8a8a"}
SWATCH_PX = 14  # legend swatches: the screenshot test allows for exactly these pixels

def band(p: float | None, threshold: float, status: str) -> str:
    """The tint (a key of TINTS) of a suspect sentence with probability p."""
    if status == "copy":
        return "copy"
    if status in ("unmatched", "short") or p is None:
        return "new" if status == "unmatched" else "short"
    if p >= threshold:
        return "mt-high" if p >= threshold + (1.0 - threshold) / 2 else "mt"
    return "low-mid" if p >= threshold / 2 else "low"


_BAR_CSS = "\n".join(".chart .bar-%s { fill: %s; }\n.sb-%s { background: %s; }" % (k, v, k, v) for k, v in BAR.items())
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
{_BAR_CSS}
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
