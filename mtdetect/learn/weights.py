"""Balanced sample weights: the one definition every model's training uses.

Each class carries half the total weight; inside a class each domain an equal share; inside a
domain each source an equal share; inside a source each row an equal share. So no class
imbalance, no domain (say tweets, of which there are only round trips) and no single MT
engine or group of writers can dominate what is learned, however many rows it brings.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np


def balanced_weights(labels: Sequence[int] | np.ndarray, sources: Sequence[str],
                     domains: Sequence[str] | None = None) -> np.ndarray:
    """One weight per row (labels 0/1; any other label gets weight 0), summing to len(labels).

    `sources`: each row's source; `domains`: each row's domain (None: one domain for all)."""
    y = np.asarray(labels)
    w = np.zeros(len(y))
    src = np.asarray(sources, dtype=object)
    dom = np.asarray(domains, dtype=object) if domains is not None else np.full(len(y), "", dtype=object)
    for label in (0, 1):
        of_class = y == label
        doms = sorted(set(dom[of_class].tolist()))
        for d in doms:
            in_dom = of_class & (dom == d)
            names = sorted(set(src[in_dom].tolist()))
            for s in names:
                m = in_dom & (src == s)
                w[m] = 1.0 / (len(doms) * len(names) * m.sum())
    return w * len(y) / 2.0


def pair_sources(pairs: Sequence) -> tuple[list[str], list[str]]:
    """(source, domain) of each labelled pair, from its metadata: the source is `group`, else
    `system`, else `pivot`; the domain is `domain`, else `kind` ("?" when absent)."""
    sources = [p.group("group") or p.group("system") or p.group("pivot") or "?" for p in pairs]
    domains = [p.group("domain") or p.group("kind") or "?" for p in pairs]
    return sources, domains
