"""Tabular renderings: CSV rows of scored sentences (formula cells neutralized) and
the JSON line of a record."""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any

from ..batch import dump_record
from ..csvsafe import csv_writer
from ..results import ArticleScore

__all__ = ["csv_header", "csv_rows", "csv_chunk", "dump_record"]


def csv_header(classes: Sequence[str]) -> list[str]:
    """The columns of ``stance score --format csv``: one row per sentence."""
    return [
        "source",
        "path",
        "date",
        "index",
        "start",
        "end",
        "label",
        *(f"p_{c}" for c in classes),
        "on_target",
        "about_target",
        "furniture",
        "loaded_terms",
        "net_term_weight",
        "text",
    ]


def csv_rows(article: ArticleScore, classes: Sequence[str]) -> list[list[Any]]:
    """The sentence rows of one article under :func:`csv_header` (``path`` is the file
    the article was read from, which is its ``source`` when no outlet was given;
    ``loaded_terms`` joins the canonical terms with "; "; empty cells for none)."""
    path = article.path if article.path is not None else article.source
    rows = []
    for s in article.sentences:
        rows.append(
            [
                article.source,
                path,
                article.date or "",
                s.index,
                s.start,
                s.end,
                s.label,
                *(s.probabilities.get(c, 0.0) for c in classes),
                "" if s.on_target is None else s.on_target,
                s.about_target,
                s.furniture or "",
                "; ".join(m.term for m in s.loaded_terms),
                round(s.net_term_weight, 4),
                s.text,
            ]
        )
    return rows


def csv_chunk(rows: list[list[Any]]) -> str:
    """Rows as CSV text (formula cells neutralized), without the last line end."""
    buf = io.StringIO()
    csv_writer(buf).writerows(rows)
    return buf.getvalue().rstrip("\n")
