"""Records/s of `stance score --jsonl` on one machine: the Dask engine with 1 and 2 workers
against the local command with --jobs 1 and 2, on the same input; and a worked estimate,
from the measured per-core throughput, of what N machines would do and what bounds it.

    python bench/dask_throughput.py [--records 1000000] [--files 4] [--workers 1,2]
                                    [--jobs 1,2] [--storage-mbps 1000] [--json out.json]
                                    [--quick] [--keep DIR]

The input is built by resampling annotations/ sentences (seed 0) into ``--files`` JSONL
files of {"id", "source", "text"} records. The shipped model is copied first, so a
retrain elsewhere cannot change it mid-run. Each figure is wall-clock, start to finish:
- local: ``python -m stance.cli score --jsonl FILES --jobs J --model M > out`` (a new
  process: interpreter start, imports, model load, scoring, writing);
- dask: ``score_archive(FILES, OUT, n_workers=W)`` in this process, the call behind
  ``stance score --jsonl FILES --engine dask --out-dir OUT``: local cluster start, model
  load on the client and once per worker, scoring, shard and manifest writes.
The Dask shards, concatenated, are compared byte for byte with the --jobs 1 output.

Figures are wall-clock on a machine that may be doing other work: rerun to compare.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import random
import shlex
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

# One core per worker: no BLAS threads behind numpy's back (Dask's nanny does the same).
for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(var, "1")

REPO = Path(__file__).resolve().parents[1]


def _ints(s: str) -> list[int]:
    return [int(x) for x in s.split(",") if x.strip()]


def build_input(directory: Path, records: int, files: int, seed: int = 0) -> list[Path]:
    from stance.annotations import load_annotations

    anns = load_annotations(REPO / "annotations")
    rng = random.Random(seed)
    directory.mkdir(parents=True, exist_ok=True)
    paths = [directory / f"archive-{i:02d}.jsonl" for i in range(files)]
    per = math.ceil(records / files)
    n = 0
    for p in paths:
        with open(p, "w", encoding="utf-8") as fh:
            lines = []
            for _ in range(min(per, records - n)):
                a = anns[rng.randrange(len(anns))]
                lines.append(
                    json.dumps(
                        {"id": f"r{n:08d}", "source": a.source, "text": a.text}, ensure_ascii=False
                    )
                )
                n += 1
            fh.write("\n".join(lines) + ("\n" if lines else ""))
    return paths


def run_local(paths: list[Path], model: Path, jobs: int, out: Path) -> dict[str, Any]:
    cmd = [
        sys.executable,
        "-m",
        "stance.cli",
        "score",
        "--jsonl",
        "--jobs",
        str(jobs),
        "--model",
        str(model),
        *map(str, paths),
    ]
    t0 = time.perf_counter()
    with open(out, "wb") as fh:
        proc = subprocess.run(cmd, stdout=fh, stderr=subprocess.PIPE, cwd=REPO)
    seconds = time.perf_counter() - t0
    if proc.returncode != 0:
        raise SystemExit(f"{shlex.join(cmd)} failed:\n{proc.stderr.decode()[-2000:]}")
    with open(out, "rb") as fh:
        records = sum(1 for _ in fh)
    return {"command": shlex.join(cmd) + f" > {out}", "seconds": seconds, "records": records}


def run_dask(paths: list[Path], model: Path, workers: int, out: Path) -> dict[str, Any]:
    from stance.dask_engine import score_archive

    t0 = time.perf_counter()
    m = score_archive([str(p) for p in paths], out, model_path=model, n_workers=workers)
    seconds = time.perf_counter() - t0
    busy = sum(p["seconds"] or 0 for p in m["partitions"])
    loads = [x["seconds"] for x in m["model_loads"]]
    return {
        "command": f"score_archive({len(paths)} files, {out}, n_workers={workers})  # = stance "
        f"score --jsonl {shlex.quote(str(paths[0].parent / '*.jsonl'))} --engine dask "
        f"--out-dir {out}",
        "seconds": seconds,
        "records": m["records"],
        "shards": m["shards"],
        "model_load_seconds": loads,
        "model_import_seconds": [x["import_seconds"] for x in m["model_loads"]],
        # worker time spent scoring, model loads taken out: the steady per-core rate
        "scoring_core_seconds": busy - sum(loads),
        "output_bytes": sum(p["shard_bytes"] for p in m["partitions"]),
        "model_bytes": m["model"]["bytes"],
        "partition_bytes": m["options"]["partition_bytes"],
    }


def _same_output(a: Path, out_dir: Path) -> bool:
    with open(a, "rb") as fh:
        for shard in sorted(out_dir.glob("part-*.jsonl")):
            with open(shard, "rb") as sh:
                while True:
                    chunk = sh.read(1 << 20)
                    if not chunk:
                        break
                    if fh.read(len(chunk)) != chunk:
                        return False
        return fh.read(1) == b""


def _fmt_time(s: float) -> str:
    if s < 120:
        return f"{s:.0f} s"
    if s < 7200:
        return f"{s / 60:.0f} min"
    return f"{s / 3600:.1f} h"


def estimate(
    rate_core: float,
    efficiency: float,
    cores: int,
    in_bytes: float,
    out_bytes: float,
    model_bytes: int,
    load_s: float,
    partition_bytes: int,
    storage_mbps: float,
    machines: list[int],
) -> tuple[list[str], list[dict[str, Any]]]:
    """Throughput of N machines of ``cores`` cores: compute, capped by the storage link
    every record crosses twice (read input, write shard)."""
    link = storage_mbps * 1e6 / 8  # bytes/s
    io_cap = link / (in_bytes + out_bytes)
    lines = [
        "",
        "== estimate for N machines (worked from the figures above)",
        f"per-core steady rate r = {rate_core:,.0f} records/s (Dask, 1 worker, model load "
        "excluded); scaling efficiency on this machine e = "
        f"{efficiency:.2f} (per-core steady rate with 2 workers / with 1)",
        f"compute:  N x {cores} cores x r x e = N x {cores * rate_core * efficiency:,.0f} "
        "records/s",
        f"I/O:      every record is read ({in_bytes:.0f} B) and written ({out_bytes:.0f} B) "
        f"over shared storage; at {storage_mbps:g} Mbit/s (assumed, --storage-mbps) that "
        f"caps the cluster at {link / 1e6:.0f} MB/s / {in_bytes + out_bytes:.0f} B = "
        f"{io_cap:,.0f} records/s, whatever N",
        f"model:    {model_bytes / 1e6:.1f} MB read once per worker (not per task), "
        f"{load_s:.1f} s per worker to import, verify and load, in parallel: a fixed "
        "start-up cost, not a rate",
        f"tasks:    a partition is {partition_bytes / 2**20:g} MiB = "
        f"{partition_bytes / in_bytes:,.0f} records; with fewer partitions than cores, "
        "cores sit idle (1M records here = "
        f"{math.ceil(1e6 * in_bytes / partition_bytes)} partitions)",
        "",
        f"{'machines':>8} {'cores':>6} {'compute rec/s':>14} {'I/O cap rec/s':>14} "
        f"{'1M records':>22} {'100M records':>22}",
    ]
    rows = []
    per_task = (partition_bytes / in_bytes) / (rate_core * efficiency)

    def wall(records: float, c: int) -> tuple[float, str]:
        parts = math.ceil(records * in_bytes / partition_bytes)
        compute = math.ceil(parts / c) * per_task  # partitions run in waves of c
        io = records / io_cap
        busy, by = max((compute, "partitions" if parts < c else "compute"), (io, "storage"))
        return load_s + busy, by

    for n in machines:
        c = n * cores
        compute_rps = c * rate_core * efficiency
        w1, b1 = wall(1e6, c)
        w100, b100 = wall(1e8, c)
        rows.append(
            {
                "machines": n,
                "cores": c,
                "compute_rps": compute_rps,
                "io_cap_rps": io_cap,
                "seconds_1M": w1,
                "bound_1M": b1,
                "seconds_100M": w100,
                "bound_100M": b100,
            }
        )
        lines.append(
            f"{n:>8} {c:>6} {compute_rps:>14,.0f} {io_cap:>14,.0f} "
            f"{_fmt_time(w1) + ' (' + b1 + ')':>22} {_fmt_time(w100) + ' (' + b100 + ')':>22}"
        )
    lines.append(
        "wall = per-worker model load + max(partitions in waves of `cores` x time per "
        f"partition ({per_task:.0f} s), records / I/O cap); (bound) names the larger term"
    )
    return lines, rows


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--records", type=int, default=1_000_000)
    ap.add_argument("--files", type=int, default=4)
    ap.add_argument("--workers", type=_ints, default=[1, 2], help="Dask worker counts")
    ap.add_argument("--jobs", type=_ints, default=[1, 2], help="local --jobs values")
    ap.add_argument(
        "--storage-mbps",
        type=float,
        default=1000.0,
        help="assumed shared-storage bandwidth for the N-machine estimate (Mbit/s)",
    )
    ap.add_argument("--machines", type=_ints, default=[1, 2, 4, 8, 16, 32, 64])
    ap.add_argument("--json", type=Path, default=None, help="also write the figures here")
    ap.add_argument("--quick", action="store_true", help="3000 records: a smoke test")
    ap.add_argument("--keep", type=Path, default=None, help="work here and keep the files")
    args = ap.parse_args()
    if args.quick:
        args.records = min(args.records, 3000)
    try:
        import dask  # noqa: F401
        import distributed  # noqa: F401
    except ImportError:
        print('skipped: needs Dask: pip install "stance[dask]"')
        return 0

    from stance.model import default_model_dir, read_card

    print("command: python " + shlex.join(sys.argv))
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    print(
        f"machine: {platform.machine()}, {cores} cores, Python {platform.python_version()}, "
        f"{platform.platform()}"
    )
    work = args.keep or Path(tempfile.mkdtemp(prefix="stance-dask-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    try:
        model = work / "model"
        if not model.exists():
            shutil.copytree(default_model_dir(), model, ignore=shutil.ignore_patterns("*.py"))
        sha = read_card(model)["model_sha256"]
        t0 = time.perf_counter()
        paths = build_input(work / "archive", args.records, args.files)
        in_total = sum(p.stat().st_size for p in paths)
        print(
            f"input: {args.records:,} records in {len(paths)} files, {in_total / 1e6:.1f} MB "
            f"({in_total / args.records:.0f} B/record), built in {time.perf_counter() - t0:.1f} s "
            f"by resampling annotations/ (seed 0); model {sha[:12]} "
            f"({(model / read_card(model)['model_file']).stat().st_size / 1e6:.1f} MB)"
        )
        results: list[dict[str, Any]] = []
        ref: Path | None = None
        for j in args.jobs:
            out = work / f"local-jobs{j}.jsonl"
            r = run_local(paths, model, j, out)
            r.update(engine="local --jobs", n=j)
            results.append(r)
            if j == 1:
                ref = out
            print(f"  {r['command']}: {r['seconds']:.1f} s", flush=True)
        for w in args.workers:
            out = work / f"dask-{w}"
            shutil.rmtree(out, ignore_errors=True)
            r = run_dask(paths, model, w, out)
            r.update(engine="dask workers", n=w)
            r["identical"] = _same_output(ref, out) if ref else None
            results.append(r)
            loads = ", ".join(f"{s:.1f} s" for s in r["model_load_seconds"])
            imports = ", ".join(f"{s:.1f} s" for s in r["model_import_seconds"])
            print(
                f"  {r['command']}: {r['seconds']:.1f} s; model load per worker "
                f"{loads} (of which importing the scoring code {imports}); "
                f"identical to --jobs 1 output: {r['identical']}",
                flush=True,
            )

        print()
        print(
            f"{'engine':<14}{'procs':>6}{'records':>10}{'seconds':>9}{'records/s':>11}"
            f"{'per proc':>10}"
        )
        for r in results:
            rps = r["records"] / r["seconds"]
            r["records_per_second"] = rps
            print(
                f"{r['engine']:<14}{r['n']:>6}{r['records']:>10,}{r['seconds']:>9.1f}"
                f"{rps:>11,.0f}{rps / r['n']:>10,.0f}"
            )
        estimate_rows: list[dict[str, Any]] = []
        dask_runs = {r["n"]: r for r in results if r["engine"] == "dask workers"}
        if 1 in dask_runs:
            one = dask_runs[1]
            rate_core = one["records"] / max(one["scoring_core_seconds"], 1e-9)
            if 2 in dask_runs:  # per-core steady rate with 2 busy cores vs with 1
                two = dask_runs[2]
                rate_two = two["records"] / max(two["scoring_core_seconds"], 1e-9)
                efficiency = min(1.0, rate_two / rate_core)
            else:
                efficiency = 1.0
            loads = [s for r in dask_runs.values() for s in r["model_load_seconds"]]
            lines, estimate_rows = estimate(
                rate_core,
                efficiency,
                cores or 1,
                in_total / args.records,
                one["output_bytes"] / one["records"],
                one["model_bytes"],
                max(loads) if loads else 0.0,
                one["partition_bytes"],
                args.storage_mbps,
                args.machines,
            )
            print("\n".join(lines))
        if args.json:
            args.json.write_text(
                json.dumps(
                    {
                        "records": args.records,
                        "cores": cores,
                        "runs": results,
                        "estimate": estimate_rows,
                    },
                    indent=2,
                ),
                encoding="utf-8",
            )
    finally:
        if args.keep is None:
            shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
