"""`stance annotations check|add` and `stance annotate`: the annotated corpus."""

from __future__ import annotations

from pathlib import Path

import click

from . import (
    annotations_option,
    load,
    main,
    model_option,
    refuse_output_over_input,
    user_errors,
    warn,
)


@main.group()
def annotations() -> None:
    """The annotated corpus: validate it, add reviewed drafts."""


@annotations.command("check")
@annotations_option
@user_errors
def annotations_check(annotations_dir: Path) -> None:
    """Validate the corpus: unknown label, missing field, duplicate id, the same text with
    conflicting labels, empty text, a document split across files (file:line messages).
    `stance train` runs the same checks first.

    \b
    Example:
      stance annotations check --annotations annotations
    """
    from ..annotations import label_counts, load_annotations
    from ..render import text

    records = load_annotations(annotations_dir)
    click.echo(text.render_checked(records, annotations_dir, label_counts(records)))


@annotations.command("add")
@click.argument("draft", type=click.Path(dir_okay=False, path_type=Path))
@annotations_option
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
@user_errors
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
    from ..drafts import add_reviewed
    from ..render import text

    res = add_reviewed(draft, annotations_dir, accept_suggested, target, replace)
    dropped, lines = text.render_added(res)
    if dropped is not None:
        click.echo(dropped, err=True)
    for line in lines:
        click.echo(line)
    if res.accepted_suggested:
        warn(f"{res.accepted_suggested} of them carry unreviewed model labels")


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
@model_option
@user_errors
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
    from ..drafts import draft_article, write_draft
    from ..inputs import read_article
    from ..render import text
    from ..sniff import visible_text

    refuse_output_over_input(output, [article])
    model = load(model_path)
    body, _ = visible_text(read_article(article, encoding))
    rows, furniture = draft_article(model, body, source, doc=doc, order=order)
    write_draft(rows, output)
    click.echo(text.render_drafted(rows, furniture, output))
