"""Speed work must not move a single output (issue 23): the seeds' full `score` output (JSON and
text: every score, p value, verdict, signature and piece of evidence) is the one recorded in
tests/data/seed_outputs.json, first written by the code before the speed-up (c5c87c3; its static
entries rewritten when the static embedding was tuned, the reference-free ones unchanged).

The record is tied to the models it was written with: when a shipped model, the static embedding
or the feature version changes (a signature differs), the outputs may rightly move, and the
test skips until the record is rewritten:

    PYTHONPATH=$PWD python tests/test_scoring_unchanged.py --write
"""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
RECORD = ROOT / "tests" / "data" / "seed_outputs.json"
SEEDS = sorted((ROOT / "seeds").glob("0*.txt"))


def _summary(result: dict) -> dict:
    """What a mismatch should point at: the article's figures and each sentence's p."""
    return {"verdict": result["verdict"], "p_article": result.get("p_article"),
            "shift": (result.get("article_evidence") or {}).get("translationese_shift"),
            "p_mt": [s.get("p_mt") for s in result["sentences"]]}


def outputs() -> dict:
    """Each seed scored against 000 with the static embedding (and the translationese shift, --shift),
    and each seed reference-free."""
    from mtdetect.detect.reference import Detector
    from mtdetect.detect.reference_free import ReferenceFreeDetector
    from mtdetect.report.render import render_article

    runs = {}
    reference = SEEDS[0].read_text(encoding="utf-8")
    static, rf = Detector(embedder="static", translationese=True), ReferenceFreeDetector()  # the shift too
    for path in SEEDS:
        text = path.read_text(encoding="utf-8")
        scored = [(f"rf-{path.name[:3]}", rf.score_article(text))]
        if path != SEEDS[0]:
            scored.append((f"static-{path.name[:3]}", static.score_article(text, reference)))
        for name, result in scored:
            js, txt = render_article(result, "json"), render_article(result, "text", width=120)
            runs[name] = {"signature": result.signature, "json_sha256": hashlib.sha256(js.encode()).hexdigest(),
                          "text_sha256": hashlib.sha256(txt.encode()).hexdigest(), **_summary(json.loads(js))}
    return runs


@pytest.fixture(scope="module")
def recorded_and_now():
    if not SEEDS:
        pytest.skip("no seeds in this checkout")
    return json.loads(RECORD.read_text(encoding="utf-8")), outputs()


def test_seed_outputs_are_the_recorded_ones(recorded_and_now):
    recorded, now = recorded_and_now
    assert set(now) == set(recorded)
    moved = sorted(k for k in now if now[k]["signature"] != recorded[k]["signature"])
    if moved:
        pytest.skip(f"models changed since the record ({', '.join(moved)}): rewrite it (see the module doc)")
    for name, rec in recorded.items():
        got = now[name]
        # the summary first: a mismatch there says which figure moved
        assert {k: got[k] for k in ("verdict", "p_article", "shift", "p_mt")} == \
               {k: rec[k] for k in ("verdict", "p_article", "shift", "p_mt")}, name
        assert (got["json_sha256"], got["text_sha256"]) == (rec["json_sha256"], rec["text_sha256"]), name


if __name__ == "__main__" and sys.argv[1:] == ["--write"]:
    RECORD.write_text(json.dumps(outputs(), indent=1, sort_keys=True) + "\n", encoding="utf-8")
    print(f"wrote {RECORD}")
