"""Fuzz what mtdetect reads back from disk besides pairs and reference cards (issue 20): archive
indexes and reference-free model cards. Run through fuzz_inputs.py (`--indexes N --rf-cards N`).

Indexes: each case is a good index (the seeds) with one random damage: index.json retyped,
missing, extra or hostile fields, text-level damage; lexical.npz / idf.npy truncated, a byte
flipped, replaced by arrays of the wrong shape or dtype or by a zip whose member claims or
inflates to gigabytes; articles.sqlite truncated, flipped, rows deleted or retyped, blobs that
are not zlib, not UTF-8 or a zlib bomb. Opened with ArchiveIndex and matched with the real
embedder: it must be refused with an InputError (exit 3) or work. Every CLI_EVERY-th case also
goes through `score --index`: exit 0 or 3, never 1, never a traceback.

Reference-free cards: fuzz_inputs.mutate_card's mutations on the shipped reference-free card,
loaded with ReferenceFreeDetector and used to score an article: a ModelError (exit 4), or a
result whose probabilities are finite and in [0, 1]. Every CLI_EVERY-th case goes through
`score ARTICLE --rf-model`: exit 0 or 4.
"""

from __future__ import annotations

import io
import json
import math
import random
import shutil
import sqlite3
import zipfile
import zlib
from pathlib import Path
from typing import Any, Callable

CLI_EVERY = 20
ROOT = Path(__file__).resolve().parent.parent
SEEDS = sorted((ROOT / "seeds").glob("0*.txt"))


def _flip(path: Path, rng: random.Random) -> None:
    data = bytearray(path.read_bytes())
    for _ in range(rng.randint(1, 8)):
        k = rng.randrange(len(data))
        data[k] = rng.randrange(256)
    path.write_bytes(bytes(data))


def _truncate(path: Path, rng: random.Random) -> None:
    data = path.read_bytes()
    path.write_bytes(data[: rng.randrange(len(data))])


def _npz(path: Path, rng: random.Random) -> None:
    """lexical.npz replaced: wrong shapes, dtypes, a missing member, or a member claiming gigabytes."""
    import numpy as np

    choice = rng.randrange(4)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        if choice == 0:  # a member that inflates far past its size on disk
            with z.open("data.npy", "w", force_zip64=True) as fh:
                for _ in range(64):
                    fh.write(bytes(1 << 24))  # 1 GiB of zeros, ~1 MB compressed
        else:
            arrays = {"data": np.ones(3, np.float32), "indices": np.array([0, 5, 2**31 - 1]),
                      "indptr": np.array([0, 1, 3]), "shape": np.array([rng.choice([2, 10**9]), 2**20]),
                      "format": np.array(rng.choice(["csr", "coo", "bsr"]))}
            if choice == 1:
                arrays.pop(rng.choice(list(arrays)))
            if choice == 2:
                arrays["data"] = np.array(["x"] * 3)
            for k, v in arrays.items():
                b = io.BytesIO()
                np.save(b, v, allow_pickle=False)
                z.writestr(f"{k}.npy", b.getvalue())
    path.write_bytes(buf.getvalue())


def _idf(path: Path, rng: random.Random) -> None:
    import numpy as np

    value = rng.choice([np.ones(7, np.float32), np.array(["a", "b"]), np.full(1 << 20, np.nan, np.float32),
                        np.ones((2, 2)), np.float32(1.0)])
    np.save(path, value, allow_pickle=False)


def _sqlite(path: Path, rng: random.Random) -> None:
    db = sqlite3.connect(path)
    op = rng.randrange(6)
    if op == 0:
        db.execute("DELETE FROM articles WHERE row = ?", (rng.randrange(5),))
    elif op == 1:
        db.execute("UPDATE articles SET text = ?", (rng.choice([b"nope", b"", zlib.compress(b"\xff\xfe" * 100)]),))
    elif op == 2:
        db.execute("UPDATE articles SET text = ?", (zlib.compress(b" " * (64 << 20), 9),))
    elif op == 3:
        db.execute("UPDATE articles SET id = ? WHERE row = 0", (rng.choice([None, 7, b"\x00"]),))
    elif op == 4:
        db.execute("DROP TABLE articles")
    else:
        db.execute("UPDATE articles SET text = ?", ("plain text, not a blob",))
    db.commit()
    db.close()


def _meta(path: Path, rng: random.Random) -> None:
    from fuzz_inputs import mutate_card

    text, _ = mutate_card(json.loads(path.read_text()), rng)
    path.write_text(text)


DAMAGE: dict[str, Callable[[Path, random.Random], None]] = {
    "index.json": _meta, "lexical.npz": _npz, "idf.npy": _idf, "articles.sqlite": _sqlite,
}


def damage_index(d: Path, rng: random.Random) -> str:
    name = rng.choice(list(DAMAGE) * 2 + ["*flip", "*truncate", "*remove"])
    if name.startswith("*"):
        target = d / rng.choice(list(DAMAGE))
        {"*flip": _flip, "*truncate": _truncate, "*remove": lambda p, r: p.unlink()}[name](target, rng)
        return f"{target.name} {name[1:]}"
    DAMAGE[name](d / name, rng)
    return name


