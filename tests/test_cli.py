import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from stance.cli import main

ARTICLE = (
    "الكيان الصهيوني يتمدد في آسيا الوسطى.\nوقال الوزير إنها خطوة تاريخية للسلام. وصل الوفد أمس.\n"
)


@pytest.fixture()
def article(tmp_path: Path) -> Path:
    p = tmp_path / "a.txt"
    p.write_text(ARTICLE, encoding="utf-8")
    return p


def test_help_on_every_command(runner: CliRunner) -> None:
    for cmd in (
        [],
        ["score"],
        ["train"],
        ["evaluate"],
        ["info"],
        ["terms"],
        ["terms", "list"],
        ["terms", "check"],
        ["terms", "discover"],
        ["sources"],
        ["annotate"],
        ["annotations", "add"],
    ):
        res = runner.invoke(main, [*cmd, "--help"])
        assert res.exit_code == 0, res.output
        assert "Usage:" in res.output


def test_score_table(runner: CliRunner, tiny_model_dir: Path, article: Path) -> None:
    res = runner.invoke(main, ["score", "--model", str(tiny_model_dir), str(article)])
    assert res.exit_code == 0, res.output
    assert "3 sentences" in res.output and "lean" in res.output


def test_score_json_contract(runner: CliRunner, tiny_model_dir: Path, article: Path) -> None:
    res = runner.invoke(
        main,
        ["score", "--model", str(tiny_model_dir), "--format", "json", str(article), str(article)],
    )
    assert res.exit_code == 0, res.output
    objs = [json.loads(line) for line in res.output.splitlines()]
    assert len(objs) == 2
    obj = objs[0]
    assert set(obj) == {"source", "arabic", "language", "sentences", "summary"}
    assert obj["arabic"] is True and obj["language"] == "arabic"
    assert obj["source"] == str(article)
    assert len(obj["sentences"]) == 3
    for s in obj["sentences"]:
        assert {"index", "start", "end", "text", "label", "probabilities"} <= set(s)
        assert ARTICLE[s["start"] : s["end"]] == s["text"]
        assert set(s["probabilities"]) == {"critical", "neutral", "pro"}
    assert {"sentences", "counts", "shares", "lean"} <= set(obj["summary"])
    assert -1 <= obj["summary"]["lean"] <= 1


def test_score_stdin(runner: CliRunner, tiny_model_dir: Path) -> None:
    res = runner.invoke(
        main, ["score", "--model", str(tiny_model_dir), "--format", "json", "-"], input=ARTICLE
    )
    assert res.exit_code == 0, res.output
    assert json.loads(res.output)["source"] == "<stdin>"


def test_score_jsonl_contract(runner: CliRunner, tiny_model_dir: Path) -> None:
    lines = [
        {"id": "b", "text": "الكيان الصهيوني يتمدد. وقال الوزير إنها خطوة تاريخية.", "outlet": "x"},
        {"id": "a", "text": "وصل الوفد أمس."},
        {"id": 3, "text": "خطوة تاريخية للسلام", "date": "2025-11-06"},
    ]
    stdin = "\n".join(json.dumps(x, ensure_ascii=False) for x in lines) + "\n"
    res = runner.invoke(
        main, ["score", "--model", str(tiny_model_dir), "--jsonl", "-"], input=stdin
    )
    assert res.exit_code == 0, res.output
    out = [json.loads(line) for line in res.output.splitlines()]
    # One output per record (no re-splitting), input order, extra fields passed through.
    assert [o["id"] for o in out] == ["b", "a", 3]
    assert out[0]["outlet"] == "x" and out[2]["date"] == "2025-11-06"
    assert "text" not in out[0]
    for o in out:
        assert o["label"] in {"critical", "neutral", "pro"}
        assert sum(o["probabilities"].values()) == pytest.approx(1.0, abs=1e-5)


