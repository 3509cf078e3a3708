"""`stance score --format csv`: one row per sentence that loads straight into pandas
and round-trips through the csv module."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from stance.cli import main

A = "يواصل الكيان الصهيوني اختراق آسيا الوسطى.\nوقال الوزير إنها خطوة تاريخية.\nاقرأ المزيد\n"
B = "وصل الوفد إلى أستانا أمس، وفق ما أعلنت الوزارة.\n"


@pytest.fixture()
def scored(runner, tiny_model_dir, tmp_path: Path):
    (tmp_path / "a.txt").write_text(A, encoding="utf-8")
    (tmp_path / "b.txt").write_text(B, encoding="utf-8")
    outlets = tmp_path / "outlets.csv"
    outlets.write_text(
        "path,source,date\na.txt,=HYPERLINK(1),2025-11-07\nb.txt,Outlet B,\n", encoding="utf-8"
    )
    base = ["score", "--model", str(tiny_model_dir), "--outlets-csv", str(outlets)]
    inputs = [str(tmp_path / "a.txt"), str(tmp_path / "b.txt")]
    out = tmp_path / "sentences.csv"
    res = runner.invoke(main, [*base, "--format", "csv", "-o", str(out), *inputs])
    assert res.exit_code == 0, res.output
    js = runner.invoke(main, [*base, "--format", "json", *inputs])
    return out, [json.loads(line) for line in js.stdout.splitlines()]


def test_rows_round_trip_through_csv_module(scored) -> None:
    out, articles = scored
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8"), newline="")))
    sentences = [(a, s) for a in articles for s in a["sentences"]]
    assert len(rows) == len(sentences) == 4
    assert list(rows[0])[:7] == ["source", "path", "date", "index", "start", "end", "label"]
    for row, (a, s) in zip(rows, sentences):
        assert row["path"] == a["path"] and row["date"] == (a.get("date") or "")
        assert (int(row["index"]), int(row["start"]), int(row["end"])) == (
            s["index"],
            s["start"],
            s["end"],
        )
        assert row["label"] == s["label"] and row["text"] == s["text"]
        for c, p in s["probabilities"].items():
            assert float(row[f"p_{c}"]) == p
        assert float(row["on_target"]) == s["on_target"]
        assert row["about_target"] == str(s["about_target"])
        assert row["furniture"] == (s["furniture"] or "")
        assert row["loaded_terms"] == "; ".join(t["term"] for t in s["loaded_terms"])
    # A cell a spreadsheet would evaluate is written as text.
    assert rows[0]["source"] == "'=HYPERLINK(1)" and rows[-1]["source"] == "Outlet B"
    assert rows[0]["loaded_terms"] == "الكيان الصهيوني"
    assert rows[2]["furniture"] == "read_more"


def test_loads_into_pandas(scored) -> None:
    pd = pytest.importorskip("pandas")
    out, articles = scored
    df = pd.read_csv(out)
    assert len(df) == 4
    assert df["p_critical"].dtype == float and df["start"].dtype == int
    assert df["about_target"].dtype == bool
    assert (df[["p_critical", "p_neutral", "p_pro"]].sum(axis=1) - 1).abs().max() < 1e-5
    counted = df[df["furniture"].isna()]
    assert counted.groupby("path").size().tolist() == [a["summary"]["sentences"] for a in articles]
