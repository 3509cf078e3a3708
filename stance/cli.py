"""The `stance` command line: a thin layer over the library API.

Heavy modules (scikit-learn, the model) are imported inside the commands so that
``stance --help`` stays fast.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click

from .errors import StanceError


def _model_option(f: Any) -> Any:
    return click.option(
        "--model",
        "model_path",
        type=click.Path(path_type=Path),
        envvar="STANCE_MODEL",
        default=None,
        help="Model directory (holding card.json) instead of the shipped model. "
        "Model files are code: use only models from trusted sources. [env: STANCE_MODEL]",
    )(f)


def _output_option(f: Any) -> Any:
    return click.option(
        "-o",
        "--output",
        type=click.Path(dir_okay=False, path_type=Path),
        default=None,
        help="Write the output to this file (atomically) instead of stdout.",
    )(f)


def _annotations_option(f: Any) -> Any:
    return click.option(
        "--annotations",
        "annotations_dir",
        type=click.Path(path_type=Path),
        default=Path("annotations"),
        show_default=True,
        help="Directory of annotated sentences (*.jsonl, searched recursively).",
    )(f)


def _load(model_path: Path | None) -> Any:
    from .model import load_model

    return load_model(model_path)


def _dump(obj: Any) -> str:
    from .batch import dump_record

    return dump_record(obj)


def _fail(message: str) -> None:
    click.echo(f"error: {message}", err=True)


def _warn(message: str) -> None:
    if not _QUIET:
        click.echo(f"warning: {message}", err=True)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="stance")
def main() -> None:
    """Stance and loaded-term analysis of Arabic coverage of the Abraham Accords."""
    global _QUIET
    _QUIET = False  # per invocation: `score --quiet` must not silence a later command


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
@_output_option
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
@_model_option
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
    global _QUIET
    _QUIET = quiet
    sources_csv = _deprecated("--sources", "--outlets-csv", old_sources_csv, sources_csv)
    out_dir = _deprecated("--out", "--out-dir", old_out_dir, out_dir)
    _check_source_options(source, sources_csv)
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
        try:
            from .dask_engine import run_cli
        except StanceError as exc:
            raise click.ClickException(str(exc)) from None
        workers = jobs if jobs > 1 else None  # default: one worker per core
        if workers and scheduler is None:
            workers = _cap_jobs(workers)
        sys.exit(
            run_cli(
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
    jobs = _cap_jobs(jobs)
    from .report import csv_header, csv_rows

    try:
        from .inputs import expand_inputs, read_sources_csv

        paths = expand_inputs(inputs, jsonl)
        _refuse_output_over_input(output, paths)
        table = read_sources_csv(sources_csv) if sources_csv else None
        model = _load(model_path)
    except StanceError as exc:
        raise click.ClickException(str(exc)) from None
    found = _match_sources(table, paths, source) if table is not None and not jsonl else {}
    failures = 0
    with _output(output) as out:
        if jsonl:
            for path in paths:
                failures += _score_jsonl(
                    model, path, encoding, keep_text, on_error == "fail", jobs, model_path, out
                )
                if failures and on_error == "fail":
                    break
        else:
            articles = []
            why = bool(explain) if fmt in ("table", "csv") else explain is not False
            if fmt == "csv":
                out(_csv_chunk([csv_header(model.classes_)]))
            with _progress(len(paths), "scoring articles") as bar:
                for path in paths:
                    article = _score_file(model, path, encoding, source, found, why)
                    bar.update(1)
                    if article is None:
                        failures += 1
                    elif fmt == "html":
                        articles.append(article)
                    elif fmt == "json":
                        out(_dump(article.to_dict()))
                    elif fmt == "csv":
                        out(_csv_chunk(csv_rows(article, model.classes_)))
                    else:
                        out(render_table(article, explain=why))
            if fmt == "html":
                from .html_report import render_html

                meta = _report_meta(model, model_path, paths)
                out(render_html(articles, lexicon=model.lexicon, lang=lang, meta=meta))
    if failures:
        what = "records and inputs" if jsonl else f"of {len(paths)} files"
        _fail(f"{failures} input(s) failed ({what}); see the messages above")
        sys.exit(1)


_QUIET = False
# Warnings listed one per line up to this many, then counted.
_LIST_MAX = 20


def _note(message: str) -> None:
    """A note on stderr (deprecations), silenced by --quiet."""
    if not _QUIET:
        click.echo(f"note: {message}", err=True)


def _deprecated(old: str, new: str, old_value: Any, value: Any) -> Any:
    """The value of an option given under its old or its new spelling (not both), with
    a note when the old one was used."""
    if old_value is None:
        return value
    if value is not None:
        raise click.UsageError(f"{old} is the old spelling of {new}: give only {new}")
    _note(f"{old} is deprecated and will be removed; use {new}")
    return old_value


def _check_source_options(source: str | None, sources_csv: Path | None) -> None:
    """Hint at the other option when --source names a CSV file or --outlets-csv names
    something that is not a file (an outlet, say)."""
    if source is not None and source.lower().endswith(".csv"):
        if Path(source).is_file():
            raise click.UsageError(
                f"--source names the outlet of all the files, and {source!r} is a CSV "
                f"file: to read each file's outlet from it, use --outlets-csv {source}"
            )
        _warn(
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


def _match_sources(table: Any, paths: list[str], source: str | None) -> dict[str, Any]:
    """Match the inputs with the sources CSV's rows, warning for every input it does not
    cover and every row that matches no input, and noting file-name matches."""
    m = table.match(paths)
    csv_name = table.csv_path
    fallback = f"recorded as --source {source!r}" if source else "its source is its file path"
    for path in m.uncovered[:_LIST_MAX]:
        _warn(f"{path}: not in {csv_name}; {fallback}")
    if len(m.uncovered) > _LIST_MAX:
        _warn(f"... and {len(m.uncovered) - _LIST_MAX} more inputs not in {csv_name}")
    for row in m.unused[:_LIST_MAX]:
        _warn(f"{csv_name}:{row.line}: {row.path} matches no input file")
    if len(m.unused) > _LIST_MAX:
        _warn(f"... and {len(m.unused) - _LIST_MAX} more rows of {csv_name} match no input")
    if m.by_name:
        _warn(
            f"{len(m.by_name)} input(s) matched {csv_name} by file name only (its paths "
            f"resolve neither from here nor from {csv_name.parent}), e.g. {m.by_name[0]}"
        )
    if m.uncovered and not m.found:
        _warn(
            f"no input matched {csv_name}: write its paths as given on the command line or "
            f"relative to {csv_name.parent}"
        )
    return m.found


def _cpu_count() -> int:
    """CPUs this process may run on."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1  # pragma: no cover - macOS, Windows


