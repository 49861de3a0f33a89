"""Plain-language lines about an article result, shared by the text and the HTML renderers so
both say the same thing: how many sentences were flagged (or why none could be), the article
probability, why an unrelated article has no scored sentences, and the pivot guess.

Works on the result's dict (ArticleResult.to_dict()).
"""

from __future__ import annotations

from mtdetect.results import ARTICLE_THRESHOLD, same_side_digits


def probability(p: float, threshold: float, digits: int = 2) -> str:
    """p as text that never lands on the other side of `threshold` from p itself: 0.4956 is
    "0.496" beside a threshold of 0.5, never "0.50" (which would read as flagged)."""
    d = same_side_digits(p, threshold, digits)
    if d is None:
        return f"\u2265 {threshold:g}" if p >= threshold else f"< {threshold:g}"
    return f"{p:.{d}f}"


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
    return None if p is None else f"p(article is MT) {probability(p, ARTICLE_THRESHOLD)}"


def unrelated(data: dict) -> str | None:
    """Why an unrelated article has no scored sentence."""
    if data.get("verdict") != "unrelated":
        return None
    share = f"{data.get('related_share', 0.0):.0%} of the suspect's sentences closely match a reference sentence"
    why = (f"p(derived from the reference) {data['p_related']:.2f} ({share})" if data.get("p_related") is not None
           else f"only {share}")
    return f"unrelated: {why}, so its sentences are not translations of the reference and none is scored as MT"


def pivot(pv: dict | None) -> str | None:
    """The pivot-language guess, its confidence, and any (unmeasured) French traces."""
    if not pv:
        return None
    if pv.get("language") == "unknown":
        best = next(iter((pv.get("distribution") or {}).items()), None)
        head = "pivot guess: unknown" + (f" (best {best[0]} {best[1]:.2f}, below what the model trusts)" if best else "")
    else:
        from mtdetect.detect.pivot import path_meaning

        head = (f"pivot guess: {pv['language']}, confidence {pv['confidence']:.2f} "
                f"({path_meaning(pv['language'], pv.get('engine'))})")
    fr = pv.get("french_traces") or {}
    tail = ""
    if fr.get("honorifics_added") or fr.get("accented_words"):
        tail = (f"; {fr['honorifics_added']} added honorific(s), accented {', '.join(fr['accented_words'][:3]) or '-'}:"
                " consistent with French (unmeasured)")
    return f"{head} from {pv.get('n_sentences', 0)} flagged sentences{tail}"


def article_evidence(data: dict) -> list[str]:
    """What the whole article shows, one checkable line each: shape, verbatim sentences, altered
    quotes (both wordings), evenness of edits, translationese shift, each sentence's own p."""
    ev = data.get("article_evidence")
    if not ev:
        return []
    sh = ev.get("shape") or {}
    lines = [f"shape: {sh.get('in_order_1to1', 0):.0%} of the suspect's sentences are 1:1 and in order; "
             f"{sh.get('reference_covered', 0):.0%} of the reference sentences in the span it covers taken up "
             "(a round trip keeps every sentence in order; people drop, add, merge, reorder)"]
    if ev.get("verbatim_share") is not None:
        lines.append(f"verbatim: {ev['verbatim_share']:.0%} of {sh.get('n_long', 0)} long sentences (10+ words) kept "
                     "unchanged (a round trip almost never returns one unchanged)")
    q = ev.get("quotes") or {}
    if q.get("n_quotes"):
        lines.append(f"quotes: {len(q.get('altered', []))} of {q['n_quotes']} quotations in the reference reworded "
                     "(a journalist keeps a quote's words; quotes translated from another language may differ)")
        lines += [f"  sentence {a['sentence'] + 1}: \"{a['reference_quote']}\" -> \"{a['suspect_wording']}\""
                  for a in q.get("altered", [])[:5]]
    if ev.get("edit_cv") is not None:
        lines.append(f"evenness: edits vary by {ev['edit_cv']:.2f} (coefficient of variation over sentences; "
                     "a round trip changes every sentence about as much)")
    ts = ev.get("translationese_shift")
    if ts:
        lines.append(f"translationese shift: {ts['shift']:+.2f} (reference-free p(MT) of the suspect {ts['suspect']:.2f} "
                     f"minus its original's {ts['reference']:.2f}; shown, not used by the verdict)")
    if ev.get("mean_p_own") is not None:
        lines.append(f"sentences on their own evidence: mean p(MT) {ev['mean_p_own']:.2f}; the p(MT) shown per "
                     "sentence also weighs the article probability")
    return lines
