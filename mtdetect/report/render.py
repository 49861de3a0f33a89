"""All output rendering in one place: text (a rich table), json, jsonl, tsv, html (report/html.py).

Data goes to stdout (or --out, written atomically); logs and progress go to stderr.
"""

from __future__ import annotations

import io
import json
import sys
from typing import Any, Sequence

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
    """Scored pairs (detect.pairs.score_pairs_records) in `fmt`: jsonl (one record a line, the default),
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
        console = Console(file=buf, width=terminal_width(width), force_terminal=False, color_system=None)
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
            console.print(f"signature: {records[0].get('signature')}", soft_wrap=True)  # copied whole, never wrapped
        return buf.getvalue()
    raise ValueError(f"--format {fmt} is for one article; --pairs writes jsonl, json, tsv or text")


def terminal_width(width: int | None = None) -> int:
    """The width to render text for: `width`, else the terminal's ($COLUMNS, then the tty),
    else 120 columns (output to a file or pipe)."""
    import shutil

    return width or shutil.get_terminal_size(fallback=(120, 24)).columns


def _sentence_counts(result: ArticleResult) -> str:
    """'sentences: 14 in 13 rows (...)': rows merge two suspect sentences matching one reference sentence."""
    rows, counts = len(result.sentences), {k: sum(s.status == k for s in result.sentences)
                                           for k in ("scored", "unmatched", "copy", "short")}
    if result.mode == "reference-free":  # nothing is new material or a copy without a reference
        return f"sentences: {result.n_sentences} ({counts['scored']} scored, {counts['short']} too short to judge)"
    merged = f" in {rows} rows (a merged pair of sentences is one row)" if rows != result.n_sentences else ""
    return (f"sentences: {result.n_sentences}{merged}: {counts['scored']} rows scored, {counts['unmatched']} new "
            f"material, {counts['copy']} copied; related share {result.related_share:.0%}")


def _render_text(result: ArticleResult, width: int | None) -> str:
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    data = result.to_dict()
    buf = io.StringIO()
    console = Console(file=buf, width=terminal_width(width), force_terminal=False, color_system=None)
    table = Table(show_lines=True, expand=True)
    table.add_column("#", justify="right", no_wrap=True)
    table.add_column("p(MT)", justify="right", no_wrap=True)
    table.add_column("", no_wrap=True)
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
            mark, prob = ("MT" if s.flagged else ""), wording.probability(s.p_mt, result.threshold)
        cells = [s.label, prob, mark, Text(s.text)]
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
        + (f", mean p(MT) {wording.probability(result.mean_p_mt, result.threshold)}, threshold {result.threshold:g}"
           if result.n_scored else "")
        + (f", {p_article}" if p_article else "")
    )
    for line in (wording.unrelated(data), wording.pivot(result.pivot)):
        if line:
            console.print(line)
    for line in wording.article_evidence(data):
        console.print(Text(line))
    console.print(_sentence_counts(result))
    console.print(f"signature: {result.signature}", soft_wrap=True)  # copied whole, never wrapped
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


def _auc(metrics: dict) -> str:
    """A ROC-AUC, or why there is none (a held-out group with pairs of one class only)."""
    if metrics.get("roc_auc") is not None:
        return str(metrics["roc_auc"])
    return "n/a (one class only)" if metrics.get("n") else "n/a (no pairs)"


def render_train(report: Any, out: Any) -> str:
    """What `mtdetect train` prints: the pairs trained on (as the card counts them), held-out
    metrics (and what their folds are), the transfer matrix when there is one."""
    m, card = report.metrics["overall"], report.model.card
    counts = card["training_data"]["counts"]
    lines = [f"model: {out}  signature: {report.model.signature}",
             f"trained on {counts['pairs']} pairs ({counts['mt']} MT, {counts['human']} human); dropped "
             f"{counts['dropped_identical']} copies and {counts['dropped_duplicates']} duplicates",
             f"held-out ({report.metrics['grouped_by']}): AUC {_auc(m)}  F1 {m['f1']}  Brier {m['brier']}  "
             f"threshold {report.model.threshold:g}  confusion {m['confusion']}"]
    if report.metrics["grouped_by"] == "random":
        lines.append("  (random folds: no grouping field; they overstate accuracy on a new source)")
    lines += [f"  {g}: AUC {_auc(gm)}  F1 {gm['f1']}  n={gm['n']}" for g, gm in report.metrics["per_group"].items()]
    tr = (card.get("metrics") or {}).get("transfer")
    if tr:
        lines.append(f"leave one source out: min AUC {tr.get('min_roc_auc')}, mean {tr.get('mean_roc_auc')}, "
                     f"min article accuracy {tr.get('min_article_accuracy')} over {len(tr['cells'])} cells")
    lines.append(f"seconds: {report.seconds}")
    return "\n".join(lines)


def render_roundtrip(made: list[dict], fmt: str, n_docs: int, pivots: list[str]) -> tuple[str, str]:
    """`mtdetect roundtrip` output and its one-line summary: jsonl pairs, or text documents (each
    headed `==> id via pivot <==` when there are several)."""
    docs = f"{n_docs} document{'s' if n_docs != 1 else ''}"
    if fmt == "text":
        several = len(made) > 1
        text = "\n".join((f"==> {d['doc_id']} via {d['pivot']} <==\n" if several else "") + d["text"] for d in made)
        return text, f"{docs} round-tripped via {', '.join(pivots)} ({sum(d['n_sentences'] for d in made)} sentences)"
    from mtdetect.inputs.pairs import write_jsonl

    buf = io.StringIO()
    write_jsonl(made, buf)
    by_pivot = ", ".join(f"{p} {sum(r['pivot'] == p for r in made)}" for p in pivots)
    return buf.getvalue(), f"{len(made)} pair{'s' if len(made) != 1 else ''} from {docs} (by pivot: {by_pivot})"
