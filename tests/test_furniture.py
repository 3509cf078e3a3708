"""Page furniture (share lines, bylines without a name, disclaimers, "read more" and
related links, contact boxes) is flagged, shown as such, and left out of every figure."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from stance.cli import main
from stance.furniture import KINDS, furniture_kind, load_patterns
from stance.segment import segment

from .conftest import REPO, TINY

BODY = [
    "يواصل الكيان الصهيوني اختراق آسيا الوسطى عبر اتفاق التسوية.",
    "وقال الوزير إن الانضمام إلى الاتفاقيات خطوة تاريخية نحو السلام.",
    "وصل الرئيس إلى واشنطن يوم الخميس في زيارة تستغرق يومين.",
]
# As scraped pages have them (seed 004 and 001), with their kinds.
FURNITURE = [
    ("حصة هذه المادة:", "share"),
    ("المؤلف:", "byline"),
    ("المواقف التي تم اتخاذها في هذه المقالات ليست بالضرورة مواقف الموقع.", "disclaimer"),
    ("اتصل بنا للحصول على مزيد من المعلومات", "contact"),
    ("إقرأ أيضاً", "read_more"),
    ("المزيد من دوليات", "read_more"),
    ("مقالات ذات صلة", "related"),
    ("وصــل حديــثاً", "navigation"),
]


def test_patterns_load_and_cover_every_kind() -> None:
    patterns = load_patterns()
    assert {p.kind for p in patterns} == set(KINDS)
    for text, kind in FURNITURE:
        assert furniture_kind(text) == kind, text


def test_no_annotated_sentence_is_furniture() -> None:
    """The corpus is article text (headlines and bylines with names included): a
    pattern that fires on it would drop real sentences from every figure."""
    texts = [t for _, _, _, t, *_ in TINY]
    for path in sorted((REPO / "annotations").rglob("*.jsonl")):
        texts += [json.loads(line)["text"] for line in path.read_text("utf-8").splitlines()]
    assert len(texts) > 2000
    assert [t for t in texts if furniture_kind(t)] == []
    # Near misses stay article text.
    near = ("المزيد من الدول ستنضم قريبا إلى قطار السلام.", "بقلم جوزيف إبستاين", "ملخص الاتفاق")
    for text in near:
        assert furniture_kind(text) is None, text


def test_seed_furniture_is_found(seeds: Path) -> None:
    """The lines GUIDELINES.md lists as dropped from seeds 001 and 004 (those with
    Arabic letters, which are the only ones scored)."""
    found = {}
    for n in ("001", "004"):
        text = next(seeds.glob(f"{n}_*.txt")).read_text(encoding="utf-8")
        found[n] = {s.index for s in segment(text) if furniture_kind(s.text)}
    assert {4, 15, 16, 27, 28} <= found["001"]
    assert {0, 4, 6, 7, 32, 55, 57, 58, 59, 60} <= found["004"]
    # The byline with the author's name and the article body are not furniture.
    assert 56 not in found["004"] and len(found["004"]) <= 16


@pytest.fixture()
def pages(tmp_path: Path) -> tuple[Path, Path]:
    clean = tmp_path / "clean.txt"
    clean.write_text("\n".join(BODY) + "\n", encoding="utf-8")
    scraped = tmp_path / "scraped.txt"
    lines = [FURNITURE[0][0], BODY[0], FURNITURE[4][0], BODY[1], BODY[2]]
    lines += [f for f, _ in FURNITURE[1:4]]
    scraped.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return clean, scraped


def test_furniture_is_flagged_and_counts_nowhere(runner, tiny_model_dir, pages) -> None:
    clean, scraped = pages
    args = ["score", "--model", str(tiny_model_dir), "--format", "json"]
    res = runner.invoke(main, [*args, str(clean), str(scraped)])
    assert res.exit_code == 0, res.output
    a, b = (json.loads(line) for line in res.stdout.splitlines())
    text = scraped.read_text(encoding="utf-8")
    kinds = [s["furniture"] for s in b["sentences"]]
    assert kinds == ["share", None, "read_more", None, None, "byline", "disclaimer", "contact"]
    for s in b["sentences"]:  # original offsets, and a label for reference
        assert text[s["start"] : s["end"]] == s["text"] and s["label"] in s["probabilities"]
    assert all(s["furniture"] is None for s in a["sentences"])
    sa, sb = a["summary"], b["summary"]
    assert sb["furniture_sentences"] == 5 and sa["furniture_sentences"] == 0
    assert sb["sentences"] == 3 == sum(sb["counts"].values())
    # The article's figures are those of its text alone.
    for key in ("counts", "shares", "lean", "lean_model", "on_target_sentences", "words"):
        assert sb[key] == sa[key], key
    assert sb["loaded_term_score"] == sa["loaded_term_score"]


def test_furniture_shown_as_such(runner, tiny_model_dir, pages) -> None:
    _, scraped = pages
    base = ["score", "--model", str(tiny_model_dir), str(scraped)]
    table = runner.invoke(main, base).stdout
    assert "furniture  [share] حصة هذه المادة:" in table
    assert "page furniture: 5 line(s)" in table and "-- 3 sentences" in table
    page = runner.invoke(main, [*base, "--format", "html"]).stdout
    assert page.count('class="sent furniture"') == 5
    assert 'data-furniture="disclaimer"' in page and "page furniture" in page


def test_annotate_leaves_furniture_out(runner, tiny_model_dir, pages, tmp_path) -> None:
    _, scraped = pages
    draft = tmp_path / "draft.jsonl"
    args = ["annotate", str(scraped), "--source", "X", "-o", str(draft)]
    res = runner.invoke(main, [*args, "--model", str(tiny_model_dir)])
    assert res.exit_code == 0, res.output
    assert "wrote 3 draft rows" in res.stdout and "5 page-furniture line(s) left out" in res.stdout
    rows = [json.loads(line) for line in draft.read_text(encoding="utf-8").splitlines()]
    assert sorted(r["text"] for r in rows) == sorted(BODY)
