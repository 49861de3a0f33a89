import gzip
import json

import pytest

from mtdetect.inputs.pairs import PairsError, check_trainable, parse_label, read_pairs
from mtdetect.text import InputError


def test_three_formats_and_gzip(tmp_path):
    (tmp_path / "a.jsonl").write_text(json.dumps({"reference": "A b.", "candidate": "A c.", "label": "mt", "x": 1}) + "\n\n")
    (tmp_path / "b.csv").write_text('reference,candidate,label,system\n"A, b.",A d.,human,s1\n')
    (tmp_path / "c.tsv").write_text("reference\tcandidate\tlabel\nA b.\tA e.\t1\n")
    with gzip.open(tmp_path / "d.jsonl.gz", "wt") as fh:
        fh.write(json.dumps({"reference": "Q.", "candidate": "R.", "label": False}) + "\n")
    pairs = read_pairs([str(tmp_path / n) for n in ("a.jsonl", "b.csv", "c.tsv", "d.jsonl.gz")], require_label=True)
    assert [p.label for p in pairs] == [1, 0, 1, 0]
    assert pairs[0].meta == {"label": "mt", "x": 1}
    assert pairs[1].reference == "A, b." and pairs[1].group("system") == "s1"


@pytest.mark.parametrize("line,message", [
    ("{broken", ":1: not valid JSON"),
    ('{"candidate": "x", "label": "mt"}', ":1: missing 'reference'"),
    ('{"reference": "x", "label": "mt"}', ":1: missing 'candidate'"),
    ('{"reference": 3, "candidate": "x", "label": "mt"}', "'reference' must be a string, not int"),
    ('{"reference": "x", "candidate": "y", "label": "maybe"}', "'label' must be mt/human"),
    ('{"reference": "x", "candidate": "y"}', ":1: missing 'label'"),
    ('[1, 2]', "expected an object"),
])
def test_every_validation_error_names_file_and_line(tmp_path, line, message):
    f = tmp_path / "p.jsonl"
    f.write_text(line + "\n")
    with pytest.raises(PairsError, match=message.replace("(", r"\(")) as exc:
        read_pairs([str(f)], require_label=True)
    assert str(exc.value).startswith(f"{f}:")


def test_all_errors_reported_at_once(tmp_path):
    f = tmp_path / "p.jsonl"
    f.write_text('{"reference": "a"}\n{bad\n{"reference": "a", "candidate": "b", "label": "mt"}\n')
    with pytest.raises(PairsError) as exc:
        read_pairs([str(f)], require_label=True)
    assert len(exc.value.problems) == 3  # missing candidate, missing label, bad JSON
    assert f"{f}:1:" in str(exc.value) and f"{f}:2:" in str(exc.value)


def test_csv_ragged_rows(tmp_path):
    f = tmp_path / "p.csv"
    f.write_text("reference,candidate,label\na,b,mt,extra\nc,d\n")
    with pytest.raises(PairsError, match="more fields") as exc:
        read_pairs([str(f)], require_label=True)
    assert "fewer fields" in str(exc.value)


def test_file_problems(tmp_path):
    with pytest.raises(InputError, match="no such file"):
        read_pairs([str(tmp_path / "missing.jsonl")], require_label=False)
    (tmp_path / "e.jsonl").write_text("  \n")
    with pytest.raises(PairsError, match="empty"):
        read_pairs([str(tmp_path / "e.jsonl")], require_label=False)
    (tmp_path / "l1.jsonl").write_bytes(b'{"reference": "caf\xe9", "candidate": "x"}\n')
    with pytest.raises(InputError, match="not UTF-8"):
        read_pairs([str(tmp_path / "l1.jsonl")], require_label=False)


def test_unusable_training_sets(tmp_path):
    from mtdetect.inputs.pairs import Pair

    one_class = [Pair(f"r{i}", f"c{i}", 1) for i in range(50)]
    with pytest.raises(InputError, match="only 'mt' examples"):
        check_trainable(one_class)
    few = [Pair(f"r{i}", f"c{i}", i % 2) for i in range(10)]
    with pytest.raises(InputError, match="too few examples"):
        check_trainable(few)
    dup = [Pair("r", "c", i % 2) for i in range(100)]
    with pytest.raises(InputError, match="distinct pairs"):
        check_trainable(dup)


def test_labels():
    assert [parse_label(v) for v in ("mt", "HUMAN", 1, 0, True, "false", "x", 2)] == [1, 0, 1, 0, 1, 0, None, None]


def test_scored_records_do_not_depend_on_batches_or_workers():
    """detect/pairs.py does each chunk's language check, normalising and features in one worker
    step and starts the next batch early (issue 23): the records are the same whatever the batch
    size and the number of workers, and the same numbers as Detector.score_pairs."""
    from conftest import SEED
    from mtdetect.detect.pairs import score_pairs_records
    from mtdetect.detect.reference import Detector
    from mtdetect.inputs.pairs import Pair
    from mtdetect.text import split_sentences

    if not SEED["original"].exists():
        pytest.skip("no seeds in this checkout")
    ref = [s.text for s in split_sentences(SEED["original"].read_text(encoding="utf-8"))]
    sus = [s.text for s in split_sentences(SEED["roundtrip"].read_text(encoding="utf-8"))]
    base = [(r, c) for r in ref[:12] for c in sus[:12]] + [(r, r) for r in ref[:5]]
    base += [("", sus[0]), (ref[0], "Le chat est sur la table et nous allons au marché avec les enfants demain.")]
    pairs = [Pair(r, c, None, {"n": k}) for k, (r, c) in enumerate((base * 8)[:1100])]
    det = Detector(embedder="static")
    one = score_pairs_records(det, pairs, workers=1)
    assert score_pairs_records(det, pairs, batch_size=300, workers=2) == one
    assert score_pairs_records(det, pairs, batch_size=7, workers=2) == one
    assert [r["n"] for r in one] == list(range(len(pairs)))
    assert {r["error"] for r in one if r["p_mt"] is None} == {"empty reference (no text): not scored",
                                                              "candidate is not English text: not scored"}
    scored = [(p, r) for p, r in zip(pairs, one) if r["p_mt"] is not None]
    p = det.score_pairs([x.reference for x, _ in scored], [x.candidate for x, _ in scored])
    assert [round(float(v), 6) for v in p] == [r["p_mt"] for _, r in scored]
