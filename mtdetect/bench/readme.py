"""The README's figures against the committed bench record (benchmarks/results/results.json), the
one source of the numbers the README quotes. `python -m mtdetect.bench.readme` lists every figure
that differs (exit 1), so a full bench run (`mtdetect bench --update-record`) is followed by
README edits until it passes; tests/test_command_output.py runs the same check.

A figure the record does not hold must not be quoted as measured: where the README names one
(the reference-free cold start, the pivot guess 001 would have got) the record must hold it.
"""

from __future__ import annotations

import json
import re
import sys
from typing import Any, Callable

from mtdetect.bench.config import RECORD_DIR, ROOT


def _f2(x: float | None) -> str:
    return "–" if x is None else f"{x:.2f}"


def _cells(record: dict, key: str, value: str, field: str) -> list[float]:
    return [c[field] for c in (record.get("card_transfer") or {}).get("cells", [])
            if c[key] == value and c.get(field) is not None]


def check_readme(readme: str, record: dict) -> list[str]:
    """Every README figure that is in the record but differs from it, or that the README no longer
    states where it is expected (so the check cannot silently stop checking)."""
    problems: list[str] = []
    flat = " ".join(readme.split())  # sentences wrap across lines
    lines = readme.splitlines()

    def want(what: str, pattern: str, expected: Callable[[re.Match[str]], list[tuple[str, str]]],
             text: str | None = None) -> None:
        m = re.search(pattern, flat if text is None else text, re.M)
        if m is None:
            problems.append(f"README does not state {what} (pattern {pattern!r})")
            return
        for shown, true in expected(m):
            if shown != true:
                problems.append(f"README {what}: {shown}, the bench record says {true}")

    # seeds against 000 (the "What it measures" table)
    for s in record.get("seeds", []):
        sid = s["file"][:3]
        if sid not in ("001", "002", "003"):
            continue
        flagged = round(s["flagged_fraction"] * s["n_scored"])
        want(f"seed {sid}'s row", rf"^\| {sid} [^|]*\| ([^|]+?) \| (\d+) / (\d+)[^|]*\|[^|]*\| ([^|]*?) \|$",
             lambda m, s=s, flagged=flagged: [(m[1], s["verdict"]), (f"{m[2]} / {m[3]}", f"{flagged} / {s['n_scored']}"),
                                              (m[4], _f2(s["p_article"]))], "\n".join(lines))
    card = record.get("card_transfer") or {}
    for mt, v in (card.get("mt_sources") or {}).items():
        auc, acc = _cells(record, "mt", mt, "roc_auc"), _cells(record, "mt", mt, "article_accuracy")
        want(f"the matrix row of {mt}", rf"^\| {re.escape(mt)} \| (\d+(?:\.\d+)?) \| (\d+(?:\.\d+)?) – (\d+(?:\.\d+)?) \| (\d+(?:\.\d+)?) – (\d+(?:\.\d+)?) \|$",
             lambda m, v=v, auc=auc, acc=acc: [(m[1], _f2(v["recall"])), (f"{m[2]} – {m[3]}", f"{_f2(min(auc))} – {_f2(max(auc))}"),
                                                (f"{m[4]} – {m[5]}", f"{_f2(min(acc))} – {_f2(max(acc))}")], readme)
    for h, v in (card.get("human_sources") or {}).items():
        want(f"the false-positive rate of {h}", rf"^\| {re.escape(h)} \| (\d+(?:\.\d+)?) \|$", lambda m, v=v: [(m[1], _f2(v["fpr"]))],
             readme)
    if card:
        want("the matrix summary", r"Minimum AUC over the matrix (\d+(?:\.\d+)?), mean (\d+(?:\.\d+)?); minimum article accuracy (\d+(?:\.\d+)?)",
             lambda m: [(m[1], _f2(card["min_roc_auc"])), (m[2], _f2(card["mean_roc_auc"])),
                        (m[3], _f2(card["min_article_accuracy"]))])
    sig = record.get("signature", "")
    feat = re.search(r"feat:(\w+)", sig)
    if feat:
        want("the signature example's feature version", r"`emb:[^`]*\|feat:(\w+)\|[^`]*`", lambda m: [(m[1], feat[1])])
    sp = record.get("speed") or {}
    cli, pairs = sp.get("cli") or {}, sp.get("pairs") or {}
    if "random" in pairs and "score --pairs (random)" in cli:
        want("the --pairs throughput", r"\*\*([\d,]+) pairs/s\*\* in process on ([\d,]+) random WMT pairs and ([\d,]+) on "
             r"([\d,]+) in file order; from the CLI, start-up included, \*\*([\d,]+) and ([\d,]+) pairs/s\*\* "
             r"\(`benchmarks/results/report.md`, load (\d+(?:\.\d+)?)\)",
             lambda m: [(m[1], f"{pairs['random']['pairs_per_s']:,.0f}"), (m[2], f"{pairs['random']['n_pairs']:,}"),
                        (m[3], f"{pairs['file order']['pairs_per_s']:,.0f}"), (m[4], f"{pairs['file order']['n_pairs']:,}"),
                        (m[5], f"{cli['score --pairs (random)']['pairs_per_s_incl_start']:,.0f}"),
                        (m[6], f"{cli['score --pairs (file order)']['pairs_per_s_incl_start']:,.0f}"),
                        (m[7], f"{sp['load_average_1min']:g}")])
    cold = cli.get("python -m mtdetect.cli score")
    if cold:
        want("the cold score time", r"a cold `mtdetect score` of seed 001 against 000 \(a fresh process\) took (\d+(?:\.\d+)?) s "
             r"\(best of (\d+) runs, load (\d+(?:\.\d+)?)\)",
             lambda m: [(m[1], f"{cold['seconds']:g}"), (m[2], str(len(cold.get("all_seconds", [0])))),
                        (m[3], f"{sp['load_average_1min']:g}")])
    _absent_or_equal(problems, flat, r"cold reference-free `mtdetect score` [^.]*?took (\d+(?:\.\d+)?) s",
                     (cli.get("mtdetect score (reference-free)") or {}).get("seconds"), "the reference-free cold start")
    rf = {r["file"][:3]: r for r in (record.get("without_reference") or {}).get("seeds", [])}
    if rf:
        want("the reference-free seeds", r"001 `round-trip MT` \(p_article (\d+(?:\.\d+)?), (\d+) of (\d+) sentences flagged\); "
             r"000, 002, 003, 004 `inconclusive` \(p (\d+(?:\.\d+)?), (\d+(?:\.\d+)?), (\d+(?:\.\d+)?), (\d+(?:\.\d+)?)\)",
             lambda m: [(m[1], _f2(rf["001"]["rf_p_article"])),
                        (f"{int(m[2]) / int(m[3]):.3f} flagged", f"{rf['001']['rf_flagged_fraction']:.3f} flagged")]
             + [(m[i], _f2(rf[k]["rf_p_article"])) for i, k in zip((4, 5, 6, 7), ("000", "002", "003", "004"))])
        best = rf.get("001", {}).get("pivot_best")
        _absent_or_equal(problems, flat, r"would have (?:said|named) \w+ at (\d+(?:\.\d+)?)",
                         best and best.get("confidence"), "the pivot guess 001 would have got", fmt=_f2)
    return problems


def _absent_or_equal(problems: list[str], text: str, pattern: str, value: Any, what: str,
                     fmt: Callable[[Any], str] = lambda v: f"{v:g}") -> None:
    """A figure the README may state only as the record holds it."""
    m = re.search(pattern, text)
    if m and value is None:
        problems.append(f"README states {what} ({m[1]}), but the bench record holds no such figure")
    elif m and m[1] != fmt(value):
        problems.append(f"README {what}: {m[1]}, the bench record says {fmt(value)}")


def main() -> int:
    record = json.loads((RECORD_DIR / "results.json").read_text(encoding="utf-8"))
    problems = check_readme((ROOT / "README.md").read_text(encoding="utf-8"), record)
    for p in problems:
        print(p)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