def _cli(args: list[str]) -> tuple[int, bool, str]:
    from typer.testing import CliRunner

    from mtdetect.cli import app

    r = CliRunner().invoke(app, args)
    crashed = "Traceback" in r.output or (r.exception is not None and not isinstance(r.exception, SystemExit))
    return r.exit_code, crashed, r.stderr[:200]


def fuzz_indexes(n: int, seed: int, model: Path, workdir: Path) -> dict:
    from mtdetect.embed.minilm import default_embedder
    from mtdetect.inputs.errors import InputError
    from mtdetect.detect.index import ArchiveIndex, build_index

    rng = random.Random(seed)
    texts = [p.read_text(encoding="utf-8") for p in SEEDS]
    good = workdir / "good-index"
    build_index([(p.name, t) for p, t in zip(SEEDS, texts)], good)
    embedder, memo = default_embedder(), {}

    def encode(sentences: list[str]) -> Any:  # the same few sentences every case: embed each once
        import numpy as np

        todo = [x for x in dict.fromkeys(sentences) if x not in memo]
        if todo:
            memo.update(zip(todo, embedder.encode(todo)))
        return np.stack([memo[x] for x in sentences]) if sentences else np.zeros((0, 384), np.float32)
    counts = {"refused": 0, "worked": 0, "cli_runs": 0}
    codes: dict[int, int] = {}
    failures: list[dict] = []
    tracebacks = 0
    for i in range(n):
        d = workdir / "index"
        shutil.rmtree(d, ignore_errors=True)
        shutil.copytree(good, d)
        what = damage_index(d, rng)
        try:
            try:
                index = ArchiveIndex(d)
                best, considered = index.match(texts[1], encode)
                _ = [index.text(c.row) for c in considered]
            except InputError:
                counts["refused"] += 1
            else:
                counts["worked"] += 1
        except Exception as exc:  # noqa: BLE001 - every other exception is a finding
            tracebacks += 1
            if len(failures) < 20:
                failures.append({"index": i, "damage": what, "error": f"{type(exc).__name__}: {exc}"[:300]})
        if i % CLI_EVERY == 0:
            code, crashed, err = _cli(["score", str(SEEDS[1]), "--index", str(d), "--model", str(model), "-q",
                                       "-f", "json"])
            counts["cli_runs"] += 1
            codes[code] = codes.get(code, 0) + 1
            tracebacks += crashed
            if (crashed or code not in (0, 3)) and len(failures) < 20:
                failures.append({"index": i, "damage": what, "error": f"exit {code}: {err}"})
    return {"indexes": n, **counts, "cli_exit_codes": dict(sorted(codes.items())), "tracebacks": tracebacks,
            "exit_1": codes.get(1, 0), "failures": failures}


def fuzz_rf_cards(n: int, seed: int, model: Path, workdir: Path) -> dict:
    from fuzz_inputs import mutate_card

    from mtdetect.card.model import ModelError
    from mtdetect.detect.reference_free import ReferenceFreeDetector

    rf = ROOT / "mtdetect" / "models" / "reference-free"
    rng = random.Random(seed)
    card = json.loads((rf / "card.json").read_text(encoding="utf-8"))
    copy = workdir / "rf-model"
    shutil.copytree(rf, copy)
    article = SEEDS[1].read_text(encoding="utf-8")
    embedder = ReferenceFreeDetector(rf)._encoder()  # one embedder for every card
    counts = {"refused": 0, "loaded": 0, "cli_runs": 0}
    codes: dict[int, int] = {}
    failures: list[dict] = []
    tracebacks = 0
    for i in range(n):
        text, _ = mutate_card(card, rng)
        (copy / "card.json").write_text(text, encoding="utf-8")
        try:
            try:
                det = ReferenceFreeDetector(copy, embedder=embedder)
                result = det.score_article(article)
                ps = [s.p_mt for s in result.sentences if s.p_mt is not None] + [result.p_article]
                if not all(isinstance(p, float) and math.isfinite(p) and 0.0 <= p <= 1.0 for p in ps):
                    raise AssertionError(f"probabilities out of [0, 1]: {ps[:5]}")
                _ = det.signature, result.verdict
            except ModelError:
                counts["refused"] += 1
            else:
                counts["loaded"] += 1
        except Exception as exc:  # noqa: BLE001 - every other exception is a finding
            tracebacks += 1
            if len(failures) < 20:
                failures.append({"index": i, "error": f"{type(exc).__name__}: {exc}"[:300], "card": text[:200]})
        if i % CLI_EVERY == 0:
            code, crashed, err = _cli(["score", str(SEEDS[1]), "--rf-model", str(copy), "-q", "-f", "json"])
            counts["cli_runs"] += 1
            codes[code] = codes.get(code, 0) + 1
            tracebacks += crashed
            if (crashed or code not in (0, 4)) and len(failures) < 20:
                failures.append({"index": i, "error": f"exit {code}: {err}", "card": text[:200]})
    return {"cards": n, **counts, "cli_exit_codes": dict(sorted(codes.items())), "tracebacks": tracebacks,
            "exit_1": codes.get(1, 0), "failures": failures}
