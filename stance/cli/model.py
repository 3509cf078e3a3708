"""`stance train`, `stance evaluate` and `stance info`: the model's commands."""

from __future__ import annotations

import json
from pathlib import Path

import click

from ..errors import StanceError
from . import Stages, annotations_option, load, main, model_option, note, set_quiet, user_errors


@main.command()
@annotations_option
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
    set_quiet(quiet)
    from ..dev import DEFAULT_DEV_PATH
    from ..render import text
    from ..train import train_model

    if dev_path is None and not no_dev and DEFAULT_DEV_PATH.is_file():
        dev_path = DEFAULT_DEV_PATH
    stages = Stages()
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
    click.echo(text.render_trained(model.card, card_path.parent / model.card["model_file"]))


@main.command()
@annotations_option
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
@model_option
@user_errors
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
    set_quiet(quiet)
    from ..annotations import read_annotations
    from ..render import text
    from ..train import card_to_compare, comparison, stored_evaluation
    from ..train import evaluate as run_evaluate

    if dev_path is not None:
        _evaluate_dev(dev_path, model_path, compare_dir, fmt)
        return
    stages = Stages()
    old_card = card_to_compare(compare_dir) if compare_dir is not None else None
    stages("reading the annotations", 0, 1)
    records, sha = read_annotations(annotations_dir)
    stages("reading the annotations", 1, 1)
    reused = None if fresh else stored_evaluation(model_path, sha)
    if reused is not None:
        where, result = reused
        note(
            f"figures from {where} (trained on these annotations by this code, so "
            "the same folds give the same figures); --fresh runs them again"
        )
    else:
        result = run_evaluate(records, progress=stages)
    if old_card is not None:
        result["compare"] = comparison(compare_dir, old_card, sha)
    if fmt == "json":
        click.echo(json.dumps(result, ensure_ascii=False, indent=2))
        return
    click.echo(text.render_evaluation(result))
    if old_card is not None:
        click.echo(text.render_compare(result))


def _evaluate_dev(
    dev_path: Path, model_path: Path | None, compare_dir: Path | None, fmt: str
) -> None:
    """`stance evaluate --dev`: the model (and the --compare model) on labelled data."""
    from ..dev import evaluate_dev, load_dev
    from ..render import text

    dev = load_dev(dev_path)
    result = evaluate_dev(load(model_path), dev)
    if compare_dir is not None:
        result["compare"] = {
            "model": str(compare_dir),
            "before": evaluate_dev(load(compare_dir), dev),
        }
    if fmt == "json":
        click.echo(json.dumps(result, ensure_ascii=False, indent=2))
        return
    click.echo(text.render_dev(result))
    if compare_dir is not None:
        click.echo(text.render_dev_compare(result))


@main.command()
@click.option(
    "--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True
)
@model_option
@user_errors
def info(fmt: str, model_path: Path | None) -> None:
    """Print the model card of the model in use (labels, decision rule, training data,
    figures, files and versions) as a readable card, or as JSON (the card.json itself).

    \b
    Examples:
      stance info
      stance info --format json --model path/to/model_dir
    """
    from ..model import read_card, resolve_model
    from ..render import text

    directory, _ = resolve_model(model_path)
    card = read_card(directory)
    if fmt == "json":
        click.echo(json.dumps(card, ensure_ascii=False, indent=2))
        return
    click.echo(text.render_card(directory, card))
