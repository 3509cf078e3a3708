"""`stance sources` on passage records (score --jsonl output with a source field) and
per period of the records' dates (--by month|quarter|year)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from stance.cli import main
from stance.sources import period_of

TEXTS = [
    "يواصل الكيان الصهيوني اختراق آسيا الوسطى عبر اتفاق التسوية.",
    "وقال الوزير إن الانضمام إلى الاتفاقيات خطوة تاريخية نحو السلام والازدهار.",
    "وصل الرئيس إلى واشنطن يوم الخميس في زيارة تستغرق يومين.",
    "تبلغ مساحة كازاخستان نحو مليونين وسبعمئة ألف كيلومتر مربع.",
    "إن التطبيع مع كيان الاحتلال خيانة للقضية الفلسطينية.",
    "ورحب المسؤولون بالاتفاق واعتبروه إنجازا عظيما للاستقرار الإقليمي.",
]
DATES = ["2025-01-15", "2025-02-01", "2025-04-30", "2025-05", "2024-12-31T08:00:00Z", None]


def test_period_of() -> None:
    assert period_of("2025-02-03", "month") == "2025-02"
    assert period_of("2025-02-03T10:00:00+03:00", "quarter") == "2025-Q1"
    assert period_of("2025-11", "quarter") == "2025-Q4"
    assert period_of("2025", "year") == "2025" and period_of("2025", "month") is None
    for bad in ("03/02/2025", "2025-13-01", "", None, 2025):
        assert period_of(bad, "month") is None, bad
    with pytest.raises(ValueError):
        period_of("2025", "week")


def _lean(rec: dict) -> float:
    """A passage's lean, derived here from its probabilities and terms."""
    model = rec["probabilities"]["pro"] - rec["probabilities"]["critical"]
    net = sum(t["weight"] * (1 if t["direction"] == "pro" else -1) for t in rec["loaded_terms"])
    pull = min(1.0, abs(net))
    return (1 - pull) * model + pull * (1 if net > 0 else -1)


@pytest.fixture()
def passages(runner, tiny_model_dir, tmp_path: Path) -> Path:
    src = tmp_path / "passages.jsonl"
    with open(src, "w", encoding="utf-8") as fh:
        for i, (text, date) in enumerate(zip(TEXTS * 2, DATES * 2)):
            rec = {"id": i, "text": text, "source": "Outlet A" if i % 2 else "Outlet B"}
            if date:
                rec["date"] = date
            fh.write(json.dumps(rec, ensure_ascii=False) + "\n")
    out = tmp_path / "scored.jsonl"
    res = runner.invoke(
        main, ["score", "--jsonl", str(src), "--model", str(tiny_model_dir), "-o", str(out)]
    )
    assert res.exit_code == 0, res.output
    return out


def test_passage_records_profile_per_outlet(runner, passages: Path) -> None:
    recs = [json.loads(line) for line in passages.read_text(encoding="utf-8").splitlines()]
    res = runner.invoke(main, ["sources", "--format", "json", "--n-boot", "200", str(passages)])
    assert res.exit_code == 0, res.output
    profiles = {p["source"]: p for p in json.loads(res.stdout)}
    assert set(profiles) == {"Outlet A", "Outlet B"}
    for name, p in profiles.items():
        mine = [r for r in recs if r["source"] == name]
        on = [r for r in mine if r["about_target"]]
        assert p["unit"] == "passage" and p["n_articles"] == len(mine) == 6
        assert p["n_on_target"] == p["n_lean_articles"] == len(on)
        assert p["lean_mean"] == pytest.approx(sum(map(_lean, on)) / len(on))
        assert p["lean_ci"][0] <= p["lean_mean"] <= p["lean_ci"][1]
        for label in ("critical", "neutral", "pro"):
            share = sum(r["label"] == label for r in on) / len(on)
            assert p["shares"][label] == pytest.approx(share)
        assert p["loaded_term_score_mean"] is None
    table = runner.invoke(main, ["sources", str(passages)]).stdout
    head = table.splitlines()[0]
    assert "passages" in head and "sentences" not in head and "Outlet A" in table
    assert "mean over the on-target passages" in table
    csv = runner.invoke(main, ["sources", "--format", "csv", str(passages)]).stdout
    assert csv.startswith("source,n_passages,n_sentences,n_on_target,n_lean_passages,")


