"""Loaded terms end to end: the shipped lexicon, the `terms` commands, scores in outputs."""

import csv
import io
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from stance.cli import main
from stance.lexicon import CATEGORIES, load_lexicon

from .conftest import write_tiny_corpus


def test_shipped_lexicon_covers_both_directions() -> None:
    lex = load_lexicon()
    assert lex.version == "2"
    assert len(lex) >= 80
    directions = [t.direction for t in lex.terms]
    assert directions.count("pro") >= 30 and directions.count("critical") >= 30
    assert all(0 < t.weight <= 1 and t.category in CATEGORIES and t.gloss for t in lex.terms)
    by_term = {t.term: t for t in lex.terms}
    assert by_term["الكيان الصهيوني"].neutral == "إسرائيل"
    assert by_term["الكيان الصهيوني"].weight == 1.0


@pytest.mark.parametrize(
    "text",
    ["بالكيان الصهيوني", "للكيان الصهيوني", "والكيان الصهيوني", "فالكيان الصهيوني"],
)
def test_shipped_lexicon_clitics(text: str) -> None:
    (m,) = load_lexicon().find(f"ما علاقة {text} بذلك")
    assert m.term == "الكيان الصهيوني" and m.match == text


def test_shipped_lexicon_no_false_matches() -> None:
    lex = load_lexicon()
    assert [m.term for m in lex.find("الكيانات الاقتصادية الكبرى")] == []
    # Plain Israel is the neutral name; in scare quotes it is a delegitimizing device.
    assert lex.find("زار وفد إسرائيل") == []
    assert [m.term for m in lex.find("زار وفد «إسرائيل» أمس")] == ['"إسرائيل"']
    # "the contract of the century" (an oil deal) is not "the deal of the century".
    assert lex.find("اتفاقية القرن النفطية") == []


def test_seed_002_finds_every_zionist_entity(seeds: Path) -> None:
    path = next(seeds.glob("002_*.txt"))
    text = path.read_text(encoding="utf-8")
    matches = load_lexicon().find(text)
    entity = [m for m in matches if m.term == "الكيان الصهيوني"]
    assert len(entity) == 10
    assert sorted({m.match for m in entity}) == [
        "الكيان الصهيوني",
        "بالكيان الصهيوني",
        "للكيان الصهيوني",
        "والكيان الصهيوني",
    ]
    bare = [m for m in matches if m.term == "الكيان"]
    assert len(bare) == 1 and text[bare[0].end :].startswith(" يسعى")
    for m in matches:
        assert text[m.start : m.end] == m.match


def test_seed_loaded_term_scores(seeds: Path) -> None:
    from stance.results import summarize  # noqa: F401  (same figure as `stance score`)

    lex = load_lexicon()

    def score(prefix: str) -> float:
        text = next(seeds.glob(f"{prefix}_*.txt")).read_text(encoding="utf-8")
        net = sum(m.weight * (1 if m.direction == "pro" else -1) for m in lex.find(text))
        return 1000 * net / len(text.split())

    assert score("002") < -20  # clearly critical framing
    assert abs(score("000")) < 1  # Reuters: near zero


def test_terms_list(runner: CliRunner) -> None:
    res = runner.invoke(main, ["terms", "list"])
    assert res.exit_code == 0, res.output
    assert "الكيان الصهيوني" in res.output and "lexicon version 2" in res.output
    res = runner.invoke(main, ["terms", "list", "--format", "json"])
    data = json.loads(res.output)
    assert data["version"] == "2" and len(data["terms"]) == len(load_lexicon())


def test_terms_check_text_and_file(runner: CliRunner, tmp_path: Path) -> None:
    res = runner.invoke(main, ["terms", "check", "وقال إن الكيان الصهيوني يتمدد"])
    assert res.exit_code == 0, res.output
    assert "1 match(es), net weight -1.00" in res.output
    f = tmp_path / "a.txt"
    f.write_text("خطوة تاريخية نحو السلام والازدهار", encoding="utf-8")
    res = runner.invoke(main, ["terms", "check", "--format", "json", str(f)])
    found = json.loads(res.output)
    assert [m["term"] for m in found] == ["خطوة تاريخية", "السلام والازدهار"]
    assert {"term", "match", "start", "end", "direction", "weight", "category"} == set(found[0])
    res = runner.invoke(main, ["terms", "check", "-"], input="للكيان الصهيوني")
    assert "للكيان الصهيوني" in res.output


def test_terms_discover_formats(runner: CliRunner, tmp_path: Path) -> None:
    corpus = write_tiny_corpus(tmp_path / "ann")
    args = ["terms", "discover", "--annotations", str(corpus), "--min-count", "2", "--top", "5"]
    res = runner.invoke(main, args)
    assert res.exit_code == 0, res.output
    res = runner.invoke(main, [*args, "--format", "json"])
    data = json.loads(res.output)
    assert set(data) == {"critical", "neutral", "pro"}
    assert all(r["z"] > 0 for rows in data.values() for r in rows)
    res = runner.invoke(main, [*args, "--format", "csv"])
    rows = list(csv.DictReader(io.StringIO(res.output)))
    assert rows and set(rows[0]) >= {"label", "ngram", "log_odds", "z", "in_lexicon"}
    res = runner.invoke(main, ["terms", "discover", "--annotations", str(tmp_path / "none")])
    assert res.exit_code == 1 and "Traceback" not in res.output


def test_score_outputs_carry_loaded_terms(runner: CliRunner, tiny_model_dir: Path) -> None:
    text = "الكيان الصهيوني يتمدد في آسيا. وقال الوزير إنها خطوة تاريخية."
    res = runner.invoke(
        main, ["score", "--model", str(tiny_model_dir), "--format", "json", "-"], input=text
    )
    obj = json.loads(res.output)
    first = obj["sentences"][0]["loaded_terms"]
    assert [t["term"] for t in first] == ["الكيان الصهيوني"]
    assert text[first[0]["start"] : first[0]["end"]] == "الكيان الصهيوني"
    sm = obj["summary"]
    assert {"loaded_terms_per_1000_words", "loaded_term_score", "top_terms"} <= set(sm)
    assert sm["loaded_term_score"] == pytest.approx(1000 * (0.7 - 1.0) / 10, abs=0.01)
    line = json.dumps({"id": 1, "text": "علاقات بالكيان الصهيوني"}, ensure_ascii=False)
    res = runner.invoke(main, ["score", "--model", str(tiny_model_dir), "--jsonl", "-"], input=line)
    (rec,) = [json.loads(x) for x in res.output.splitlines()]
    assert rec["loaded_terms"][0]["match"] == "بالكيان الصهيوني"
