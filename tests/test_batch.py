"""`score --jsonl` writes exactly what it wrote before the one-pass work: every line is
compared, byte for byte, with a reference computed the old way (each feature block
normalizing and tokenizing the texts itself, ``Lexicon.find`` for the loaded terms,
the language check's character loop, ``round`` and ``json.dumps``), on the seed
articles and on a generated JSONL file. No output is stored: the reference is code."""

import functools
import json
import math
import random
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from stance.batch import dump_record, score_records
from stance.cli import main
from stance.decision import heads_to_proba
from stance.model import MAX_MODEL_CHARS, load_model
from stance.rounding import round_array
from stance.sniff import visible_text

from .conftest import REPO
from .test_sniff import _reference_language


def _reference_lines(model, records: list[dict], keep_text: bool = False) -> list[str]:
    """The output lines of score_records as computed before the one pass."""
    texts = [visible_text(r["text"])[0] for r in records]
    scorer = model._scorer
    scores = np.tile(scorer.intercept, (len(texts), 1))
    for Xb, coef in scorer.block_matrices_per_block([t[:MAX_MODEL_CHARS] for t in texts]):
        scores += np.asarray(Xb @ coef.T)
    proba, on = heads_to_proba(scores, scorer.design, scorer.classes_)
    classes, rule = model.classes_, model.decision_rule
    labels = rule.labels(proba, on, classes)
    about = rule.about_target(on, len(proba))
    out = []
    for i, (rec, text) in enumerate(zip(records, texts)):
        record = {"id": rec.get("id")}
        record.update({k: v for k, v in rec.items() if k not in ("id", "text")})
        if keep_text:
            record["text"] = rec["text"]
        record["label"] = classes[labels[i]]
        record["probabilities"] = {c: round(float(p), 6) for c, p in zip(classes, proba[i])}
        record["on_target"] = None if on is None else round(float(on[i]), 4)
        record["about_target"] = bool(about[i])
        record["loaded_terms"] = [m.to_dict() for m in model.lexicon.find(text)]
        record["arabic"] = _reference_language(text) == "arabic"
        out.append(json.dumps(record, ensure_ascii=False))
    return out


@pytest.fixture(scope="module")
def shipped():
    return load_model(None)


@pytest.fixture(scope="module")
def tiny(tiny_model_dir):
    return load_model(tiny_model_dir)


@functools.cache
def _corpus_texts() -> list[str]:
    from stance.annotations import load_annotations

    return [a.text for a in load_annotations(REPO / "annotations")]