def test_score_jsonl_bad_lines_reported(runner: CliRunner, tiny_model_dir: Path) -> None:
    stdin = '{"id": 1, "text": "وصل الوفد أمس."}\nnot json\n{"id": 2}\n{"id": 3, "text": 5}\n'
    res = runner.invoke(
        main, ["score", "--model", str(tiny_model_dir), "--jsonl", "-"], input=stdin
    )
    assert res.exit_code == 1
    assert len([line for line in res.stdout.splitlines() if line.startswith("{")]) == 1
    assert "-:2: invalid JSON" in res.stderr
    assert '-:3: missing field "text"' in res.stderr
    assert '-:4: "text" must be a string' in res.stderr


def test_score_missing_file_fails_but_continues(
    runner: CliRunner, tiny_model_dir: Path, article: Path, tmp_path: Path
) -> None:
    res = runner.invoke(
        main, ["score", "--model", str(tiny_model_dir), str(tmp_path / "nope.txt"), str(article)]
    )
    assert res.exit_code == 1
    assert "nope.txt: no such file" in res.stderr
    assert "3 sentences" in res.stdout


def test_score_usage_errors_exit_2(runner: CliRunner, tiny_model_dir: Path, article: Path) -> None:
    assert runner.invoke(main, ["score"]).exit_code == 2
    res = runner.invoke(main, ["score", "--format", "xml", str(article)])
    assert res.exit_code == 2


def test_score_bad_model_is_a_clean_failure(
    runner: CliRunner, tmp_path: Path, article: Path
) -> None:
    res = runner.invoke(main, ["score", "--model", str(tmp_path), str(article)])
    assert res.exit_code == 1
    assert "no model card" in res.output
    assert "Traceback" not in res.output


def test_train_evaluate_info(runner: CliRunner, tiny_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "model"
    res = runner.invoke(main, ["train", "--annotations", str(tiny_dir), "--out", str(out)])
    assert res.exit_code == 0, res.output
    assert "trained on 26 sentences" in res.output
    card = json.loads((out / "card.json").read_text(encoding="utf-8"))
    assert "seed_loao_macro_f1" in card["evaluation"]

    res = runner.invoke(main, ["evaluate", "--annotations", str(tiny_dir), "--format", "json"])
    assert res.exit_code == 0, res.output
    ev = json.loads(res.output)
    for key in ("macro_f1", "per_class", "confusion", "baseline_macro_f1", "seed_loao_macro_f1"):
        assert key in ev
    assert set(ev["per_class"]) == {"critical", "neutral", "pro"}
    assert sum(map(sum, ev["confusion"]["matrix"])) == 26
    assert ev["off_target_sentences"] == 6 and 0 <= ev["off_target_stance_share"] <= 1
    # Majority baseline: 11 neutral of 26 -> F1(neutral) = 2*11/(11+26) over 3 classes.
    assert ev["baseline_macro_f1"] == pytest.approx(round((2 * 11 / 37) / 3, 4))
    assert sum(sum(r) for r in ev["seed_loao"]["confusion"]["matrix"]) == 8

    res = runner.invoke(main, ["evaluate", "--annotations", str(tiny_dir)])
    assert res.exit_code == 0 and "seed leave-one-article-out macro-F1" in res.output

    res = runner.invoke(main, ["info", "--model", str(out)])
    assert res.exit_code == 0 and card["model_sha256"] in res.output


def test_train_on_bad_annotations_fails_cleanly(runner: CliRunner, tmp_path: Path) -> None:
    d = tmp_path / "ann"
    d.mkdir()
    (d / "x.jsonl").write_text('{"id": "1", "text": "نص"}\n', encoding="utf-8")
    res = runner.invoke(main, ["train", "--annotations", str(d), "--out", str(tmp_path / "m")])
    assert res.exit_code == 1
    assert "x.jsonl:1: missing field 'doc'" in res.output
    assert not (tmp_path / "m").exists()
