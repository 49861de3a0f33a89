"""Build, measure and ship the reference-free model (issue 15).

    python training/build_reffree.py data       # standalone sentences -> training/work/rf/units.jsonl.gz
    python training/build_reffree.py loso       # leave-one-source-out table per feature family + cue ablations
    python training/build_reffree.py train      # fit the shipped model -> mtdetect/models/reference-free

Data (never the seeds): ASAP essays and their Google Translate round trips (fr, zh); tweets
and their opus-mt round trips (de, ru, is); Apertium round trips of ASSET / KJV / WMT
originals (training/work/roundtrips-*.jsonl.gz from training/make_roundtrips.py) next to
those originals; ASSET and Bible human rewrites of the same originals. See mtdetect/rfdata.py.

Leave one source out: for each MT source S, the originals of S's domain are split in two
halves by group (essay / pseudo-document); S's round trips of one half and those originals
are the test, and the model trains on every other source minus that half's groups, so no
fold sees either side of a pair it is tested on (nor another pivot's round trip of it).
"""

from __future__ import annotations

import argparse
import json
import random
import time
from pathlib import Path

import numpy as np
from _common import REPO as ROOT, SHARED, log, parser  # also puts the repository on sys.path

from mtdetect.learn import reference_free_data as rfdata

WORK = ROOT / "training" / "work" / "rf"
APERTIUM = {"roundtrips-asset.jsonl.gz": "asset", "roundtrips-bible.jsonl.gz": "bible",
            "roundtrips-wmt.jsonl.gz": "wmt"}


def build_data(args) -> None:
    rng = random.Random(args.seed)
    units = rfdata.asap_units(SHARED / "asap_gt_roundtrips.jsonl.gz", args.essays, rng)
    units += rfdata.tweet_units(SHARED / "tweets_opusmt_roundtrips.jsonl.gz", args.tweets, rng)
    paths = []
    for name in APERTIUM:
        if (Path(args.roundtrips_dir) / name).exists():
            paths.append(Path(args.roundtrips_dir) / name)
        else:
            log(f"warning: {name} not found (training/make_roundtrips.py); no Apertium source for it")
    ap_units, group_of = rfdata.apertium_units(paths, APERTIUM, args.originals, rng)
    units += ap_units
    units += rfdata.rewrite_units(SHARED / "asset_human_rewrites.jsonl.gz", SHARED / "bible_human_versions.jsonl.gz",
                                  group_of)
    if args.wmt_mt:
        units += rfdata.wmt_units(SHARED / "wmt_mt_vs_human.jsonl.gz", group_of, rng)
    rfdata.write_units(units, WORK / args.units)
    counts: dict[str, int] = {}
    for u in units:
        counts[u.source] = counts.get(u.source, 0) + 1
    log(f"{len(units)} sentences: " + ", ".join(f"{k}={v}" for k, v in sorted(counts.items())))


def blocks_for(units, families, misspellings: bool = True) -> dict:
    from mtdetect.embed.cache import CachedEncoder
    from mtdetect.embed.minilm import default_embedder
    from mtdetect.learn.reference_free import compute_blocks

    t0 = time.perf_counter()
    enc = CachedEncoder(default_embedder(), WORK / "cache") if "minilm" in families else None
    out = compute_blocks([u.text for u in units], families, enc, misspellings=misspellings)
    log(f"features {','.join(families)} ({'masked' if misspellings else 'misspellings kept'}): "
        f"{time.perf_counter() - t0:.0f}s")
    return out


def cue_matrix(texts) -> np.ndarray:
    """The README's cues alone, from the raw text: misspellings, placeholders, French spacing,
    hashtags/mentions, lowercase 'i', brackets and backticks."""
    import re

    from mtdetect.features.standalone.profile import in_vocabulary

    rows = []
    for t in texts:
        words = re.findall(r"[A-Za-z]+", t)
        n = max(len(words), 1)
        rows.append([sum(not in_vocabulary(w) for w in words) / n, len(re.findall(r"@[A-Z]+\d*", t)),
                     len(re.findall(r"\s[!?;:]", t)), len(re.findall(r"(?<!\w)[#@]\w", t)),
                     len(re.findall(r"\bi\b", t)), t.count("[") + t.count("`")])
    return np.array(rows, dtype=np.float64)