def test_passages_by_quarter(runner, passages: Path) -> None:
    res = runner.invoke(main, ["sources", "--by", "quarter", "--format", "json", str(passages)])
    assert res.exit_code == 0, res.output
    got = [(p["source"], p["period"], p["n_articles"]) for p in json.loads(res.stdout)]
    # Outlet B has the even records (dates 0, 2, 4), Outlet A the odd ones (1, 3, 5: the
    # last has no date); each outlet's periods in time order, undated last.
    by_source = {}
    for source, period, n in got:
        by_source.setdefault(source, []).append((period, n))
    assert by_source["Outlet B"] == [("2024-Q4", 2), ("2025-Q1", 2), ("2025-Q2", 2)]
    assert by_source["Outlet A"] == [("2025-Q1", 2), ("2025-Q2", 2), ("(no date)", 2)]
    assert '2 of 12 records have no date giving a quarter; they form the period "(no date)"' in (
        res.stderr
    )
    table = runner.invoke(main, ["sources", "--by", "year", str(passages)]).stdout
    assert table.splitlines()[0].split()[:2] == ["source", "period"]


def test_articles_by_month_from_the_outlets_csv(runner, tiny_model_dir, tmp_path: Path) -> None:
    rows = ["path,source,date"]
    for i, text in enumerate(TEXTS):
        (tmp_path / f"{i}.txt").write_text(text + "\n" + TEXTS[(i + 1) % 6], encoding="utf-8")
        rows.append(f"{i}.txt,{'X' if i < 3 else 'Y'},2025-0{1 + i % 2}-10")
    (tmp_path / "outlets.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    scored = tmp_path / "scored.jsonl"
    args = ["score", "--format", "json", "--model", str(tiny_model_dir), "--outlets-csv",
            str(tmp_path / "outlets.csv"), "-o", str(scored)]  # fmt: skip
    res = runner.invoke(main, [*args, *(str(tmp_path / f"{i}.txt") for i in range(6))])
    assert res.exit_code == 0 and res.stderr == "", res.output
    overall = json.loads(runner.invoke(main, ["sources", "--format", "json", str(scored)]).stdout)
    monthly = json.loads(
        runner.invoke(main, ["sources", "--by", "month", "--format", "json", str(scored)]).stdout
    )
    assert [(p["source"], p["period"]) for p in monthly] == [
        (s, m) for s in [p["source"] for p in overall] for m in ("2025-01", "2025-02")
    ]
    for p in overall:  # the periods add up to the outlet
        parts = [q for q in monthly if q["source"] == p["source"]]
        assert sum(q["n_articles"] for q in parts) == p["n_articles"] == 3
        assert sum(q["n_sentences"] for q in parts) == p["n_sentences"]
        assert all(q["unit"] == "article" for q in parts)
    page = tmp_path / "by.html"
    res = runner.invoke(main, ["sources", "--by", "month", "--format", "html", "-o", str(page),
                               str(scored)])  # fmt: skip
    assert res.exit_code == 0 and "X · 2025-01" in page.read_text(encoding="utf-8")


def test_articles_and_passages_are_not_mixed(runner, passages: Path, tmp_path: Path) -> None:
    article = {"source": "A", "summary": {"sentences": 1, "counts": {"neutral": 1},
               "lean": 0.0, "loaded_term_score": 0.0}}  # fmt: skip
    mixed = tmp_path / "mixed"
    mixed.mkdir()
    (mixed / "a.jsonl").write_text(json.dumps(article) + "\n", encoding="utf-8")
    (mixed / "b.jsonl").write_text(passages.read_text(encoding="utf-8"), encoding="utf-8")
    res = runner.invoke(main, ["sources", str(mixed)])
    assert res.exit_code == 1
    assert "b.jsonl:1: a passage record" in res.stderr and "among article records" in res.stderr
    bare = tmp_path / "bare.jsonl"
    bare.write_text('{"id": 1, "label": "pro", "probabilities": {"pro": 1.0}}\n', "utf-8")
    res = runner.invoke(main, ["sources", str(bare)])
    assert res.exit_code == 0 and 'the passage records have no "source" field' in res.stderr