def _cap_jobs(jobs: int) -> int:
    """``--jobs`` beyond the CPU count only adds processes that wait (and 100,000 of
    them exhaust the machine): use the CPU count, and say so."""
    cpus = _cpu_count()
    if jobs <= cpus:
        return jobs
    _warn(f"--jobs {jobs} is more than the {cpus} CPU(s) here; using {cpus}")
    return cpus


def _refuse_output_over_input(output: Path | None, inputs: Any) -> None:
    """``-o`` naming one of the inputs (also through a symbolic or hard link) would
    replace the input with the output: a usage error, before anything is read."""
    if output is None:
        return
    try:
        out = os.stat(output)
    except OSError:
        return  # does not exist yet: it cannot be an input
    for path in inputs:
        if str(path) == "-":
            continue
        try:
            st = os.stat(path)
        except OSError:
            continue
        if (st.st_dev, st.st_ino) == (out.st_dev, out.st_ino):
            same = "" if os.path.abspath(path) == os.path.abspath(output) else " (the same file)"
            raise click.UsageError(
                f"-o {output} is the input {path}{same}: writing it would destroy the input; "
                "write the output to another file"
            )


def _stderr_is_terminal() -> bool:
    return sys.stderr.isatty()


def _interactive() -> bool:
    """Whether progress goes to stderr: a terminal, and not --quiet."""
    return not _QUIET and _stderr_is_terminal()


class _Stages:
    """Progress of a long command on stderr (a terminal only): one line per stage,
    counting its steps, with the time since the start."""

    def __init__(self) -> None:
        import time

        self.enabled = _interactive()
        self.clock = time.monotonic
        self.start = self.clock()

    def __call__(self, stage: str, done: int, total: int) -> None:
        if not self.enabled:
            return
        seconds = self.clock() - self.start
        steps = f" {done}/{total}" if total > 1 else ""
        end = " done" if done == total else " ..."
        click.echo(f"\r{stage}{steps}{end} ({seconds:.0f} s)\x1b[K", err=True, nl=done == total)


def _progress(total: int, label: str) -> Any:
    """A click progress bar on stderr when it is a terminal (and not --quiet); a no-op
    otherwise, so pipes and logs stay clean."""
    if total < 2 or not _interactive():
        return _NoBar()
    return click.progressbar(length=total, label=label, file=sys.stderr)


class _NoBar:
    def __enter__(self) -> _NoBar:
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def update(self, n: int) -> None:
        return None


@contextmanager
def _output(path: Path | None) -> Iterator[Any]:
    """Yield a function writing one chunk of output (a line or a page): to stdout, or to
    ``path`` through a temporary file renamed on success, so a failed or interrupted
    run never leaves a half-written report."""
    if path is None:
        yield click.echo
        return
    from .atomic import AtomicFile

    try:  # a file name that is not UTF-8 is written with "?", not a crash at the end
        af = AtomicFile(path, "w", encoding="utf-8", errors="replace", newline="\n")
    except OSError as exc:
        raise click.ClickException(f"cannot write {path}: {exc.strerror or exc}") from None
    with af:
        yield lambda chunk: af.file.write(chunk + "\n")


def _report_meta(model: Any, model_path: Path | None, paths: list[str]) -> dict[str, Any]:
    """What produced an HTML report: date, program, model and inputs."""
    from datetime import datetime, timezone
    from importlib.metadata import version

    from .model import _resolve

    try:
        directory = str(_resolve(model_path)[0])
    except StanceError:  # pragma: no cover - the model was just loaded from there
        directory = "?"
    return {
        "generated": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "program": f"stance {version('stance')}",
        "model": directory,
        "model_sha256": model.card.get("model_sha256", "?"),
        "inputs": ["<stdin>" if p == "-" else p for p in paths],
    }


def _csv_chunk(rows: list[list[Any]]) -> str:
    """Rows as CSV text (formula cells neutralized), without the last line end."""
    import io

    from .csvsafe import csv_writer

    buf = io.StringIO()
    csv_writer(buf).writerows(rows)
    return buf.getvalue().rstrip("\n")


def render_table(article: Any, explain: bool = False) -> str:
    from .report import render_table as _render

    return _render(article, explain=explain)


def _score_file(
    model: Any,
    path: str,
    encoding: str,
    source: str | None,
    found: dict[str, Any],
    explain: bool = False,
) -> Any:
    """Score one article file; None (after an error message) when it cannot be read.
    ``found`` maps input paths to their sources-CSV rows."""
    import dataclasses

    from .inputs import read_article
    from .sniff import visible_text

    name = "<stdin>" if path == "-" else path
    row = found.get(path)
    info = row.info if row is not None else None
    outlet = info.source if info else source
    try:
        text, was_html = visible_text(read_article(path, encoding))
        if was_html:
            _warn(
                f"{name}: HTML input; scored the text extracted from the markup "
                "(offsets index the extracted text)"
            )
        article = model.score_article(text, source=outlet or name, explain=explain)
    except StanceError as exc:
        _fail(str(exc))
        return None
    if outlet:
        article = dataclasses.replace(article, path=name, date=info.date if info else None)
    if not article.arabic:
        _warn(
            f"{name}: no Arabic text (looks {article.language}); scored anyway and "
            'flagged "arabic": false: the labels are unreliable'
        )
    return article