def _table(results: dict) -> str:
    sources = sorted({s for r in results.values() for s in r})
    lines = ["| features | " + " | ".join(sources) + " |", "|---|" + "---|" * len(sources)]
    for name, r in results.items():
        cells = [f"{r[s]['sentence_auc']:.3f} / {r[s]['article_auc']:.3f}" if s in r and r[s]["article_auc"] is not None
                 else (f"{r[s]['sentence_auc']:.3f} / -" if s in r else "") for s in sources]
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def run_loso(args) -> None:
    from mtdetect.learn.reference_free import RFConfig, _auc, doc_means, leave_one_source_out

    units = rfdata.read_units(WORK / args.units)
    if args.exclude:
        units = [u for u in units if not u.source.startswith(tuple(args.exclude.split(",")))]
    if args.min_lower_zipf is not None:  # mask variant, for the comparison only
        from mtdetect.features.standalone import profile

        profile.MIN_LOWER_ZIPF = args.min_lower_zipf
        profile.in_vocabulary.cache_clear()
    sources = args.sources.split(",") if args.sources else None
    path = WORK / f"loso{args.tag}.json"
    results = json.loads(path.read_text()) if path.exists() else {"families": {}, "ablation": {}}
    sets = [s.split("+") for s in args.sets.split(",") if s]
    need = sorted({f for fs in sets for f in fs} | set(args.ablation.split("+") if args.ablation else []))
    blocks = blocks_for(units, need) if need else {}
    for fs in sets:
        name = "+".join(fs)
        log(f"== {name}")
        cfg = RFConfig(families=tuple(fs), C=args.C, dense_weight=args.dense_weight)
        results["families"][name] = leave_one_source_out(units, blocks, cfg, sources, log=log).per_source
        path.write_text(json.dumps(results, indent=1))
    if args.ablation:
        best = tuple(args.ablation.split("+"))
        cfg = RFConfig(families=best, C=args.C, dense_weight=args.dense_weight)
        from mtdetect.features.standalone import families as rfmodel

        log("== cues only (raw text, no mask)")
        from mtdetect.learn import reference_free as rftrain

        rfmodel.DENSE = rftrain.DENSE = rfmodel.DENSE + ("cues",)
        cue = {"cues": cue_matrix([u.text for u in units])}
        results["ablation"]["cues only"] = leave_one_source_out(
            units, cue, RFConfig(families=("cues",), C=args.C, dense_weight=args.dense_weight), sources, log=log).per_source
        rfmodel.DENSE = rftrain.DENSE = rfmodel.DENSE[:-1]
        log(f"== {'+'.join(best)} with misspellings kept (the rest of the mask on)")
        raw = blocks_for(units, best, misspellings=False)
        results["ablation"]["misspellings kept"] = leave_one_source_out(units, raw, cfg, sources, log=log).per_source
        # The ASAP essays whose original is least misspelt: does the result hold there?
        oov = cue["cues"][:, 0]
        essay: dict[str, list[float]] = {}
        for u, v in zip(units, oov):
            if u.source == "asap-original":
                essay.setdefault(u.group, []).append(v)
        rate = {g: float(np.mean(v)) for g, v in essay.items()}
        cut = float(np.quantile(list(rate.values()), 0.25))
        log(f"== {'+'.join(best)} on the least-misspelt quarter of ASAP essays (OOV rate <= {cut:.4f})")
        held = leave_one_source_out(units, blocks, cfg, ["asap-fr", "asap-zh"], log=log)
        y = np.array([u.label for u in units])
        docs = np.array([u.doc for u in units])
        out = {}
        for idx, m, S in zip(held.index, held.margins, held.source):
            k = np.array([rate.get(units[i].group, 1.0) <= cut for i in idx])
            ds, dy, _ = doc_means(docs[idx][k], y[idx][k], m[k], 10)
            out[S] = {"sentence_auc": _auc(y[idx][k], m[k]), "n_sentences": int(k.sum()),
                      "article_auc": _auc(dy, ds), "n_docs": len(dy), "oov_rate_cut": round(cut, 4)}
            log(f"  {S} least-misspelt: {out[S]}")
        results["ablation"]["least-misspelt ASAP quarter"] = out
    path.write_text(json.dumps(results, indent=1))
    (WORK / f"loso{args.tag}.md").write_text(_table(results["families"]) + "\n\n" + _table(
        {k: v for k, v in results["ablation"].items()}) + "\n")
    print(_table(results["families"]))
    print(_table(results["ablation"]))


