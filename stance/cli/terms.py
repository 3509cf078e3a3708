"""`stance terms list|check|audit|discover`: the loaded-term lexicon."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from ..errors import StanceError
from . import annotations_option, main


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
    from ..inputs import read_article
    from ..lexicon import load_lexicon, net_weight

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
    from ..dev import load_dev
    from ..lexicon import load_lexicon
    from ..term_audit import audit_terms

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
        from ..csvsafe import csv_writer

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
