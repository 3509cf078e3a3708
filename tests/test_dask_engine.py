"""The Dask engine (stance.dask_engine) on a shared LocalCluster of 2 worker processes:
output identical to the local `score --jsonl`, resume after an interrupted run, a worker
killed mid-run, bad records with line numbers, the notebook API, and life without Dask."""

from __future__ import annotations

import json
import os
import random
import re
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("dask")
pytest.importorskip("distributed")
pytest.importorskip("pandas")

from click.testing import CliRunner  # noqa: E402

from stance.cli import main  # noqa: E402

from .conftest import TINY  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
# Small partitions: each input file is cut into several, so partition edges are crossed.
PART_BYTES = 40_000


def _write_archive(directory: Path, n_per_file: int = 500, files: int = 2) -> list[Path]:
    """JSONL files of passages made of TINY sentences, with the odd cases the local
    command handles: a BOM, CRLF line ends, blank lines, HTML, a non-Arabic text."""
    rng = random.Random(7)
    texts = [row[3] for row in TINY]
    directory.mkdir(parents=True, exist_ok=True)
    paths = []
    for f in range(files):
        lines = []
        for i in range(n_per_file):
            rec: dict[str, Any] = {"id": f"f{f}-{i:05d}", "source": f"s{i % 3}"}
            rec["text"] = " ".join(rng.sample(texts, rng.randint(1, 3)))
            if i % 97 == 5:
                rec["text"] = f"<p>{rec['text']}</p><script>x()</script>"
            if i % 151 == 9:
                rec["text"] = "Breaking news in English only"
            lines.append(json.dumps(rec, ensure_ascii=False))
            if i % 211 == 17:
                lines.append("")
        body = "\n".join(lines) + "\n"
        data = body.encode("utf-8")
        if f == 0:
            data = b"\xef\xbb\xbf" + data.replace(b"\n", b"\r\n", 3)
        p = directory / f"batch{f}.jsonl"
        p.write_bytes(data)
        paths.append(p)
    return paths


def _local(model: Path, paths: list[Path]) -> Any:
    res = CliRunner().invoke(
        main, ["score", "--model", str(model), "--jsonl", *map(str, paths)], catch_exceptions=False
    )
    return res


def _shards(out: Path) -> bytes:
    return b"".join(p.read_bytes() for p in sorted(out.glob("part-*.jsonl")))


def _assert_same(out: Path, reference: str) -> None:
    got = [json.loads(line) for line in _shards(out).decode("utf-8").splitlines()]
    want = [json.loads(line) for line in reference.splitlines()]
    assert [r["id"] for r in got] == [r["id"] for r in want]  # every record once, in order
    for g, w in zip(got, want):
        assert g["label"] == w["label"]
        assert g.keys() == w.keys()
        for c, p in w["probabilities"].items():
            assert abs(g["probabilities"][c] - p) <= 1e-9
        assert g["loaded_terms"] == w["loaded_terms"]
    assert _shards(out).decode("utf-8") == reference  # and byte for byte


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory, tiny_model_dir: Path) -> Any:
    paths = _write_archive(tmp_path_factory.mktemp("archive"))
    res = _local(tiny_model_dir, paths)
    assert res.exit_code == 0, res.output
    return paths, res.stdout


def test_output_identical_to_local_score_jsonl(
    cluster: Any, archive: Any, tiny_model_dir: Path, tmp_path: Path
) -> None:
    from stance.dask_engine import score_archive
    from stance.model import read_card

    paths, reference = archive
    out = tmp_path / "out"
    pattern = str(paths[0].parent / "*.jsonl")
    m = score_archive(
        [pattern],
        out,
        model_path=tiny_model_dir,
        scheduler=cluster.scheduler_address,
        partition_bytes=PART_BYTES,
    )
    _assert_same(out, reference)
    # one shard per partition, several per input file, each in input order
    assert m["shards"] == len(list(out.glob("part-*.jsonl"))) > 2 * len(paths)
    assert [p["input"] for p in m["partitions"]] == sorted(p["input"] for p in m["partitions"])
    assert m["records"] == len(reference.splitlines()) and m["errors"] == 0
    assert m["model"]["sha256"] == read_card(tiny_model_dir)["model_sha256"]
    assert m["inputs"] == [
        {"path": str(p), "bytes": p.stat().st_size, "mtime_ns": p.stat().st_mtime_ns} for p in paths
    ]
    assert m["package_version"] and m["started"] <= m["finished"]
    assert m["html"] > 0 and m["not_arabic"] > 0
    assert json.loads((out / "manifest.json").read_text("utf-8")) == m
    assert (out / "errors.jsonl").read_text() == ""
    # the model is loaded once per worker process, not per task
    workers = [x["worker"] for x in m["model_loads"]]
    assert len(workers) == len(set(workers)) <= 2 < m["shards_scored"]
    assert all(x["seconds"] > 0 for x in m["model_loads"])


