"""The analyst's workflow on the CLI: batches with sources, HTML and JSON output files,
source profiles, parallel JSONL, and the annotate -> add -> train -> compare loop."""

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from stance.cli import main

AR = "الكيان الصهيوني يتمدد في آسيا الوسطى.\nوقال الوزير إنها خطوة تاريخية للسلام. وصل الوفد أمس.\n"
AR2 = "أعلنت كازاخستان انضمامها إلى اتفاقيات أبراهام. ووصف المتحدث الخطوة بأنها طبيعية ومنطقية.\n"


@pytest.fixture()
def articles(tmp_path: Path) -> Path:
    d = tmp_path / "articles"
    (d / "sub").mkdir(parents=True)
    (d / "a.txt").write_text(AR, encoding="utf-8")
    (d / "sub" / "b.txt").write_text(AR2, encoding="utf-8")
    (d / "notes.csv").write_text("not an article", encoding="utf-8")  # skipped
    return d


def _run(runner: CliRunner, model: Path, *args: str):  # noqa: ANN202
    return runner.invoke(main, [*args, "--model", str(model)])


def test_directory_with_source_and_sidecar_csv(runner, tiny_model_dir, articles, tmp_path):
    csv = tmp_path / "outlets.csv"
    csv.write_text("path,source,date\narticles/sub/b.txt,Outlet B,2025-11-07\n", encoding="utf-8")
    res = _run(
        runner, tiny_model_dir, "score", "--format", "json", "--source", "Outlet A",
        "--outlets-csv", str(csv), str(articles),
    )  # fmt: skip
    assert res.exit_code == 0, res.output
    recs = [json.loads(line) for line in res.stdout.splitlines()]
    assert [(r["source"], r.get("date")) for r in recs] == [
        ("Outlet A", None),
        ("Outlet B", "2025-11-07"),
    ]
    assert recs[1]["path"].endswith("b.txt")


def test_bad_sources_csv_is_a_clean_error(runner, tiny_model_dir, articles, tmp_path):
    csv = tmp_path / "outlets.csv"
    csv.write_text("file,outlet\nx,y\n", encoding="utf-8")
    res = _run(runner, tiny_model_dir, "score", "--outlets-csv", str(csv), str(articles))
    assert res.exit_code == 1 and "header must be path,source" in res.stderr


def test_html_report_to_file(runner, tiny_model_dir, articles, tmp_path):
    out = tmp_path / "out" / "report.html"
    res = _run(runner, tiny_model_dir, "score", "--format", "html", "-o", str(out), str(articles))
    assert res.exit_code == 0, res.output
    page = out.read_text(encoding="utf-8")
    assert '<html dir="rtl" lang="ar">' in page
    assert page.count('class="sent ') == 5 and 'class="term critical' in page
    assert res.stdout == ""
    assert [p.name for p in out.parent.iterdir()] == ["report.html"]  # no temp file left


def test_failed_file_counts_and_others_still_written(runner, tiny_model_dir, articles, tmp_path):
    out = tmp_path / "scored.jsonl"
    missing = str(tmp_path / "missing.txt")
    res = _run(
        runner, tiny_model_dir, "score", "--format", "json", "-o", str(out), str(articles), missing
    )
    assert res.exit_code == 1
    assert "1 input(s) failed (of 3 files)" in res.stderr
    assert len(out.read_text(encoding="utf-8").splitlines()) == 2


def test_quiet_silences_warnings(runner, tiny_model_dir, tmp_path):
    en = tmp_path / "en.txt"
    en.write_text("The minister called it a historic step for peace.\n", encoding="utf-8")
    loud = _run(runner, tiny_model_dir, "score", str(en))
    quiet = _run(runner, tiny_model_dir, "score", "--quiet", str(en))
    assert "no Arabic text" in loud.stderr
    assert quiet.exit_code == 0 and quiet.stderr == ""


def test_usage_errors_exit_2(runner, tiny_model_dir, articles):
    for args in (
        ["score", "--jobs", "2", str(articles)],
        ["score", "--engine", "dask", str(articles)],
        ["score", "--out", "x", str(articles)],
    ):
        res = _run(runner, tiny_model_dir, *args)
        assert res.exit_code == 2, (args, res.output)


