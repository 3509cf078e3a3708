"""`stance score`: parse the options, score with the library (stance.score), print."""

from __future__ import annotations

import gc
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click

from ..errors import StanceError
from . import (
    cap_jobs,
    fail,
    interactive,
    load,
    main,
    model_option,
    note,
    open_output,
    output_option,
    progress,
    refuse_output_over_input,
    set_quiet,
    user_errors,
    warn,
)


@main.command()
@click.argument("inputs", nargs=-1, required=True, metavar="FILE... | DIR | -")
@click.option(
    "--jsonl",
    is_flag=True,
    help='Inputs are JSON Lines of {"id","text",...}; each record is scored as one '
    "passage (no sentence splitting) and written as one output line, in order.",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "json", "csv", "html"]),
    default="table",
    show_default=True,
    help="Article output: readable table, one JSON object per article, CSV with one row "
    "per sentence (for pandas or a spreadsheet), or one self-contained HTML report of all "
    "articles (ignored with --jsonl, which always writes JSON Lines).",
)
@output_option
@click.option(
    "--source",
    metavar="NAME",
    default=None,
    help='The outlet of all the article files, e.g. "Al Jazeera" (recorded as their '
    "source; see `stance sources`). For one outlet per file use --outlets-csv.",
)
@click.option(
    "--outlets-csv",
    "sources_csv",
    metavar="CSV",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="A CSV file with the header path,source[,date] naming each file's outlet (and "
    "date); overrides --source for the files it lists. Every input it does not cover and "
    "every row that matches no input is reported.",
)
@click.option(
    "--sources",
    "old_sources_csv",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    hidden=True,  # deprecated: one letter from --source
)
@click.option(
    "--encoding",
    default="utf-8",
    show_default=True,
    help="Encoding of the inputs (e.g. cp1256 for windows-1256 files).",
)
@click.option(
    "--lang",
    type=click.Choice(["en", "ar"]),
    default="en",
    show_default=True,
    help="Interface language of --format html (headings, legend, tooltips).",
)
@click.option(
    "--explain/--no-explain",
    default=None,
    help="Why each sentence got its label: the words, n-grams and loaded terms that pushed "
    "it there, with their signed contributions. Shown under each sentence of the table "
    'with --explain; JSON ("evidence") and HTML (tooltips) carry them unless '
    "--no-explain, which also saves the time they take.",
)
@click.option("--keep-text", is_flag=True, help='With --jsonl: copy "text" into the output.')
@click.option(
    "--on-error",
    type=click.Choice(["skip", "fail"]),
    default="skip",
    show_default=True,
    help="With --jsonl: on a bad record (invalid JSON, missing or non-string text, "
    "duplicate id) report it and go on (skip), or stop at the first one (fail). "
    "Either way the exit code is 1.",
)
@click.option(
    "--jobs",
    "-j",
    type=click.IntRange(min=1),
    default=1,
    show_default=True,
    help="With --jsonl: score batches in this many processes (output order is kept); "
    "with --engine dask and no --scheduler, the number of local workers.",
)
@click.option(
    "--engine",
    type=click.Choice(["local", "dask"]),
    default="local",
    show_default=True,
    help="With --jsonl: `dask` scores the input files on a Dask cluster (needs --out; "
    'pip install "stance[dask]").',
)
@click.option(
    "--out-dir",
    "out_dir",
    metavar="DIR",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="With --engine dask: a DIRECTORY for the output shards, errors.jsonl and "
    "manifest.json (-o/--output writes ONE file, for the local engine).",
)
@click.option(
    "--out",
    "old_out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    hidden=True,  # deprecated: beside -o/--output (one file) it was easy to confuse
)
@click.option(
    "--scheduler",
    default=None,
    help="With --engine dask: address of a running Dask scheduler "
    "(default: a local cluster on this machine's cores).",
)
@click.option("-q", "--quiet", is_flag=True, help="No progress bar and no warnings on stderr.")
@model_option
@user_errors
def score(
    inputs: tuple[str, ...],
    jsonl: bool,
    fmt: str,
    output: Path | None,
    source: str | None,
    sources_csv: Path | None,
    old_sources_csv: Path | None,
    encoding: str,
    lang: str,
    explain: bool | None,
    keep_text: bool,
    on_error: str,
    jobs: int,
    engine: str,
    out_dir: Path | None,
    old_out_dir: Path | None,
    scheduler: str | None,
    quiet: bool,
    model_path: Path | None,
) -> None:
    """Label every sentence of each article (FILE, DIR of articles, or - for stdin) pro /
    critical / neutral and summarize its lean.

    A file that cannot be read is reported and counted, and the others are still
    scored; the exit code is then 1. A progress bar shows on stderr when it is a
    terminal.

    \b
    Examples:
      stance score examples/sample_article.txt
      stance score --explain examples/sample_article.txt
      stance score --format json --source "Al Jazeera" articles/
      stance score --format csv -o sentences.csv articles/
      stance score --format html -o report.html --outlets-csv outlets.csv articles/
      cat records.jsonl | stance score --jsonl -
      stance score --jsonl --jobs 2 archive.jsonl -o scored.jsonl
      stance score --jsonl 'archive/*.jsonl' --engine dask --out-dir scored/

    (articles/, outlets.csv, records.jsonl and archive/ stand for your own files.)
    """
    set_quiet(quiet)
    sources_csv = deprecated("--sources", "--outlets-csv", old_sources_csv, sources_csv)
    out_dir = deprecated("--out", "--out-dir", old_out_dir, out_dir)
    check_source_options(source, sources_csv)
    if jsonl and sources_csv is not None:
        raise click.UsageError(
            "--outlets-csv names the outlets of article files; JSONL records carry their "
            'own fields: give each record a "source" (and a "date")'
        )
    if engine == "dask":
        if output is not None:
            raise click.UsageError(
                f"-o/--output writes one file; --engine dask writes a directory of shards: "
                f"use --out-dir {output} (a directory) instead"
            )
        if not jsonl or out_dir is None:
            raise click.UsageError(
                "--engine dask scores JSONL archives: add --jsonl and --out-dir DIR"
            )
        from ..score import archive  # noqa: F401  (without Dask: the install command)
        from .archive import run_dask

        workers = jobs if jobs > 1 else None  # default: one worker per core
        if workers and scheduler is None:
            workers = cap_jobs(workers)
        sys.exit(
            run_dask(
                list(inputs),
                out_dir,
                scheduler,
                model_path,
                keep_text,
                n_workers=workers,
                encoding=encoding,
                quiet=quiet,
            )
        )
    if out_dir is not None:
        raise click.UsageError(
            "--out-dir is the Dask engine's directory of shards (with --jsonl --engine "
            f"dask); to write the output to one file use -o {out_dir}"
        )
    if scheduler is not None:
        raise click.UsageError("--scheduler goes with --engine dask")
    if jobs > 1 and not jsonl:
        raise click.UsageError("--jobs applies to --jsonl input")
    jobs = cap_jobs(jobs)
    from ..inputs import expand_inputs
    from ..outlets import read_sources_csv

    paths = expand_inputs(inputs, jsonl)
    refuse_output_over_input(output, paths)
    table = read_sources_csv(sources_csv) if sources_csv else None
    model = load(model_path)
    found: dict[str, Any] = {}
    if table is not None and not jsonl:
        matched = table.match(paths)
        for message in matched.warnings(source):
            warn(message)
        found = matched.found
    with open_output(output, plain=jsonl) as out:
        if jsonl:
            failures = _score_jsonl_inputs(
                model, paths, out, encoding, keep_text, on_error == "fail", jobs, model_path
            )
        else:
            failures = _score_articles(
                model, paths, out, fmt, encoding, source, found, explain, lang, model_path
            )
    if failures:
        what = "records and inputs" if jsonl else f"of {len(paths)} files"
        fail(f"{failures} input(s) failed ({what}); see the messages above")
        sys.exit(1)


