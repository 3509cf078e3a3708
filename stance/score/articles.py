"""Score article files: one file in, one ArticleScore out (with the warnings it earns)."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

from ..inputs import STDIN, read_article
from ..outlets import SourceRow
from ..sniff import visible_text


def score_article_file(
    model: Any,
    path: str,
    encoding: str = "utf-8",
    source: str | None = None,
    row: SourceRow | None = None,
    explain: bool = False,
    warn: Callable[[str], None] = lambda message: None,
) -> Any:
    """Score one article file (``-`` for stdin) and return its ArticleScore.

    ``row`` is the file's sources-CSV row (outlet and date), else ``source`` names the
    outlet. HTML input and text without Arabic are scored, with a message to ``warn``.
    Raises a StanceError when the file cannot be read.
    """
    name = "<stdin>" if path == STDIN else path
    info = row.info if row is not None else None
    outlet = info.source if info else source
    text, was_html = visible_text(read_article(path, encoding))
    if was_html:
        warn(
            f"{name}: HTML input; scored the text extracted from the markup "
            "(offsets index the extracted text)"
        )
    article = model.score_article(text, source=outlet or name, explain=explain)
    if outlet:
        article = dataclasses.replace(article, path=name, date=info.date if info else None)
    if not article.arabic:
        warn(
            f"{name}: no Arabic text (looks {article.language}); scored anyway and "
            'flagged "arabic": false: the labels are unreliable'
        )
    return article