def _score_jsonl(
    model: Any,
    path: str,
    encoding: str,
    keep_text: bool,
    stop: bool,
    jobs: int = 1,
    model_path: Path | None = None,
    out: Any = click.echo,
) -> int:
    from .batch import BATCH_CHARS, BATCH_SIZE, score_batches
    from .inputs import iter_jsonl

    failures = 0

    def records() -> Iterator[list[dict[str, Any]]]:
        # Bad lines are reported here, as they are read; good records go on in batches.
        nonlocal failures
        # Duplicate ids are reported with the line that used the id first. The map grows
        # with the number of distinct ids (not with the text), so memory stays small.
        first_line: dict[Any, int] = {}
        batch: list[dict[str, Any]] = []
        chars = 0
        for item in iter_jsonl(path, encoding):
            error = item.error
            if error is None and "id" in item.record:  # type: ignore[operator]
                rid = item.record["id"]  # type: ignore[index]
                # Ids are compared as JSON; a string or integer id stands for its JSON
                # (a tuple, so "1" and 1 stay apart) without writing it out.
                kind = type(rid)
                key = (kind, rid) if kind is str or kind is int else json.dumps(rid, sort_keys=True)
                if key in first_line:
                    error = (
                        f"duplicate id {json.dumps(rid, sort_keys=True)} "
                        f"(first on line {first_line[key]})"
                    )
                else:
                    first_line[key] = item.line
            if error is not None:
                _fail(f"{path}:{item.line}: {error}")
                failures += 1
                if stop:
                    break
                continue
            batch.append(item.record)  # type: ignore[arg-type]
            chars += len(item.record["text"])  # type: ignore[index]
            if len(batch) >= BATCH_SIZE or chars >= BATCH_CHARS:
                yield batch
                batch, chars = [], 0
        if batch:
            yield batch

    html = not_arabic = done = 0
    live = _interactive()
    try:
        for scored in score_batches(model, records(), keep_text, jobs, model_path):
            lines = scored.lines if scored.lines is not None else map(_dump, scored.records)
            out("\n".join(lines))
            html += scored.html
            not_arabic += scored.not_arabic
            done += len(scored.lines if scored.lines is not None else scored.records)
            if live:  # a running count: the total is unknown while streaming
                click.echo(f"\r{path}: {done:,} records scored", err=True, nl=False)
        if live and done:
            click.echo("", err=True)
    except StanceError as exc:
        _fail(str(exc))
        failures += 1
    if html:
        _warn(f"{path}: {html} record(s) held HTML; scored their extracted text")
    if not_arabic:
        _warn(f'{path}: {not_arabic} record(s) have no Arabic text ("arabic": false)')
    return failures


@main.command()
@_annotations_option
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("models"),
    show_default=True,
    help="Directory to write the model and card.json into.",
)
@click.option("--no-eval", is_flag=True, help="Skip cross-validation (no figures in the card).")
@click.option(
    "--dev",
    "dev_path",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Labelled real text (JSONL with text, label[, target]) to score after training; "
    "its figures go into the card. Default: ../shared/devset/ant2018.jsonl when present.",
)
@click.option("--no-dev", is_flag=True, help="Do not score the dev file.")
@click.option("-q", "--quiet", is_flag=True, help="No progress on stderr.")
def train(
    annotations_dir: Path,
    out_dir: Path,
    no_eval: bool,
    dev_path: Path | None,
    no_dev: bool,
    quiet: bool,
) -> None:
    """Train the model from the annotations and write it (atomically) with its card.

    Cross-validation and seed leave-one-article-out run first (a fit per fold and per
    seed article, then one on everything: minutes on the full corpus); on a terminal
    each stage and fold shows on stderr. The figures go into the card, where `stance
    evaluate` finds them.

    \b
    Example:
      stance train --annotations annotations --out models
    """
    global _QUIET
    _QUIET = quiet
    from .dev import DEFAULT_DEV_PATH
    from .train import train_model

    if dev_path is None and not no_dev and DEFAULT_DEV_PATH.is_file():
        dev_path = DEFAULT_DEV_PATH
    stages = _Stages()
    try:
        model = train_model(
            annotations_dir,
            run_evaluation=not no_eval,
            dev_path=None if no_dev else dev_path,
            progress=stages,
        )
        stages("writing the model", 0, 1)
        card_path = model.save(out_dir)
        stages("writing the model", 1, 1)
    except StanceError as exc:
        raise click.ClickException(str(exc)) from None
    except OSError as exc:
        raise click.ClickException(
            f"cannot write the model to {out_dir}: {exc.strerror or exc}; "
            "the previous model there is unchanged"
        ) from None
    except KeyboardInterrupt:
        raise click.ClickException(
            f"interrupted; the previous model in {out_dir} is unchanged"
        ) from None
    td = model.card["training_data"]
    click.echo(
        f"trained on {td['sentences']} sentences ({td['counts_per_label']}) "
        f"-> {card_path.parent / model.card['model_file']}"
    )
    ev = model.card.get("evaluation")
    if ev:
        click.echo(
            f"grouped CV macro-F1 {ev['macro_f1']:.3f} (majority baseline "
            f"{ev['baseline_macro_f1']:.3f}); seed leave-one-article-out macro-F1 "
            f"{ev['seed_loao_macro_f1']}"
        )
    if "dev_evaluation" in model.card:
        click.echo(_render_dev_line(model.card["dev_evaluation"]))


