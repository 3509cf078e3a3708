"""The `stance` command line: a thin layer over the library API.

Heavy modules (scikit-learn, the model) are imported inside the commands so that
``stance --help`` stays fast.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
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
    return json.dumps(obj, ensure_ascii=False)


def _fail(message: str) -> None:
    click.echo(f"error: {message}", err=True)


def _warn(message: str) -> None:
    click.echo(f"warning: {message}", err=True)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="stance")
def main() -> None:
    """Stance and loaded-term analysis of Arabic coverage of the Abraham Accords."""


@main.command()
@click.argument("inputs", nargs=-1, required=True, metavar="FILE... | -")
@click.option(
    "--jsonl",
    is_flag=True,
    help='Inputs are JSON Lines of {"id","text",...}; each record is scored as one '
    "passage (no sentence splitting) and written as one output line, in order.",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "json"]),
    default="table",
    show_default=True,
    help="Article output: readable table or one JSON object per "
    "article (ignored with --jsonl, which always writes JSON Lines).",
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
    help="With --jsonl: score batches in this many processes (output order is kept).",
)
@_model_option
def score(
    inputs: tuple[str, ...],
    jsonl: bool,
    fmt: str,
    encoding: str,
    keep_text: bool,
    on_error: str,
    jobs: int,
    model_path: Path | None,
) -> None:
    """Label every sentence of each article (FILE, or - for stdin) pro / critical / neutral
    and summarize its lean.

    \b
    Examples:
      stance score examples/sample_article.txt
      stance score --format json article1.txt article2.txt
      cat records.jsonl | stance score --jsonl -
    """
    try:
        model = _load(model_path)
    except StanceError as exc:
        raise click.ClickException(str(exc)) from None
    failures = 0
    for path in inputs:
        if jsonl:
            failures += _score_jsonl(
                model, path, encoding, keep_text, on_error == "fail", jobs, model_path
            )
            if failures and on_error == "fail":
                break
        else:
            failures += _score_file(model, path, encoding, fmt)
    if failures:
        _fail(f"{failures} input(s) failed; see the messages above")
        sys.exit(1)


def _score_file(model: Any, path: str, encoding: str, fmt: str) -> int:
    from .inputs import read_article
    from .report import render_table
    from .sniff import visible_text

    name = "<stdin>" if path == "-" else path
    try:
        text, was_html = visible_text(read_article(path, encoding))
        if was_html:
            _warn(
                f"{name}: HTML input; scored the text extracted from the markup "
                "(offsets index the extracted text)"
            )
        article = model.score_article(text, source=name)
    except StanceError as exc:
        _fail(str(exc))
        return 1
    if not article.arabic:
        _warn(
            f"{name}: no Arabic text (looks {article.language}); scored anyway and "
            'flagged "arabic": false: the labels are unreliable'
        )
    if fmt == "json":
        click.echo(_dump(article.to_dict()))
    else:
        click.echo(render_table(article))
    return 0


def _score_jsonl(
    model: Any,
    path: str,
    encoding: str,
    keep_text: bool,
    stop: bool,
    jobs: int = 1,
    model_path: Path | None = None,
) -> int:
    from .batch import BATCH_SIZE, score_batches
    from .inputs import iter_jsonl

    failures = 0

    def records() -> Iterator[list[dict[str, Any]]]:
        # Bad lines are reported here, as they are read; good records go on in batches.
        nonlocal failures
        # Duplicate ids are reported with the line that used the id first. The map grows
        # with the number of distinct ids (not with the text), so memory stays small.
        first_line: dict[str, int] = {}
        batch: list[dict[str, Any]] = []
        for item in iter_jsonl(path, encoding):
            error = item.error
            if error is None and "id" in item.record:  # type: ignore[operator]
                key = json.dumps(item.record["id"], sort_keys=True)  # type: ignore[index]
                if key in first_line:
                    error = f"duplicate id {key} (first on line {first_line[key]})"
                else:
                    first_line[key] = item.line
            if error is not None:
                _fail(f"{path}:{item.line}: {error}")
                failures += 1
                if stop:
                    break
                continue
            batch.append(item.record)  # type: ignore[arg-type]
            if len(batch) >= BATCH_SIZE:
                yield batch
                batch = []
        if batch:
            yield batch

    html = not_arabic = 0
    try:
        for scored in score_batches(model, records(), keep_text, jobs, model_path):
            click.echo("\n".join(_dump(r) for r in scored.records))
            html += scored.html
            not_arabic += scored.not_arabic
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
    type=click.Path(path_type=Path),
    default=Path("models"),
    show_default=True,
    help="Directory to write the model and card.json into.",
)
@click.option("--no-eval", is_flag=True, help="Skip cross-validation (no figures in the card).")
def train(annotations_dir: Path, out_dir: Path, no_eval: bool) -> None:
    """Train the model from the annotations and write it (atomically) with its card.

    \b
    Example:
      stance train --annotations annotations --out models
    """
    from .train import train_model

    try:
        model = train_model(annotations_dir, run_evaluation=not no_eval)
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


@main.command()
@_annotations_option
@click.option(
    "--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True
)
def evaluate(annotations_dir: Path, fmt: str) -> None:
    """Cross-validate grouped by document, and leave-one-article-out over the seed articles.

    \b
    Example:
      stance evaluate --format json
    """
    from .annotations import load_annotations
    from .train import evaluate as run_evaluate

    try:
        result = run_evaluate(load_annotations(annotations_dir))
    except StanceError as exc:
        raise click.ClickException(str(exc)) from None
    if fmt == "json":
        click.echo(json.dumps(result, ensure_ascii=False, indent=2))
        return
    click.echo(_render_evaluation(result))


def _render_evaluation(r: dict[str, Any]) -> str:
    lines = [
        f"grouped {r['folds']}-fold CV over {r['sentences']} sentences (no document in "
        "both train and test)",
        f"{'label':<10}{'precision':>10}{'recall':>8}{'f1':>8}{'support':>9}",
    ]
    for lab, m in r["per_class"].items():
        lines.append(
            f"{lab:<10}{m['precision']:>10.3f}{m['recall']:>8.3f}{m['f1']:>8.3f}{m['support']:>9}"
        )
    lines.append(
        f"macro-F1 {r['macro_f1']:.3f}   majority-class baseline "
        f"({r['baseline_label']}) {r['baseline_macro_f1']:.3f}"
    )
    labels = r["confusion"]["labels"]
    lines.append("confusion (rows = truth, columns = predicted): " + " ".join(labels))
    for lab, row in zip(labels, r["confusion"]["matrix"]):
        lines.append(f"  {lab:<10}" + "".join(f"{v:>9}" for v in row))
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
    """The annotated corpus: validate it."""


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
    click.echo(
        f"ok: {len(records)} sentences in {docs} documents {label_counts(records)} "
        f"under {annotations_dir}"
    )


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
        import csv

        writer = csv.writer(sys.stdout, lineterminator="\n")
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
