"""One source vocabulary: a source is `domain:producer` ("essays:gt-fr", "tweets:opus-mt-de",
"wikipedia:crowd"), as learn/sources.py names the reference model's training pairs.

The reference-free model's data and its sealed card (mtdetect/models/reference-free) use older
fold names ("asap-fr", "tweets-de", "apertium-es"); they are read through `canonical`, so every
report speaks one vocabulary without re-sealing the shipped card. An Apertium pivot's fold
("apertium-es") holds round trips of Wikipedia, Bible and news originals and is tested on the
Wikipedia half (its first domain), hence `wikipedia:apertium-es`.
"""

from __future__ import annotations

# the reference-free data's domain names -> the vocabulary's
DOMAINS = {"asap": "essays", "tweets": "tweets", "asset": "wikipedia", "bible": "bible", "wmt": "news"}
# the reference-free data's producer-less names -> the vocabulary's
_SPECIAL = {"wmt-mt": "news:wmt-systems", "wmt-human": "news:human", "asset-rewrite": "wikipedia:crowd",
            "bible-rewrite": "bible:human"}


def canonical(name: str) -> str:
    """The `domain:producer` name of a source, whichever vocabulary `name` comes from."""
    if ":" in name:
        return name
    if name in _SPECIAL:
        return _SPECIAL[name]
    head, _, tail = name.partition("-")
    if head == "asap":
        return f"essays:{'original' if tail == 'original' else 'gt-' + tail}"
    if head == "tweets":
        return f"tweets:{'original' if tail == 'original' else 'opus-mt-' + tail}"
    if head == "apertium":
        return f"wikipedia:apertium-{tail}"
    if head in DOMAINS and tail == "original":
        return f"{DOMAINS[head]}:original"
    return name


def matrix_source(name: str) -> str:
    """The reference model's matrix source a source belongs to (its pivots are one source there):
    "tweets:opus-mt-de" -> "tweets:opus-mt", "wikipedia:apertium-es" -> "wikipedia:apertium"."""
    domain, _, producer = canonical(name).partition(":")
    for family in ("opus-mt", "apertium"):
        if producer.startswith(family + "-"):
            return f"{domain}:{family}"
    return f"{domain}:{producer}"