@main.command()
@_annotations_option
@click.option(
    "--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True
)
@click.option(
    "--compare",
    "compare_dir",
    type=click.Path(path_type=Path),
    default=None,
    help="A model directory (e.g. the model before retraining): with cross-validation, "
    "show its card's figures beside the fresh ones; with --dev, score the file with it too.",
)
@click.option(
    "--dev",
    "dev_path",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Instead of cross-validation: score this labelled JSONL file (text, label, "
    "optional target; annotation files qualify) with the model (--model) and compare "
    "with a keyword baseline.",
)
@click.option(
    "--fresh",
    is_flag=True,
    help="Run the cross-validation even when the model's card holds figures computed on "
    "these annotations by this code (as `stance train` stores them).",
)
@click.option("-q", "--quiet", is_flag=True, help="No progress on stderr.")
@_model_option
def evaluate(
    annotations_dir: Path,
    fmt: str,
    compare_dir: Path | None,
    dev_path: Path | None,
    fresh: bool,
    quiet: bool,
    model_path: Path | None,
) -> None:
    """Grouped cross-validation and seed leave-one-article-out on the annotations, or
    (with --dev) a given model's figures on labelled data.

    Cross-validation measures the authored corpus (text this project wrote); --dev
    measures real coverage. Cross-validation trains its own models: when the model's
    card (--model, default the shipped one) holds figures computed on these same
    annotations by this same code, as `stance train` leaves them, those are shown
    instead of running the same folds again (--fresh runs them).

    \b
    Examples:
      stance evaluate --format json
      stance evaluate --annotations annotations --compare models-before/
      stance evaluate --dev ../shared/devset/ant2018.jsonl
      stance evaluate --dev ../shared/devset/ant2018.jsonl --model models-new/ \\
          --compare models-before/

    (models-before/ and models-new/ stand for your own model directories.)
    """
    global _QUIET
    _QUIET = quiet
    from .annotations import annotations_sha256, load_annotations
    from .train import evaluate as run_evaluate

    if dev_path is not None:
        _evaluate_dev(dev_path, model_path, compare_dir, fmt)
        return
    stages = _Stages()
    try:
        old_card = None
        if compare_dir is not None:
            from .model import _resolve, read_card

            old_card = read_card(_resolve(compare_dir)[0])
            if "evaluation" not in old_card:
                raise click.ClickException(
                    f"{compare_dir}: its card has no evaluation figures (trained with "
                    "--no-eval); retrain it without --no-eval to compare"
                )
        stages("reading the annotations", 0, 1)
        records = load_annotations(annotations_dir)
        sha = annotations_sha256(annotations_dir)
        stages("reading the annotations", 1, 1)
        reused = None if fresh else _stored_evaluation(model_path, sha)
        if reused is not None:
            where, result = reused
            _note(
                f"figures from {where} (trained on these annotations by this code, so "
                "the same folds give the same figures); --fresh runs them again"
            )
        else:
            result = run_evaluate(records, progress=stages)
    except StanceError as exc:
        raise click.ClickException(str(exc)) from None
    if old_card is not None:
        result["compare"] = {
            "model": str(compare_dir),
            "before": old_card["evaluation"],
            "before_sentences": old_card.get("training_data", {}).get("sentences"),
            "same_annotations": old_card.get("training_data", {}).get("sha256") == sha,
        }
    if fmt == "json":
        click.echo(json.dumps(result, ensure_ascii=False, indent=2))
        return
    click.echo(_render_evaluation(result))
    if old_card is not None:
        click.echo(_render_compare(result))


def _stored_evaluation(model_path: Path | None, sha: str) -> tuple[Path, dict[str, Any]] | None:
    """(card path, figures) of the model's stored cross-validation when they were
    computed on annotations with this sha256, with the default parameters, by this
    code; None otherwise (also when there is no readable model card)."""
    from .model import CARD_NAME, _resolve, read_card
    from .train import evaluation_inputs

    try:
        directory = _resolve(model_path)[0]
        card = read_card(directory)
    except StanceError:
        return None
    ev = card.get("evaluation")
    if not isinstance(ev, dict) or "confusion" not in ev:  # headline figures only
        return None
    if card.get("evaluation_inputs") != evaluation_inputs(sha):
        return None
    return directory / CARD_NAME, ev


def _evaluate_dev(
    dev_path: Path, model_path: Path | None, compare_dir: Path | None, fmt: str
) -> None:
    """`stance evaluate --dev`: the model (and the --compare model) on labelled data."""
    from .dev import evaluate_dev, load_dev

    try:
        dev = load_dev(dev_path)
        result = evaluate_dev(_load(model_path), dev)
        if compare_dir is not None:
            result["compare"] = {
                "model": str(compare_dir),
                "before": evaluate_dev(_load(compare_dir), dev),
            }
    except StanceError as exc:
        raise click.ClickException(str(exc)) from None
    if fmt == "json":
        click.echo(json.dumps(result, ensure_ascii=False, indent=2))
        return
    click.echo(_render_dev(result))
    if compare_dir is not None:
        click.echo(_render_dev_compare(result))


def _render_dev_compare(r: dict[str, Any]) -> str:
    before = r["compare"]["before"]
    rows = [("macro-F1", before["macro_f1"], r["macro_f1"])]
    for lab, m in r["per_class"].items():
        rows.append((f"  F1 {lab}", before["per_class"][lab]["f1"], m["f1"]))
    if "off_target_stance_share" in r:
        rows.append(
            ("off-target given a stance", before["off_target_stance_share"],
             r["off_target_stance_share"])
        )  # fmt: skip
    if "relevance" in r and "relevance" in before:
        rows.append(("target relevance F1", before["relevance"]["f1"], r["relevance"]["f1"]))
    lines = [f"compared with {r['compare']['model']} on the same {r['sentences']} sentences:"]
    lines.append(f"{'':<28}{'before':>10}{'now':>10}{'change':>10}")
    for name, old, new in rows:
        change = f"{new - old:+.3f}" if old is not None and new is not None else ""
        lines.append(f"{name:<28}{_figure(old):>10}{_figure(new):>10}{change:>10}")
    return "\n".join(lines)


def _figure(v: Any) -> str:
    return "-" if v is None else (f"{v}" if isinstance(v, int) else f"{v:.3f}")


def _render_compare(r: dict[str, Any]) -> str:
    c = r["compare"]
    before = c["before"]
    rows = [("grouped CV macro-F1", before.get("macro_f1"), r["macro_f1"])]
    for lab, m in r["per_class"].items():
        rows.append((f"  F1 {lab}", before.get("per_class", {}).get(lab, {}).get("f1"), m["f1"]))
    rows.append(
        ("seed LOAO macro-F1", before.get("seed_loao_macro_f1"), r.get("seed_loao_macro_f1"))
    )
    rows.append(("sentences", c["before_sentences"], r["sentences"]))
    lines = [f"compared with {c['model']} (figures from its card):"]
    lines.append(f"{'':<22}{'before':>10}{'now':>10}{'change':>10}")
    for name, old, new in rows:
        change = f"{new - old:+.3f}" if isinstance(old, (int, float)) and new is not None else ""
        if name == "sentences" and change:
            change = f"{new - old:+d}"
        lines.append(f"{name:<22}{_figure(old):>10}{_figure(new):>10}{change:>10}")
    if c["same_annotations"]:
        lines.append("(same annotations as that model was trained on: differences come from code)")
    return "\n".join(lines)


def _class_table(r: dict[str, Any]) -> list[str]:
    lines = [f"{'label':<10}{'precision':>10}{'recall':>8}{'f1':>8}{'support':>9}"]
    for lab, m in r["per_class"].items():
        lines.append(
            f"{lab:<10}{m['precision']:>10.3f}{m['recall']:>8.3f}{m['f1']:>8.3f}{m['support']:>9}"
        )
    return lines


def _confusion(r: dict[str, Any]) -> list[str]:
    labels = r["confusion"]["labels"]
    lines = ["confusion (rows = truth, columns = predicted): " + " ".join(labels)]
    for lab, row in zip(labels, r["confusion"]["matrix"]):
        lines.append(f"  {lab:<10}" + "".join(f"{v:>9}" for v in row))
    return lines


def _off_target_line(r: dict[str, Any]) -> str:
    share = r.get("off_target_stance_share")
    if share is None:
        return "off-target sentences: none in this data"
    n = r["off_target_sentences"]
    return f"off-target sentences labelled pro or critical: {share:.1%} of {n}"


def _render_dev_line(d: dict[str, Any]) -> str:
    """One line of dev figures (for `stance train`)."""
    per = ", ".join(f"{k} {v['f1']:.2f}" for k, v in d["per_class"].items())
    line = (
        f"real dev set {d['file']}: macro-F1 {d['macro_f1']:.3f} ({per}); keyword baseline "
        f"{d['keyword_baseline']['macro_f1']:.3f}"
    )
    if d.get("off_target_stance_share") is not None:
        line += f"; off-target given a stance {d['off_target_stance_share']:.1%}"
    return line


def _render_dev(d: dict[str, Any]) -> str:
    base = d["keyword_baseline"]
    lines = [f"{d['file']}: {d['sentences']} labelled sentences (real text)"]
    lines += _class_table(d)
    per = ", ".join(f"{k} {v:.3f}" for k, v in base["per_class_f1"].items())
    lines.append(
        f"macro-F1 {d['macro_f1']:.3f}   keyword baseline {base['macro_f1']:.3f} ({per})"
        f"   difference {d['macro_f1'] - base['macro_f1']:+.3f}"
    )
    lines += _confusion(d)
    if "off_target_stance_share" in d:
        lines.append(_off_target_line(d))
        if base.get("off_target_stance_share") is not None:
            lines.append(
                f"  keyword baseline: {base['off_target_stance_share']:.1%} of "
                f"{base['off_target_sentences']}"
            )
    rel = d.get("relevance")
    if rel:
        lines.append(
            f"target relevance: accuracy {rel['accuracy']:.3f}, precision "
            f"{rel['precision']:.3f}, recall {rel['recall']:.3f}, F1 {rel['f1']:.3f}"
        )
    return "\n".join(lines)


def _render_evaluation(r: dict[str, Any]) -> str:
    lines = [
        f"grouped {r['folds']}-fold CV over {r['sentences']} sentences (no document in "
        "both train and test; this measures the authored corpus, not real coverage: "
        "see --dev)",
        *_class_table(r),
        f"macro-F1 {r['macro_f1']:.3f}   majority-class baseline "
        f"({r['baseline_label']}) {r['baseline_macro_f1']:.3f}",
        *_confusion(r),
        _off_target_line(r),
    ]
    if r.get("seed_loao_macro_f1") is not None:
        per = ", ".join(f"{d} {v:.3f}" for d, v in r["seed_loao"]["per_article_macro_f1"].items())
        lines.append(f"seed leave-one-article-out macro-F1 {r['seed_loao_macro_f1']:.3f} ({per})")
    else:
        lines.append("seed leave-one-article-out: no seed sentences in these annotations")
    return "\n".join(lines)


@main.command()
@click.option(
    "--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True
)
@_model_option
def info(fmt: str, model_path: Path | None) -> None:
    """Print the model card of the model in use (labels, decision rule, training data,
    figures, files and versions) as a readable card, or as JSON (the card.json itself).

    \b
    Examples:
      stance info
      stance info --format json --model path/to/model_dir
    """
    from .model import _resolve, read_card

    try:
        directory, _ = _resolve(model_path)
        card = read_card(directory)
    except StanceError as exc:
        raise click.ClickException(str(exc)) from None
    if fmt == "json":
        click.echo(json.dumps(card, ensure_ascii=False, indent=2))
        return
    click.echo(_render_card(directory, card))


def _render_card(directory: Path, card: dict[str, Any]) -> str:
    """The model card as aligned ``name  value`` lines."""

    def pairs(d: Any) -> str:
        return ", ".join(f"{k} {v}" for k, v in d.items()) if isinstance(d, dict) else str(d)

    rows: list[tuple[str, str]] = [("directory", str(directory))]
    rows.append(("labels", ", ".join(map(str, card.get("labels", [])))))
    dec = card.get("decision")
    if isinstance(dec, dict):
        weights = pairs(dec.get("weights", {})) or "none"
        rows.append(
            (
                "decision",
                f"{dec.get('design')}; on target when p >= {dec.get('on_target_threshold')}; "
                f"class weights {weights}",
            )
        )
    else:
        rows.append(("decision", "stance only (no target-relevance head)"))
    td = card.get("training_data", {})
    if td:
        line = f"{td.get('sentences')} sentences in {td.get('documents', '?')} documents"
        line += f" ({pairs(td.get('counts_per_label', {}))})"
        if "on_target" in td:
            line += f"; {td['on_target']} on target, {td['off_target']} off"
        rows.append(("training data", line))
        if "counts_per_origin" in td:
            rows.append(("", f"origins: {pairs(td['counts_per_origin'])}"))
        rows.append(("", f"annotations sha256 {td.get('sha256')}"))
    ev = card.get("evaluation")
    if isinstance(ev, dict):
        rows.append(
            (
                "cross-validation",
                f"macro-F1 {_figure(ev.get('macro_f1'))} over {ev.get('folds')} grouped folds "
                f"(majority baseline {_figure(ev.get('baseline_macro_f1'))}); seed "
                f"leave-one-article-out {_figure(ev.get('seed_loao_macro_f1'))}",
            )
        )
        per = ev.get("per_class", {})
        if per:
            rows.append(("", "F1 " + ", ".join(f"{k} {_figure(v['f1'])}" for k, v in per.items())))
        if ev.get("off_target_stance_share") is not None:
            rows.append(("", f"off-target given a stance {ev['off_target_stance_share']:.1%}"))
    else:
        rows.append(("cross-validation", "none (trained with --no-eval)"))
    if isinstance(card.get("dev_evaluation"), dict):
        rows.append(("real text", _render_dev_line(card["dev_evaluation"])))
    rows.append(("lexicon", f"version {card.get('lexicon_version', '?')}"))
    if card.get("params"):
        rows.append(("parameters", pairs(card["params"])))
    rows.append(("model file", f"{card.get('model_file')}  sha256 {card.get('model_sha256')}"))
    if card.get("scoring_file"):
        rows.append(
            ("scoring file", f"{card['scoring_file']}  sha256 {card.get('scoring_sha256')}")
        )
    rows.append(("created", str(card.get("created", "?"))))
    rows.append(("versions", pairs(card.get("versions", {}))))
    width = max(len(k) for k, _ in rows)
    return "\n".join(f"{k:<{width}}  {v}".rstrip() for k, v in rows)


@main.group()
def annotations() -> None:
    """The annotated corpus: validate it, add reviewed drafts."""


@annotations.command("check")
@_annotations_option
def annotations_check(annotations_dir: Path) -> None:
    """Validate the corpus: unknown label, missing field, duplicate id, the same text with
    conflicting labels, empty text, a document split across files (file:line messages).
    `stance train` runs the same checks first.

    \b
    Example:
      stance annotations check --annotations annotations
    """
    from .annotations import label_counts, load_annotations

    try:
        records = load_annotations(annotations_dir)
    except StanceError as exc:
        raise click.ClickException(str(exc)) from None
    docs = len({a.doc for a in records})
    off = sum(not a.target for a in records)
    click.echo(
        f"ok: {len(records)} sentences in {docs} documents {label_counts(records)}, "
        f"{off} of them off target, under {annotations_dir}"
    )


@annotations.command("add")
@click.argument("draft", type=click.Path(dir_okay=False, path_type=Path))
@_annotations_option
@click.option(
    "--accept-suggested",
    is_flag=True,
    help='Also take rows still marked "label_status": "suggested" (unreviewed model labels).',
)
@click.option(
    "--to",
    "target",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Append to this *.jsonl inside the annotations (default: reviewed/<doc>.jsonl).",
)
@click.option(
    "--replace",
    is_flag=True,
    help="A row giving a sentence already in the annotations another label (or target) "
    "corrects it where it lives, instead of being refused.",
)
def annotations_add(
    draft: Path, annotations_dir: Path, accept_suggested: bool, target: Path | None, replace: bool
) -> None:
    """Merge a reviewed draft (from `stance annotate`) into the annotations.

    The whole draft is refused, and nothing written, if a row breaks an annotation rule,
    repeats an id, or is still "suggested" (unless --accept-suggested). Rows whose
    sentence is already in the annotations with the same label are dropped, with a
    message: a second copy under another document would put test sentences into
    training during cross-validation. A row that gives such a sentence another label
    is refused, unless --replace, which corrects the label where the sentence lives.
    Then run `stance train` and `stance evaluate --compare OLD_MODEL_DIR`.

    \b
    Examples:
      stance annotations add draft.jsonl
      stance annotations add --replace draft.jsonl

    (draft.jsonl stands for your reviewed draft.)
    """
    from .annotate import add_reviewed

    try:
        res = add_reviewed(draft, annotations_dir, accept_suggested, target, replace)
    except (StanceError, ValueError) as exc:
        raise click.ClickException(str(exc)) from None
    if res.dropped:
        shown = "; ".join(res.dropped[:5]) + (" ..." if len(res.dropped) > 5 else "")
        click.echo(
            f"dropped {len(res.dropped)} row(s) already in the annotations with the same "
            f"label (training on a sentence twice, under two documents, leaks test sentences "
            f"into training): {shown}",
            err=True,
        )
    for line in res.replaced:
        click.echo(f"corrected {line}")
    labels = ", ".join(f"{k} {v}" for k, v in sorted(res.per_label.items()))
    if res.added or not (res.dropped or res.replaced):
        click.echo(f"added {res.added} sentences ({labels}) to {res.target}")
    elif not res.replaced:
        click.echo("added nothing: every row is already in the annotations")
    if res.accepted_suggested:
        _warn(f"{res.accepted_suggested} of them carry unreviewed model labels")


@main.command()
@click.argument("article", metavar="FILE | -")
@click.option("--source", required=True, help="The outlet (or style) the article is from.")
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    required=True,
    help="Draft JSONL to write (outside annotations/ until reviewed).",
)
@click.option("--doc", default=None, help="Document id (default: from the source and text).")
@click.option(
    "--order",
    type=click.Choice(["uncertainty", "document"]),
    default="uncertainty",
    show_default=True,
    help="Row order: least certain first (smallest margin), or as in the article.",
)
@click.option("--encoding", default="utf-8", show_default=True, help="Encoding of FILE.")
@_model_option
def annotate(
    article: str,
    source: str,
    output: Path,
    doc: str | None,
    order: str,
    encoding: str,
    model_path: Path | None,
) -> None:
    """Draft annotation rows for a new article, with the model's suggested labels.

    Each row has the suggested "label", its "probability", the "margin" to the second
    label and "label_status": "suggested"; the hardest rows come first. Page furniture
    (share lines, "read more" links, disclaimers) is left out. Review the rows
    (fix "label" and "voice", set "label_status" to "reviewed"), then merge with
    `stance annotations add`.

    \b
    Example:
      stance annotate article.txt --source "Al Arabiya" -o draft.jsonl
    """
    from .annotate import draft_article, write_draft
    from .inputs import read_article
    from .sniff import visible_text

    _refuse_output_over_input(output, [article])
    try:
        model = _load(model_path)
        text, _ = visible_text(read_article(article, encoding))
        rows, furniture = draft_article(model, text, source, doc=doc, order=order)
        write_draft(rows, output)
    except (StanceError, ValueError) as exc:
        raise click.ClickException(str(exc)) from None
    unsure = sum(r["margin"] < 0.3 for r in rows)
    left = f"; {furniture} page-furniture line(s) left out" if furniture else ""
    click.echo(f"wrote {len(rows)} draft rows to {output} ({unsure} with margin < 0.3{left})")


