"""Score JSONL archives on a Dask cluster: ``stance score --jsonl --engine dask --out-dir DIR``
(partitions, shards, manifest; nothing here prints: progress goes to a callback).

Needs the optional dependency: ``pip install "stance[dask]"``. Importing this module
without Dask raises :class:`~stance.errors.StanceError` with that install command; the
rest of the package never imports Dask.

Every record is scored by :func:`stance.batch.score_records`, the same function as the
local ``stance score --jsonl``, and written with the CLI's own JSON serialization, so
the shards concatenated in order are byte for byte what the local command prints (for
inputs without duplicate ids: see "Differences" below).

Partitions
    A partition is a byte range of one input file, ``partition_bytes`` long (16 MiB by
    default, ~50k records of 300 bytes), cut from the file size alone, so the client
    never reads the input. A record belongs to the partition in which its line *starts*;
    a task seeks to its range start, skips the partial line there, and reads every line
    that starts before the range end. Each line thus belongs to exactly one partition.
    Partitions are numbered over the input files (globs expanded and sorted, duplicates
    dropped) in order: ``part-00000.jsonl``, ``part-00001.jsonl``, ...; concatenated in
    that order they give the input order.

Output directory
    ``part-NNNNN.jsonl``        scored records of partition N, input order
    ``part-NNNNN.done.json``    done-marker: what the shard was made from (input path,
                                size, mtime, byte range, model sha256, options) and its
                                counts; written last, so it is the commit point
    ``errors-NNNNN.jsonl``      bad lines of partition N (only when there are any)
    ``errors.jsonl``            all bad lines: ``{"file", "line", "error", "shard"}``
    ``manifest.json``           the run: inputs, partitions, counts, model, timings

Resume and crash safety
    A task first deletes its partition's marker, writes the shard (and its errors) to
    temporary names, fsyncs and renames them into place, then writes the marker the same
    way. A shard file is therefore always complete, and a marker only exists for a
    shard written with the parameters it names. A rerun skips a partition whose marker
    matches (model sha256, input path, size and mtime, byte range, options) and whose
    shard has the recorded size; everything else is scored again and its shard
    replaced. A worker killed mid-task leaves at most a temporary file (removed at the
    next run); Dask runs the task again elsewhere and it rewrites the same shard, so no
    record is lost or written twice.

    Input files and the output directory must be visible at the same paths to the
    client and to every worker (one machine, or a shared filesystem). The model is
    read from its directory on each worker (the shipped model: each worker's installed
    copy) and checked against the card's sha256 the client saw.

Differences from the local ``score --jsonl``
    Each partition reads its lines through the same record stream as the local command
    (:func:`stance.score.records.record_batches`), so a record repeating an id used
    earlier *in the same partition* is refused as a duplicate, as locally. What Dask
    cannot check: a duplicate of an id used in an *earlier partition* (of the same file
    or of another). Partitions are scored independently, so such a record is scored and
    written like any other; with one partition per file (``partition_bytes`` at least
    the file size) every duplicate within a file is refused.

Why one module over 400 lines: the crash-safety protocol (a partition's shard, its
errors and its done-marker written in order; the markers read back on resume; the
errors merged with global line numbers) only holds if the worker and client sides
agree, and keeping them in one file keeps that agreement checkable in one read.
"""

from __future__ import annotations

import json
import os
import socket
import threading
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, NamedTuple

from .. import inputs as _inputs
from ..atomic import TEMP_GLOB, AtomicFile, dir_lock
from ..errors import InputError, StanceError
from ..inputs import iter_lines, parse_jsonl_line

DASK_MISSING = '--engine dask needs Dask: pip install "stance[dask]"'

try:  # guarded: the error names the install command instead of a traceback
    import dask  # noqa: F401
except ImportError:
    raise StanceError(DASK_MISSING) from None

from ..batch import dump_record, score_records, worker_model  # noqa: E402
from .records import record_batches, with_first_line  # noqa: E402

__all__ = [
    "DASK_MISSING",
    "DEFAULT_PARTITION_BYTES",
    "MANIFEST_NAME",
    "ERRORS_NAME",
    "score_archive",
    "read_errors",
    "require_dask",
    "model_in_worker",
    "model_ref",
]