def main() -> None:
    ap = parser(__doc__, out=ROOT / "mtdetect" / "models" / "reference-free", seed=15)
    ap.add_argument("stage", choices=["data", "loso", "train"])
    ap.add_argument("--essays", type=int, default=400)
    ap.add_argument("--tweets", type=int, default=2400)
    ap.add_argument("--originals", type=int, default=720, help="Apertium originals per corpus")
    ap.add_argument("--families", default="solo,fluency,funcpunct,chargram", help="train: the shipped families")
    ap.add_argument("--sets", default="solo,fluency,funcpunct,minilm,chargram")
    ap.add_argument("--ablation", default="")
    ap.add_argument("--C", type=float, default=0.5)
    ap.add_argument("--dense-weight", type=float, default=0.3)
    ap.add_argument("--roundtrips-dir", default=str(ROOT / "training" / "work"),
                    help="data: where training/make_roundtrips.py wrote roundtrips-{asset,bible,wmt}.jsonl.gz")
    ap.add_argument("--tag", default="")
    ap.add_argument("--wmt-mt", action=argparse.BooleanOptionalAction, default=True,
                    help="data: add WMT systems' MT English and human translations of the WMT originals")
    ap.add_argument("--units", default="units.jsonl.gz", help="file under training/work/rf")
    ap.add_argument("--exclude", default="", help="loso: drop sources starting with these (comma-separated)")
    ap.add_argument("--min-lower-zipf", type=float, default=None, help="loso: mask variant")
    ap.add_argument("--sources", default="", help="only these left-out sources (comma-separated)")
    args = ap.parse_args()
    {"data": build_data, "loso": run_loso}.get(args.stage, lambda a: train_stage(a))(args)


def train_stage(args) -> None:
    from mtdetect.learn.reference_free import RFConfig, train_reference_free

    units = rfdata.read_units(WORK / args.units)
    families = tuple(args.families.split(","))
    enc = None
    if "minilm" in families:
        from mtdetect.embed.cache import CachedEncoder
        from mtdetect.embed.minilm import default_embedder

        enc = CachedEncoder(default_embedder(), WORK / "cache")
    cfg = RFConfig(families=families, C=args.C, dense_weight=args.dense_weight)
    blocks = blocks_for(units, families)
    extra = {"recipe": "training/build_reffree.py data && training/build_reffree.py train",
             "data_recipe": {"essays": args.essays, "tweets": args.tweets, "apertium_originals": args.originals,
                             "seed": args.seed}}
    loso = WORK / f"loso{args.tag}.json"
    if loso.exists():  # the family comparison and the cue ablations that chose this feature set
        extra["family_comparison"] = json.loads(loso.read_text())
    model, metrics = train_reference_free(units, Path(args.out), cfg, encoder=enc, blocks=blocks, extra_card=extra,
                                          log=log)
    print(model.signature)
    print(json.dumps(metrics["article_calibrated"]))


if __name__ == "__main__":
    main()