def test_jobs_keep_order_and_output(runner, tiny_model_dir, tmp_path, monkeypatch):
    from stance import batch

    monkeypatch.setattr(batch, "BATCH_SIZE", 7)  # many batches, so order can go wrong
    monkeypatch.setattr("stance.cli.BATCH_SIZE", 7, raising=False)
    src = tmp_path / "in.jsonl"
    lines = [json.dumps({"id": i, "text": (AR, AR2)[i % 2] + str(i)}) for i in range(60)]
    src.write_text("\n".join(lines) + "\n", encoding="utf-8")
    one = _run(runner, tiny_model_dir, "score", "--jsonl", str(src))
    two = _run(runner, tiny_model_dir, "score", "--jsonl", "--jobs", "2", str(src))
    assert one.exit_code == 0 and two.exit_code == 0, two.output
    assert two.stdout == one.stdout
    assert [json.loads(x)["id"] for x in two.stdout.splitlines()] == list(range(60))


def test_sources_profiles_all_formats(runner, tiny_model_dir, articles, tmp_path):
    scored = tmp_path / "scored.jsonl"
    for src in ("Outlet A", "Outlet B"):
        res = _run(
            runner, tiny_model_dir, "score", "--format", "json", "--source", src, str(articles)
        )
        with scored.open("a", encoding="utf-8") as fh:
            fh.write(res.stdout)
    table = runner.invoke(main, ["sources", str(scored)])
    assert table.exit_code == 0 and "Outlet A" in table.stdout and "Outlet B" in table.stdout
    csv = runner.invoke(main, ["sources", "--format", "csv", str(scored)])
    assert csv.stdout.splitlines()[0].startswith("source,")
    js = json.loads(runner.invoke(main, ["sources", "--format", "json", str(scored)]).stdout)
    assert {p["source"]: p["n_articles"] for p in js} == {"Outlet A": 2, "Outlet B": 2}
    page = tmp_path / "sources.html"
    res = runner.invoke(main, ["sources", "--format", "html", "-o", str(page), str(scored)])
    assert res.exit_code == 0 and "<svg" in page.read_text(encoding="utf-8")


def test_sources_reports_a_bad_passage_record(runner, tmp_path):
    p = tmp_path / "passages.jsonl"
    p.write_text(json.dumps({"id": 1, "label": "pro", "probabilities": {}}) + "\n")
    res = runner.invoke(main, ["sources", str(p)])
    assert res.exit_code == 1 and "passage record" in res.stderr


def test_annotate_add_train_compare(runner, tiny_model_dir, tiny_dir, tmp_path):
    ann = tmp_path / "annotations"
    shutil.copytree(tiny_dir, ann)
    article = tmp_path / "new.txt"
    article.write_text(AR + AR2, encoding="utf-8")
    draft = tmp_path / "draft.jsonl"
    res = _run(
        runner, tiny_model_dir, "annotate", str(article), "--source", "Test", "-o", str(draft)
    )
    assert res.exit_code == 0, res.output
    rows = [json.loads(x) for x in draft.read_text(encoding="utf-8").splitlines()]
    margins = [r["margin"] for r in rows]
    assert margins == sorted(margins) and all(r["label_status"] == "suggested" for r in rows)

    old_model = tmp_path / "model-old"  # the model before the new sentences, with figures
    res = runner.invoke(main, ["train", "--annotations", str(ann), "--out", str(old_model)])
    assert res.exit_code == 0, res.output

    refused = runner.invoke(main, ["annotations", "add", str(draft), "--annotations", str(ann)])
    assert refused.exit_code == 1 and "suggested" in refused.stderr
    for r in rows:  # the analyst's review
        r["label_status"] = "reviewed"
    draft.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), "utf-8")
    added = runner.invoke(main, ["annotations", "add", str(draft), "--annotations", str(ann)])
    assert added.exit_code == 0 and f"added {len(rows)} sentences" in added.stdout
    again = runner.invoke(main, ["annotations", "add", str(draft), "--annotations", str(ann)])
    assert again.exit_code == 0  # the same sentences again: dropped, nothing written
    assert f"dropped {len(rows)} row(s) already in the annotations" in again.stderr

    res = runner.invoke(main, ["evaluate", "--annotations", str(ann), "--compare", str(old_model)])
    assert res.exit_code == 0, res.output
    assert "before" in res.stdout and "now" in res.stdout
    sentences = [ln for ln in res.stdout.splitlines() if ln.startswith("sentences")][0].split()
    assert int(sentences[2]) - int(sentences[1]) == len(rows)