def _records(n: int, seed: int = 0) -> list[dict]:
    """Records of every shape the CLI takes: extra fields (one named like an output
    field), ids of each JSON type, HTML, other scripts, empty and very long texts."""
    texts = _corpus_texts()
    rng = random.Random(seed)
    ids = [10**9, "x\"'\\", None, 2.5, True, [1, {"a": None}], {"k": "ك"}, 10**30, -0.0, ""]
    out = []
    for i in range(n):
        text = rng.choice(texts)
        kind = rng.random()
        rec: dict = {"id": i, "text": text}
        if kind < 0.1 and ids:  # each once: the CLI refuses a repeated id
            rec["id"] = ids.pop(rng.randrange(len(ids)))
        elif kind < 0.2:
            rec = {"source": "وكالة", "text": text, "date": "2025-01-01", "n": 1.5e-7}
        elif kind < 0.25:
            rec = {"text": text}
        elif kind < 0.28:
            rec = {"id": i, "label": "mine", "text": text, "arabic": 0}  # output names
        elif kind < 0.31:
            rec["text"] = f"<p>{text}</p><div>{text}</div><span>x</span>"
        elif kind < 0.34:
            rec["text"] = rng.choice(["", "   ", "The minister said.", "این است که", "שלום"])
        elif kind < 0.36:
            rec["text"] = " ".join(rng.choice(texts) for _ in range(40))
        elif kind < 0.38:
            rec["text"] = text + "\ufe70" + "\u200c" + "بِالْكِيَانِ الصَّهْيُونِيِّ «إسرائيل»"
        out.append(rec)
    out.append({"id": "long", "text": "الكيان الصهيوني " * (MAX_MODEL_CHARS // 15)})
    return out


@pytest.mark.parametrize(("which", "keep_text"), [("tiny", True), ("shipped", False)])
def test_score_records_equal_the_old_way(which, keep_text, request) -> None:
    model = request.getfixturevalue(which)
    records = _records(300)  # two batches: a cold table, then a warm one
    for i in range(0, len(records), 256):  # batches, warm and cold tables
        batch = records[i : i + 256]
        want = _reference_lines(model, batch, keep_text)
        _same_lines("\n".join(score_records(model, batch, keep_text).lines) + "\n", want)
        records_out = score_records(model, batch, keep_text).records
        _same_lines("".join(dump_record(r) + "\n" for r in records_out), want)


def _same_lines(got: str, want: list[str]) -> None:
    """``got`` is ``want``, one line each: the first difference is shown alone."""
    lines = got.split("\n")
    assert lines[-1] == "" and len(lines) - 1 == len(want)
    for i, (a, b) in enumerate(zip(lines, want)):
        assert a == b, f"line {i + 1}"


def _write(path: Path, records: list[dict]) -> Path:
    with path.open("w", encoding="utf-8") as fh:
        for rec in records:
            fh.write(json.dumps(rec, ensure_ascii=False) + "\n")
    return path


def test_score_jsonl_bytes_equal_the_old_way(runner, tiny_model_dir, tiny, tmp_path) -> None:
    """Through worker processes (--jobs 2); one process is score_records above and the
    golden outputs (tests/test_golden.py)."""
    records = _records(250, seed=1)
    path = _write(tmp_path / "in.jsonl", records)
    res = runner.invoke(
        main, ["score", "--jsonl", str(path), "--model", str(tiny_model_dir), "--jobs", "2"]
    )
    assert res.exit_code == 0, res.output
    _same_lines(res.stdout, _reference_lines(tiny, records))


def test_score_jsonl_bytes_equal_the_old_way_on_seeds(runner, seeds, shipped, tmp_path) -> None:
    from stance.segment import segment

    records = []
    for path in sorted(seeds.glob("*.txt")):
        text = path.read_text(encoding="utf-8")
        records.append({"id": path.name, "text": text})
        records += [{"id": f"{path.name}:{s.start}", "text": s.text} for s in segment(text)]
    path = _write(tmp_path / "seeds.jsonl", records)
    res = runner.invoke(main, ["score", "--jsonl", str(path)])
    assert res.exit_code == 0, res.output
    _same_lines(res.stdout, _reference_lines(shipped, records))


_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner),
    max_leaves=8,
)
_FIELDS = st.sampled_from(["id", "source", "label", "probabilities", "arabic", "x", "é", "%s"])


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.dictionaries(_FIELDS, _VALUES, max_size=4), min_size=1, max_size=6))
def test_lines_equal_json_dumps_of_the_records(tiny, fields) -> None:
    records = [{**f, "text": t} for f, t in zip(fields, ["الكيان الصهيوني", "x"] * 3)]
    for keep_text in (False, True):
        scored = score_records(tiny, records, keep_text)
        want = [json.dumps(r, ensure_ascii=False) for r in scored.records]
        assert score_records(tiny, records, keep_text).lines == want


@settings(max_examples=100, deadline=None)
@given(_VALUES)
def test_dump_record_is_json_dumps(value) -> None:
    assert dump_record({"v": value}) == json.dumps({"v": value}, ensure_ascii=False)
    assert dump_record(value) == json.dumps(value, ensure_ascii=False)


def test_dump_record_errors_as_json_dumps() -> None:
    loop: list = []
    loop.append(loop)
    for bad in (loop, {"s": {1, 2}}, {"f": float("nan"), "ok": 1}):
        try:
            want = json.dumps(bad, ensure_ascii=False)
        except Exception as exc:  # noqa: BLE001
            with pytest.raises(type(exc), match=str(exc)):
                dump_record(bad)
        else:
            assert dump_record(bad) == want


@settings(max_examples=120, deadline=None)
@given(
    st.lists(st.floats(min_value=0.0, max_value=1.0), min_size=1, max_size=50),
    st.integers(min_value=1, max_value=8),
)
def test_round_array_is_round_and_repr(values, places) -> None:
    floats, texts = round_array(np.array(values), places)
    want = [round(v, places) for v in values]
    assert [repr(f) for f in floats.tolist()] == [repr(w) for w in want]
    assert texts == [repr(w) for w in want]


