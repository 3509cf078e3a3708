"""Golden outputs: what the commands print, byte for byte, with the shipped model.

Each case runs one command in-process (from the repository root, so the paths in the
outputs are the relative ones given here) and compares its stdout, and its exit code
with its stderr, with the files under tests/golden/. Two things that change from run
to run are replaced before comparing: the date an HTML report was generated and the
absolute path of this checkout.

A difference is a change of behaviour. When it is meant (a new column, a better
message, a retrained model), regenerate the files deliberately and review the diff:

    STANCE_REGEN_GOLDEN=1 python -m pytest tests/test_golden.py
    git diff tests/golden/

The seed articles (../shared/seeds) are not in this repository: their cases skip, saying
so, where they are absent.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from stance.cli import main

REPO = Path(__file__).resolve().parent.parent
GOLDEN = REPO / "tests" / "golden"
SEEDS_REL = "../shared/seeds"
REGEN = os.environ.get("STANCE_REGEN_GOLDEN") == "1"
SAMPLE = "examples/sample_article.txt"
OUTLETS = "examples/seed_sources.csv"
HOW = (
    "regenerate deliberately with `STANCE_REGEN_GOLDEN=1 python -m pytest "
    "tests/test_golden.py` and review `git diff tests/golden/`"
)


def _seeds_present() -> bool:
    return (REPO / SEEDS_REL).is_dir()


def _needs_seeds() -> None:
    if not _seeds_present():
        pytest.skip(
            f"seed articles not found at {REPO / SEEDS_REL} (../shared is not beside the repo)"
        )


# Where the generated inputs are written (set by the `_tmp` fixture).
_TMP: list[str] = []


def _scrub(text: str) -> str:
    """The output without what changes from run to run: the HTML report's date, the
    temporary directory of the generated inputs and this checkout's path."""
    text = re.sub(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00", "<GENERATED>", text)
    for tmp in _TMP:
        text = text.replace(tmp, "<TMP>")
    return text.replace(str(REPO), "<REPO>")


def _check(name: str, stdout: str, exit_code: int, stderr: str) -> None:
    """Compare (or, with STANCE_REGEN_GOLDEN=1, write) ``name``'s golden files."""
    got = {
        f"{name}.out": _scrub(stdout),
        f"{name}.err": f"exit {exit_code}\n{_scrub(stderr)}",
    }
    for file, text in got.items():
        path = GOLDEN / file
        if REGEN:
            GOLDEN.mkdir(exist_ok=True)
            with open(path, "w", encoding="utf-8", newline="") as fh:
                fh.write(text)
            continue
        assert path.is_file(), f"no golden file {path}; {HOW}"
        with open(path, encoding="utf-8", newline="") as fh:
            want = fh.read()
        if text != want:
            first = next(
                (i for i, (a, b) in enumerate(zip(text.splitlines(), want.splitlines())) if a != b),
                min(len(text.splitlines()), len(want.splitlines())),
            )
            got_line = (text.splitlines() + [""])[first][:200]
            want_line = (want.splitlines() + [""])[first][:200]
            pytest.fail(
                f"{file} differs from the golden output at line {first + 1}:\n"
                f"  golden: {want_line!r}\n  now:    {got_line!r}\n"
                f"If the change is meant, {HOW}."
            )


def _run(args: list[str], stdin: str | None = None) -> tuple[str, int, str]:
    result = CliRunner().invoke(main, args, input=stdin, catch_exceptions=False)
    return result.stdout, result.exit_code, result.stderr


@pytest.fixture(autouse=True)
def _at_repo_root(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(REPO)
    monkeypatch.delenv("STANCE_MODEL", raising=False)


def _records() -> list[str]:
    """A JSONL archive made from files in this repository (so it is the same without the
    seeds): the sample article's sentences and the seed articles' annotated sentences,
    with outlets and dates, plus the lines the reader reports (invalid JSON, a missing
    text, a duplicate id, a blank line) and an HTML and an English record."""
    from stance.segment import split_sentences

    texts = [("sample", t) for t in split_sentences(Path(SAMPLE).read_text(encoding="utf-8"))]
    with open("annotations/seed.jsonl", encoding="utf-8") as fh:
        texts += [(r["source"], r["text"]) for r in map(json.loads, fh)]
    dates = ["2025-01-15", "2025-05-02", "2025-11-30", None, "undated"]
    lines: list[str] = []
    for n, (source, text) in enumerate(texts):
        rec: dict = {"id": n if n % 7 == 3 else f"r{n}", "text": text}
        if source != "sample" or n % 2:
            rec["source"] = source
        if dates[n % 5] is not None:
            rec["date"] = dates[n % 5]
        lines.append(json.dumps(rec, ensure_ascii=False))
    lines[2:2] = [
        '{"id": "bad", "text": ',  # invalid JSON
        '{"id": "no-text"}',
        "",
        json.dumps({"id": "r0", "text": "نص مكرر"}, ensure_ascii=False),  # duplicate id
        json.dumps(
            {"id": "html", "text": "<p>رحبت <b>الحكومة</b> بالاتفاق</p>", "source": "Reuters"},
            ensure_ascii=False,
        ),
        json.dumps({"id": "en", "text": "The accords were signed in 2020.", "source": "Reuters"}),
    ]
    return lines


@pytest.fixture(scope="module")
def tmp(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("golden")
    _TMP[:] = [str(path)]
    return path


@pytest.fixture(scope="module")
def archive(tmp: Path) -> Path:
    path = tmp / "archive.jsonl"
    path.write_text("\n".join(_records()) + "\n", encoding="utf-8")
    return path


# -- score: articles -------------------------------------------------------------------

ARTICLE_CASES = {
    "score_sample_table": [SAMPLE],
    "score_sample_explain": ["--explain", SAMPLE],
    "score_sample_json": ["--format", "json", SAMPLE],
    "score_sample_json_no_explain": ["--format", "json", "--no-explain", SAMPLE],
    "score_sample_csv": ["--format", "csv", SAMPLE],
    "score_sample_html": ["--format", "html", SAMPLE],
    "score_sample_html_ar": ["--format", "html", "--lang", "ar", "--source", "Al-Waqt", SAMPLE],
}

SEED_CASES = {
    "score_seeds_table": [SEEDS_REL],
    "score_seeds_explain": ["--explain", SEEDS_REL],
    "score_seeds_json": ["--format", "json", "--outlets-csv", OUTLETS, SEEDS_REL, SAMPLE],
    "score_seeds_csv": ["--format", "csv", "--outlets-csv", OUTLETS, SEEDS_REL],
    "score_seeds_html": ["--format", "html", "--outlets-csv", OUTLETS, SEEDS_REL],
}


@pytest.mark.parametrize("name", list(ARTICLE_CASES))
def test_score_articles(name: str) -> None:
    _check(name, *_run(["score", *ARTICLE_CASES[name]]))


@pytest.mark.parametrize("name", list(SEED_CASES))
def test_score_seeds(name: str) -> None:
    _needs_seeds()
    _check(name, *_run(["score", *SEED_CASES[name]]))


def test_score_stdin() -> None:
    text = Path(SAMPLE).read_text(encoding="utf-8")
    _check("score_stdin_json", *_run(["score", "--format", "json", "-"], stdin=text))


# -- score --jsonl ----------------------------------------------------------------------


def test_score_jsonl(archive: Path) -> None:
    _check("score_jsonl", *_run(["score", "--jsonl", str(archive)]))
    _check("score_jsonl_keep_text", *_run(["score", "--jsonl", "--keep-text", "-"],
                                          stdin=archive.read_text(encoding="utf-8")))  # fmt: skip
    _check("score_jsonl_fail", *_run(["score", "--jsonl", "--on-error", "fail", str(archive)]))


# -- sources ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def scored_articles(tmp: Path) -> Path:
    """Articles scored as JSON: the seeds with their outlets and the sample article."""
    out = tmp / "articles.jsonl"
    inputs = [SEEDS_REL, SAMPLE] if _seeds_present() else [SAMPLE]
    old = os.getcwd()
    os.chdir(REPO)
    try:
        stdout, code, _ = _run(["score", "--format", "json", "--outlets-csv", OUTLETS, *inputs])
    finally:
        os.chdir(old)
    assert code == 0
    out.write_text(stdout, encoding="utf-8")
    return out


@pytest.fixture(scope="module")
def scored_passages(tmp: Path, archive: Path) -> Path:
    out = tmp / "passages.jsonl"
    stdout, _, _ = _run(["score", "--jsonl", str(archive)])
    out.write_text(stdout, encoding="utf-8")
    return out


@pytest.mark.parametrize("fmt", ["table", "csv", "json", "html"])
def test_sources_articles(fmt: str, scored_articles: Path) -> None:
    _needs_seeds()
    _check(f"sources_articles_{fmt}", *_run(["sources", "--format", fmt, "--n-boot", "200",
                                             str(scored_articles)]))  # fmt: skip


@pytest.mark.parametrize("fmt", ["table", "csv", "json", "html"])
def test_sources_passages(fmt: str, scored_passages: Path) -> None:
    args = ["sources", "--format", fmt, "--n-boot", "200", "--by", "quarter", str(scored_passages)]
    if fmt == "html":
        args[1:1] = ["--lang", "ar"]
    _check(f"sources_passages_{fmt}", *_run(args))


# -- terms, info -------------------------------------------------------------------------


def test_terms() -> None:
    _check("terms_list", *_run(["terms", "list"]))
    _check("terms_list_json", *_run(["terms", "list", "--format", "json"]))
    _check("terms_check_file", *_run(["terms", "check", SAMPLE]))
    _check("terms_check_json", *_run(["terms", "check", "--format", "json", SAMPLE]))
    _check("terms_check_text", *_run(["terms", "check", "وقال إن الكيان الصهيوني يتمدد"]))


def test_info() -> None:
    _check("info", *_run(["info"]))
    _check("info_json", *_run(["info", "--format", "json"]))
