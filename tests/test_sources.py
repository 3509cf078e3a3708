"""Source-bias aggregation: profiles, bootstrap intervals, renderers, loading scored output."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import pytest

from stance.render.sources import (
    render_sources_html,
    render_sources_table,
    sources_to_csv,
    sources_to_json,
)
from stance.sources import (
    UNKNOWN_SOURCE,
    SourceProfile,
    load_scored,
    profile_sources,
)


def art(
    source: Any,
    lean: float,
    lts: float = 0.0,
    counts: dict[str, int] | None = None,
    **extra: Any,
) -> dict[str, Any]:
    counts = counts or {"critical": 1, "neutral": 2, "pro": 1}
    n = sum(counts.values())
    rec: dict[str, Any] = {
        "summary": {
            "sentences": n,
            "counts": counts,
            "shares": {k: v / n for k, v in counts.items()},
            "lean": lean,
            "loaded_term_score": lts,
        },
        **extra,
    }
    if source is not ...:
        rec["source"] = source
    return rec


ARTICLES = [
    art("A", -0.6, -5.0),
    art("A", -0.2, -1.0),
    art("A", -0.4, -3.0),
    art("A", -0.1, 0.0),
    art("B", 0.3, 2.0),
    art("B", 0.5, 4.0),
    art("B", 0.1, 0.0),
    art("C", 0.0, 0.0),
]


def by_source(profiles: list[SourceProfile]) -> dict[str, SourceProfile]:
    return {p.source: p for p in profiles}


def test_bootstrap_ci_contains_mean_and_is_deterministic() -> None:
    first = profile_sources(ARTICLES, n_boot=500, random_state=7)
    again = profile_sources(ARTICLES, n_boot=500, random_state=7)
    assert first == again
    a = by_source(first)["A"]
    assert a.lean_mean == pytest.approx(-0.325)
    assert a.loaded_term_score_mean == pytest.approx(-2.25)
    for p in first:
        assert p.lean_ci[0] <= p.lean_mean <= p.lean_ci[1]
        lo, hi = p.loaded_term_score_ci
        assert lo <= p.loaded_term_score_mean <= hi
    assert a.lean_ci[0] < a.lean_ci[1]
    assert a.lean_ci[0] >= -0.6 and a.lean_ci[1] <= -0.1
    # A source's interval does not depend on which other sources are present.
    alone = profile_sources([r for r in ARTICLES if r["source"] == "A"], 500, 7)
    assert alone[0].lean_ci == a.lean_ci
    other = by_source(profile_sources(ARTICLES, n_boot=500, random_state=8))["A"]
    assert other.lean_ci != a.lean_ci


def test_single_article_interval_is_degenerate() -> None:
    c = by_source(profile_sources(ARTICLES, n_boot=200))["C"]
    assert c.degenerate and c.n_articles == 1
    assert c.lean_ci == (c.lean_mean, c.lean_mean)
    assert c.loaded_term_score_ci == (0.0, 0.0)
    assert "1 article" in c.note and c.to_dict()["degenerate"] is True
    assert not by_source(profile_sources(ARTICLES, n_boot=200))["A"].degenerate


def test_sorted_by_mean_lean_most_critical_first() -> None:
    profiles = profile_sources(ARTICLES, n_boot=100)
    assert [p.source for p in profiles] == ["A", "C", "B"]
    leans = [p.lean_mean for p in profiles]
    assert leans == sorted(leans)


def test_pooled_shares_are_sentence_weighted() -> None:
    recs = [
        art("S", 0.0, counts={"critical": 1, "neutral": 0, "pro": 0}),
        art("S", 0.0, counts={"critical": 0, "neutral": 6, "pro": 3}),
    ]
    (p,) = profile_sources(recs, n_boot=50)
    # Pooled over 10 sentences, not the mean of per-article shares (0.5 critical).
    assert p.n_sentences == 10
    assert p.counts == {"critical": 1, "neutral": 6, "pro": 3}
    assert p.shares == pytest.approx({"critical": 0.1, "neutral": 0.6, "pro": 0.3})


def test_missing_none_and_blank_sources_group_as_unknown() -> None:
    recs = [art(..., -0.2), art(None, 0.2), art("  ", 0.0), art("X", 0.1)]
    profiles = by_source(profile_sources(recs, n_boot=50))
    assert set(profiles) == {UNKNOWN_SOURCE, "X"}
    assert profiles[UNKNOWN_SOURCE].n_articles == 3


def test_csv_header_and_rows() -> None:
    profiles = profile_sources(ARTICLES, n_boot=100)
    rows = list(csv.DictReader(io.StringIO(sources_to_csv(profiles))))
    assert [r["source"] for r in rows] == ["A", "C", "B"]
    header = sources_to_csv(profiles).splitlines()[0].split(",")
    assert header[:6] == [
        "source",
        "n_articles",
        "n_sentences",
        "n_on_target",
        "n_lean_articles",
        "lean_mean",
    ]
    assert {"lean_ci_low", "lean_ci_high", "share_critical", "share_pro"} <= set(header)
    assert rows[0]["n_articles"] == "4" and float(rows[0]["lean_mean"]) == -0.325
    assert rows[1]["degenerate"] == "True"


def test_json_round_trip() -> None:
    profiles = profile_sources(ARTICLES, n_boot=100)
    data = json.loads(sources_to_json(profiles))
    assert data == [p.to_dict() for p in profiles]
    assert data[0]["source"] == "A" and data[0]["lean_ci"] == list(profiles[0].lean_ci)


def test_table_lists_every_source() -> None:
    text = render_sources_table(profile_sources(ARTICLES, n_boot=100))
    lines = text.splitlines()
    assert lines[0].startswith("source") and "lean [95% CI]" in lines[0]
    assert [ln.split()[0] for ln in lines[2:5]] == ["A", "C", "B"]
    assert "1 article on target: no interval" in text


def test_html_escapes_and_draws_one_marker_per_source() -> None:
    recs = [*ARTICLES, art("<b>x</b>", -0.9), art("<b>x</b>", -0.8)]
    page = render_sources_html(profile_sources(recs, n_boot=100), title="a & <b>")
    assert "<b>x</b>" not in page
    assert "&lt;b&gt;x&lt;/b&gt;" in page
    assert "a &amp; &lt;b&gt;" in page
    assert page.count("<svg") == 1
    assert page.count('class="marker') == 4
    assert "<script" not in page and "http://" not in page.replace("http://www.w3.org/2000/svg", "")
    assert '<html lang="en" dir="ltr">' in page  # English headings read left to right
    ar = render_sources_html(profile_sources(recs, n_boot=100), lang="ar")
    assert '<html lang="ar" dir="rtl">' in ar and "<th>المصدر</th>" in ar


def _write_jsonl(path: Path, recs: list[dict[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in recs), "utf-8")
    return path


def test_load_scored_file_and_directory(tmp_path: Path) -> None:
    f = _write_jsonl(tmp_path / "one.jsonl", ARTICLES[:3])
    assert load_scored(f) == ARTICLES[:3]
    d = tmp_path / "dir"
    (d / "sub").mkdir(parents=True)
    _write_jsonl(d / "a.jsonl", ARTICLES[:2])
    (d / "b.json").write_text(json.dumps(ARTICLES[2:5], indent=2), "utf-8")
    (d / "sub" / "c.json").write_text(json.dumps(ARTICLES[5], indent=2), "utf-8")
    (d / "notes.txt").write_text("not scored output", "utf-8")
    assert load_scored([d]) == ARTICLES[:6]
    # `stance score --format json A B > out.json`: one object per line in a .json file.
    _write_jsonl(tmp_path / "multi.json", ARTICLES)
    assert load_scored([str(tmp_path / "multi.json")]) == ARTICLES


def test_load_scored_reports_bad_line(tmp_path: Path) -> None:
    f = tmp_path / "bad.jsonl"
    lines = [json.dumps(r) for r in ARTICLES[:2]] + ["", '{"source": "A", "summ']
    f.write_text("\n".join(lines) + "\n", "utf-8")
    with pytest.raises(ValueError, match=r"bad\.jsonl:4: invalid JSON"):
        load_scored(f)
    passage = {"id": "p1", "label": "pro", "probabilities": {"pro": 1.0}, "source": "A"}
    _write_jsonl(f, [ARTICLES[0], passage])
    with pytest.raises(ValueError, match=r"bad\.jsonl:2: a passage record"):
        load_scored(f)
    with pytest.raises(ValueError, match="no such file"):
        load_scored(tmp_path / "missing.jsonl")
    with pytest.raises(ValueError, match=r"article 1: .*summary"):
        profile_sources([ARTICLES[0], {"source": "A"}])
