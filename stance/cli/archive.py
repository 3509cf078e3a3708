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
    from ..render.text import render_archive_run

    out = Path(out_dir)
    errors = read_errors(out) if m["errors"] else iter(())
    for always, line in render_archive_run(m, out, errors, ERRORS_NAME, MANIFEST_NAME):
        if always:
            say(line)
        else:
            note(line)
    return 1 if m["errors"] else 0
