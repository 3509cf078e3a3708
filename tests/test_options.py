"""Options that were easy to confuse: --source (one outlet) and the outlets CSV, -o (one
file) and the Dask engine's output directory; and a sources CSV whose paths do not
match the inputs, which used to be silent."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from stance.cli import main

AR = "أعلنت كازاخستان انضمامها إلى اتفاقيات أبراهام. ووصف المتحدث الخطوة بأنها طبيعية.\n"


@pytest.fixture()
def tree(tmp_path: Path) -> Path:
    for rel in ("articles/a.txt", "articles/b.txt", "articles/c.txt"):
        p = tmp_path / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(AR, encoding="utf-8")
    return tmp_path


def _score(runner, model: Path, *args: str):  # noqa: ANN202
    return runner.invoke(main, ["score", "--model", str(model), "--format", "json", *args])


def _sources(stdout: str) -> dict[str, str]:
    recs = [json.loads(line) for line in stdout.splitlines()]
    return {Path(r.get("path") or r["source"]).name: r["source"] for r in recs}


def test_csv_paths_that_do_not_resolve_warn_and_match_by_file_name(
    runner, tiny_model_dir, tree, monkeypatch
) -> None:
    """The CSV was written in another folder: its relative paths resolve neither from
    the current directory nor from the CSV's own; each file name is unique, so they
    match by name, and the run says so."""
    csv = tree / "meta" / "outlets.csv"
    csv.parent.mkdir()
    csv.write_text(
        "path,source,date\n"
        "data/articles/a.txt,Outlet A,2025-01-02\n"
        "data/articles/b.txt,Outlet B,\n"
        "data/articles/gone.txt,Outlet G,\n",
        encoding="utf-8",
    )
    monkeypatch.chdir(tree)
    res = _score(runner, tiny_model_dir, "--outlets-csv", str(csv), "articles")
    assert res.exit_code == 0, res.output
    assert _sources(res.stdout) == {
        "a.txt": "Outlet A",
        "b.txt": "Outlet B",
        "c.txt": "articles/c.txt",
    }
    err = res.stderr
    assert "articles/c.txt: not in" in err and "its source is its file path" in err
    assert "outlets.csv:4: data/articles/gone.txt matches no input file" in err
    assert "2 input(s) matched" in err and "by file name only" in err


def test_ambiguous_file_names_are_not_guessed(runner, tiny_model_dir, tree, monkeypatch) -> None:
    (tree / "other").mkdir()
    (tree / "other" / "a.txt").write_text(AR, encoding="utf-8")
    csv = tree / "outlets.csv"
    csv.write_text("path,source\nelsewhere/a.txt,Outlet A\n", encoding="utf-8")
    monkeypatch.chdir(tree)
    res = _score(
        runner, tiny_model_dir, "--outlets-csv", str(csv), "--source", "Fallback",
        "articles/a.txt", "other/a.txt",
    )  # fmt: skip
    assert res.exit_code == 0, res.output
    recs = [json.loads(line) for line in res.stdout.splitlines()]
    assert [r["source"] for r in recs] == ["Fallback", "Fallback"]
    assert res.stderr.count("not in") == 2 and "recorded as --source 'Fallback'" in res.stderr
    assert "matches no input file" in res.stderr and "no input matched" in res.stderr


def test_paths_as_given_or_relative_to_the_csv_match_silently(
    runner, tiny_model_dir, tree, monkeypatch
) -> None:
    csv = tree / "articles" / "outlets.csv"
    csv.write_text("path,source\na.txt,A\narticles/b.txt,B\n", encoding="utf-8")
    monkeypatch.chdir(tree)
    res = _score(runner, tiny_model_dir, "--outlets-csv", str(csv), "articles/a.txt",
                 "articles/b.txt")  # fmt: skip
    assert res.exit_code == 0 and res.stderr == ""
    assert _sources(res.stdout) == {"a.txt": "A", "b.txt": "B"}


def test_old_sources_spelling_still_works_with_a_note(runner, tiny_model_dir, tree) -> None:
    csv = tree / "outlets.csv"
    csv.write_text("path,source\narticles/a.txt,A\n", encoding="utf-8")
    a = str(tree / "articles" / "a.txt")
    res = _score(runner, tiny_model_dir, "--sources", str(csv), a)
    assert res.exit_code == 0 and _sources(res.stdout) == {"a.txt": "A"}
    assert "note: --sources is deprecated and will be removed; use --outlets-csv" in res.stderr
    both = _score(runner, tiny_model_dir, "--sources", str(csv), "--outlets-csv", str(csv), a)
    assert both.exit_code == 2 and "give only --outlets-csv" in both.stderr


def test_each_option_hints_at_the_other(runner, tiny_model_dir, tree) -> None:
    a = str(tree / "articles" / "a.txt")
    res = _score(runner, tiny_model_dir, "--outlets-csv", "Al Jazeera", a)
    assert res.exit_code == 2
    assert "--outlets-csv 'Al Jazeera': no such file" in res.stderr
    assert 'use --source "Al Jazeera"' in res.stderr
    res = _score(runner, tiny_model_dir, "--sources", "Al Jazeera", a)  # the old spelling too
    assert res.exit_code == 2 and 'use --source "Al Jazeera"' in res.stderr
    csv = tree / "outlets.csv"
    csv.write_text("path,source\n", encoding="utf-8")
    res = _score(runner, tiny_model_dir, "--source", str(csv), a)
    assert res.exit_code == 2 and f"use --outlets-csv {csv}" in res.stderr
    res = _score(runner, tiny_model_dir, "--source", "feed.csv", a)
    assert res.exit_code == 0 and "looks like a CSV file name" in res.stderr
    missing = _score(runner, tiny_model_dir, "--outlets-csv", str(tree / "nope.csv"), a)
    assert missing.exit_code == 2 and "no such file" in missing.stderr
    records = _score(runner, tiny_model_dir, "--jsonl", "--outlets-csv", str(csv), a)
    assert records.exit_code == 2 and 'give each record a "source"' in records.stderr


def test_output_file_and_dask_directory_are_told_apart(runner, tiny_model_dir, tree) -> None:
    a = str(tree / "articles" / "a.txt")
    res = _score(runner, tiny_model_dir, "--out-dir", "scored", a)
    assert res.exit_code == 2 and "to write the output to one file use -o scored" in res.stderr
    res = _score(runner, tiny_model_dir, "--jsonl", "--engine", "dask", "-o", "x.jsonl", a)
    assert res.exit_code == 2 and "use --out-dir x.jsonl (a directory)" in res.stderr
    res = _score(runner, tiny_model_dir, "--out", "scored", a)
    assert res.exit_code == 2 and "--out is deprecated" in res.stderr
    assert "--out-dir is the Dask engine's directory" in res.stderr
    help_text = runner.invoke(main, ["score", "--help"]).stdout
    assert "--out-dir DIR" in help_text and "--outlets-csv CSV" in help_text
    assert "--sources " not in help_text and "--out " not in help_text
