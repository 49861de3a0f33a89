"""All output rendering in one place: text (a rich table), json, jsonl, tsv, html (report/html.py).

Data goes to stdout (or --out, written atomically); logs and progress go to stderr.
"""

from __future__ import annotations

import io
import json
import sys
from typing import Sequence

from mtdetect.report import wording
from mtdetect.outputs import write_file
from mtdetect.results import ArticleResult

FORMATS = ("text", "json", "jsonl", "tsv", "html")


def _evidence_str(ev: list[dict]) -> str:
    return "; ".join(f"{e['text']} <- {e['replaced']}" if e["replaced"] else f"{e['text']} ({e['kind']})" for e in ev)


def _tsv_cell(value: object) -> str:
    return "" if value is None else str(value).replace("\t", " ").replace("\n", " ")


def render_article(result: ArticleResult, fmt: str, width: int | None = None,
                   sources: dict[str, str] | None = None) -> str:
    """The article result as a string in `fmt` (one of FORMATS).

    `sources` ({"suspect": name, "reference": name}) labels the columns of the html report.
    """
    data = result.to_dict()
    if fmt == "html":
        from mtdetect.report.html import render_html

        return render_html(data, sources)
    if fmt == "json":
        return json.dumps(data, indent=2, ensure_ascii=False) + "\n"
    if fmt == "jsonl":
        lines = [json.dumps({"type": "sentence", **s}, ensure_ascii=False) for s in data["sentences"]]
        summary = {k: v for k, v in data.items() if k != "sentences"}
        lines.append(json.dumps({"type": "article", **summary}, ensure_ascii=False))
        return "\n".join(lines) + "\n"
    if fmt == "tsv":
        head = ["index", "status", "alignment", "similarity", "p_mt", "flagged", "text", "reference", "evidence"]
        rows = ["\t".join(head)]
        for s in data["sentences"]:
            rows.append("\t".join(_tsv_cell(v) for v in (
                s["index"], s["status"], s["alignment"], s["similarity"], s["p_mt"], int(s["flagged"]),
                s["text"], s["reference"], _evidence_str(s["evidence"]))))
        rows.append(f"# verdict={data['verdict']}\tmode={data['mode']}\tflagged_fraction={data['flagged_fraction']}\t"
                    f"signature={data['signature']}")
        return "\n".join(rows) + "\n"
    if fmt == "text":
        return _render_text(result, width)
    raise ValueError(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")


def render_pairs(records: list[dict], fmt: str, width: int | None = None) -> str:
    """Scored pairs (score.score_pairs_records) in `fmt`: jsonl (one record a line, the default),
    json (an array), tsv (p_mt, reference, candidate, error) or text (a table); html is for articles."""
    if fmt == "jsonl":  # strict JSON: input NaN/Infinity is refused when read, so none can reach here
        return "".join(json.dumps(r, ensure_ascii=False, allow_nan=False) + "\n" for r in records)
    if fmt == "json":
        return json.dumps(records, indent=2, ensure_ascii=False, allow_nan=False) + "\n"
    if fmt == "tsv":
        rows = ["\t".join(("p_mt", "reference", "candidate", "error"))]
        rows += ["\t".join(_tsv_cell(r.get(k)) for k in ("p_mt", "reference", "candidate", "error")) for r in records]
        return "\n".join(rows) + "\n"
    if fmt == "text":
        from rich.console import Console
        from rich.table import Table
        from rich.text import Text

        buf = io.StringIO()
        console = Console(file=buf, width=width or 160, force_terminal=False, color_system=None)
        table = Table(show_lines=True, expand=True)
        for name, kw in (("#", {"justify": "right", "width": 5}), ("p(MT)", {"justify": "right", "width": 6}),
                         ("reference", {"ratio": 1}), ("candidate", {"ratio": 1})):
            table.add_column(name, **kw)
        for k, r in enumerate(records, 1):
            p = "-" if r.get("p_mt") is None else f"{r['p_mt']:.2f}"
            table.add_row(str(k), p, Text(r["reference"]), Text(r["candidate"] + (f"  ({r['error']})" if r.get("error") else "")))
        console.print(table)
        scored = [r["p_mt"] for r in records if r.get("p_mt") is not None]
        mean = f", mean p(MT) {sum(scored) / len(scored):.2f}" if scored else ""
        console.print(f"{len(scored)} of {len(records)} pairs scored{mean}")
        if records:
            console.print(f"signature: {records[0].get('signature')}")
        return buf.getvalue()
    raise ValueError(f"--format {fmt} is for one article; --pairs writes jsonl, json, tsv or text")


def _render_text(result: ArticleResult, width: int | None) -> str:
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    data = result.to_dict()
    buf = io.StringIO()
    console = Console(file=buf, width=width or 160, force_terminal=False, color_system=None)
    table = Table(show_lines=True, expand=True)
    table.add_column("#", justify="right", width=3)
    table.add_column("p(MT)", justify="right", width=6)
    table.add_column("", width=5)
    table.add_column("suspect sentence", ratio=3)
    with_reference = result.mode != "reference-free"  # reference-free: there is no reference to show
    if with_reference:
        table.add_column("reference", ratio=3)
    table.add_column("evidence", ratio=2)
    for s in result.sentences:
        if s.status == "unmatched":
            mark, prob = "new", "-"
        elif s.status == "short":
            mark, prob = "short", "-"
        elif s.status == "copy":
            mark, prob = "copy", "0.00"
        else:
            mark, prob = ("MT" if s.flagged else ""), f"{s.p_mt:.2f}"
        cells = [str(s.index + 1), prob, mark, Text(s.text)]
        if with_reference:
            ref = " ".join(s.reference) if s.reference else "(no counterpart: new material)"
            cells.append(Text(f"[{s.alignment}] {ref}"))
        table.add_row(*cells, Text(_evidence_str(s.evidence[:4])))
    console.print(table)
    for line in _mode_lines(result):
        console.print(line)
    p_article = wording.article_probability(data)
    console.print(
        f"verdict: {result.verdict}   flagged: {wording.flagged(data)}"
        + (f", mean p(MT) {result.mean_p_mt:.2f}, threshold {result.threshold:g}" if result.n_scored else "")
        + (f", {p_article}" if p_article else "")
    )
    for line in (wording.unrelated(data), wording.pivot(result.pivot)):
        if line:
            console.print(line)
    console.print(
        f"sentences: {result.n_sentences} ({result.n_scored} scored, {result.n_unmatched} new material, "
        f"{sum(s.status == 'copy' for s in result.sentences)} copied); related share {result.related_share:.0%}"
    )
    console.print(f"signature: {result.signature}")
    return buf.getvalue()


def _mode_lines(result: ArticleResult) -> list[str]:
    """What the text summary says about how the article was scored (index match, reference-free)."""
    lines = []
    m = result.match
    if m is not None:
        if m.get("found"):
            lines.append(f"original found in the archive ({m['archive_size']} articles): {m['id']} "
                         f"(related share {m['related_share']:.0%}, mean cosine {m['mean_best_cosine']:.2f}, "
                         f"margin over the runner-up {m['margin']:.0%})")
        else:
            closest = f"; closest {m['closest_id']} ({m['closest_related_share']:.0%} related)" if "closest_id" in m else ""
            lines.append(f"no original in the archive ({m['archive_size']} articles){closest}: scored reference-free")
    if result.mode == "reference-free":
        lines.append("reference-free: judged on the suspect's own English, far weaker evidence than a "
                     "comparison with the original (see the model card's held-out numbers)")
    return lines


def write_output(text: str, out: str | None, force: bool = False, inputs: Sequence[object] = ()) -> None:
    """Write to stdout, or to a file by the output policy (outputs.write_file: atomic, never over
    a file mtdetect did not write unless `force`, never over an input or onto a device)."""
    if out is None or out == "-":
        sys.stdout.write(text)
        sys.stdout.flush()
        return
    write_file(out, text, force=force, inputs=inputs)