def test_interrupted_run_resumes_exactly_once(
    cluster: Any, archive: Any, tiny_model_dir: Path, tmp_path: Path
) -> None:
    from distributed import Client

    from stance.dask_engine import score_archive

    paths, reference = archive
    out = tmp_path / "out"
    args = [[str(p) for p in paths], str(out)]
    kwargs = {
        "model_path": str(tiny_model_dir),
        "scheduler": cluster.scheduler_address,
        "partition_bytes": PART_BYTES // 2,
    }
    code = (
        "import sys, json\nfrom stance.dask_engine import score_archive\n"
        f"score_archive(*{args!r}, **{kwargs!r})\n"
    )
    # A real interruption: kill the client as soon as the first shard is committed.
    proc = subprocess.Popen([sys.executable, "-c", code], cwd=REPO)
    deadline = time.monotonic() + 30
    while not list(out.glob("part-*.done.json")) and proc.poll() is None:
        assert time.monotonic() < deadline
        time.sleep(0.01)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    with Client(cluster.scheduler_address) as client:  # let orphaned tasks drain
        while client.run_on_scheduler(lambda dask_scheduler: len(dask_scheduler.tasks)):
            time.sleep(0.05)
    # A task already running when the client died still finishes on its worker after the
    # scheduler forgets it: wait until the directory has been still for a second.
    state, still_since = None, time.monotonic()
    while time.monotonic() - still_since < 1.0:
        now = sorted(p.name for p in out.iterdir())  # names change on every rename
        if now != state:
            state, still_since = now, time.monotonic()
        time.sleep(0.05)
    assert not (out / "manifest.json").exists()
    # ...and the worst leftovers: a temp file, a shard without marker, a truncated shard
    markers = sorted(out.glob("part-*.done.json"))
    (out / ".part-00003.jsonl.tmp-99999-deadbeef").write_bytes(b'{"id": "half')
    (out / "part-00004.done.json").unlink(missing_ok=True)
    (out / "part-00004.jsonl").write_bytes(b'{"id": "f0-00000"}\n')
    first = markers[0].name.replace(".done.json", ".jsonl")
    with open(out / first, "r+b") as fh:
        fh.truncate(10)

    m = score_archive(args[0], args[1], **kwargs)
    assert 0 < len(markers) < m["shards"]  # the kill did land mid-run
    _assert_same(out, reference)
    assert not list(out.glob(".*.tmp-*"))
    scored = {p["shard"] for p in m["partitions"] if not p["skipped"]}
    assert {first, "part-00004.jsonl"} <= scored
    assert m["shards_skipped"] == m["shards"] - len(scored)

    # rerunning the same command again is a no-op; a changed option rescores everything
    again = score_archive(args[0], args[1], **kwargs)
    assert again["shards_skipped"] == again["shards"] and again["shards_scored"] == 0
    _assert_same(out, reference)
    kept = score_archive(args[0], args[1], keep_text=True, **kwargs)
    assert kept["shards_scored"] == kept["shards"]
    assert all("text" in json.loads(x) for x in _shards(out).splitlines())


def test_worker_killed_mid_run(
    cluster: Any, archive: Any, tiny_model_dir: Path, tmp_path: Path
) -> None:
    from distributed import Client

    from stance.dask_engine import score_archive

    paths, reference = archive
    crashed = tmp_path / "crashed"
    target = "f1-00300"  # in the middle of the second file

    def install(flag: str = str(crashed), target: str = target) -> int:
        import stance.score.archive as eng

        real = eng.score_records

        def dying(model: Any, records: Any, keep_text: bool = False) -> Any:
            if any(r.get("id") == target for r in records) and not os.path.exists(flag):
                open(flag, "w").close()
                os._exit(1)  # the worker process dies mid-task, shard half written
            return real(model, records, keep_text)

        eng.score_records = dying
        return os.getpid()

    with Client(cluster.scheduler_address) as client:
        before = set(client.run(install).values())
        out = tmp_path / "out"
        m = score_archive(
            [str(p) for p in paths],
            out,
            model_path=tiny_model_dir,
            scheduler=cluster.scheduler_address,
            partition_bytes=PART_BYTES * 2,
        )
        after = set(client.run(os.getpid).values())
    assert crashed.exists()
    assert before != after  # one worker process died and was replaced
    _assert_same(out, reference)
    assert m["records"] == len(reference.splitlines())
    assert not list(out.glob(".*.tmp-*"))