@main.command()
@click.argument("inputs", nargs=-1, required=True, metavar="SCORED.jsonl... | DIR")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "csv", "json", "html"]),
    default="table",
    show_default=True,
)
@_output_option
@click.option(
    "--n-boot",
    type=click.IntRange(min=100),
    default=2000,
    show_default=True,
    help="Bootstrap resamples for the 95% intervals.",
)
@click.option(
    "--by",
    type=click.Choice(["month", "quarter", "year"]),
    default=None,
    help="One profile per outlet and period of the records' date (from the outlets "
    "CSV's date column, or a date field of JSONL input), with intervals per period.",
)
@click.option(
    "--lang",
    type=click.Choice(["en", "ar"]),
    default="en",
    show_default=True,
    help="Interface language of --format html (the page reads right to left in Arabic).",
)
def sources(
    inputs: tuple[str, ...],
    fmt: str,
    output: Path | None,
    n_boot: int,
    by: str | None,
    lang: str,
) -> None:
    """Source-bias profiles: per outlet, articles and sentences, label shares, mean lean
    and loaded-term score with 95% bootstrap intervals (resampling articles), most
    critical first.

    Reads article records as written by `stance score --format json` (use --source or
    --outlets-csv there to name the outlets), or passage records as written by `stance
    score --jsonl` when they carry a "source" field: then the passage is the unit
    (passages, label shares, mean passage lean with intervals resampling passages).

    \b
    Examples:
      stance score --format json --outlets-csv outlets.csv articles/ -o scored.jsonl
      stance sources scored.jsonl
      stance sources --by quarter scored.jsonl
      stance sources --format html -o sources.html scored.jsonl
      stance score --jsonl passages.jsonl -o scored-passages.jsonl && \\
          stance sources scored-passages.jsonl

    (outlets.csv, articles/ and passages.jsonl stand for your own files.)
    """
    from . import sources as src

    try:
        _refuse_output_over_input(output, src.scored_files(list(inputs)))
        records = src.load_scored(list(inputs))
        profiles = src.profile_sources(records, n_boot=n_boot, by=by)
    except (StanceError, ValueError) as exc:
        raise click.ClickException(str(exc)) from None
    if by is not None:
        undated = [r for r in records if src.period_of(r.get("date"), by) is None]
        if undated:
            example = next((r.get("date") for r in undated if r.get("date")), None)
            why = f" (e.g. {example!r})" if example else ""
            _warn(
                f"{len(undated)} of {len(records)} records have no date giving a {by}{why}; "
                f'they form the period "{src.NO_DATE}"'
            )
    if records and src._is_passage(records[0]) and all("source" not in r for r in records):
        _warn(
            'the passage records have no "source" field: every passage is '
            f"{src.UNKNOWN_SOURCE}; give the input records a source to profile outlets"
        )
    render = {
        "table": src.render_sources_table,
        "csv": src.sources_to_csv,
        "json": src.sources_to_json,
        "html": lambda profiles: src.render_sources_html(profiles, lang=lang),
    }[fmt]
    with _output(output) as out:
        out(render(profiles).rstrip("\n"))


