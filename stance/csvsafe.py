"""CSV that is safe to open in a spreadsheet: every CSV `stance` writes goes through here.

A spreadsheet reads a cell starting with ``=``, ``+``, ``-`` or ``@`` (or a tab or
carriage return before one) as a formula and may run it: ``=HYPERLINK(...)`` in an
outlet name fetches a URL when the file is opened (CSV or formula injection). Such
text cells get a leading apostrophe, which spreadsheets show as text and do not
evaluate. Numbers are written as numbers (a negative lean stays -0.75).
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from typing import IO, Any

__all__ = ["FORMULA_START", "safe_cell", "csv_writer"]

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> Any:
    """``value``, with a leading apostrophe if it is text a spreadsheet would evaluate.

    A carriage return inside text becomes a line feed: the csv module quotes a cell
    holding LF but not one holding a bare CR, which most readers take for the end of
    the row, so ``"x\r=1"`` would start a new row with a formula."""
    if not isinstance(value, str):
        return value
    if value.startswith(FORMULA_START):
        value = "'" + value
    if "\r" in value:
        value = value.replace("\r\n", "\n").replace("\r", "\n")
    return value


class _SafeWriter:
    """A :func:`csv.writer` whose rows pass through :func:`safe_cell`."""

    def __init__(self, fh: IO[str]) -> None:
        self._writer = csv.writer(fh, lineterminator="\n")

    def writerow(self, row: Iterable[Any]) -> Any:
        return self._writer.writerow([safe_cell(v) for v in row])

    def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
        for row in rows:
            self.writerow(row)


def csv_writer(fh: IO[str]) -> _SafeWriter:
    """A CSV writer (``\\n`` line ends) onto ``fh`` that neutralizes formula cells."""
    return _SafeWriter(fh)
