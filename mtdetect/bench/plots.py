"""The report's plots (matplotlib, the `bench` extra): held-out ROC curves, speed, ablation."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any

import numpy as np

from .config import GROUPS, METHODS


def _save_fig(fig: Any, path: Path) -> None:
    import matplotlib.pyplot as plt

    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    try:
        fig.savefig(tmp, format="png", dpi=110, bbox_inches="tight")
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    finally:
        plt.close(fig)
        Path(tmp).unlink(missing_ok=True)


def plots_unavailable() -> str | None:
    """Why the plots cannot be drawn (matplotlib, the `bench` extra, is not installed), or None."""
    import importlib.util

    if importlib.util.find_spec("matplotlib") is None:
        return "matplotlib is not installed (pip install 'mtdetect[bench]')"
    return None


def write_plots(res: dict, out_dir: Path) -> list[str]:
    """roc_heldout.png, speed.png, ablation.png (those with data)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    written = []
    h = res.get("heldout") or {}
    if h.get("roc"):
        ds = list(h["roc"])
        cols = min(3, len(ds))
        rows = -(-len(ds) // cols)
        fig, axes = plt.subplots(rows, cols, figsize=(4.2 * cols, 4 * rows), squeeze=False)
        for ax, d in zip(axes.flat, ds):
            for m in METHODS:
                c = h["roc"][d][m]
                ax.plot(c["fpr"], c["tpr"], label=m, lw=2 if m == "mtdetect" else 1)
            ax.plot([0, 1], [0, 1], ":", color="grey")
            ax.set_title(f"held out: {d}", fontsize=9)
            ax.set_xlabel("false positive rate")
            ax.set_ylabel("true positive rate")
        for ax in list(axes.flat)[len(ds):]:
            ax.axis("off")
        axes.flat[0].legend(fontsize=8)
        _save_fig(fig, out_dir / "roc_heldout.png")
        written.append("roc_heldout.png")
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
    if ab:
        fig, ax = plt.subplots(figsize=(7, 3.5))
        x = np.arange(len(GROUPS))
        ax.bar(x, [ab[g]["mean_auc_without"] for g in GROUPS], 0.6, label="without the group")
        ax.axhline(ab["full"]["mean_auc"], color="k", ls="--", label="all features")
        ax.set_xticks(x, GROUPS)
        ax.set_ylim(0.4, 1.0)
        ax.set_ylabel("mean ROC-AUC on left-out sources")
        ax.legend(fontsize=8)
        _save_fig(fig, out_dir / "ablation.png")
        written.append("ablation.png")
    return written
