"""Parsing and writing JSONL records: the json module against msgspec and orjson, per
record, on the corpus bench/speed.py scores (resampled annotations, seed 0).

    python bench/json_libs.py [--records 100000]

Parsing: one input line ``{"id": N, "text": "..."}`` to a dict. Writing: one output
record of ``score --jsonl`` to a line, and whether the line is byte for byte what
``json.dumps(record, ensure_ascii=False)`` writes (the output must not change). orjson
is measured only when installed (it is not a dependency). Times are CPU microseconds
per record, best of --repeat runs.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def best(fn, items, repeat: int) -> float:  # noqa: ANN001
    times = []
    for _ in range(repeat):
        start = time.process_time()
        for item in items:
            fn(item)
        times.append(time.process_time() - start)
    return min(times) / len(items) * 1e6


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--records", type=int, default=100_000)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--annotations", type=Path, default=REPO / "annotations")
    ap.add_argument("--model", default=None, help="model directory (default: shipped)")
    args = ap.parse_args(argv)
    print(f"command: python bench/json_libs.py --records {args.records} --repeat {args.repeat}")

    from stance.annotations import load_annotations
    from stance.batch import dump_record, score_records
    from stance.inputs import _DECODER, parse_jsonl_line
    from stance.model import load_model

    texts = [r.text for r in load_annotations(args.annotations)]
    rng = random.Random(0)
    records = [{"id": i, "text": rng.choice(texts)} for i in range(args.records)]
    lines = [json.dumps(r, ensure_ascii=False).encode("utf-8") for r in records]
    model = load_model(args.model)
    scored = []
    for i in range(0, min(len(records), 20_000), 512):
        scored.extend(score_records(model, records[i : i + 512]).records)
    want = [json.dumps(r, ensure_ascii=False) for r in scored]

    rows: list[tuple[str, str, float, str]] = []
    from stance.inputs import _finite, _no_constant

    def before(raw: bytes) -> object:  # what parse_jsonl_line called before msgspec
        return json.loads(raw.decode("utf-8"), parse_constant=_no_constant, parse_float=_finite)

    rows.append(("parse", "json.loads(line)", best(json.loads, lines, args.repeat), ""))
    rows.append(
        ("parse", "json.loads + hooks (stance before)", best(before, lines, args.repeat), "")
    )
    rows.append(
        (
            "parse",
            "json, one decoder made once",
            best(lambda b: _DECODER.decode(b.decode("utf-8")), lines, args.repeat),
            "",
        )
    )
    rows.append(
        (
            "parse",
            "stance.inputs.parse_jsonl_line",
            best(lambda b: parse_jsonl_line(b, 1), lines, args.repeat),
            "checks included",
        )
    )
    dumps = lambda r: json.dumps(r, ensure_ascii=False)  # noqa: E731
    rows.append(
        ("write", "json.dumps(ensure_ascii=False)", best(dumps, scored, args.repeat), "yes")
    )
    same = "yes" if [dump_record(r) for r in scored] == want else "NO"
    rows.append(("write", "stance.batch.dump_record", best(dump_record, scored, args.repeat), same))
    batches = [score_records(model, records[i : i + 512]) for i in range(0, len(scored), 512)]
    written = [line for b in batches for line in b._scores.lines()]
    times = []
    for _ in range(args.repeat):
        start = time.process_time()
        for b in batches:
            b._scores.lines()
        times.append(time.process_time() - start)
    same = "yes" if written == want else "NO"
    rows.append(
        ("write", "score_records lines (stance now)", min(times) / len(written) * 1e6, same)
    )
    try:
        import msgspec
    except ImportError:
        print("msgspec: not installed")
    else:
        decode = msgspec.json.Decoder().decode
        encode = msgspec.json.Encoder().encode
        rows.append(
            ("parse", f"msgspec {msgspec.__version__}", best(decode, lines, args.repeat), "")
        )
        same = "yes" if [encode(r).decode() for r in scored] == want else "no"
        rows.append(
            ("write", f"msgspec {msgspec.__version__}", best(encode, scored, args.repeat), same)
        )
    try:
        import orjson
    except ImportError:
        print("orjson: not installed (pip install orjson to compare it)")
    else:
        ver = getattr(orjson, "__version__", "?")
        rows.append(("parse", f"orjson {ver}", best(orjson.loads, lines, args.repeat), ""))
        same = "yes" if [orjson.dumps(r).decode() for r in scored] == want else "no"
        rows.append(("write", f"orjson {ver}", best(orjson.dumps, scored, args.repeat), same))
        big = orjson.loads(b'{"n": 123456789012345678901234567890}')["n"]
        print(f"orjson reads 123456789012345678901234567890 as {big!r} ({type(big).__name__})")

    print(f"{'':5}  {'library':34}  {'us/record':>9}  same bytes as json.dumps")
    for what, name, us, same in rows:
        print(f"{what:5}  {name:34}  {us:9.2f}  {same}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
