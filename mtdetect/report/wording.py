"""Plain-language lines about an article result, shared by the text and the HTML renderers so
both say the same thing: how many sentences were flagged (or why none could be), the article
probability, why an unrelated article has no scored sentences, and the pivot guess.

Works on the result's dict (ArticleResult.to_dict()).
"""

from __future__ import annotations


def flagged(data: dict) -> str:
    """'3 of 12 scored sentences (25%)', or why no sentence was scored."""
    sentences = data.get("sentences") or []
    scored = [s for s in sentences if s.get("status") == "scored"]
    if scored:
        n = sum(bool(s.get("flagged")) for s in scored)
        return f"{n} of {len(scored)} scored sentences ({n / len(scored):.0%})"
    counts = {label: sum(s.get("status") == status for s in sentences)
              for status, label in (("copy", "copied"), ("unmatched", "new material"), ("short", "too short"))}
    parts = ", ".join(f"{n} {label}" for label, n in counts.items() if n)
    return f"none: no sentence was scored ({parts or 'no sentences'})"


def article_probability(data: dict) -> str | None:
    """'p(article is MT) 0.97', where the mode has an article probability."""
    p = data.get("p_article")
    return None if p is None else f"p(article is MT) {p:.2f}"


def unrelated(data: dict) -> str | None:
    """Why an unrelated article has no scored sentence."""
    if data.get("verdict") != "unrelated":
        return None
    return (f"unrelated: only {data.get('related_share', 0.0):.0%} of the suspect's sentences closely match a "
            "reference sentence, so its sentences are not translations of the reference and none is scored as MT")


def pivot(pv: dict | None) -> str | None:
    """The pivot-language guess, its confidence, and any (unmeasured) French traces."""
    if not pv:
        return None
    if pv.get("language") == "unknown":
        best = next(iter((pv.get("distribution") or {}).items()), None)
        head = "pivot guess: unknown" + (f" (best {best[0]} {best[1]:.2f}, below what the model trusts)" if best else "")
    else:
        head = f"pivot guess: {pv['language']} ({pv.get('engine')}-like), confidence {pv['confidence']:.2f}"
    fr = pv.get("french_traces") or {}
    tail = ""
    if fr.get("honorifics_added") or fr.get("accented_words"):
        tail = (f"; {fr['honorifics_added']} added honorific(s), accented {', '.join(fr['accented_words'][:3]) or '-'}:"
                " consistent with French (unmeasured)")
    return f"{head} from {pv.get('n_sentences', 0)} flagged sentences{tail}"
