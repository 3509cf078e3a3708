"""A JSONL line read by msgspec gives exactly what the json module gives: the same
record (same values, types and key order) or the same error message."""

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from stance import inputs
from stance.inputs import parse_jsonl_line

pytest.importorskip("msgspec")


def _slow(raw: bytes):  # noqa: ANN202
    fast, inputs._FAST_DECODE = inputs._FAST_DECODE, None
    try:
        return parse_jsonl_line(raw, 7)
    finally:
        inputs._FAST_DECODE = fast


def _same(raw: bytes) -> None:
    assert inputs._FAST_DECODE is not None
    fast, slow = parse_jsonl_line(raw, 7), _slow(raw)
    # repr tells 1 from 1.0 and True, -0.0 from 0.0, and shows the key order.
    assert repr(fast) == repr(slow), raw


EDGES = [
    b'{"text": "x", "a": 1e400}',
    b'{"text": "x", "a": -1e400}',
    b'{"text": "x", "a": 1.7976931348623159e308}',
    b'{"text": "x", "a": 1.7976931348623157e308}',
    b'{"text": "x", "a": 1e-400}',
    b'{"text": "x", "a": 5e-324}',
    b'{"text": "x", "a": NaN}',
    b'{"text": "x", "a": -Infinity}',
    b'{"text": "x", "a": -0}',
    b'{"text": "x", "a": -0.0}',
    b'{"text": "x", "a": 123456789012345678901234567890}',
    b'{"text": "x", "a": ' + b"9" * 4300 + b"}",
    b'{"text": "x", "a": ' + b"9" * 4301 + b"}",
    b'{"text": "x", "a": 1, "a": 2, "b": 3}',
    b'{"text": "\\ud800"}',
    b'{"text": "\\udfff x"}',
    b'{"text": "ok", "a": "\\ud83d\\ude00"}',
    b'{"text": "ok", "a": "\\\\ud800"}',
    b'{"text": "x", "a": "\\ud800\\u0041"}',
    b'{"text": "x", "a": "\\ud83d\\ude00\\ud83d"}',
    b'{"text": "x", "\\ud800": 1}',
    b'{"text": "x", "a": "\\udfff\\ud800"}',
    b'{"text": "x", "a": "\\udbff\\udfff"}',
    b'{"text": "x\x01y"}',
    b'{"text": "x\x7fy"}',
    b'{"text": "\xed\xa0\x80"}',
    b'{"text": "\xff"}',
    b'{"text": "x"}\x0c',
    b'{"text": "x"} ',
    b'\t{"text": "x"}\r',
    b'{"text": "x",}',
    b'{"text": 01}',
    b'{"text": .5}',
    b'{"text": 5}',
    b'{"txt": "x"}',
    b'["text"]',
    b'"text"',
    b"null",
    b'{"text": "x", "n": ' + b"[" * 300 + b"]" * 300 + b"}",
    b'{"text": "x", "n": ' + b"[" * 2000 + b"]" * 2000 + b"}",
    *(b'{"text": "x", "n": ' + b"[" * n + b"]" * n + b"}" for n in range(985, 1001)),
    b'{"text": "\\u0627\\u0644", "id": "\\u00e9"}',
    b'{"text": "x", "a": "\\/\\b\\f\\n\\r\\t\\"\\\\"}',
    b'{"text": "x", "a": "\\x"}',
    b'{"text": "x", "a": tru}',
    b'{"text": "x" "a": 1}',
]


@pytest.mark.parametrize("raw", EDGES)
def test_edges(raw: bytes) -> None:
    _same(raw)


_JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**40), max_value=10**40)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=5), inner),
    max_leaves=12,
)


@settings(max_examples=80, deadline=None)
@given(
    value=_JSON,
    text=st.text(),
    ascii_only=st.booleans(),
    separators=st.sampled_from([(", ", ": "), (",", ":"), (" , ", " :")]),
)
def test_any_record(value, text: str, ascii_only: bool, separators) -> None:
    record = {"id": value, "text": text, "more": [value, {"k": value}]}
    raw = json.dumps(record, ensure_ascii=ascii_only, separators=separators)
    _same(raw.encode("utf-8", "surrogatepass"))


_NUMBER = st.from_regex(r"\A-?(0|[1-9][0-9]{0,25})(\.[0-9]{1,25})?([eE][-+]?[0-9]{1,3})?\Z")


@settings(max_examples=100, deadline=None)
@given(_NUMBER)
def test_any_number(number: str) -> None:
    _same(b'{"text": "x", "n": ' + number.encode() + b"}")


@settings(max_examples=100, deadline=None)
@given(st.binary(max_size=6), st.integers(min_value=0, max_value=60), st.integers(0, 3))
def test_damaged_lines(junk: bytes, at: int, cut: int) -> None:
    raw = '{"id": 12, "text": "الكيان \\u0627 x", "v": [1.5, -2e-3, true, null]}'.encode()
    at = min(at, len(raw))
    _same(raw[:at] + junk + raw[at + cut :])


def test_iter_jsonl_reads_each_line_as_parse_jsonl_line(tmp_path) -> None:
    """iter_jsonl takes the usual line (an object with a string "text") on a short path
    of its own: every line still gives what parse_jsonl_line gives it."""
    lines = [raw for raw in EDGES if b"\r" not in raw and b"\n" not in raw]
    lines += [
        b"",
        b"  \t",
        b'\xef\xbb\xbf{"text": "bom"}',
        b'{"id": 1, "text": "x"}',
        b'{"id": 1, "text": "' + "ك".encode() * 400 + b'"}',  # past 512 bytes
        b'{"id": [[[1]]], "text": "x", "more": ' + b"[" * 200 + b"]" * 200 + b"}",
        b'{"text": null}',
    ]
    path = tmp_path / "in.jsonl"
    path.write_bytes(b"\n".join(lines) + b"\n")
    got = list(inputs.iter_jsonl(str(path)))
    want = [parse_jsonl_line(raw, n) for n, raw in enumerate(lines, 1)]
    assert repr(got) == repr([item for item in want if item is not None])


@pytest.mark.parametrize("chunk", [64, 1000, 1 << 16])
def test_iter_jsonl_blocks_read_each_line_as_parse_jsonl_line(tmp_path, monkeypatch, chunk) -> None:
    """Blocks of usual lines are decoded and checked together; a block holding any
    other line goes line by line. Either way each line gives what parse_jsonl_line
    gives it, whatever the chunk size cuts the blocks to."""
    monkeypatch.setattr(inputs, "_READ_CHUNK", chunk)
    lines = []
    for n, odd in enumerate([*EDGES, b"", b"  ", b'\xef\xbb\xbf{"text": "bom"}']):
        lines += [b'{"id": %d, "text": "\xd9\x83 %d"}' % (100 * n + k, k) for k in range(n % 7)]
        lines.append(odd)
    path = tmp_path / "in.jsonl"
    path.write_bytes(b"\n".join(lines) + b"\n")
    blocks = list(inputs.iter_jsonl_blocks(str(path)))
    if chunk < 4096:  # small chunks: blocks of usual lines only, and mixed ones
        assert any(b.records is not None for b in blocks) and any(b.records is None for b in blocks)
    got = [item for block in blocks for item in block.items()]
    want = [parse_jsonl_line(raw, n) for n, raw in enumerate(lines, 1)]
    assert repr(got) == repr([item for item in want if item is not None])
    assert repr(list(inputs.iter_jsonl(str(path)))) == repr(got)