DEFAULT_PARTITION_BYTES = 16 * 2**20
MANIFEST_NAME = "manifest.json"
ERRORS_NAME = "errors.jsonl"
LOCK_NAME = ".stance-dask.lock"
MARKER_FORMAT = 2  # 2: duplicate ids within a partition are refused
# Times a task is run again after raising (a task on a worker that dies is rescheduled
# by Dask itself, up to distributed.scheduler.allowed-failures times).
TASK_RETRIES = 2


def require_dask(module: str) -> Any:
    from importlib import import_module

    try:
        return import_module(module)
    except ImportError:
        raise StanceError(DASK_MISSING) from None


# -- the model, once per worker process ---------------------------------------------

_LOAD_LOCK = threading.Lock()
# (path, sha256) -> seconds the first load took in this process
_LOAD_SECONDS: dict[tuple[str | None, str], float] = {}


def model_in_worker(path: str | None, sha256: str) -> tuple[Any, dict[str, float] | None]:
    """The verified model (``worker_model``'s process cache) and, if this call loaded
    it, how long that took: ``seconds`` in all, of which ``import_seconds`` importing
    the scoring code (the rest: hashing and reading the model's scoring arrays)."""
    key = (path, sha256)
    if key in _LOAD_SECONDS:
        return worker_model(path, sha256), None
    with _LOAD_LOCK:
        if key in _LOAD_SECONDS:
            return worker_model(path, sha256), None
        if path is not None and not Path(path).exists():
            raise StanceError(
                f"model {path} not found on worker {socket.gethostname()}: put the model "
                "at the same path on every machine (or on a shared filesystem)"
            )
        t0 = time.perf_counter()
        from .. import linear as _linear  # noqa: F401  (numpy, scipy.sparse)
        from .. import model as _model  # noqa: F401

        t1 = time.perf_counter()
        loaded = worker_model(path, sha256)
        _LOAD_SECONDS[key] = seconds = time.perf_counter() - t0
        return loaded, {"seconds": round(seconds, 6), "import_seconds": round(t1 - t0, 6)}


def model_ref(model_path: str | Path | None) -> tuple[str | None, str, list[str], Path]:
    """Resolve the model on the client: (path for workers, sha256, labels, model file).

    The shipped model is passed as None, so each worker uses its own installed copy (its
    sha256 is still checked); any other model by its absolute directory.
    """
    from ..model import default_model_dir, read_card, resolve_model

    directory, _ = resolve_model(model_path)
    card = read_card(directory)
    try:
        shipped = directory.resolve() == default_model_dir().resolve()
    except OSError:
        shipped = False
    default = shipped and model_path is None and not os.environ.get("STANCE_MODEL")
    path = None if default else str(directory.resolve())
    return (
        path,
        str(card["model_sha256"]),
        [str(c) for c in card["labels"]],
        directory / str(card["model_file"]),
    )


# -- reading a byte range of a JSONL file -------------------------------------------


def _iter_range(
    path: str, start: int, end: int, encoding: str, limit: int
) -> Iterator[tuple[int, int, dict[str, Any] | None, str | None]]:
    """Yield (local line number from 1, byte offset, record, error) for every non-blank
    line starting in [start, end). The last item is (lines, -1, None, None): how many
    lines (blank ones included) start in the range. Lines are split as the local
    command splits them (:func:`~stance.inputs.iter_lines`: LF, CRLF or CR; a line over
    ``limit`` bytes is an error, skipped without reading it into memory)."""
    lines = 0
    with open(path, "rb") as fh:
        partial = start > 0
        if partial:  # from the byte before: the rest of a line that started earlier
            fh.seek(start - 1)
        for pos, raw in iter_lines(fh, limit, offset=fh.tell()):
            if partial:
                partial = False
                continue
            if pos >= end:
                break
            lines += 1
            item = parse_jsonl_line(raw, lines, encoding, limit)
            if item is not None:  # the local command's checks and messages
                yield lines, pos, item.record, item.error
    yield lines, -1, None, None


# -- files ---------------------------------------------------------------------------


