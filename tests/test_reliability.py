"""Bad input through the CLI: one clear message, the right exit code, no traceback."""

import json
import os
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from stance.cli import main
from stance.lexicon import load_lexicon
from stance.normalize import normalize_with_offsets
from stance.segment import segment

AR = "وقال الوزير إن الخطوة تاريخية. ووصل الوفد أمس.\n"


def _score(runner: CliRunner, model: Path, *args: str, **kw: object):
    res = runner.invoke(main, ["score", "--model", str(model), *args], **kw)
    assert "Traceback" not in res.output
    return res


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "empty file"),
        (b"  \n\t \n", "only whitespace"),
        (b"abc\0def", "NUL bytes"),
        (b"\x89PNG\r\n\x1a\n" + b"\0" * 20, "PNG image"),
        (b"%PDF-1.7\n%\xe2\xe3", "PDF document"),
        ("وقال الوزير".encode("cp1256"), "--encoding cp1256"),
        ("café crème brûlée".encode("latin-1"), "--encoding"),
    ],
)
def test_bad_files_fail_cleanly_and_others_still_run(
    runner: CliRunner, tiny_model_dir: Path, tmp_path: Path, content: bytes, message: str
) -> None:
    bad = tmp_path / "bad.txt"
    bad.write_bytes(content)
    good = tmp_path / "good.txt"
    good.write_text(AR, encoding="utf-8")
    res = _score(runner, tiny_model_dir, str(bad), str(good))
    assert res.exit_code == 1
    assert message in res.stderr and str(bad) in res.stderr
    assert "1 input(s) failed" in res.stderr
    assert "2 sentences" in res.stdout  # the good file was still scored


def test_directory_and_encoding_option(
    runner: CliRunner, tiny_model_dir: Path, tmp_path: Path
) -> None:
    res = _score(runner, tiny_model_dir, str(tmp_path))
    assert res.exit_code == 1 and "directory has no *.txt" in res.stderr
    f = tmp_path / "win.txt"
    f.write_bytes(AR.encode("cp1256"))
    res = _score(runner, tiny_model_dir, "--encoding", "cp1256", str(f))
    assert res.exit_code == 0, res.output


def test_too_large_article_is_refused_before_reading(
    runner: CliRunner, tiny_model_dir: Path, tmp_path: Path
) -> None:
    big = tmp_path / "big.txt"
    with open(big, "wb") as fh:  # sparse: 200 MB on paper, nothing on disk
        fh.truncate(200 * 1024 * 1024)
    res = _score(runner, tiny_model_dir, str(big))
    assert res.exit_code == 1 and "too large for one article" in res.stderr
    assert "--jsonl" in res.stderr


def test_bom_and_crlf_keep_offsets(runner: CliRunner, tiny_model_dir: Path, tmp_path: Path) -> None:
    text = "وقال الوزير إن الخطوة تاريخية.\r\nووصل الوفد أمس.\rوغادر الوفد.\n"
    f = tmp_path / "crlf.txt"
    f.write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
    res = _score(runner, tiny_model_dir, "--format", "json", str(f))
    assert res.exit_code == 0, res.output
    obj = json.loads(res.stdout)
    assert len(obj["sentences"]) == 3
    for s in obj["sentences"]:
        assert text[s["start"] : s["end"]] == s["text"]


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("The minister said the step was historic. The delegation arrived.", "latin"),
        ("השר אמר שהצעד היסטורי. המשלחת הגיעה.", "hebrew"),
        ("وزیر گفت که این گام تاریخی است. هیئت دیروز رسید.", "persian"),
    ],
)
def test_non_arabic_is_scored_but_flagged(
    runner: CliRunner, tiny_model_dir: Path, text: str, language: str
) -> None:
    res = _score(runner, tiny_model_dir, "--format", "json", "-", input=text)
    assert res.exit_code == 0, res.output
    obj = json.loads(res.stdout)
    assert obj["arabic"] is False and obj["language"] == language
    assert "no Arabic text" in res.stderr


def test_html_is_never_scored_as_markup(runner: CliRunner, tiny_model_dir: Path) -> None:
    html = (
        "<!DOCTYPE html><html><head><title>t</title><script>var x = 1;</script></head>"
        "<body><p>وقال الوزير إن الخطوة تاريخية.</p><div>ووصل الوفد أمس.</div></body></html>"
    )
    res = _score(runner, tiny_model_dir, "--format", "json", "-", input=html)
    assert res.exit_code == 0, res.output
    obj = json.loads(res.stdout)
    assert [s["text"] for s in obj["sentences"]] == [
        "وقال الوزير إن الخطوة تاريخية.",
        "ووصل الوفد أمس.",
    ]
    assert "HTML input" in res.stderr