def deprecated(old: str, new: str, old_value: Any, value: Any) -> Any:
    """The value of an option given under its old or its new spelling (not both), with
    a note when the old one was used."""
    if old_value is None:
        return value
    if value is not None:
        raise click.UsageError(f"{old} is the old spelling of {new}: give only {new}")
    note(f"{old} is deprecated and will be removed; use {new}")
    return old_value


def check_source_options(source: str | None, sources_csv: Path | None) -> None:
    """Hint at the other option when --source names a CSV file or --outlets-csv names
    something that is not a file (an outlet, say)."""
    if source is not None and source.lower().endswith(".csv"):
        if Path(source).is_file():
            raise click.UsageError(
                f"--source names the outlet of all the files, and {source!r} is a CSV "
                f"file: to read each file's outlet from it, use --outlets-csv {source}"
            )
        warn(
            f"--source {source!r} looks like a CSV file name; it is recorded as the outlet "
            "name. To read outlets from a CSV, use --outlets-csv FILE"
        )
    if sources_csv is not None and not sources_csv.exists():
        text = str(sources_csv)
        if sources_csv.suffix.lower() != ".csv" and "/" not in text and os.sep not in text:
            raise click.UsageError(
                f"--outlets-csv {text!r}: no such file. --outlets-csv reads a CSV file "
                f'(path,source[,date]); to name the outlet of all the files, use --source "{text}"'
            )
        raise click.UsageError(f"--outlets-csv {text}: no such file")