def test_round_array_on_6_place_decimals_and_halves() -> None:
    # A fixed random sample of the million 6-place decimals and of the halves between
    # them (where rounding is decided), plus both ends: checking all four million takes
    # 13 s and found nothing the sample misses.
    rng = np.random.default_rng(0)
    picks = np.concatenate([[0, 1, 2, 999_998, 999_999], rng.integers(0, 10**6, 50_000)])
    grid = np.append(picks, 10**6) / 1e6
    halves = (picks + 0.5) / 1e6
    for values in (grid, halves, np.nextafter(halves, 0), np.nextafter(halves, 1)):
        floats, texts = round_array(values, 6)
        want = [round(v, 6) for v in values.tolist()]
        assert floats.tolist() == want
        assert texts == list(map(repr, want))
    out_of_range = np.array([1.5, -0.25, math.nan, math.inf])
    floats, texts = round_array(out_of_range, 6)
    assert texts == [repr(round(v, 6)) for v in out_of_range.tolist()]


def test_record_batches_refuse_repeated_ids_compared_as_json() -> None:
    from stance.inputs import JsonlRecord
    from stance.score.records import record_batches

    ids = [1, "1", 1.0, True, None, [1], {"a": 1, "b": 2}, {"b": 2, "a": 1}, 1, "1", None]
    ids += [True, 1.0, [1], 10**30, 10**30, "x", -0.0, 0]
    items = [JsonlRecord(n, {"id": rid, "text": "t"}, None) for n, rid in enumerate(ids, 1)]
    items += [JsonlRecord(30, {"text": "no id"}, None), JsonlRecord(31, None, "invalid JSON")]
    items += [JsonlRecord(32, {"text": "no id"}, None)]
    errors: list = []
    batches = record_batches(items, lambda item, e, first: errors.append((item.line, e, first)))
    kept = [r.get("id", "-") for batch in batches for r in batch]
    assert errors == [
        (8, 'duplicate id {"a": 1, "b": 2}', 7),
        (9, "duplicate id 1", 1),
        (10, 'duplicate id "1"', 2),
        (11, "duplicate id null", 5),
        (12, "duplicate id true", 4),
        (13, "duplicate id 1.0", 3),
        (14, "duplicate id [1]", 6),
        (16, f"duplicate id {10**30}", 15),
        (31, "invalid JSON", None),
    ]
    assert kept == [1, "1", 1.0, True, None, [1], {"a": 1, "b": 2}, 10**30, "x", -0.0, 0, "-", "-"]


_ABSENT = object()


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.one_of(
                st.just(_ABSENT),
                st.none(),
                st.integers(0, 6),
                st.sampled_from(["0", "a"]),
                st.just(True),
            ),
            st.integers(0, 9),  # text length
            st.booleans(),  # a bad line
        ),
        max_size=40,
    ),
    st.lists(st.integers(1, 8), min_size=1, max_size=8),
    st.integers(1, 6),
    st.integers(1, 30),
    st.booleans(),
)
def test_block_batches_are_record_batches(lines, cuts, size, chars, stop) -> None:
    """Reading in blocks changes neither the batches nor the lines refused: a block of
    good records with new ids of one type joins by slices, any other goes item by item."""
    from stance.inputs import JsonlBlock, JsonlRecord
    from stance.score.records import block_batches, record_batches

    items = []
    for n, (rid, length, bad) in enumerate(lines, 1):
        record = {"text": "ك" * length} if rid is _ABSENT else {"id": rid, "text": "ك" * length}
        items.append(JsonlRecord(n, None, "invalid JSON") if bad else JsonlRecord(n, record, None))
    blocks, at, k = [], 0, 0
    while at < len(items):
        part = items[at : at + cuts[k % len(cuts)]]
        good = all(item.error is None for item in part)
        records = [item.record for item in part] if good else None
        blocks.append(JsonlBlock(at + 1, records, None if good else part))
        at, k = at + len(part), k + 1

    def run(batches_of, stream):  # noqa: ANN001, ANN202
        errors: list = []
        batches = batches_of(
            stream, lambda item, e, first: errors.append((item.line, e, first)), stop, size, chars
        )
        return [[id(r) for r in batch] for batch in batches], errors

    assert run(block_batches, blocks) == run(record_batches, items)


def test_term_json_is_json_dumps_whatever_the_weight() -> None:
    """A term's JSON is cached around its offsets: the second and later matches of the
    same term, at other offsets, and weights that compare equal but are written
    otherwise (0.0 and -0.0), or never equal (NaN), still give json.dumps's text."""
    from stance.batch import _term_json
    from stance.lexicon import TermMatch

    weights = [0.5, 0.0, -0.0, 0.0, math.nan, math.inf, -math.inf, 1e-300, 2.5, 0.5]
    for i, weight in enumerate(weights * 2):
        m = TermMatch("الكيان الصهيوني", 'بالكيان "x"', i, i + 15, "critical", weight, "delegit")
        assert _term_json(m) == json.dumps(m.to_dict(), ensure_ascii=False)