def _dumps_line(obj: Any) -> bytes:
    try:  # the local `score --jsonl` serialization, shared on purpose
        return (dump_record(obj) + "\n").encode("utf-8")
    except UnicodeEncodeError:  # a file name that is not UTF-8, in errors.jsonl (records
        # with a lone surrogate are refused when parsed, by both engines)
        return (json.dumps(obj) + "\n").encode("ascii")


def _write_json_atomic(path: Path, obj: Any, indent: int | None = None) -> None:
    with AtomicFile(path, "w", encoding="utf-8") as af:
        json.dump(obj, af.file, ensure_ascii=False, indent=indent)
        af.file.write("\n")


def _fsync_dir(directory: Path) -> None:
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _shard_name(index: int) -> str:
    return f"part-{index:05d}.jsonl"


def _marker_path(out: Path, index: int) -> Path:
    return out / f"part-{index:05d}.done.json"


def _errors_path(out: Path, index: int) -> Path:
    return out / f"errors-{index:05d}.jsonl"


# -- one partition, in a worker ------------------------------------------------------


def _identity(spec: dict[str, Any], sha256: str, keep_text: bool, encoding: str) -> dict[str, Any]:
    """What a shard is made from: a marker with other values is not this shard's."""
    return {
        "marker_format": MARKER_FORMAT,
        "shard": _shard_name(spec["index"]),
        "input": spec["abspath"],
        "input_bytes": spec["size"],
        "input_mtime_ns": spec["mtime_ns"],
        "start": spec["start"],
        "end": spec["end"],
        "model_sha256": sha256,
        "keep_text": keep_text,
        "encoding": encoding,
        "max_record_bytes": spec["max_record_bytes"],
    }


class _RangeRecord(NamedTuple):
    """One line of a partition: as :class:`~stance.inputs.JsonlRecord`, with its byte
    offset."""

    line: int
    record: dict[str, Any] | None
    error: str | None
    offset: int


def _score_partition(
    spec: dict[str, Any],
    model_path: str | None,
    sha256: str,
    keep_text: bool,
    encoding: str,
    out_dir: str,
) -> dict[str, Any]:
    """Score one partition into its shard; return its marker plus worker facts."""
    t0 = time.perf_counter()
    out = Path(out_dir)
    index = spec["index"]
    marker = _marker_path(out, index)
    marker.unlink(missing_ok=True)  # from here until the new marker: not complete
    st = os.stat(spec["abspath"])
    if st.st_size != spec["size"] or st.st_mtime_ns != spec["mtime_ns"]:
        raise InputError(f"{spec['display']} changed while scoring; rerun the command")
    model, load = model_in_worker(model_path, sha256)

    shard = out / _shard_name(index)
    errors_final = _errors_path(out, index)
    records = n_errors = html = not_arabic = lines = 0

    def items() -> Iterator[_RangeRecord]:
        nonlocal lines
        for line, offset, rec, err in _iter_range(
            spec["abspath"], spec["start"], spec["end"], encoding, spec["max_record_bytes"]
        ):
            if offset < 0:
                lines = line
            else:
                yield _RangeRecord(line, rec, err, offset)

    with AtomicFile(shard) as shard_file, AtomicFile(errors_final) as errors_file:
        sh, eh = shard_file.file, errors_file.file

        def refused(item: Any, error: str, first: int | None) -> None:
            nonlocal n_errors
            n_errors += 1
            entry = {"local_line": item.line, "offset": item.offset, "error": error}
            if first is not None:  # a duplicate id: the line it was first used on
                entry["first_local_line"] = first
            eh.write(_dumps_line(entry))

        for batch in record_batches(items(), refused):
            scored = score_records(model, batch, keep_text)
            sh.write(b"".join(_dumps_line(r) for r in scored.records))
            records += len(scored.records)
            html += scored.html
            not_arabic += scored.not_arabic
        shard_file.commit()
        if n_errors:
            errors_file.commit()
        else:
            errors_file.discard()
            errors_final.unlink(missing_ok=True)
    done = {
        **_identity(spec, sha256, keep_text, encoding),
        "lines": lines,
        "records": records,
        "errors": n_errors,
        "html": html,
        "not_arabic": not_arabic,
        "shard_bytes": shard.stat().st_size,
    }
    _write_json_atomic(marker, done)  # the commit point
    _fsync_dir(out)
    return {
        **done,
        "index": index,
        "worker": f"{socket.gethostname()}:{os.getpid()}",
        "model_load": load,
        "task_seconds": round(time.perf_counter() - t0, 6),
    }