@main.group()
def terms() -> None:
    """The loaded-term lexicon: list it, check a text, discover new candidate terms."""


@terms.command("list")
@click.option(
    "--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True
)
def terms_list(fmt: str) -> None:
    """Print the shipped lexicon (term, direction, weight, category, neutral, gloss)."""
    from .lexicon import load_lexicon

    lex = load_lexicon()
    if fmt == "json":
        rows = [
            {
                "term": t.term,
                "variants": list(t.variants),
                "direction": t.direction,
                "weight": t.weight,
                "category": t.category,
                "neutral": t.neutral,
                "gloss": t.gloss,
            }
            for t in lex.terms
        ]
        click.echo(
            json.dumps({"version": lex.version, "terms": rows}, ensure_ascii=False, indent=2)
        )
        return
    click.echo(f"lexicon version {lex.version}: {len(lex)} terms")
    for t in lex.terms:
        click.echo(
            f"{t.direction:<9}{t.weight:>5.2f}  {t.category:<24} {t.term}"
            f"{'  → ' + t.neutral if t.neutral else ''}  ({t.gloss})"
        )


@terms.command("check")
@click.argument("text_or_file", metavar="TEXT|FILE|-")
@click.option("--encoding", default="utf-8", show_default=True)
@click.option(
    "--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True
)
def terms_check(text_or_file: str, encoding: str, fmt: str) -> None:
    """Show the loaded terms found in TEXT, in a FILE, or in stdin (-).

    \b
    Example:
      stance terms check "وقال إن الكيان الصهيوني يتمدد"
    """
    from .inputs import read_article
    from .lexicon import load_lexicon, net_weight

    try:
        if text_or_file == "-" or Path(text_or_file).is_file():
            text = read_article(text_or_file, encoding)
        else:
            text = text_or_file
    except (StanceError, OSError) as exc:
        raise click.ClickException(str(exc)) from None
    matches = load_lexicon().find(text)
    if fmt == "json":
        click.echo(json.dumps([m.to_dict() for m in matches], ensure_ascii=False))
        return
    for m in matches:
        click.echo(
            f"{m.start:>6}-{m.end:<6} {m.direction:<9}{m.weight:>5.2f}  {m.match}"
            f"  [{m.term}; {m.category}]"
        )
    net = net_weight(matches)
    click.echo(f"{len(matches)} match(es), net weight {net:+.2f}")


