"""report.md: the headline, where mtdetect loses, then each section's own renderer."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import numpy as np

from .baselines import render_tsrt
from .config import METHODS
from .heldout import render_heldout, render_pairs
from .seeds import render_seeds
from .speed import render_speed
from .tables import auc_cell, fmt, table
from .transfer import render_transfer
from .tweets import render_tweets
from .without_reference import render_without_reference


def loss_sentences(rows: list[dict]) -> list[str]:
    """One plain sentence per (row, baseline) where mtdetect's ROC-AUC is not higher."""
    out = []
    for r in rows:
        mine = (r["methods"].get("mtdetect") or {}).get("roc_auc")
        for m, v in r["methods"].items():
            auc = (v or {}).get("roc_auc")
            if m != "mtdetect" and mine is not None and auc is not None and auc >= mine:
                inv = " (and that baseline is inverted there)" if m == "cosine" and auc < 0.5 else ""
                out.append(f"On **{r['name']}** ({r['section']}), mtdetect does not beat {m}: "
                           f"ROC-AUC {mine:.3f} vs {auc:.3f}{inv}.")
    return out


def inverted_sentences(rows: list[dict]) -> list[str]:
    return [f"The cosine baseline is inverted on **{r['name']}** (AUC {r['methods']['cosine']['roc_auc']:.3f} < 0.5): "
            "there MT output is *less* similar to the reference than human translation is."
            for r in rows if (r["methods"].get("cosine") or {}).get("roc_auc") is not None
            and r["methods"]["cosine"]["roc_auc"] < 0.5]


def all_rows(res: dict) -> list[dict]:
    h = res.get("heldout") or {}
    rows = list(h.get("rows", []))
    if h.get("tweets"):
        rows.append(h["tweets"]["cross_domain_row"])
    rows += (h.get("tsrt") or {}).get("rows", []) + res.get("seeds_pairs_rows", []) + res.get("pairs_rows", [])
    return rows


def render_report(res: dict) -> str:
    """report.md from the results dict."""
    h = res.get("heldout") or {}
    L = [f"# mtdetect benchmark ({res['mode']})", "",
         f"Model signature: `{res['signature']}`  ", f"Model: `{res['model_dir']}`  ",
         f"Created {res['created']} in {res['seconds']['total']:.0f} s on {res['machine']}.", ""]
    if res["skipped"]:
        L += ["**Skipped:**", ""] + [f"- {s}" for s in res["skipped"]] + [""]
    L += ["## Headline", ""]
    head = []
    overall = next((r for r in h.get("rows", []) if r["section"] == "overall"), None)
    if overall:
        head.append(["held-out ROC-AUC, all WMT datasets pooled (leave-one-dataset-out)"] +
                    [auc_cell(m, overall["methods"][m]) for m in METHODS])
        per = [r for r in h["rows"] if r["section"] == "dataset"]
        head.append(["mean over held-out datasets"] + [fmt(float(np.mean([r["methods"][m]["roc_auc"] for r in per])))
                                                      for m in METHODS])
    if h.get("tweets"):
        t = h["tweets"]
        head.append(["tweets vs WMT human (cross-domain) ROC-AUC"] + [auc_cell(m, t["cross_domain_row"]["methods"][m]) for m in METHODS])
    L += [table(["", *METHODS], head) if head else "_No held-out data rows (data absent)._", ""]
    seeds_ok = sum(r["ok"] for r in res["seeds"])
    L += [f"- Seeds: {seeds_ok}/{len(res['seeds'])} verdicts as expected (seeds/LABELS.md)."]
    if h.get("tweets"):
        t = h["tweets"]
        L += [f"- Tweets (true neural round trips, never trained on: an evaluation-only source): recall "
              f"{fmt(t['recall_shipped'])} at the shipped "
              f"threshold {t['shipped_threshold']:g} (n={t['n']}; by pivot {t['recall_by_pivot']})."]
    sp = res.get("speed")
    if sp:
        e2e = sp["articles"]["stages"]["end to end (score_article)"]
        L += [f"- Speed: end to end {e2e['sentences_per_s']} sentences/s, {e2e['ratio_to_embedding']}× the embedding "
              f"forward pass; cold CLI start {sp['cli'].get('python -m mtdetect.cli score', {}).get('seconds')} s."]
    L += [""]
    L += render_transfer(res)
    if res.get("without_reference"):
        L += render_without_reference(res["without_reference"])
    losses = loss_sentences(all_rows(res))
    for r in (res.get("transfer") or {}).get("sentence", []):
        for m, auc in (r.get("baselines") or {}).items():
            if r["roc_auc"] is not None and auc is not None and auc >= r["roc_auc"]:
                losses.append(f"On left-out **{r['name']}** (transfer matrix, bench sample), mtdetect does not beat "
                              f"{m}: ROC-AUC {r['roc_auc']:.3f} vs {auc:.3f}.")
    L += ["## Where mtdetect loses", ""]
    L += ([f"- {s}" for s in losses] if losses else ["mtdetect beats every baseline on every row."]) + [""]
    inv = inverted_sentences(all_rows(res))
    if inv:
        L += [f"- {s}" for s in inv] + [""]

    L += render_seeds(res) + render_heldout(h) + render_tsrt(h) + render_tweets(h) + render_pairs(res)
    L += render_speed(res)
    L += ["## Time", "", table(["part", "seconds"], [[k, v] for k, v in res["seconds"].items()]), ""]
    return "\n".join(L)


def atomic_write(path: Path, text: str) -> None:
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.chmod(tmp, 0o644)  # mkstemp makes 0600 files
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
