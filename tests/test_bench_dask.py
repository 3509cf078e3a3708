"""bench/dask_throughput.py end to end on a tiny input (one Dask worker, --jobs 1)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

# A benchmark script end to end: not in the default run (see pyproject.toml).
pytestmark = pytest.mark.bench

pytest.importorskip("dask")
pytest.importorskip("distributed")

SCRIPT = Path(__file__).resolve().parents[1] / "bench" / "dask_throughput.py"


def test_quick_run(tmp_path: Path) -> None:
    out_json = tmp_path / "figures.json"
    proc = subprocess.run(
        [
            sys.executable,
            str(SCRIPT),
            "--quick",
            "--records",
            "600",
            "--workers",
            "1",
            "--jobs",
            "1",
            "--machines",
            "1,4",
            "--json",
            str(out_json),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout
    assert out.startswith("command: python ")
    assert "input: 600 records in 4 files" in out
    assert "identical to --jobs 1 output: True" in out
    for needle in ("records/s", "local --jobs", "dask workers", "== estimate for N machines"):
        assert needle in out
    figures = json.loads(out_json.read_text("utf-8"))
    assert [(r["engine"], r["n"], r["records"]) for r in figures["runs"]] == [
        ("local --jobs", 1, 600),
        ("dask workers", 1, 600),
    ]
    assert [row["machines"] for row in figures["estimate"]] == [1, 4]
    assert all(row["seconds_1M"] > 0 for row in figures["estimate"])