@terms.command("audit")
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True
)
def terms_audit(files: tuple[Path, ...], fmt: str) -> None:
    """Check each loaded term against labelled real text (JSONL with text, label and
    optional target, like the dev set or annotation files): how many sentences it fires
    in, how many are on target, how many carry its direction. Terms that fire mostly on
    neutral or off-target sentences deserve a lower weight.

    \b
    Example:
      stance terms audit ../shared/devset/ant2018.jsonl annotations/seed.jsonl
    """
    from .dev import load_dev
    from .lexicon import load_lexicon
    from .term_audit import audit_terms

    try:
        rows = [r for f in files for r in load_dev(f)["rows"]]
    except StanceError as exc:
        raise click.ClickException(str(exc)) from None
    audits = audit_terms(rows, load_lexicon())
    if fmt == "json":
        click.echo(json.dumps([a.to_dict() for a in audits], ensure_ascii=False, indent=2))
        return
    click.echo(f"{len(rows)} labelled sentences; {len(audits)} terms fire")
    click.echo(f"{'precision':>9} {'n':>4} {'on':>4}  {'dir':<8} {'w':>4}  labels  term")
    for a in audits:
        on = "-" if a.on_target is None else str(a.on_target)
        labels = " ".join(f"{k[0]}{v}" for k, v in sorted(a.labels.items()))
        click.echo(
            f"{a.precision:>9.2f} {a.sentences:>4} {on:>4}  {a.direction:<8} {a.weight:>4.2f}"
            f"  {labels:<14}  {a.term}"
        )


