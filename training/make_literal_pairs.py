"""Build mtdetect/data/literal_pairs.tsv.gz: English words that are dictionary back-translations
of each other through an Apertium pivot (en -> es/ca/gl/eo/fr -> en).

A round trip replaces a word by a translation of a translation of it ("goods" -> "mercancías"
-> "merchandise"); a human rewrite picks a contextual paraphrase. Two English lemmas are
*literal neighbours* when some pivot word translates from one and back to the other in the
Apertium bilingual dictionaries. The dictionaries are read through the installed compiled
transducers with `lt-proc` (lttoolbox), so no dictionary sources are needed:

1. the English morphological analyser of each pair analyses a vocabulary (the `--vocab`
   most frequent English words of wordfreq) -> form -> lemma + tags;
2. `lt-proc -b` on the en->pivot bilingual transducer gives every pivot translation;
3. `lt-proc -b` on the pivot->en transducer gives every English back-translation.

Output (gzip, deterministic): lines `L<TAB>lemma1<TAB>lemma2<TAB>pivots` (lemma1 < lemma2) and
`F<TAB>form<TAB>lemma|lemma...` (only forms whose lemma differs from the form).

The data comes from Apertium's linguistic data packages (apertium-eng-spa, apertium-eng-cat,
apertium-en-gl, apertium-eo-en, and apertium-fr-es for French through Spanish), licensed under the GNU GPL; see mtdetect/data/README.md.

    python training/make_literal_pairs.py [--vocab 60000] [--out mtdetect/data/literal_pairs.tsv.gz]
"""

from __future__ import annotations

import gzip
import re
import subprocess
import sys
from pathlib import Path

from _common import REPO, parser  # also puts the repository on sys.path

APERTIUM = Path("/usr/share/apertium")
# pivot: (English analyser, en->pivot bilingual chain, pivot->en bilingual chain), as paths under
# /usr/share/apertium. French has no English pair in Debian: it is reached through Spanish or
# Catalan by composing the bilingual dictionaries (en -> es -> fr, fr -> es -> en).
PAIRS = {
    "es": ("apertium-eng-spa/eng-spa.automorf.bin", ["apertium-eng-spa/eng-spa.autobil.bin"],
           ["apertium-eng-spa/spa-eng.autobil.bin"]),
    "ca": ("apertium-eng-cat/eng-cat.automorf.bin", ["apertium-eng-cat/eng-cat.autobil.bin"],
           ["apertium-eng-cat/cat-eng.autobil.bin"]),
    "gl": ("apertium-en-gl/en-gl.automorf.bin", ["apertium-en-gl/en-gl.autobil.bin"],
           ["apertium-en-gl/gl-en.autobil.bin"]),
    "eo": ("apertium-eo-en/en-eo.automorf.bin", ["apertium-eo-en/en-eo.autobil.bin"],
           ["apertium-eo-en/eo-en.autobil.bin"]),
    "fr": ("apertium-eng-spa/eng-spa.automorf.bin",
           ["apertium-eng-spa/eng-spa.autobil.bin", "apertium-fr-es/es-fr.autobil.bin"],
           ["apertium-fr-es/fr-es.autobil.bin", "apertium-eng-spa/spa-eng.autobil.bin"]),
}
_UNIT = re.compile(r"\^(.*?)\$")
_WORD = re.compile(r"^[a-z][a-z'-]*$")
# Tags that a bilingual entry resolves later (gender/number "to be determined"): try the values.
_EXPAND = {"<GD>": ("<m>", "<f>", "<mf>"), "<ND>": ("<sg>", "<pl>", "<sp>")}


def lt_proc(args: list[str], lines: list[str]) -> list[str]:
    """Run lt-proc on one unit per line; one output line per input line."""
    out = subprocess.run(["lt-proc", *args], input="\n".join(lines) + "\n", capture_output=True, text=True,
                         check=True).stdout.split("\n")
    return out[: len(lines)]


def readings(line: str) -> list[str]:
    """The analyses/translations of one `^src/a1/a2$` unit, without unknowns (`*`, `@`, `#`)."""
    m = _UNIT.search(line)
    if not m:
        return []
    parts = m.group(1).split("/")[1:]
    return [p for p in parts if p and p[0] not in "*@#"]