def _score_articles(
    model: Any,
    paths: list[str],
    out: Any,
    fmt: str,
    encoding: str,
    source: str | None,
    found: dict[str, Any],
    explain: bool | None,
    lang: str,
    model_path: Path | None,
) -> int:
    """Score the article files, writing each in ``fmt`` (HTML: one page at the end);
    the number of files that could not be read."""
    from ..render import tabular, text
    from ..score.articles import score_article_file

    failures = 0
    articles = []
    why = bool(explain) if fmt in ("table", "csv") else explain is not False
    if fmt == "csv":
        out(tabular.csv_chunk([tabular.csv_header(model.classes_)]))
    with progress(len(paths), "scoring articles") as bar:
        for path in paths:
            try:
                article = score_article_file(
                    model, path, encoding, source, found.get(path), why, warn
                )
            except StanceError as exc:
                fail(str(exc))
                article = None
            bar.update(1)
            if article is None:
                failures += 1
            elif fmt == "html":
                articles.append(article)
            elif fmt == "json":
                out(tabular.dump_record(article.to_dict()))
            elif fmt == "csv":
                out(tabular.csv_chunk(tabular.csv_rows(article, model.classes_)))
            else:
                out(text.render_table(article, explain=why))
    if fmt == "html":
        from ..render.html import render_html, report_meta

        meta = report_meta(model, model_path, paths)
        out(render_html(articles, lexicon=model.lexicon, lang=lang, meta=meta))
    return failures


def _score_jsonl_inputs(
    model: Any,
    paths: list[str],
    out: Any,
    encoding: str,
    keep_text: bool,
    stop: bool,
    jobs: int,
    model_path: Path | None,
) -> int:
    """Score the JSONL inputs in turn; the number of lines refused and errors."""
    from ..score.records import score_jsonl

    failures = 0
    with _fewer_collections():
        for path in paths:
            live = interactive()

            def count(done: int, path: str = path) -> None:  # the total is unknown while streaming
                click.echo(f"\r{path}: {done:,} records scored", err=True, nl=False)

            run = score_jsonl(
                model, path, out, fail, encoding, keep_text, stop, jobs, model_path,
                on_progress=count if live else None,
            )  # fmt: skip
            if live and run.done and not run.interrupted:
                click.echo("", err=True)
            for message in run.warnings(path):
                warn(message)
            failures += run.failures
            if failures and stop:
                break
    return failures


@contextmanager
def _fewer_collections() -> Iterator[None]:
    """Run the garbage collector less often while records stream through.

    Each record allocates short-lived containers (its dict, lists per text) that
    reference counting frees, yet every 700 of them start a collection that walks the
    young objects: about 3 % of `score --jsonl`. Records are scored in bounded batches
    and scoring makes no reference cycles to speak of, so collecting every 20,000
    allocations keeps memory as flat; the objects alive now (the model) are frozen out
    of the collections."""
    threshold = gc.get_threshold()
    gc.freeze()
    gc.set_threshold(max(threshold[0], 20_000), *threshold[1:])
    try:
        yield
    finally:
        gc.set_threshold(*threshold)
        gc.unfreeze()