# -- the client side -----------------------------------------------------------------


def expand_inputs(inputs: Sequence[str], out_dir: str | Path | None = None) -> list[str]:
    """The input files of an archive run: :func:`stance.inputs.expand_inputs` with the
    engine's rules (globs, no stdin, missing files refused, duplicates dropped, nothing
    read from inside ``out_dir``)."""
    return _inputs.expand_inputs(inputs, archive=True, out_dir=out_dir)


def plan_partitions(
    files: Sequence[str], partition_bytes: int, max_record_bytes: int | None = None
) -> list[dict[str, Any]]:
    """Byte-range partitions of the files, from their sizes only. ``max_record_bytes``:
    the longest record (default: :data:`stance.inputs.MAX_RECORD_BYTES`, read here on
    the client, so the workers apply the limit the local command applies)."""
    if partition_bytes < 1:
        raise ValueError("partition_bytes must be positive")
    if max_record_bytes is None:
        from .. import inputs

        max_record_bytes = inputs.MAX_RECORD_BYTES
    specs: list[dict[str, Any]] = []
    for f in files:
        st = os.stat(f)
        for start in range(0, st.st_size, partition_bytes):
            specs.append(
                {
                    "index": len(specs),
                    "display": f,
                    "abspath": os.path.abspath(f),
                    "size": st.st_size,
                    "mtime_ns": st.st_mtime_ns,
                    "start": start,
                    "end": min(start + partition_bytes, st.st_size),
                    "max_record_bytes": max_record_bytes,
                }
            )
    return specs