@terms.command("discover")
@_annotations_option
@click.option("--top", default=25, show_default=True, help="Terms per label.")
@click.option("--min-count", default=3, show_default=True, help="Ignore rarer n-grams.")
@click.option(
    "--max-n",
    default=3,
    show_default=True,
    type=click.IntRange(1, 3),
    help="Longest phrase in words.",
)
@click.option(
    "--prior-scale",
    default=0.5,
    show_default=True,
    help="Strength of the informative Dirichlet prior (x corpus counts).",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "csv", "json"]),
    default="table",
    show_default=True,
)
@click.option(
    "--keep-stopwords",
    is_flag=True,
    help="Also rank function words and phrases made only of them («ان», «في ان»).",
)
def terms_discover(
    annotations_dir: Path,
    top: int,
    min_count: int,
    max_n: int,
    prior_scale: float,
    fmt: str,
    keep_stopwords: bool,
) -> None:
    """Rank words and 2-3-word phrases that separate the labels (log-odds ratio with an
    informative Dirichlet prior, Monroe et al. 2008), marking those already in the lexicon.
    Function words (stance/data/stopwords.tsv) and phrases made only of them are left
    out unless --keep-stopwords.

    \b
    Example:
      stance terms discover --top 20 --format csv > candidates.csv
    """
    from .annotations import load_annotations
    from .discover import discover_terms, load_stopwords
    from .lexicon import load_lexicon

    try:
        records = load_annotations(annotations_dir)
    except StanceError as exc:
        raise click.ClickException(str(exc)) from None
    result = discover_terms(
        [a.text for a in records],
        [a.label for a in records],
        max_n=max_n,
        min_count=min_count,
        prior_scale=prior_scale,
        top=top,
        lexicon=load_lexicon(),
        stopwords=None if keep_stopwords else load_stopwords(),
    )
    rows = [r for label in result for r in result[label]]
    if fmt == "json":
        click.echo(
            json.dumps(
                {k: [r.to_dict() for r in v] for k, v in result.items()},
                ensure_ascii=False,
                indent=2,
            )
        )
    elif fmt == "csv":
        from .csvsafe import csv_writer

        writer = csv_writer(sys.stdout)
        writer.writerow(
            ["label", "ngram", "n", "count_label", "count_rest", "log_odds", "z", "in_lexicon"]
        )
        for r in rows:
            writer.writerow(
                [
                    r.label,
                    r.ngram,
                    r.n,
                    r.count_label,
                    r.count_rest,
                    r.log_odds,
                    r.z,
                    int(r.in_lexicon),
                ]
            )
    else:
        for label, items in result.items():
            click.echo(f"== {label}  (z-score, log-odds, count in label / rest; * = in lexicon)")
            for r in items:
                mark = "*" if r.in_lexicon else " "
                click.echo(
                    f"  {r.z:>6.2f} {r.log_odds:>6.2f} {r.count_label:>5}/{r.count_rest:<5}"
                    f" {mark} {r.ngram}"
                )


if __name__ == "__main__":  # pragma: no cover
    main()
