"""report.md: the headline (the leave-one-source-out matrix and the acceptance targets), where mtdetect
loses, then each section's own renderer."""

from __future__ import annotations

from pathlib import Path

from mtdetect.bench.embedders import render as render_documents
from mtdetect.bench.heldout import render_pairs
from mtdetect.bench.seeds import render_seeds
from mtdetect.bench.speed import inconsistent_stages, render_speed
from mtdetect.bench.tables import fmt, table
from mtdetect.bench.transfer import acceptance, has_matrix, render_transfer
from mtdetect.bench.without_reference import render_without_reference


def loss_sentences(rows: list[dict]) -> list[str]:
    """One plain sentence per (row, baseline) where mtdetect's ROC-AUC is not higher than the
    baseline's read either way round (a baseline below 0.5 separates as well flipped)."""
    out = []
    for r in rows:
        mine = (r["methods"].get("mtdetect") or {}).get("roc_auc")
        for m, v in r["methods"].items():
            auc = (v or {}).get("roc_auc")
            if m == "mtdetect" or mine is None or auc is None:
                continue
            if auc >= mine:
                inv = " (and that baseline is inverted there)" if m == "cosine" and auc < 0.5 else ""
                out.append(f"On **{r['name']}** ({r['section']}), mtdetect does not beat {m}: "
                           f"ROC-AUC {mine:.3f} vs {auc:.3f}{inv}.")
            elif 1.0 - auc >= mine:
                out.append(f"On **{r['name']}** ({r['section']}), {m} read the other way round separates at least "
                           f"as well as mtdetect: ROC-AUC {1.0 - auc:.3f} (flipped; {auc:.3f} as is) vs {mine:.3f}.")
    return out


def compared(res: dict) -> str:
    """What the 'where mtdetect loses' comparison covered, in words (nothing when nothing was)."""
    tr, rows = res.get("transfer"), all_rows(res)
    parts = []
    if has_matrix(tr) and ((tr.get("baselines") or {}).get("cells")):
        parts.append(f"the {len(tr['cells'])} cells of this bench's matrix")
    rows = [r for r in rows if (r["methods"].get("mtdetect") or {}).get("roc_auc") is not None]
    if rows:
        parts.append(f"{len(rows)} row{'s' if len(rows) != 1 else ''} ({', '.join(r['name'] for r in rows)})")
    return " and ".join(parts)


def inverted_sentences(rows: list[dict]) -> list[str]:
    return [f"The cosine baseline is inverted on **{r['name']}** (AUC {r['methods']['cosine']['roc_auc']:.3f} < 0.5): "
            "there MT output is *less* similar to the reference than human translation is."
            for r in rows if (r["methods"].get("cosine") or {}).get("roc_auc") is not None
            and r["methods"]["cosine"]["roc_auc"] < 0.5]


def all_rows(res: dict) -> list[dict]:
    return res.get("seeds_pairs_rows", []) + res.get("pairs_rows", [])


def cell_losses(tr: dict | None) -> list[str]:
    """One sentence per (matrix cell, baseline) where mtdetect's AUC is not higher."""
    if not has_matrix(tr):
        return []
    mine = {(c["mt"], c["human"]): c["roc_auc"] for c in tr["cells"]}
    out = []
    for m, cells in ((tr.get("baselines") or {}).get("cells") or {}).items():
        for c in cells:
            own = mine.get((c["mt"], c["human"]))
            if own is not None and c["roc_auc"] is not None and c["roc_auc"] >= own:
                out.append(f"On left-out **{c['mt']} vs {c['human']}** (bench matrix), mtdetect does not beat {m}: "
                           f"ROC-AUC {own:.3f} vs {c['roc_auc']:.3f}.")
    return out


def render_report(res: dict) -> str:
    """report.md from the results dict."""
    L = [f"# mtdetect benchmark ({res['mode']})", "",
         f"Model signature: `{res['signature']}`  ", f"Model: `{res['model_dir']}`  ",
         f"Created {res['created']} in {res['seconds']['total']:.0f} s on {res['machine']}.", ""]
    if res["skipped"]:
        L += ["**Skipped:**", ""] + [f"- {s}" for s in res["skipped"]] + [""]
    L += ["## Headline", ""]
    card, tr = res.get("card_transfer"), res.get("transfer")
    if has_matrix(card):
        rows = acceptance(card)
        unmet = [r["what"] for r in rows if r["met"] is False]
        L += [f"- Model card, leave one source out: minimum ROC-AUC **{fmt(card.get('min_roc_auc'))}** over "
              f"{len(card['cells'])} (MT source, human source) cells, minimum article accuracy "
              f"**{fmt(card.get('min_article_accuracy'))}**; acceptance targets met: "
              f"{sum(r['met'] is True for r in rows)} of {len(rows)}"
              + (f" (not met: {'; '.join(unmet)})." if unmet else ".")]
    else:
        L += ["- The model card has no leave-one-source-out matrix: the acceptance targets cannot be checked."]
    if has_matrix(tr):
        L += [f"- This bench's sample ({tr['n']} pairs): minimum ROC-AUC {fmt(tr.get('min_roc_auc'))}, mean "
              f"{fmt(tr.get('mean_roc_auc'))}, minimum article accuracy {fmt(tr.get('min_article_accuracy'))}."]
    seeds_ok = sum(r["ok"] for r in res["seeds"])
    L += [f"- Seeds: {seeds_ok}/{len(res['seeds'])} verdicts as expected (seeds/LABELS.md)."]
    sp = res.get("speed")
    if sp:
        e2e = sp["articles"]["stages"]["end to end (score_article)"]
        cold = sp["cli"].get("python -m mtdetect.cli score", {}).get("seconds")
        if not inconsistent_stages(sp):
            L += [f"- Speed: end to end {e2e['sentences_per_s']} sentences/s, {e2e['ratio_to_embedding']}× the "
                  f"embedding forward pass; cold CLI start {cold} s."]
        else:
            L += [f"- Speed: the stage timings of this run are not consistent (see Speed and memory); cold CLI "
                  f"start {cold} s."]
    L += [""]
    L += render_transfer(res)
    if res.get("without_reference"):
        L += render_without_reference(res["without_reference"])
    losses = cell_losses(tr) + loss_sentences(all_rows(res))
    L += ["## Where mtdetect loses", ""]
    what = compared(res)
    if losses:
        L += [f"- {s}" for s in losses]
    elif what:
        L += [f"mtdetect's ROC-AUC is above every baseline's, read either way round, on {what}."]
    else:
        L += ["Nothing was compared: this run has neither a matrix nor rows with baselines."]
    if not has_matrix(tr):
        L += ["", "No matrix on the bench sample in this run (see Skipped): nothing is claimed about it."]
    L += [""]
    inv = inverted_sentences(all_rows(res))
    if inv:
        L += [f"- {s}" for s in inv] + [""]

    L += render_seeds(res) + render_documents(res.get("embedders_on_documents")) + render_pairs(res)
    L += render_speed(res)
    L += ["## Time", "", table(["part", "seconds"], [[k, v] for k, v in res["seconds"].items()]), ""]
    return "\n".join(L)


def atomic_write(path: Path, text: str) -> None:
    """One file of the bench's folder (checked by run_bench before the run), by outputs.py's policy."""
    from mtdetect.outputs import write_file

    write_file(path, text, force=True)
