"""`stance sources`: per-outlet profiles of scored records."""

from __future__ import annotations

from pathlib import Path

import click

from . import main, open_output, output_option, refuse_output_over_input, user_errors, warn


@main.command()
@click.argument("inputs", nargs=-1, required=True, metavar="SCORED.jsonl... | DIR")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "csv", "json", "html"]),
    default="table",
    show_default=True,
)
@output_option
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
@user_errors
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
    from .. import sources as src

    refuse_output_over_input(output, src.scored_files(list(inputs)))
    records = src.load_scored(list(inputs))
    profiles = src.profile_sources(records, n_boot=n_boot, by=by)
    for message in src.profile_warnings(records, by):
        warn(message)
    from ..render import sources as show

    render = {
        "table": show.render_sources_table,
        "csv": show.sources_to_csv,
        "json": show.sources_to_json,
        "html": lambda profiles: show.render_sources_html(profiles, lang=lang),
    }[fmt]
    with open_output(output) as out:
        out(render(profiles).rstrip("\n"))
