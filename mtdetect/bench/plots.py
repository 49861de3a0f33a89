"""The report's plots (matplotlib, the `bench` extra): the matrix as a heat map, speed, ablation."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import numpy as np

from mtdetect.bench.config import GROUPS


def _save_fig(fig: Any, path: Path) -> None:
    import matplotlib.pyplot as plt

    from mtdetect.outputs import write_file

    buf = io.BytesIO()
    try:
        fig.savefig(buf, format="png", dpi=110, bbox_inches="tight")
    finally:
        plt.close(fig)
    write_file(path, buf.getvalue(), force=True)


def plots_unavailable() -> str | None:
    """Why the plots cannot be drawn (matplotlib, the `bench` extra, is not installed), or None."""
    import importlib.util

    if importlib.util.find_spec("matplotlib") is None:
        return "matplotlib is not installed (pip install 'mtdetect[bench]')"
    return None


def _heatmap(ax: Any, tr: dict, title: str) -> None:
    mt = list(dict.fromkeys(c["mt"] for c in tr["cells"]))
    human = list(dict.fromkeys(c["human"] for c in tr["cells"]))
    grid = np.full((len(mt), len(human)), np.nan)
    for c in tr["cells"]:
        if c["roc_auc"] is not None:
            grid[mt.index(c["mt"]), human.index(c["human"])] = c["roc_auc"]
    ax.imshow(grid, vmin=0.5, vmax=1.0, cmap="RdYlGn")
    for i in range(len(mt)):
        for j in range(len(human)):
            if not np.isnan(grid[i, j]):
                ax.text(j, i, f"{grid[i, j]:.2f}", ha="center", va="center", fontsize=7)
    ax.set_xticks(range(len(human)), human, rotation=45, ha="right", fontsize=7)
    ax.set_yticks(range(len(mt)), mt, fontsize=7)
    ax.set_title(title, fontsize=9)


def write_plots(res: dict, out_dir: Path) -> list[str]:
    """matrix.png, speed.png, ablation.png (those with data)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    written = []
    mats = [(t, res[k]) for k, t in (("card_transfer", "model card"), ("transfer", "bench sample"))
            if res.get(k) and res[k].get("cells")]
    if mats:
        fig, axes = plt.subplots(1, len(mats), figsize=(5.2 * len(mats), 4.6), squeeze=False)
        for ax, (title, tr) in zip(axes.flat, mats):
            _heatmap(ax, tr, f"ROC-AUC, leave one source out ({title})")
        _save_fig(fig, out_dir / "matrix.png")
        written.append("matrix.png")
    sp = res.get("speed")
    if sp:
        st = sp["articles"]["stages"]
        fig, ax = plt.subplots(figsize=(7, 3.5))
        ax.barh(list(st), [v["ratio_to_embedding"] for v in st.values()], color="tab:blue")
        ax.axvline(1.0, color="grey", ls=":")
        ax.set_xscale("log")
        ax.set_xlabel("time relative to the embedding forward pass (log scale)")
        ax.invert_yaxis()
        ax.set_title("mtdetect speed breakdown on the seeds")
        _save_fig(fig, out_dir / "speed.png")
        written.append("speed.png")
    ab = (res.get("transfer") or {}).get("ablation")

    def measured(d: dict | None) -> bool:  # a tiny sample can leave a matrix without any AUC
        return bool(d) and d.get("mean_roc_auc") is not None and d.get("min_roc_auc") is not None

    if ab and measured(ab.get("full")) and any(measured(ab.get(g)) for g in GROUPS):
        fig, ax = plt.subplots(figsize=(7, 3.5))
        groups = [g for g in GROUPS if measured(ab.get(g))]
        x = np.arange(len(groups))
        ax.bar(x - 0.2, [ab[g]["mean_roc_auc"] for g in groups], 0.4, label="mean AUC without the group")
        ax.bar(x + 0.2, [ab[g]["min_roc_auc"] for g in groups], 0.4, label="min AUC without the group")
        ax.axhline(ab["full"]["mean_roc_auc"], color="k", ls="--", label="all features (mean)")
        ax.axhline(ab["full"]["min_roc_auc"], color="grey", ls=":", label="all features (min)")
        ax.set_xticks(x, groups)
        ax.set_ylim(0.4, 1.0)
        ax.set_ylabel("ROC-AUC over the matrix cells")
        ax.legend(fontsize=8)
        _save_fig(fig, out_dir / "ablation.png")
        written.append("ablation.png")
    return written