def _read_marker(out: Path, spec: dict[str, Any], identity: dict[str, Any]) -> dict | None:
    """The partition's marker if it proves the shard complete for this run, else None."""
    try:
        marker = json.loads(_marker_path(out, spec["index"]).read_text("utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(marker, dict) or any(marker.get(k) != v for k, v in identity.items()):
        return None
    try:
        if (out / identity["shard"]).stat().st_size != marker.get("shard_bytes"):
            return None
        if marker.get("errors") and not _errors_path(out, spec["index"]).is_file():
            return None
    except OSError:
        return None
    return marker


def _dir_lock(out: Path) -> Any:
    """An exclusive lock on the output directory, so two runs cannot interleave."""
    return dir_lock(
        out,
        LOCK_NAME,
        lambda: StanceError(
            f"{out}: another `stance score --engine dask` is writing "
            "here; wait for it, or use another --out-dir directory"
        ),
    )


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds")


def _connect(scheduler: str | None, n_workers: int | None) -> tuple[Any, Any, str]:
    """(client, cluster or None, description); a local cluster without a scheduler."""
    distributed = require_dask("distributed")
    if scheduler:
        try:
            client = distributed.Client(scheduler, timeout="20s")
        except (OSError, TimeoutError) as exc:
            raise StanceError(
                f"cannot reach the Dask scheduler at {scheduler} ({exc}); check the "
                "address, or leave out --scheduler to run on this machine"
            ) from None
        return client, None, f"scheduler {scheduler}"
    import logging

    if n_workers:
        n = n_workers
    elif hasattr(os, "sched_getaffinity"):
        n = len(os.sched_getaffinity(0))
    else:  # pragma: no cover - macOS, Windows
        n = os.cpu_count() or 1
    cluster = distributed.LocalCluster(
        n_workers=n,
        threads_per_worker=1,
        processes=True,
        dashboard_address=None,
        # no dashboard; the scheduler's small HTTP server on any free port, so a busy
        # 8787 (another cluster) is no warning
        scheduler_kwargs={"dashboard_address": ":0"},
        silence_logs=logging.ERROR,
    )
    return distributed.Client(cluster), cluster, f"local cluster, {n} worker(s)"


def score_archive(
    inputs: Sequence[str],
    out_dir: str | Path,
    model_path: str | Path | None = None,
    scheduler: str | None = None,
    n_workers: int | None = None,
    keep_text: bool = False,
    partition_bytes: int = DEFAULT_PARTITION_BYTES,
    encoding: str = "utf-8",
    progress: Callable[[str], None] | None = None,
) -> dict[str, Any]:
    """Score JSONL files (paths or globs) into ``out_dir`` on a Dask cluster.

    Without ``scheduler`` a local cluster of ``n_workers`` single-threaded worker
    processes (default: this machine's cores) is started and stopped. Partitions with a
    matching done-marker from an earlier run are skipped. Returns the manifest, also
    written to ``out_dir/manifest.json``. Raises :class:`StanceError` for problems that
    stop the run (no inputs, bad model, unreachable scheduler); bad records do not.
    """
    from importlib.metadata import PackageNotFoundError, version

    say = progress or (lambda _msg: None)
    started, t0 = _now(), time.perf_counter()
    files = expand_inputs(inputs, out_dir)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    from ..model import load_model

    path, sha256, _labels, model_file = model_ref(model_path)
    load_model(model_path)  # verify on the client too: a bad model fails here, once
    specs = plan_partitions(files, partition_bytes)
    try:
        pkg_version = version("stance")
    except PackageNotFoundError:  # pragma: no cover
        pkg_version = "0.0.0"

    with _dir_lock(out):
        _remove_temps(out)
        done: dict[int, dict[str, Any]] = {}
        todo: list[dict[str, Any]] = []
        for spec in specs:
            marker = _read_marker(out, spec, _identity(spec, sha256, keep_text, encoding))
            if marker is not None:
                done[spec["index"]] = marker
            else:
                todo.append(spec)
        say(
            f"{len(files)} file(s), {len(specs)} partition(s) of up to "
            f"{partition_bytes / 2**20:g} MiB; {len(done)} already complete, "
            f"{len(todo)} to score"
        )
        results: list[dict[str, Any]] = []
        where = "no cluster needed"
        if todo:
            client, cluster, where = _connect(scheduler, n_workers)
            try:
                results = _run_tasks(
                    client, todo, path, sha256, keep_text, encoding, out, len(specs), say
                )
            finally:
                client.close()
                if cluster is not None:
                    cluster.close()
        for r in results:
            done[r["index"]] = r
        # Check every marker again: the manifest only describes shards that are on disk.
        missing = []
        for spec in specs:
            marker = _read_marker(out, spec, _identity(spec, sha256, keep_text, encoding))
            if marker is None:
                missing.append(_shard_name(spec["index"]))
        if missing:
            raise StanceError(
                f"{len(missing)} shard(s) were changed during the run ({', '.join(missing[:5])}"
                f"{'...' if len(missing) > 5 else ''}); rerun the command"
            )
        n_errors = _merge_errors(out, specs, done)
        _remove_stale(out, len(specs))
        _remove_temps(out)  # left by workers that died mid-task
        elapsed = time.perf_counter() - t0
        loads = [
            {"worker": r["worker"], **r["model_load"]}
            for r in results
            if r.get("model_load") is not None
        ]
        scored_ids = {r["index"] for r in results}
        scored_now = sum(r["records"] + r["errors"] for r in results)
        manifest = {
            "manifest_format": 1,
            "package_version": pkg_version,
            "engine": "dask",
            "cluster": where,
            "started": started,
            "finished": _now(),
            "elapsed_seconds": round(elapsed, 3),
            "model": {
                "path": str(model_file.parent),
                "file": model_file.name,
                "bytes": model_file.stat().st_size,
                "sha256": sha256,
            },
            "options": {
                "keep_text": keep_text,
                "encoding": encoding,
                "partition_bytes": partition_bytes,
                "max_record_bytes": specs[0]["max_record_bytes"] if specs else None,
            },
            "inputs": [
                {"path": f, "bytes": os.stat(f).st_size, "mtime_ns": os.stat(f).st_mtime_ns}
                for f in files
            ],
            "records": sum(done[s["index"]]["records"] for s in specs),
            "errors": n_errors,
            "html": sum(done[s["index"]]["html"] for s in specs),
            "not_arabic": sum(done[s["index"]]["not_arabic"] for s in specs),
            "shards": len(specs),
            "shards_skipped": len(specs) - len(results),
            "shards_scored": len(results),
            "errors_file": ERRORS_NAME,
            "records_per_second": round(scored_now / elapsed, 1) if results else None,
            "model_loads": loads,
            "model_load_seconds_mean": (
                round(sum(x["seconds"] for x in loads) / len(loads), 6) if loads else None
            ),
            "partitions": [
                {
                    "shard": _shard_name(s["index"]),
                    "input": s["display"],
                    "start": s["start"],
                    "end": s["end"],
                    "first_line": done[s["index"]]["first_line"],
                    "lines": done[s["index"]]["lines"],
                    "records": done[s["index"]]["records"],
                    "errors": done[s["index"]]["errors"],
                    "shard_bytes": done[s["index"]]["shard_bytes"],
                    "skipped": s["index"] not in scored_ids,
                    "worker": done[s["index"]].get("worker"),
                    "seconds": done[s["index"]].get("task_seconds"),
                }
                for s in specs
            ],
        }
        _write_json_atomic(out / MANIFEST_NAME, manifest, indent=2)
        _fsync_dir(out)
    return manifest


def _run_tasks(
    client: Any,
    todo: list[dict[str, Any]],
    path: str | None,
    sha256: str,
    keep_text: bool,
    encoding: str,
    out: Path,
    total: int,
    say: Callable[[str], None],
) -> list[dict[str, Any]]:
    distributed = require_dask("distributed")
    futures = [
        client.submit(
            _score_partition,
            spec,
            path,
            sha256,
            keep_text,
            encoding,
            str(out.resolve()),
            key=f"stance-{_shard_name(spec['index'])}-{uuid.uuid4().hex[:8]}",
            retries=TASK_RETRIES,
            pure=False,
        )
        for spec in todo
    ]
    results = []
    for n, fut in enumerate(distributed.as_completed(futures), 1):
        try:
            r = fut.result()
        except StanceError:
            client.cancel(futures)
            raise
        except distributed.KilledWorker as exc:
            client.cancel(futures)
            raise StanceError(
                f"workers kept dying on a task ({exc}); check the workers' memory and logs"
            ) from None
        results.append(r)
        say(
            f"{r['shard']}: {r['records']} records, {r['errors']} failed "
            f"({r['task_seconds']:.1f} s on {r['worker']}) [{n}/{len(todo)}]"
        )
    return results


def _merge_errors(out: Path, specs: list[dict[str, Any]], done: dict[int, dict]) -> int:
    """Give each partition its first line number and write ``errors.jsonl``: every bad
    line with its file and line number, in input order. Returns the count."""
    first_line: dict[str, int] = {}
    n = 0
    final = out / ERRORS_NAME
    with AtomicFile(final) as af:
        for spec in specs:
            m = done[spec["index"]]
            base = first_line.get(spec["abspath"], 1)
            m["first_line"] = base
            first_line[spec["abspath"]] = base + m["lines"]
            if not m["errors"]:
                continue
            with open(_errors_path(out, spec["index"]), "rb") as eh:
                for raw in eh:
                    e = json.loads(raw)
                    n += 1
                    af.file.write(
                        _dumps_line(
                            {
                                "file": spec["display"],
                                "line": base + e["local_line"] - 1,
                                "error": with_first_line(
                                    e["error"],
                                    base + e["first_local_line"] - 1
                                    if "first_local_line" in e
                                    else None,
                                ),
                                "shard": _shard_name(spec["index"]),
                            }
                        )
                    )
    return n


def read_errors(out_dir: str | Path) -> Iterator[dict[str, Any]]:
    """The bad lines of a run, from ``errors.jsonl``: ``{"file", "line", "error",
    "shard"}`` each, in input order."""
    with open(Path(out_dir) / ERRORS_NAME, encoding="utf-8") as fh:
        for raw in fh:
            yield json.loads(raw)


def _remove_temps(out: Path) -> None:
    for stale in out.glob(TEMP_GLOB):
        stale.unlink(missing_ok=True)


def _remove_stale(out: Path, n_partitions: int) -> None:
    """Shards of an earlier run over more partitions are not part of this output."""
    import re

    pat = re.compile(r"(?:part-(\d{5,})\.(?:jsonl|done\.json)|errors-(\d{5,})\.jsonl)$")
    for p in out.iterdir():
        m = pat.match(p.name)
        if m and int(m.group(1) or m.group(2)) >= n_partitions:
            p.unlink(missing_ok=True)
