"""The outlets CSV (``path,source[,date]``) of `stance score --outlets-csv`: read it, and
match its rows with the article files of a run."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from .errors import InputError
from .inputs import STDIN

__all__ = ["SourceInfo", "SourceRow", "SourceMatch", "SourcesTable", "read_sources_csv"]


@dataclass(frozen=True)
class SourceInfo:
    """Outlet and date of one article file, from a sources CSV."""

    source: str
    date: str | None = None


@dataclass(frozen=True)
class SourceRow:
    """One row of a sources CSV: its line, the path as written, and the outlet."""

    line: int
    path: str
    info: SourceInfo
    resolved: str  # relative paths resolved against the CSV's own directory


@dataclass
class SourceMatch:
    """How the inputs of one run met the rows of a sources CSV.

    ``found``: input path -> its row; ``by_name``: inputs matched only by file name
    (their CSV path resolved neither as written nor from the CSV's directory);
    ``uncovered``: inputs no row names; ``unused``: rows that matched no input.
    """

    found: dict[str, SourceRow]
    by_name: list[str]
    uncovered: list[str]
    unused: list[SourceRow]
    csv_path: Path = Path()

    def warnings(self, source: str | None, most: int = 20) -> list[str]:
        """What to warn of: every input the CSV does not cover and every row that matches
        no input (listed up to ``most``, then counted), and file-name matches."""
        csv_name = self.csv_path
        fallback = f"recorded as --source {source!r}" if source else "its source is its file path"
        out = [f"{path}: not in {csv_name}; {fallback}" for path in self.uncovered[:most]]
        if len(self.uncovered) > most:
            out.append(f"... and {len(self.uncovered) - most} more inputs not in {csv_name}")
        for row in self.unused[:most]:
            out.append(f"{csv_name}:{row.line}: {row.path} matches no input file")
        if len(self.unused) > most:
            out.append(f"... and {len(self.unused) - most} more rows of {csv_name} match no input")
        if self.by_name:
            out.append(
                f"{len(self.by_name)} input(s) matched {csv_name} by file name only (its paths "
                f"resolve neither from here nor from {csv_name.parent}), e.g. {self.by_name[0]}"
            )
        if self.uncovered and not self.found:
            out.append(
                f"no input matched {csv_name}: write its paths as given on the command line or "
                f"relative to {csv_name.parent}"
            )
        return out


@dataclass(frozen=True)
class SourcesTable:
    """A sources CSV (``path,source[,date]``) read by :func:`read_sources_csv`."""

    csv_path: Path
    rows: tuple[SourceRow, ...]

    def match(self, inputs: Sequence[str]) -> SourceMatch:
        """Find each input's row: by the path as written in the CSV (as given on the
        command line), then by the path resolved against the CSV's directory, then by
        the resolved input path; failing those, by file name alone when exactly one
        row and exactly one input carry that name (so a CSV written elsewhere, with
        paths that do not resolve from here, still matches, but never a guess between
        two files of the same name). Standard input is never matched."""
        exact: dict[str, SourceRow] = {}
        for row in self.rows:
            exact.setdefault(row.path, row)
            exact.setdefault(row.resolved, row)
            exact.setdefault(_resolved(Path(row.path)), row)  # relative to this directory
        found: dict[str, SourceRow] = {}
        rest: list[str] = []
        for path in inputs:
            if path == STDIN:
                continue
            row = exact.get(path) or exact.get(_resolved(Path(path)))
            if row is None:
                rest.append(path)
            else:
                found[path] = row
        used = {id(r) for r in found.values()}
        by_name: list[str] = []
        if rest:
            names: dict[str, list[SourceRow]] = {}
            for row in self.rows:
                if id(row) not in used:
                    names.setdefault(_file_name(row.path), []).append(row)
            input_names: dict[str, int] = {}
            for path in inputs:
                input_names[_file_name(path)] = input_names.get(_file_name(path), 0) + 1
            for path in list(rest):
                name = _file_name(path)
                rows = names.get(name, [])
                if len(rows) == 1 and input_names[name] == 1:
                    found[path] = rows[0]
                    by_name.append(path)
                    rest.remove(path)
            used = {id(r) for r in found.values()}
        unused = [r for r in self.rows if id(r) not in used]
        return SourceMatch(found, by_name, rest, unused, self.csv_path)


def _resolved(p: Path) -> str:
    try:
        return str(p.resolve())
    except (OSError, RuntimeError):  # a symlink loop
        return str(p.absolute())


def _file_name(path: str) -> str:
    return Path(path.replace("\\", "/")).name


def read_sources_csv(path: str | Path) -> SourcesTable:
    """Read a sidecar CSV with columns ``path,source[,date]`` (header required).

    Paths are matched as written and also resolved (relative paths against the CSV's
    own directory), then by file name when unambiguous (:meth:`SourcesTable.match`).
    """
    import csv

    p = Path(path)
    if not p.exists():
        raise InputError(f"sources CSV {p}: no such file")
    if p.is_dir():
        raise InputError(f"sources CSV {p}: is a directory, not a CSV file")
    try:
        text = p.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read sources CSV {p}: {exc}") from None
    rows = list(csv.reader(text.splitlines()))
    if not rows or [c.strip().lower() for c in rows[0][:2]] != ["path", "source"]:
        raise InputError(f"{p}:1: header must be path,source[,date]")
    out: list[SourceRow] = []
    for n, row in enumerate(rows[1:], 2):
        if not any(c.strip() for c in row):
            continue
        if len(row) < 2 or not row[0].strip() or not row[1].strip():
            raise InputError(f"{p}:{n}: expected path,source[,date]")
        date = row[2].strip() if len(row) > 2 and row[2].strip() else None
        name = row[0].strip()
        out.append(SourceRow(n, name, SourceInfo(row[1].strip(), date), _resolved(p.parent / name)))
    return SourcesTable(p, tuple(out))
