"""bench/quality.py runs end to end on the tiny corpus (quick grid) and writes its figures."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

# A benchmark script end to end: not in the default run (see pyproject.toml).
pytestmark = pytest.mark.bench

SCRIPT = Path(__file__).resolve().parent.parent / "bench" / "quality.py"


def test_quality_bench_quick(tiny_dir: Path, tmp_path: Path) -> None:
    pytest.importorskip("fasttext", reason="fasttext not installed (pip install fasttext-wheel)")
    out_json = tmp_path / "quality.json"
    cmd = [sys.executable, str(SCRIPT), "--quick", "--jobs", "1"]
    cmd += ["--annotations", str(tiny_dir), "--json", str(out_json)]
    res = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    assert res.returncode == 0, res.stderr
    assert res.stdout.startswith("command: python bench/quality.py --quick")
    assert "stance" in res.stdout
    assert "fastText" in res.stdout
    assert "ratio stance/fastText" in res.stdout
    figures = json.loads(out_json.read_text(encoding="utf-8"))
    assert set(figures["models"]) == {"stance", "fastText"}
    # 5 grouped CV folds + 2 seed articles (d1, d3), each tuned on its training part only
    assert len(figures["fasttext_choices"]) == 7
    for model in figures["models"].values():
        assert 0.0 <= model["cv_macro_f1"] <= 1.0
