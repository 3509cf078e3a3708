"""`stance score --jsonl --engine dask`: run the Dask engine (stance.score.archive) and
report on stderr what it returns."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import click

from ..errors import StanceError

__all__ = ["run_dask"]


def run_dask(
    inputs: Sequence[str],
    out_dir: str | Path,
    scheduler: str | None = None,
    model_path: str | Path | None = None,
    keep_text: bool = False,
    n_workers: int | None = None,
    partition_bytes: int | None = None,
    encoding: str = "utf-8",
    quiet: bool = False,
) -> int:
    """``stance score --jsonl --engine dask``: run, report on stderr, return the exit
    code (1 when any record failed). Errors that stop the run raise ClickException.

    Bad records are listed (the first 20) and the last line is the summary:
    ``N records in M shards, K failed (R records/s); manifest: DIR/manifest.json``.
    ``quiet`` drops the progress lines and warnings, not the errors or the summary.
    """
    from ..score.archive import (
        DEFAULT_PARTITION_BYTES,
        ERRORS_NAME,
        MANIFEST_NAME,
        read_errors,
        score_archive,
    )

    if partition_bytes is None:
        partition_bytes = DEFAULT_PARTITION_BYTES

    def say(msg: str) -> None:
        click.echo(msg, err=True)

    def note(msg: str) -> None:
        if not quiet:
            say(msg)

    try:
        m = score_archive(
            inputs,
            out_dir,
            model_path=model_path,
            scheduler=scheduler,
            n_workers=n_workers,
            keep_text=keep_text,
            partition_bytes=partition_bytes,
            encoding=encoding,
            progress=note,
        )
    except StanceError as exc:
        raise click.ClickException(str(exc)) from None
    except OSError as exc:
        raise click.ClickException(f"{exc.filename or out_dir}: {exc.strerror or exc}") from None
    out = Path(out_dir)
    if m["model_loads"]:
        imports = sum(x["import_seconds"] for x in m["model_loads"])
        note(
            f"model loaded {len(m['model_loads'])} time(s) for {m['shards_scored']} task(s) "
            f"(once per worker process), {m['model_load_seconds_mean']:.2f} s each on average, "
            f"{imports / len(m['model_loads']):.2f} s of it importing the scoring code"
        )
    if m["errors"]:
        for shown, e in enumerate(read_errors(out)):
            if shown == 20:
                say(f"error: ... and {m['errors'] - 20} more in {out / ERRORS_NAME}")
                break
            say(f"error: {e['file']}:{e['line']}: {e['error']}")
    if m["html"]:
        note(f"warning: {m['html']} record(s) held HTML; scored their extracted text")
    if m["not_arabic"]:
        note(f'warning: {m["not_arabic"]} record(s) have no Arabic text ("arabic": false)')
    rate = f" ({m['records_per_second']:.0f} records/s)" if m["records_per_second"] else ""
    say(
        f"{m['records']} records in {m['shards']} shards, {m['errors']} failed{rate}; "
        f"manifest: {out / MANIFEST_NAME}"
    )
    return 1 if m["errors"] else 0
