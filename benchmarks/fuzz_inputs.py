"""Fuzz the two other ways into mtdetect: pairs lines (`score --pairs`) and model cards.

    python benchmarks/fuzz_inputs.py [--pairs 10000] [--cards 1000] [--indexes 0] [--rf-cards 0]
                                     [--seed 0] [--model DIR]

(Archive indexes and reference-free cards are fuzzed by fuzz_stores.py, through --indexes N and
--rf-cards N: issue 20 ran 1,000 of each.)

Pairs: each generated JSONL line (valid records with hostile values, broken JSON, NaN, huge
numbers, deep nesting, lone surrogates, floods of combining marks, foreign or empty sides...)
is written to a file of its own and read as `score --pairs FILE` reads it: it must be refused
with an InputError naming `file:line` (exit 3), or be accepted. The accepted lines are then
scored in one CLI run, which must exit 0 with one strict-JSON line (no NaN) per record.

Cards: each mutation of the model's card.json (a field retyped, a number changed or made
NaN/infinite or 5,000 digits long, keys dropped, nesting, truncation, a byte flipped; some
re-sealed as a forger would) is loaded with load_model and, when it loads, used to predict.
A card must be refused with a ModelError (exit 4), or load and give the original model's
probabilities (the mutation changed nothing that scores), or, re-sealed, give finite
probabilities in [0, 1]. Any other exception is a failure. Every CARD_CLI_EVERY-th card also
goes through the CLI: exit 0 or 4, never 1, never a traceback.
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from fuzz_text import GENERATORS  # noqa: E402

CARD_CLI_EVERY = 20
_SENTS = [
    "The minister said the talks would resume on Monday after a long pause in the capital.",
    "Chinese President Xi Jinping is due to start a four-day visit to Russia on Wednesday.",
    "Growth was 3.5% in the second quarter, up from 2.1% a year earlier, the agency said.",
]
_FOREIGN = "Le ministre a déclaré que les négociations reprendraient lundi après une longue pause."
_HOSTILE_VALUES = [
    "NaN", "Infinity", "-Infinity", "1e999", "-1e999", "9" * 5000, "-" + "1" * 4400, "[" * 3000 + "]" * 3000,
    '"\\ud800"', '"a\\udfffb"', '"\\u0000"', "null", "true", "[]", "{}", '""', '" "', '"\\u200b"', "0",
    "1.5", '"mt"', '"\\u2028"', "[1, [2, [3]]]", '{"a": NaN}',
]  # fmt: skip


def _text(rng: random.Random) -> str:
    pick = rng.random()
    if pick < 0.45:
        return rng.choice(_SENTS)
    if pick < 0.55:
        return _FOREIGN
    if pick < 0.6:
        return rng.choice(["", " ", "\u200b", "\n\t"])
    if pick < 0.7:  # a flood of combining marks
        return "".join(c + chr(rng.randint(0x300, 0x36F)) * rng.randint(0, 6) for c in rng.choice(_SENTS))
    return GENERATORS[rng.choice(list(GENERATORS))](rng)[:3000]


def pairs_line(rng: random.Random) -> str:
    """One JSONL line: a record with hostile values, or text that is not quite a record."""
    rec: dict[str, Any] = {"reference": _text(rng), "candidate": _text(rng)}
    for key in rng.sample(["id", "label", "group", "system", "note"], rng.randint(0, 3)):
        rec[key] = rng.choice([rng.randint(-10**6, 10**6), "x" * rng.randint(0, 30), rng.random(), None, [1, "a"]])
    line = json.dumps(rec, ensure_ascii=rng.random() < 0.5)
    op = rng.random()
    if op < 0.35:  # a field's value replaced by raw hostile JSON
        key = rng.choice(list(rec) + ["reference", "candidate"])
        value = rng.choice(_HOSTILE_VALUES)
        line = json.dumps({k: v for k, v in rec.items() if k != key})[:-1] + f', "{key}": {value}}}'
    elif op < 0.45:  # a required field dropped, or the record wrapped
        line = rng.choice([json.dumps({k: v for k, v in rec.items() if k != "candidate"}), f"[{line}]", '"text"'])
    elif op < 0.55:  # truncated, or bytes changed
        cut = rng.randrange(max(1, len(line)))
        line = rng.choice([line[:cut], line[:cut] + chr(rng.randrange(0x20, 0x3000)) + line[cut + 1 :]])
    elif op < 0.6:  # raw control characters, a BOM, a CR in the middle
        cut = rng.randrange(max(1, len(line)))
        line = line[:cut] + rng.choice(["\x00", "\x01", "\ufeff", "\r", "\x85", "\u2028"]) + line[cut:]
    return line


def fuzz_pairs(n: int, seed: int, model: Path, workdir: Path) -> dict:
    """Each line alone through `score --pairs`; then every accepted line in one scoring run."""
    from typer.testing import CliRunner

    from mtdetect.cli import app
    from mtdetect.inputs.pairs import read_pairs
    from mtdetect.text import InputError

    runner = CliRunner()
    rng = random.Random(seed)
    failures: list[dict] = []
    codes: dict[int, int] = {}
    accepted: list[str] = []
    tracebacks = 0
    f = workdir / "line.jsonl"
    for i in range(n):
        line = pairs_line(rng)
        f.write_bytes(line.encode("utf-8", "surrogatepass") + b"\n")
        # What `score --pairs FILE` does before it loads a model; the CLI maps InputError to
        # exit 3 and any other exception to exit 1 (a traceback with MTDETECT_DEBUG).
        try:
            read_pairs([str(f)], require_label=False)
            code, message = 0, ""
        except InputError as exc:
            code, message = 3, str(exc)
        except Exception as exc:  # noqa: BLE001 - every other exception is a finding
            code, message = 1, f"{type(exc).__name__}: {exc}"
        codes[code] = codes.get(code, 0) + 1
        tracebacks += code == 1
        if code == 0:
            accepted.append(line)
        elif (code != 3 or not message.startswith(f"{f}:")) and len(failures) < 20:
            failures.append({"index": i, "exit": code, "stderr": message[:300], "line": line[:200]})
    # The accepted lines, scored for real: one run, exit 0, one strict-JSON line each.
    f.write_bytes("".join(line + "\n" for line in accepted).encode("utf-8", "surrogatepass"))
    scored = 0
    if accepted:
        r = runner.invoke(app, ["score", "--pairs", str(f), "--model", str(model), "-q"])
        tracebacks += "Traceback" in r.output or (r.exception is not None and not isinstance(r.exception, SystemExit))
        out = r.stdout.split("\n")[:-1] if r.exit_code == 0 else []  # JSONL lines end at LF only
        if r.exit_code != 0 or len(out) != len(accepted):
            failures.append({"index": -1, "exit": r.exit_code, "stderr": r.stderr[:300], "line": "scoring run"})
        for k, text in enumerate(out):
            try:
                rec = json.loads(text, parse_constant=lambda c: (_ for _ in ()).throw(ValueError(c)))
                p = rec["p_mt"]
                assert (p is None and rec.get("error")) or (isinstance(p, float) and 0.0 <= p <= 1.0)
                scored += p is not None
            except (ValueError, AssertionError, KeyError) as exc:
                if len(failures) < 20:
                    failures.append({"index": k, "exit": 0, "stderr": repr(exc), "line": text[:200]})
    return {"lines": n, "exit_codes": dict(sorted(codes.items())), "accepted": len(accepted), "scored": scored,
            "tracebacks": tracebacks, "exit_1": codes.get(1, 0), "failures": failures}


# --------------------------------------------------------------------------- cards


def _paths(value: Any, prefix: tuple = ()) -> list[tuple]:
    out = [prefix]
    if isinstance(value, dict):
        for k, v in value.items():
            out += _paths(v, prefix + (k,))
    elif isinstance(value, list):
        for k, v in enumerate(value[:5]):
            out += _paths(v, prefix + (k,))
    return out


def _set(card: Any, path: tuple, value: Any) -> Any:
    if not path:
        return value
    node = card
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value
    return card


def mutate_card(card: dict, rng: random.Random) -> tuple[str, bool]:
    """(raw card.json text, re-sealed?) for one random mutation of `card`."""
    from mtdetect.card.card import seal_card

    c = json.loads(json.dumps(card))
    path = rng.choice(_paths(c)[1:])
    op = rng.random()
    raw_value = None
    if op < 0.3:
        _set(c, path, rng.choice([None, True, "x", [], {}, [1, 2], 0, -1, 1e308, "0.5", {"a": [1]}]))
    elif op < 0.5:
        node = c
        for key in path[:-1]:
            node = node[key]
        old = node[path[-1]]
        if isinstance(old, (int, float)) and not isinstance(old, bool):
            _set(c, path, old + rng.choice([50, -50, 1e-9, old]))
        else:
            del node[path[-1]]
    elif op < 0.7:
        raw_value = rng.choice(["NaN", "Infinity", "-Infinity", "9" * 5000, "[" * 5000 + "]" * 5000, "1e999"])
    resealed = rng.random() < 0.3 and isinstance(c, dict) and raw_value is None
    if resealed:
        c = seal_card(c)
    text = json.dumps(c, indent=2)
    if raw_value is not None:  # put the raw token where the value was
        marker = "__FUZZ_VALUE__"
        text = json.dumps(_set(c, path, marker), indent=2).replace(f'"{marker}"', raw_value)
    if op >= 0.9:  # text-level damage
        k = rng.randrange(len(text))
        text = rng.choice([text[:k], text[:k] + chr(rng.randrange(0x20, 0x7F)) + text[k + 1 :], "[" + text + "]",
                           json.dumps([c]), '"card"', "7"])
    return text, resealed


def fuzz_cards(n: int, seed: int, model: Path, workdir: Path) -> dict:
    import numpy as np
    from typer.testing import CliRunner

    from mtdetect.cli import app
    from mtdetect.card.card import ModelError
    from mtdetect.card.load import load_model

    runner = CliRunner()
    rng = random.Random(seed)
    original = load_model(model)
    X = np.random.default_rng(seed).normal(size=(16, len(original.feature_names)))
    expected = original.predict_proba(X)
    card = json.loads((model / "card.json").read_text(encoding="utf-8"))
    copy = workdir / "model"
    shutil.copytree(model, copy)
    pairs = workdir / "cli-pairs.jsonl"
    pairs.write_text(json.dumps({"reference": _SENTS[0], "candidate": _SENTS[0].replace("resume", "restart")}) + "\n")
    counts = {"refused": 0, "loaded_unchanged": 0, "loaded_resealed": 0, "cli_runs": 0}
    codes: dict[int, int] = {}
    failures: list[dict] = []
    tracebacks = 0
    for i in range(n):
        text, resealed = mutate_card(card, rng)
        (copy / "card.json").write_text(text, encoding="utf-8")
        try:
            try:
                m = load_model(copy)
                p = m.predict_proba(X)
                _ = m.signature, m.threshold, m.article_model
            except ModelError:
                counts["refused"] += 1
            else:
                if np.allclose(p, expected):
                    counts["loaded_unchanged"] += 1
                elif resealed and np.all(np.isfinite(p)) and np.all((p >= 0) & (p <= 1)):
                    counts["loaded_resealed"] += 1
                else:
                    raise AssertionError("an unsealed edit changed the scores")
        except Exception as exc:  # noqa: BLE001 - every other exception is a finding
            tracebacks += 1
            if len(failures) < 20:
                failures.append({"index": i, "error": f"{type(exc).__name__}: {exc}"[:300], "card": text[:300]})
        if i % CARD_CLI_EVERY == 0:
            r = runner.invoke(app, ["score", "--pairs", str(pairs), "--model", str(copy), "-q"])
            counts["cli_runs"] += 1
            codes[r.exit_code] = codes.get(r.exit_code, 0) + 1
            crashed = "Traceback" in r.output or (r.exception is not None and not isinstance(r.exception, SystemExit))
            tracebacks += crashed
            if (crashed or r.exit_code not in (0, 4)) and len(failures) < 20:
                failures.append({"index": i, "error": f"exit {r.exit_code}: {r.stderr[:200]}", "card": text[:300]})
    return {"cards": n, **counts, "cli_exit_codes": dict(sorted(codes.items())), "tracebacks": tracebacks,
            "exit_1": codes.get(1, 0), "failures": failures}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pairs", type=int, default=10_000, help="pairs lines (default 10000)")
    parser.add_argument("--cards", type=int, default=1_000, help="mutated cards (default 1000)")
    parser.add_argument("--indexes", type=int, default=0, help="damaged archive indexes (fuzz_stores.py)")
    parser.add_argument("--rf-cards", type=int, default=0, help="mutated reference-free cards (fuzz_stores.py)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--model", type=Path, default=Path(__file__).resolve().parent.parent / "mtdetect" / "models" / "default")
    args = parser.parse_args()
    failures = 0
    with tempfile.TemporaryDirectory() as tmp:
        from fuzz_stores import fuzz_indexes, fuzz_rf_cards

        for name, run, count in (("pairs", fuzz_pairs, args.pairs), ("cards", fuzz_cards, args.cards),
                                 ("indexes", fuzz_indexes, args.indexes), ("rf_cards", fuzz_rf_cards, args.rf_cards)):
            if not count:
                continue
            t0 = time.perf_counter()
            report = run(count, args.seed, args.model, Path(tmp))
            report["seconds"] = round(time.perf_counter() - t0, 1)
            shown = {k: v for k, v in report.items() if k != "failures"}
            print(f"{name}: {json.dumps(shown)}")
            for f in report["failures"]:
                print(f"  {json.dumps(f, ensure_ascii=True)}")
            failures += len(report["failures"])
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