def test_jsonl_duplicate_ids_and_on_error(runner: CliRunner, tiny_model_dir: Path) -> None:
    lines = [
        {"id": 1, "text": "وصل الوفد أمس."},
        {"id": 1, "text": "وغادر الوفد."},
        {"id": 2, "text": "<p>وقال الوزير إن الخطوة تاريخية.</p><p>a</p><br>"},
        {"id": 3, "text": "Only English."},
    ]
    stdin = "\n".join(json.dumps(x, ensure_ascii=False) for x in lines) + "\n"
    res = _score(runner, tiny_model_dir, "--jsonl", "-", input=stdin)
    assert res.exit_code == 1
    assert "-:2: duplicate id 1 (first on line 1)" in res.stderr
    out = [json.loads(x) for x in res.stdout.splitlines()]
    assert [o["id"] for o in out] == [1, 2, 3]
    assert [o["arabic"] for o in out] == [True, True, False]
    assert "1 record(s) held HTML" in res.stderr
    res = _score(runner, tiny_model_dir, "--jsonl", "--on-error", "fail", "-", input=stdin)
    assert res.exit_code == 1
    assert [json.loads(x)["id"] for x in res.stdout.splitlines()] == [1]


def test_annotations_check(runner: CliRunner, tiny_dir: Path, tmp_path: Path) -> None:
    res = runner.invoke(main, ["annotations", "check", "--annotations", str(tiny_dir)])
    assert res.exit_code == 0 and "ok: 26 sentences" in res.output
    assert "6 of them off target" in res.output
    bad = tmp_path / "ann"
    bad.mkdir()
    (bad / "x.jsonl").write_text('{"id": "a", "text": "x"}\n', encoding="utf-8")
    res = runner.invoke(main, ["annotations", "check", "--annotations", str(bad)])
    assert res.exit_code == 1 and "x.jsonl:1" in res.output


@pytest.mark.parametrize("failure", [OSError(28, "No space left on device"), KeyboardInterrupt()])
def test_failed_training_leaves_previous_model(
    runner: CliRunner,
    tiny_dir: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    failure: BaseException,
) -> None:
    import joblib

    import stance

    out = tmp_path / "m"
    assert runner.invoke(main, ["train", "--no-eval", "--annotations", str(tiny_dir),
                                "--out", str(out)]).exit_code == 0  # fmt: skip
    before = sorted(os.listdir(out))

    def broken_dump(*a: object, **k: object) -> None:
        raise failure

    monkeypatch.setattr(joblib, "dump", broken_dump)
    res = runner.invoke(
        main, ["train", "--no-eval", "--annotations", str(tiny_dir), "--out", str(out)]
    )
    assert res.exit_code == 1 and "previous model" in res.output
    assert sorted(os.listdir(out)) == before  # no temporary file left behind
    assert stance.load_model(out).predict(["وصل الوفد"])


def test_concurrent_write_fails_cleanly(tiny_model_dir: Path, tmp_path: Path) -> None:
    import fcntl
    import shutil

    import stance
    from stance.model import LOCK_NAME

    d = tmp_path / "m"
    shutil.copytree(tiny_model_dir, d)
    model = stance.load_model(d)
    with open(d / LOCK_NAME, "a") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        with pytest.raises(stance.StanceError, match="another `stance train`"):
            model.save(d)
    model.save(d)  # lock released: works


@settings(max_examples=80, deadline=None)
@given(st.text(max_size=300))
def test_properties_on_arbitrary_unicode(text: str) -> None:
    nt = normalize_with_offsets(text)
    assert len(nt.offsets) == len(nt.text) + 1  # with an end sentinel
    assert all(0 <= o <= len(text) for o in nt.offsets)
    prev = 0
    for s in segment(text):
        assert prev <= s.start <= s.end <= len(text)
        assert text[s.start : s.end] == s.text
        assert not text[prev : s.start].strip()  # only whitespace between segments
        prev = s.end
    assert not text[prev:].strip()
    lex = load_lexicon()
    first = lex.find(text)
    assert first == lex.find(text)
    for m in first:
        assert 0 <= m.start < m.end <= len(text) and text[m.start : m.end] == m.match


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.binary(max_size=400), jsonl=st.booleans())
def test_cli_fuzz_random_bytes(tiny_model_dir: Path, data: bytes, jsonl: bool) -> None:
    args = ["score", "--model", str(tiny_model_dir), *(["--jsonl"] if jsonl else []), "-"]
    res = CliRunner().invoke(main, args, input=data)
    assert res.exit_code in (0, 1, 2)
    assert res.exception is None or isinstance(res.exception, SystemExit)
