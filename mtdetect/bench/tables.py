"""Markdown table and number formatting shared by the report's sections."""

from __future__ import annotations

from typing import Any, Sequence


def fmt(x: Any, nd: int = 3) -> str:
    return "–" if x is None else f"{x:.{nd}f}" if isinstance(x, float) else str(x)


def auc_cell(method: str, m: dict | None) -> str:
    if not m or m["roc_auc"] is None:
        return "–"
    cell = fmt(m["roc_auc"])
    return cell + " (inverted)" if method == "cosine" and m["roc_auc"] < 0.5 else cell


def table(headers: list[str], rows: list[list[Any]]) -> str:
    lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    lines += ["| " + " | ".join(str(c) for c in r) + " |" for r in rows]
    return "\n".join(lines)


def rows_table(rows: list[dict], methods: Sequence[str]) -> str:
    head = ["row", "n", "n MT", "mtdetect ROC-AUC", "mtdetect PR-AUC", "mtdetect F1"]
    head += [f"{m} AUC" for m in methods if m != "mtdetect"] + [f"{m} F1" for m in methods if m != "mtdetect"]
    body = []
    for r in rows:
        ms = r["methods"]
        md = ms.get("mtdetect") or {}
        body.append([r["name"], r["n"], r["n_mt"], auc_cell("mtdetect", md), fmt(md.get("pr_auc")), fmt(md.get("f1"))]
                    + [auc_cell(m, ms.get(m)) for m in methods if m != "mtdetect"]
                    + [fmt((ms.get(m) or {}).get("f1")) for m in methods if m != "mtdetect"])
    return table(head, body)
