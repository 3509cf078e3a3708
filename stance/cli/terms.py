"""`stance terms list|check|audit|discover`: the loaded-term lexicon."""

from __future__ import annotations

from pathlib import Path

import click

from ..errors import StanceError
from . import annotations_option, main, user_errors


@main.group()
def terms() -> None:
    """The loaded-term lexicon: list it, check a text, discover new candidate terms."""


@terms.command("list")
@click.option(
    "--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True
)
def terms_list(fmt: str) -> None:
    """Print the shipped lexicon (term, direction, weight, category, neutral, gloss)."""
    from ..lexicon import load_lexicon
    from ..render import terms as render

    lex = load_lexicon()
    click.echo(render.lexicon_json(lex) if fmt == "json" else render.lexicon_table(lex))


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
    from ..inputs import read_text_or_file
    from ..lexicon import load_lexicon, net_weight
    from ..render import terms as render

    try:
        text = read_text_or_file(text_or_file, encoding)
    except (StanceError, OSError) as exc:
        raise click.ClickException(str(exc)) from None
    matches = load_lexicon().find(text)
    if fmt == "json":
        click.echo(render.matches_json(matches))
    else:
        click.echo(render.matches_table(matches, net_weight(matches)))


@terms.command("audit")
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True
)
@user_errors
def terms_audit(files: tuple[Path, ...], fmt: str) -> None:
    """Check each loaded term against labelled real text (JSONL with text, label and
    optional target, like the dev set or annotation files): how many sentences it fires
    in, how many are on target, how many carry its direction. Terms that fire mostly on
    neutral or off-target sentences deserve a lower weight.

    \b
    Example:
      stance terms audit ../shared/devset/ant2018.jsonl annotations/seed.jsonl
    """
    from ..dev import load_dev
    from ..lexicon import load_lexicon
    from ..render import terms as render
    from ..term_audit import audit_terms

    rows = [r for f in files for r in load_dev(f)["rows"]]
    audits = audit_terms(rows, load_lexicon())
    if fmt == "json":
        click.echo(render.audit_json(audits))
    else:
        click.echo(render.audit_table(len(rows), audits))


@terms.command("discover")
@annotations_option
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
@user_errors
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
    from ..annotations import load_annotations
    from ..discover import discover_terms, load_stopwords
    from ..lexicon import load_lexicon
    from ..render import terms as render

    records = load_annotations(annotations_dir)
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
    if fmt == "json":
        click.echo(render.discovery_json(result))
    elif fmt == "csv":
        click.echo(render.discovery_csv(result), nl=False)
    else:
        table = render.discovery_table(result)
        if table:
            click.echo(table)
