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
    type=click.Choice(["table", "json", "html"]),
    default="table",
    show_default=True,
    help="Article output: readable table, one JSON object per article, or one "
    "self-contained HTML report of all articles (ignored with --jsonl, which always "
    "writes JSON Lines).",
)
@_output_option
@click.option(
    "--source",
    default=None,
    help="The outlet of the article files (recorded as their source; see `stance sources`).",
)
@click.option(
    "--sources",
    "sources_csv",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="CSV with columns path,source[,date] naming each file's outlet (and date); "
    "overrides --source for the files it lists.",
)
@click.option(
    "--encoding",
    default="utf-8",
    show_default=True,
    help="Encoding of the inputs (e.g. cp1256 for windows-1256 files).",
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
    "--out",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="With --engine dask: directory for the output shards and manifest.json.",
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
    encoding: str,
    keep_text: bool,
    on_error: str,
    jobs: int,
    engine: str,
    out_dir: Path | None,
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
      stance score --format json --source "Al Jazeera" articles/
      stance score --format html -o report.html --sources outlets.csv articles/
      cat records.jsonl | stance score --jsonl -
      stance score --jsonl --jobs 2 archive.jsonl > scored.jsonl
      stance score --jsonl 'archive/*.jsonl' --engine dask --out scored/
    """
    global _QUIET
    _QUIET = quiet
    if engine == "dask":
        if not jsonl or out_dir is None:
            raise click.UsageError("--engine dask scores JSONL archives: add --jsonl and --out")
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
    if out_dir is not None or scheduler is not None:
        raise click.UsageError("--out and --scheduler go with --engine dask")
    if jobs > 1 and not jsonl:
        raise click.UsageError("--jobs applies to --jsonl input")
    jobs = _cap_jobs(jobs)
    try:
        from .inputs import expand_inputs, read_sources_csv

        paths = expand_inputs(inputs, jsonl)
        _refuse_output_over_input(output, paths)
        table = read_sources_csv(sources_csv) if sources_csv else {}
        model = _load(model_path)
    except StanceError as exc:
        raise click.ClickException(str(exc)) from None
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
            with _progress(len(paths), "scoring articles") as bar:
                for path in paths:
                    article = _score_file(model, path, encoding, source, table)
                    bar.update(1)
                    if article is None:
                        failures += 1
                    elif fmt == "html":
                        articles.append(article)
                    else:
                        out(_dump(article.to_dict()) if fmt == "json" else render_table(article))
            if fmt == "html":
                from .html_report import render_html

                out(render_html(articles, lexicon=model.lexicon))
    if failures:
        what = "records and inputs" if jsonl else f"of {len(paths)} files"
        _fail(f"{failures} input(s) failed ({what}); see the messages above")
        sys.exit(1)


_QUIET = False


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


def _progress(total: int, label: str) -> Any:
    """A click progress bar on stderr when it is a terminal (and not --quiet); a no-op
    otherwise, so pipes and logs stay clean."""
    if _QUIET or total < 2 or not sys.stderr.isatty():
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


def render_table(article: Any) -> str:
    from .report import render_table as _render

    return _render(article)


def _score_file(
    model: Any, path: str, encoding: str, source: str | None, table: dict[str, Any]
) -> Any:
    """Score one article file; None (after an error message) when it cannot be read."""
    import dataclasses

    from .inputs import read_article, source_for
    from .sniff import visible_text

    name = "<stdin>" if path == "-" else path
    info = source_for(path, table)
    outlet = info.source if info else source
    try:
        text, was_html = visible_text(read_article(path, encoding))
        if was_html:
            _warn(
                f"{name}: HTML input; scored the text extracted from the markup "
                "(offsets index the extracted text)"
            )
        article = model.score_article(text, source=outlet or name)
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
    live = not _QUIET and sys.stderr.isatty()
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
def train(
    annotations_dir: Path, out_dir: Path, no_eval: bool, dev_path: Path | None, no_dev: bool
) -> None:
    """Train the model from the annotations and write it (atomically) with its card.

    \b
    Example:
      stance train --annotations annotations --out models
    """
    from .dev import DEFAULT_DEV_PATH
    from .train import train_model

    if dev_path is None and not no_dev and DEFAULT_DEV_PATH.is_file():
        dev_path = DEFAULT_DEV_PATH
    try:
        model = train_model(
            annotations_dir, run_evaluation=not no_eval, dev_path=None if no_dev else dev_path
        )
        card_path = model.save(out_dir)
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
    help="A model directory (e.g. the model before retraining): show its card's figures "
    "beside the fresh ones.",
)
@click.option(
    "--dev",
    "dev_path",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Instead of cross-validation: score this labelled JSONL file (text, label, "
    "optional target) with the model and compare with a keyword baseline.",
)
@_model_option
def evaluate(
    annotations_dir: Path,
    fmt: str,
    compare_dir: Path | None,
    dev_path: Path | None,
    model_path: Path | None,
) -> None:
    """Grouped cross-validation and seed leave-one-article-out on the annotations, or
    (with --dev) the model's figures on labelled real text.

    Cross-validation measures the authored corpus (text this project wrote); --dev
    measures real coverage.

    \b
    Examples:
      stance evaluate --format json
      stance evaluate --annotations annotations --compare models-before/
      stance evaluate --dev ../shared/devset/ant2018.jsonl
    """
    from .annotations import annotations_sha256, load_annotations
    from .train import evaluate as run_evaluate

    if dev_path is not None:
        if compare_dir is not None:
            raise click.UsageError("--compare goes with cross-validation, not with --dev")
        from .dev import evaluate_dev, load_dev

        try:
            result = evaluate_dev(_load(model_path), load_dev(dev_path))
        except StanceError as exc:
            raise click.ClickException(str(exc)) from None
        click.echo(
            json.dumps(result, ensure_ascii=False, indent=2)
            if fmt == "json"
            else _render_dev(result)
        )
        return
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
        records = load_annotations(annotations_dir)
        result = run_evaluate(records)
    except StanceError as exc:
        raise click.ClickException(str(exc)) from None
    if old_card is not None:
        result["compare"] = {
            "model": str(compare_dir),
            "before": old_card["evaluation"],
            "before_sentences": old_card.get("training_data", {}).get("sentences"),
            "same_annotations": old_card.get("training_data", {}).get("sha256")
            == annotations_sha256(annotations_dir),
        }
    if fmt == "json":
        click.echo(json.dumps(result, ensure_ascii=False, indent=2))
        return
    click.echo(_render_evaluation(result))
    if old_card is not None:
        click.echo(_render_compare(result))


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
@_model_option
def info(model_path: Path | None) -> None:
    """Print the model card (labels, training data, versions, figures) of the model in use."""
    from .model import _resolve, read_card

    try:
        directory, _ = _resolve(model_path)
        card = read_card(directory)
    except StanceError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"model directory: {directory}")
    click.echo(json.dumps(card, ensure_ascii=False, indent=2))


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
def annotations_add(
    draft: Path, annotations_dir: Path, accept_suggested: bool, target: Path | None
) -> None:
    """Merge a reviewed draft (from `stance annotate`) into the annotations.

    The whole draft is refused, and nothing written, if a row breaks an annotation rule,
    repeats an id, or is still "suggested" (unless --accept-suggested). Then run
    `stance train` and `stance evaluate --compare OLD_MODEL_DIR`.

    \b
    Example:
      stance annotations add draft.jsonl
    """
    from .annotate import add_reviewed

    try:
        res = add_reviewed(draft, annotations_dir, accept_suggested, target)
    except (StanceError, ValueError) as exc:
        raise click.ClickException(str(exc)) from None
    labels = ", ".join(f"{k} {v}" for k, v in sorted(res.per_label.items()))
    click.echo(f"added {res.added} sentences ({labels}) to {res.target}")
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
    label and "label_status": "suggested"; the hardest rows come first. Review them
    (fix "label" and "voice", set "label_status" to "reviewed"), then merge with
    `stance annotations add`.

    \b
    Example:
      stance annotate article.txt --source "Al Arabiya" -o draft.jsonl
    """
    from .annotate import draft_records, write_draft
    from .inputs import read_article
    from .sniff import visible_text

    _refuse_output_over_input(output, [article])
    try:
        model = _load(model_path)
        text, _ = visible_text(read_article(article, encoding))
        rows = draft_records(model, text, source, doc=doc, order=order)
        write_draft(rows, output)
    except (StanceError, ValueError) as exc:
        raise click.ClickException(str(exc)) from None
    unsure = sum(r["margin"] < 0.3 for r in rows)
    click.echo(f"wrote {len(rows)} draft rows to {output} ({unsure} with margin < 0.3)")


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
def sources(inputs: tuple[str, ...], fmt: str, output: Path | None, n_boot: int) -> None:
    """Source-bias profiles: per outlet, articles and sentences, label shares, mean lean
    and loaded-term score with 95% bootstrap intervals (resampling articles), most
    critical first.

    Reads article records as written by `stance score --format json` (use --source or
    --sources there to name the outlets).

    \b
    Examples:
      stance score --format json --sources outlets.csv articles/ > scored.jsonl
      stance sources scored.jsonl
      stance sources --format html -o sources.html scored.jsonl
    """
    from . import sources as src

    try:
        _refuse_output_over_input(output, src.scored_files(list(inputs)))
        profiles = src.profile_sources(src.load_scored(list(inputs)), n_boot=n_boot)
    except (StanceError, ValueError) as exc:
        raise click.ClickException(str(exc)) from None
    render = {
        "table": src.render_sources_table,
        "csv": src.sources_to_csv,
        "json": src.sources_to_json,
        "html": src.render_sources_html,
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
def terms_discover(
    annotations_dir: Path, top: int, min_count: int, max_n: int, prior_scale: float, fmt: str
) -> None:
    """Rank words and 2-3-word phrases that separate the labels (log-odds ratio with an
    informative Dirichlet prior, Monroe et al. 2008), marking those already in the lexicon.

    \b
    Example:
      stance terms discover --top 20 --format csv > candidates.csv
    """
    from .annotations import load_annotations
    from .discover import discover_terms
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
