"""All output rendering in one place: text (a rich table), json, jsonl, tsv, html (report_html).

Data goes to stdout (or --out, written atomically); logs and progress go to stderr.
"""

from __future__ import annotations

import io
import json
import os
import sys
import tempfile
from pathlib import Path
from typing import Iterable

from .fsmode import creation_mode
from .score import ArticleResult

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
        from .report_html import render_html

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


def _render_text(result: ArticleResult, width: int | None) -> str:
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    buf = io.StringIO()
    console = Console(file=buf, width=width or 160, force_terminal=False, color_system=None)
    table = Table(show_lines=True, expand=True)
    table.add_column("#", justify="right", width=3)
    table.add_column("p(MT)", justify="right", width=6)
    table.add_column("", width=5)
    table.add_column("suspect sentence", ratio=3)
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
        if result.mode == "reference-free":
            ref = "(reference-free)"
        else:
            ref = " ".join(s.reference) if s.reference else "(no counterpart: new material)"
        table.add_row(str(s.index + 1), prob, mark, Text(s.text), Text(f"[{s.alignment}] {ref}"),
                      Text(_evidence_str(s.evidence[:4])))
    console.print(table)
    for line in _mode_lines(result):
        console.print(line)
    console.print(
        f"verdict: {result.verdict}   flagged: {sum(s.flagged for s in result.sentences)}/{result.n_scored} "
        f"scored sentences ({result.flagged_fraction:.0%}), mean p(MT) {result.mean_p_mt:.2f}, "
        f"threshold {result.threshold:g}"
        + (f", p(article is MT) {result.p_article:.2f}" if result.p_article is not None else "")
    )
    if result.pivot is not None:
        console.print(_pivot_line(result.pivot))
    console.print(
        f"sentences: {result.n_sentences} ({result.n_scored} scored, {result.n_unmatched} new material, "
        f"{sum(s.status == 'copy' for s in result.sentences)} copied); related share {result.related_share:.0%}"
    )
    console.print(f"signature: {result.signature}")
    return buf.getvalue()


def _pivot_line(pv: dict) -> str:
    """One line: the pivot guess, its confidence, and any (unmeasured) French traces."""
    best = next(iter(pv["distribution"].items()), ("-", 0.0))
    head = (f"pivot guess: unknown (best {best[0]} {best[1]:.2f})" if pv["language"] == "unknown"
            else f"pivot guess: {pv['language']} ({pv['engine']}-like), confidence {pv['confidence']:.2f}")
    fr = pv.get("french_traces") or {}
    tail = ""
    if fr.get("honorifics_added") or fr.get("accented_words"):
        tail = (f"; {fr['honorifics_added']} added honorific(s), accented {', '.join(fr['accented_words'][:3]) or '-'}:"
                " consistent with French (unmeasured)")
    return f"{head} from {pv['n_sentences']} flagged sentences{tail}"


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


def write_output(text: str | Iterable[str], out: str | None) -> None:
    """Write to stdout, or atomically to a file: readers see the old file or the whole new one.
    `text` may come in pieces (an iterable of strings), written as they come."""
    pieces = [text] if isinstance(text, str) else text
    if out is None or out == "-":
        for piece in pieces:
            sys.stdout.write(piece)
        sys.stdout.flush()
        return
    path = Path(out)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        os.fchmod(fd, creation_mode())  # mkstemp makes 0600: honour the umask like any other file
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            for piece in pieces:
                fh.write(piece)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
