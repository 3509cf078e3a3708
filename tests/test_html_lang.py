"""The HTML pages in English and Arabic, with an overview and a record of what made them."""

from __future__ import annotations

import json
import re
import string
from pathlib import Path

from stance.cli import main
from stance.ui import LANGS, UI, ui_table

A = "يواصل الكيان الصهيوني اختراق آسيا الوسطى. ووصف الكيان الصهيوني بالعدو.\nحصة هذه المادة:\n"
B = "وقال الوزير إن الانضمام إلى الاتفاقيات خطوة تاريخية نحو السلام.\n"


def test_every_text_in_both_languages_with_the_same_fields() -> None:
    for key, texts in ui_table().items():
        assert set(texts) == set(LANGS), key
        names = [{f for _, f, _, _ in string.Formatter().parse(texts[lang]) if f} for lang in LANGS]
        assert names[0] == names[1], key
        assert texts["ar"] != texts["en"] or key in {"top_term"}, key
    assert UI("ar").dir == "rtl" and UI("en").label("pro") == "pro"
    assert UI("ar").label("critical") == "ناقد" and UI("ar").label("other") == "other"


def _score(runner, model: Path, tmp_path: Path, *args: str) -> str:
    for name, text in (("a.txt", A), ("b.txt", B)):
        (tmp_path / name).write_text(text, encoding="utf-8")
    out = tmp_path / "report.html"
    files = [str(tmp_path / "a.txt"), str(tmp_path / "b.txt")]
    res = runner.invoke(main, ["score", "--model", str(model), "--format", "html", "-o",
                               str(out), *args, *files])  # fmt: skip
    assert res.exit_code == 0, res.output
    return out.read_text(encoding="utf-8")


def test_report_records_model_date_inputs_and_has_an_overview(runner, tiny_model_dir, tmp_path):
    card = json.loads((tiny_model_dir / "card.json").read_text(encoding="utf-8"))
    page = _score(runner, tiny_model_dir, tmp_path)
    assert '<body class="ui-ltr">' in page and "<h2>Overview</h2>" in page
    about = page[page.index('id="about"') : page.index('id="overview"')]
    assert card["model_sha256"] in about and str(tiny_model_dir) in about
    assert re.search(r"<dd>\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00</dd>", about)
    assert str(tmp_path / "a.txt") in about and "2 file(s)" in about
    overview = page[page.index('id="overview"') : page.index('class="legend')]
    rows = re.findall(r"<tr><td", overview)
    assert len(rows) == 2 and 'href="#article-1"' in overview and 'id="article-2"' in page
    # article 1: 2 sentences counted, 1 furniture line
    first = re.search(r"<tr><td.*?</tr>", overview).group(0)
    cells = re.findall(r'<td class="num">(.*?)</td>', first)
    assert cells[1:4] == ["2", "2", "1"]


def test_arabic_interface(runner, tiny_model_dir, tmp_path) -> None:
    page = _score(runner, tiny_model_dir, tmp_path, "--lang", "ar")
    assert '<body class="ui-rtl">' in page and "<title>تقرير الموقف</title>" in page
    assert "<h2>نظرة عامة</h2>" in page and "<h2>عن هذا التقرير</h2>" in page
    assert 'class="summary ui" dir="rtl" lang="ar"' in page
    assert "أبرز المصطلحات" in page and "Overview" not in page and "top terms" not in page
    assert 'data-furniture-label="مشاركة"' in page and "لماذا " in page
    en = _score(runner, tiny_model_dir, tmp_path, "--lang", "en")
    # The same sentences and labels either way: only the interface changes.
    labels = re.compile(r'data-label="(\w+)"')
    assert labels.findall(page) == labels.findall(en)


def test_sources_page_in_arabic(runner, tiny_model_dir, tmp_path) -> None:
    scored = tmp_path / "s.jsonl"
    for name, text in (("a.txt", A), ("b.txt", B)):
        (tmp_path / name).write_text(text, encoding="utf-8")
    res = runner.invoke(main, ["score", "--model", str(tiny_model_dir), "--format", "json",
                               "--source", "الوقت", "-o", str(scored), str(tmp_path / "a.txt"),
                               str(tmp_path / "b.txt")])  # fmt: skip
    assert res.exit_code == 0, res.output
    ar = tmp_path / "ar.html"
    res = runner.invoke(main, ["sources", "--format", "html", "--lang", "ar", "-o", str(ar),
                               str(scored)])  # fmt: skip
    page = ar.read_text(encoding="utf-8")
    assert res.exit_code == 0 and '<html lang="ar" dir="rtl">' in page
    assert "<th>المصدر</th><th>المقالات</th><th>الجمل</th>" in page
    assert "مقالات ضمن الموضوع" in page or "مقال واحد" in page