def _bad_archive(directory: Path) -> list[Path]:
    good = _write_archive(directory, n_per_file=400)
    lines = good[1].read_text("utf-8").splitlines()
    lines[250] = '{"id": "broken", "text": '
    lines[300] = '{"id": "no-text"}'
    lines[301] = '{"id": "num", "text": 42}'
    lines[390] = '["not", "an", "object"]'
    good[1].write_text("\n".join(lines) + "\n", encoding="utf-8")
    return good


def test_bad_records_go_to_the_errors_shard(
    cluster: Any, tiny_model_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from stance.cli.archive import run_dask as run_cli

    paths = _bad_archive(tmp_path / "in")
    local = _local(tiny_model_dir, paths)
    assert local.exit_code == 1
    expected = [
        ln for ln in local.stderr.splitlines() if ln.startswith("error: ") and ".jsonl:" in ln
    ]
    assert len(expected) == 4
    out = tmp_path / "out"
    code = run_cli(
        [str(p) for p in paths],
        out,
        scheduler=cluster.scheduler_address,
        model_path=tiny_model_dir,
        partition_bytes=PART_BYTES,
    )
    assert code == 1
    errors = [json.loads(x) for x in (out / "errors.jsonl").read_text("utf-8").splitlines()]
    assert [f"error: {e['file']}:{e['line']}: {e['error']}" for e in errors] == expected
    assert [e["line"] for e in errors] == [251, 301, 302, 391]
    # everything else completed, as the local command wrote it
    assert _shards(out).decode("utf-8") == local.stdout
    err = capsys.readouterr().err
    summary = err.strip().splitlines()[-1]
    assert summary.startswith(f"{len(local.stdout.splitlines())} records in ")
    assert ", 4 failed" in summary and str(out / "manifest.json") in summary
    m = json.loads((out / "manifest.json").read_text("utf-8"))
    assert m["errors"] == 4 and sum(p["errors"] for p in m["partitions"]) == 4


def test_input_problems_are_clear(tiny_model_dir: Path, tmp_path: Path) -> None:
    from stance.errors import InputError
    from stance.score.archive import expand_inputs, score_archive

    with pytest.raises(InputError, match="no files match"):
        score_archive([str(tmp_path / "*.jsonl")], tmp_path / "out", model_path=tiny_model_dir)
    with pytest.raises(InputError, match="not stdin"):
        score_archive(["-"], tmp_path / "out", model_path=tiny_model_dir)
    (tmp_path / "out").mkdir()
    inside = tmp_path / "out" / "a.jsonl"
    inside.write_text('{"text": "x"}\n')
    with pytest.raises(InputError, match="inside the output directory"):
        score_archive([str(inside)], tmp_path / "out", model_path=tiny_model_dir)
    (tmp_path / "empty").mkdir()
    with pytest.raises(InputError, match="no \\*.jsonl files"):
        score_archive([str(tmp_path / "empty")], tmp_path / "out2", model_path=tiny_model_dir)
    # a directory means its *.jsonl files, recursively, but not the output's own shards
    (tmp_path / "in" / "sub").mkdir(parents=True)
    (tmp_path / "in" / "sub" / "b.jsonl").write_text("")
    (tmp_path / "in" / "a.jsonl").write_text("")
    (tmp_path / "in" / "notes.txt").write_text("")
    (tmp_path / "in" / "scored").mkdir()
    (tmp_path / "in" / "scored" / "part-00000.jsonl").write_text("")
    assert expand_inputs([str(tmp_path / "in")], tmp_path / "in" / "scored") == [
        str(tmp_path / "in" / "a.jsonl"),
        str(tmp_path / "in" / "sub" / "b.jsonl"),
    ]


def test_notebook_api_bag_and_dataframes(cluster: Any, tiny_model_dir: Path) -> None:
    import dask.bag as db
    import dask.dataframe as dd
    import pandas as pd
    from distributed import Client

    from stance.batch import score_records
    from stance.dask_engine import score_bag, score_dataframe
    from stance.model import load_model

    texts = [row[3] for row in TINY] * 3
    want = score_records(load_model(tiny_model_dir), [{"text": t} for t in texts])
    records = [{"id": i, "text": t, "extra": i % 2} for i, t in enumerate(texts)]
    pdf = pd.DataFrame(records)
    with Client(cluster.scheduler_address):
        bag = score_bag(db.from_sequence(records, npartitions=3), model_path=tiny_model_dir)
        got = bag.compute()
        ddf = score_dataframe(dd.from_pandas(pdf, npartitions=2), model_path=tiny_model_dir)
        assert isinstance(ddf, dd.DataFrame)
        from_dask = ddf.compute()
    assert [g["id"] for g in got] == list(range(len(texts)))
    for g, w, r in zip(got, want.records, records):
        assert {k: g[k] for k in r} == r  # the input fields are kept
        for k in ("label", "probabilities", "on_target", "about_target", "loaded_terms", "arabic"):
            assert g[k] == w[k]

    scored = score_dataframe(pdf, model_path=tiny_model_dir)
    assert isinstance(scored, pd.DataFrame)
    classes = sorted(want.records[0]["probabilities"])
    assert list(scored.columns) == [
        *pdf.columns,
        "label",
        *(f"p_{c}" for c in load_model(tiny_model_dir).classes_),
        "on_target",
        "about_target",
        "loaded_terms",
        "arabic",
    ]
    assert scored["label"].tolist() == [w["label"] for w in want.records]
    for c in classes:
        assert scored[f"p_{c}"].tolist() == [w["probabilities"][c] for w in want.records]
    assert scored["loaded_terms"].tolist() == [w["loaded_terms"] for w in want.records]
    pd.testing.assert_frame_equal(
        from_dask.reset_index(drop=True), scored.reset_index(drop=True), check_dtype=False
    )
    with pytest.raises(Exception, match="expected str"):
        score_dataframe(pd.DataFrame({"text": ["نص", None]}), model_path=tiny_model_dir)


def test_base_install_never_imports_dask(tmp_path: Path) -> None:
    code = """
import sys
sys.modules["dask"] = None  # as if Dask were not installed
import stance, stance.cli, stance.batch, stance.model, stance.inputs
from click.testing import CliRunner
assert CliRunner().invoke(stance.cli.main, ["score", "--help"]).exit_code == 0
assert not [m for m in sys.modules if m.startswith(("dask.", "distributed"))]
try:
    import stance.dask_engine
except stance.StanceError as exc:
    print(exc)
"""
    proc = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, timeout=60
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == '--engine dask needs Dask: pip install "stance[dask]"'


def test_cli_engine_dask(cluster: Any, tiny_model_dir: Path, tmp_path: Path) -> None:
    paths = _bad_archive(tmp_path / "in")
    out = tmp_path / "out"
    args = ["score", "--model", str(tiny_model_dir), "--jsonl", str(tmp_path / "in" / "*.jsonl")]
    dask_args = [
        "--engine",
        "dask",
        "--out-dir",
        str(out),
        "--scheduler",
        cluster.scheduler_address,
    ]
    res = CliRunner().invoke(main, [*args, *dask_args])
    assert res.exit_code == 1, res.output
    assert res.stdout == ""
    m = json.loads((out / "manifest.json").read_text("utf-8"))
    summary = res.stderr.strip().splitlines()[-1]
    assert re.fullmatch(
        rf"{m['records']} records in {m['shards']} shards, 4 failed \(\d+ records/s\); "
        rf"manifest: {re.escape(str(out / 'manifest.json'))}",
        summary,
    ), summary
    assert _shards(out).decode("utf-8") == _local(tiny_model_dir, paths).stdout


def test_duplicate_ids_within_a_partition_are_refused_as_locally(
    cluster: Any, tiny_model_dir: Path, tmp_path: Path
) -> None:
    from stance.score.archive import score_archive

    src = tmp_path / "in" / "dup.jsonl"
    src.parent.mkdir()
    texts = [row[3] for row in TINY]
    lines = [json.dumps({"id": i % 7, "text": texts[i % len(texts)]}) for i in range(10)]
    src.write_text("\n".join(lines) + "\n", encoding="utf-8")
    local = _local(tiny_model_dir, [src])
    assert local.exit_code == 1
    expected = [ln for ln in local.stderr.splitlines() if ln.startswith("error: ")][:-1]
    assert expected[0].endswith(":8: duplicate id 0 (first on line 1)")
    out = tmp_path / "out"
    m = score_archive(
        [str(src)], out, model_path=tiny_model_dir, scheduler=cluster.scheduler_address
    )
    errors = [json.loads(x) for x in (out / "errors.jsonl").read_text("utf-8").splitlines()]
    assert [f"error: {e['file']}:{e['line']}: {e['error']}" for e in errors] == expected
    assert m["errors"] == 3 and _shards(out).decode("utf-8") == local.stdout
