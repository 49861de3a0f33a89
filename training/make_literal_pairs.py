"""Build mtdetect/data/literal_pairs.tsv.gz: English words that are dictionary back-translations
of each other through an Apertium pivot (en -> es/ca/gl/eo -> en).

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
apertium-en-gl, apertium-eo-en), licensed under the GNU GPL; see mtdetect/data/README.md.

    python training/make_literal_pairs.py [--vocab 60000] [--out mtdetect/data/literal_pairs.tsv.gz]
"""

from __future__ import annotations

import gzip
import re
import subprocess
import sys
from pathlib import Path

from _common import ROOT, parser  # also puts the repository on sys.path

APERTIUM = Path("/usr/share/apertium")
# pivot: (package dir, English analyser, en->pivot bilingual, pivot->en bilingual)
PAIRS = {
    "es": ("apertium-eng-spa", "eng-spa.automorf.bin", "eng-spa.autobil.bin", "spa-eng.autobil.bin"),
    "ca": ("apertium-eng-cat", "eng-cat.automorf.bin", "eng-cat.autobil.bin", "cat-eng.autobil.bin"),
    "gl": ("apertium-en-gl", "en-gl.automorf.bin", "en-gl.autobil.bin", "gl-en.autobil.bin"),
    "eo": ("apertium-eo-en", "en-eo.automorf.bin", "en-eo.autobil.bin", "eo-en.autobil.bin"),
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


def pivot_relation(pivot: str, vocab: list[str], forms: dict[str, set[str]]) -> set[tuple[str, str]]:
    pkg, morf, fwd, bwd = PAIRS[pivot]
    d = APERTIUM / pkg
    analyses: set[str] = set()
    for word, line in zip(vocab, lt_proc([str(d / morf)], vocab)):
        for r in readings(line):
            if "+" in r.split("<", 1)[0]:
                continue  # "can't" = can + not: a contraction, not a word
            lemma, _ = lemma_of(r)
            if _WORD.match(lemma):
                forms.setdefault(word, set()).add(lemma)
                analyses.add(r)
    src = sorted(analyses)
    translations: dict[str, set[str]] = {}
    for a, line in zip(src, lt_proc(["-b", str(d / fwd)], [f"^{a}$" for a in src])):
        translations[a] = set(readings(line))
    queries = sorted({q for ts in translations.values() for t in ts for q in expand(t)})
    back: dict[str, set[str]] = {}
    for q, line in zip(queries, lt_proc(["-b", str(d / bwd)], [f"^{q}$" for q in queries])):
        back[q] = {lemma_of(r)[0] for r in readings(line)}
    rel: set[tuple[str, str]] = set()
    for a, ts in translations.items():
        l1, pos1 = lemma_of(a)
        for t in ts:
            for q in expand(t):
                for l2 in back.get(q, ()):
                    if l2 != l1 and _WORD.match(l2):
                        rel.add((min(l1, l2), max(l1, l2)))
    return rel


def main(argv: list[str] | None = None) -> int:
    ap = parser(__doc__, out=ROOT / "mtdetect" / "data" / "literal_pairs.tsv.gz")
    ap.add_argument("--vocab", type=int, default=60000, help="most frequent English words analysed")
    args = ap.parse_args(argv)
    from wordfreq import top_n_list

    vocab = sorted({w for w in top_n_list("en", args.vocab) if _WORD.match(w)})
    forms: dict[str, set[str]] = {}
    pairs: dict[tuple[str, str], set[str]] = {}
    for pivot in PAIRS:
        if not (APERTIUM / PAIRS[pivot][0]).is_dir():
            print(f"skipping {pivot}: {APERTIUM / PAIRS[pivot][0]} not installed", file=sys.stderr)
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
