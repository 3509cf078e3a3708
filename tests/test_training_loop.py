"""The retraining loop is not silent and does not repeat itself: stages on a terminal,
evaluate reusing the figures train just computed, and a given model on labelled data."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

import stance.train
from stance.cli import main

from .conftest import TINY


@pytest.fixture(scope="module")
def trained(tmp_path_factory, tiny_dir: Path) -> tuple[Path, str]:
    """A model trained by the CLI on the tiny corpus, with its figures in the card, as
    on a terminal: (model directory, what it wrote on stderr)."""
    from click.testing import CliRunner

    out = tmp_path_factory.mktemp("trained") / "model"
    args = ["train", "--annotations", str(tiny_dir), "--out", str(out), "--no-dev"]
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr("stance.cli._stderr_is_terminal", lambda: True)
        res = CliRunner().invoke(main, args)
    assert res.exit_code == 0, res.output
    assert "trained on 26 sentences" in res.stdout  # the result stays on stdout
    return out, res.stderr


def test_train_shows_its_stages_on_a_terminal(runner, trained, tiny_dir, tmp_path) -> None:
    err = trained[1]
    for stage in (
        "reading the annotations done",
        "cross-validation 1/5 ...",
        "cross-validation 5/5 done",
        "seed leave-one-article-out 2/2 done",
        "fitting the model done",
        "writing the model done",
    ):
        assert stage in err, stage
    assert err.index("cross-validation 5/5") < err.index("fitting the model")
    args = ["train", "--annotations", str(tiny_dir), "--out", str(tmp_path / "m"), "--no-eval"]
    plain = runner.invoke(main, args)  # not a terminal: no progress
    assert plain.exit_code == 0 and plain.stderr == ""


def test_evaluate_reuses_the_figures_train_stored(runner, trained, tiny_dir, monkeypatch) -> None:
    trained = trained[0]
    real = stance.train.evaluate
    calls = []

    def counting(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(stance.train, "evaluate", counting)
    base = ["evaluate", "--annotations", str(tiny_dir), "--model", str(trained)]
    reused = runner.invoke(main, [*base, "--format", "json"])
    assert reused.exit_code == 0, reused.output
    assert calls == []
    assert f"figures from {trained / 'card.json'}" in reused.stderr
    fresh = runner.invoke(main, [*base, "--format", "json", "--fresh"])
    assert fresh.exit_code == 0 and calls == [1] and "figures from" not in fresh.stderr
    assert json.loads(reused.stdout) == json.loads(fresh.stdout)  # the same figures
    table = runner.invoke(main, base)
    assert "seed leave-one-article-out macro-F1" in table.stdout and calls == [1]


def test_changed_annotations_are_evaluated_again(runner, trained, tiny_dir, tmp_path, monkeypatch):
    trained = trained[0]
    ann = Path(shutil.copytree(tiny_dir, tmp_path / "annotations"))
    with open(ann / "tiny.jsonl", "a", encoding="utf-8") as fh:
        rec = {"id": "extra", "doc": "d6", "source": "x", "text": "وصل الوفد إلى أستانا أمس.",
               "label": "neutral", "voice": "author", "origin": "authored"}  # fmt: skip
        fh.write(json.dumps(rec, ensure_ascii=False) + "\n")
    seen = []

    def fake(records, *args, **kwargs):  # noqa: ANN001, ANN002, ANN003, ANN202
        seen.append(len(records))
        return json.loads((trained / "card.json").read_text("utf-8"))["evaluation"]

    monkeypatch.setattr(stance.train, "evaluate", fake)
    args = ["evaluate", "--annotations", str(ann), "--model", str(trained), "--format", "json"]
    res = runner.invoke(main, args)
    assert res.exit_code == 0 and "figures from" not in res.stderr
    assert seen == [len(TINY) + 1]  # run again, on the changed annotations
    res = runner.invoke(main, ["evaluate", "--annotations", str(tiny_dir), "--model",
                               str(trained), "--format", "json"])  # fmt: skip
    assert seen == [len(TINY) + 1] and "figures from" in res.stderr


def test_evaluate_a_given_model_and_compare_on_labelled_data(
    runner, trained, tiny_model_dir, tmp_path
) -> None:
    trained = trained[0]
    dev = tmp_path / "dev.jsonl"
    rows = [{"text": t, "label": lab, "target": (x or [True])[0]} for _, lab, _, t, *x in TINY]
    dev.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows), "utf-8")
    one = runner.invoke(main, ["evaluate", "--dev", str(dev), "--model", str(trained),
                               "--format", "json"])  # fmt: skip
    other = runner.invoke(main, ["evaluate", "--dev", str(dev), "--model", str(tiny_model_dir),
                                 "--format", "json"])  # fmt: skip
    assert one.exit_code == 0 and other.exit_code == 0, one.output + other.output
    args = [
        "evaluate",
        "--dev",
        str(dev),
        "--model",
        str(trained),
        "--compare",
        str(tiny_model_dir),
    ]
    both = runner.invoke(main, [*args, "--format", "json"])
    data = json.loads(both.stdout)
    assert data["macro_f1"] == json.loads(one.stdout)["macro_f1"]
    assert data["compare"]["before"] == json.loads(other.stdout)
    table = runner.invoke(main, args)
    assert table.exit_code == 0, table.output
    assert f"compared with {tiny_model_dir} on the same {len(TINY)} sentences" in table.stdout
    assert "target relevance F1" in table.stdout and "off-target given a stance" in table.stdout