def lemma_of(reading: str) -> tuple[str, str]:
    """(lemma, first tag) of `lemma<tag><tag>`; multiword lemmas keep their spaces."""
    lemma = reading.split("<", 1)[0].replace("+", " ").strip().lower()
    tag = reading[len(reading.split("<", 1)[0]):].split(">", 1)[0].lstrip("<")
    return lemma, tag


def expand(reading: str) -> list[str]:
    outs = [reading]
    for tag, values in _EXPAND.items():
        outs = [o.replace(tag, v, 1) for o in outs for v in values] if any(tag in o for o in outs) else outs
    return outs


def through(units: list[str], bidix: str) -> dict[str, set[str]]:
    """unit -> its translations (every GD/ND expansion) in one bilingual transducer."""
    queries = sorted({q for u in units for q in expand(u)})
    out: dict[str, set[str]] = {}
    for q, line in zip(queries, lt_proc(["-b", str(APERTIUM / bidix)], [f"^{q}$" for q in queries])):
        out[q] = set(readings(line))
    return {u: {t for q in expand(u) for t in out.get(q, ())} for u in units}


def chain(units: list[str], steps: list[str]) -> dict[str, set[str]]:
    """unit -> everything a chain of bilingual transducers turns it into."""
    result = {u: {u} for u in units}
    for bidix in steps:
        step = through(sorted({t for ts in result.values() for t in ts}), bidix)
        result = {u: {x for t in ts for x in step.get(t, ())} for u, ts in result.items()}
    return result


def pivot_relation(pivot: str, vocab: list[str], forms: dict[str, set[str]]) -> set[tuple[str, str]]:
    morf, fwd, bwd = PAIRS[pivot]
    analyses: set[str] = set()
    for word, line in zip(vocab, lt_proc([str(APERTIUM / morf)], vocab)):
        for r in readings(line):
            if "+" in r.split("<", 1)[0]:
                continue  # "can't" = can + not: a contraction, not a word
            lemma, _ = lemma_of(r)
            if _WORD.match(lemma):
                forms.setdefault(word, set()).add(lemma)
                analyses.add(r)
    src = sorted(analyses)
    translations = chain(src, fwd)
    pivot_words = sorted({t for ts in translations.values() for t in ts})
    back = {q: {lemma_of(r)[0] for r in rs} for q, rs in chain(pivot_words, bwd).items()}
    rel: set[tuple[str, str]] = set()
    for a, ts in translations.items():
        l1, _ = lemma_of(a)
        for t in ts:
            for l2 in back.get(t, ()):
                if l2 != l1 and _WORD.match(l2):
                    rel.add((min(l1, l2), max(l1, l2)))
    return rel


def main(argv: list[str] | None = None) -> int:
    ap = parser(__doc__, out=REPO / "mtdetect" / "data" / "literal_pairs.tsv.gz")
    ap.add_argument("--vocab", type=int, default=60000, help="most frequent English words analysed")
    args = ap.parse_args(argv)
    from wordfreq import top_n_list

    vocab = sorted({w for w in top_n_list("en", args.vocab) if _WORD.match(w)})
    forms: dict[str, set[str]] = {}
    pairs: dict[tuple[str, str], set[str]] = {}
    for pivot in PAIRS:
        missing = [f for f in (PAIRS[pivot][0], *PAIRS[pivot][1], *PAIRS[pivot][2]) if not (APERTIUM / f).exists()]
        if missing:
            print(f"skipping {pivot}: {APERTIUM / missing[0]} not installed", file=sys.stderr)
            continue
        rel = pivot_relation(pivot, vocab, forms)
        print(f"{pivot}: {len(rel)} back-translation pairs", file=sys.stderr)
        for p in rel:
            pairs.setdefault(p, set()).add(pivot)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    lines = [f"L\t{a}\t{b}\t{','.join(sorted(pv))}" for (a, b), pv in sorted(pairs.items())]
    lines += [f"F\t{w}\t{'|'.join(sorted(ls))}" for w, ls in sorted(forms.items()) if ls != {w}]
    with open(args.out, "wb") as raw, gzip.GzipFile(filename="", fileobj=raw, mode="wb", mtime=0) as gz:
        gz.write(("\n".join(lines) + "\n").encode("utf-8"))
    print(f"wrote {len(pairs)} pairs and {len(lines) - len(pairs)} forms to {args.out} "
          f"({args.out.stat().st_size // 1024} KiB)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
