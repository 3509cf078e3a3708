"""Each benchmark script runs end to end on tiny inputs, so none can rot unnoticed.
(The figures themselves come from full runs: see bench/RESULTS.md.)"""

import importlib.util
from pathlib import Path

import pytest

from .conftest import REPO

# A benchmark script end to end: not in the default run (see pyproject.toml).
pytestmark = pytest.mark.bench


def _bench(name: str):  # noqa: ANN202
    spec = importlib.util.spec_from_file_location(name, REPO / "bench" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_speed_quick(tiny_dir: Path, tiny_model_dir: Path, tmp_path: Path, capsys) -> None:
    out = tmp_path / "speed.json"
    args = ["--quick", "--annotations", str(tiny_dir), "--model", str(tiny_model_dir)]
    assert _bench("speed").main([*args, "--json", str(out)]) == 0
    text = capsys.readouterr().out
    assert text.startswith("command: python bench/speed.py --quick")
    for figure in ("stance_sentences_per_s", "help_s", "score_article_s", "score_big_peak_mb"):
        assert figure in text
    assert out.read_text(encoding="utf-8").count("per_s") >= 2


def test_batch_size_quick(capsys) -> None:
    assert _bench("batch_size").main(["--quick"]) == 0
    out = capsys.readouterr().out
    assert "batches of    64" in out and out.count("peak") == 3


def test_ablate_lexicon(tiny_dir: Path, capsys) -> None:
    assert _bench("ablate_lexicon").main(["--annotations", str(tiny_dir)]) == 0
    out = capsys.readouterr().out
    assert "with lexicon features" in out and "without" in out


def test_throughput_at_a_checkout(tiny_dir: Path) -> None:
    import subprocess
    import sys

    res = subprocess.run(
        [sys.executable, str(REPO / "bench" / "throughput_at.py"), str(REPO)]
        + ["--sentences", "50", "--annotations", str(tiny_dir)],
        capture_output=True,
        text=True,
    )
    assert res.returncode == 0, res.stderr
    assert "sentences/s" in res.stdout


def test_json_libs(tiny_dir: Path, tiny_model_dir: Path, capsys) -> None:
    args = ["--records", "300", "--repeat", "1", "--annotations", str(tiny_dir)]
    assert _bench("json_libs").main([*args, "--model", str(tiny_model_dir)]) == 0
    out = capsys.readouterr().out
    assert "NO" not in out and "score_records lines" in out and "parse_jsonl_line" in out
