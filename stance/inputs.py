"""Reading articles and JSONL records from files or stdin, with clear errors."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from .errors import InputError
from .sniff import binary_kind, guess_encoding

__all__ = [
    "STDIN",
    "read_article",
    "JsonlRecord",
    "iter_jsonl",
    "parse_jsonl_line",
    "expand_inputs",
    "SourceInfo",
    "read_sources_csv",
    "source_for",
]

STDIN = "-"


def _open_binary(path: str) -> BinaryIO:
    if path == STDIN:
        return sys.stdin.buffer
    p = Path(path)
    if p.is_dir():
        raise InputError(f"{path}: is a directory; pass the article files inside it")
    if not p.exists():
        raise InputError(f"{path}: no such file; check the path")
    try:
        return open(p, "rb")
    except OSError as exc:
        raise InputError(f"{path}: cannot open ({exc.strerror}); check its permissions") from None


# One article is a news piece, not an archive: bigger inputs go through --jsonl,
# which streams. The limit keeps a mistaken 200 MB "article" from exhausting memory.
MAX_ARTICLE_BYTES = 20 * 1024 * 1024


def _encoding_name(encoding: str) -> str:
    # utf-8-sig accepts a byte-order mark; other encodings are the user's choice.
    return "utf-8-sig" if encoding.lower().replace("_", "-") in ("utf-8", "utf8") else encoding


def _decode(data: bytes, path: str, encoding: str) -> str:
    kind = binary_kind(data[:8192])
    if kind:
        raise InputError(f"{path}: {kind}, not text; give the article as a UTF-8 text file")
    try:
        return data.decode(_encoding_name(encoding))
    except UnicodeDecodeError as exc:
        guess = guess_encoding(data)
        hint = {
            "cp1256": "it looks like windows-1256 (Arabic Windows): pass --encoding cp1256",
            "utf-16": "it looks like UTF-16: pass --encoding utf-16",
        }.get(guess or "", "it may be latin-1 or another legacy encoding: pass --encoding NAME")
        raise InputError(f"{path}: not valid {encoding} (byte {exc.start}); {hint}") from None
    except LookupError:
        raise InputError(f"unknown encoding {encoding!r}; use e.g. utf-8 or cp1256") from None


def read_article(path: str, encoding: str = "utf-8") -> str:
    """Read a whole article file (or stdin for ``-``) as text.

    Line endings are kept as they are (CRLF included), so character offsets in the
    results index the decoded file text.
    """
    if path != STDIN:
        p = Path(path)
        size = p.stat().st_size if p.is_file() else 0
        if size > MAX_ARTICLE_BYTES:
            raise InputError(
                f"{path}: {size / 1e6:.0f} MB is too large for one article "
                f"(limit {MAX_ARTICLE_BYTES // 2**20} MB); split it, or score it as passages "
                "with --jsonl, which streams"
            )
    fh = _open_binary(path)
    try:
        data = fh.read(MAX_ARTICLE_BYTES + 1)
    finally:
        if path != STDIN:
            fh.close()
    if len(data) > MAX_ARTICLE_BYTES:
        raise InputError(
            f"{path}: input is larger than {MAX_ARTICLE_BYTES // 2**20} MB, too large for one "
            "article; split it, or score it as passages with --jsonl"
        )
    text = _decode(data, path, encoding)
    if not text.strip():
        what = "empty file" if not text else "only whitespace"
        raise InputError(f"{path}: {what}; nothing to score")
    return text


@dataclass(frozen=True)
class JsonlRecord:
    """One JSONL input line: its line number and the parsed object, or the error."""

    line: int
    record: dict[str, Any] | None
    error: str | None


def parse_jsonl_line(
    raw: bytes, line: int, encoding: str = "utf-8", first: bool = False
) -> JsonlRecord | None:
    """One raw JSONL line as a record or an error (None for a blank line). ``first``:
    the line starts the file, where a UTF-8 byte-order mark is dropped."""
    enc = _encoding_name(encoding)
    if first and enc == "utf-8-sig" and raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    if not raw.strip():
        return None
    try:
        text = raw.decode("utf-8" if enc == "utf-8-sig" else enc)
    except UnicodeDecodeError:
        return JsonlRecord(line, None, f"not valid {encoding}; pass --encoding")
    try:
        obj = json.loads(text)
    except json.JSONDecodeError as exc:
        return JsonlRecord(line, None, f"invalid JSON ({exc.msg})")
    if not isinstance(obj, dict):
        return JsonlRecord(line, None, 'expected a JSON object with a "text" field')
    if "text" not in obj:
        return JsonlRecord(line, None, 'missing field "text"')
    if not isinstance(obj["text"], str):
        return JsonlRecord(line, None, f'"text" must be a string, got {type(obj["text"]).__name__}')
    return JsonlRecord(line, obj, None)


def iter_jsonl(path: str, encoding: str = "utf-8") -> Iterator[JsonlRecord]:
    """Stream records of a JSONL file line by line (constant memory).

    Each record must be an object with a string ``text``; problems are yielded as
    errors with their line number instead of stopping the stream.
    """
    fh = _open_binary(path)
    try:
        for lineno, raw in enumerate(fh, 1):
            item = parse_jsonl_line(raw, lineno, encoding, first=lineno == 1)
            if item is not None:
                yield item
    finally:
        if path != STDIN:
            fh.close()


ARTICLE_SUFFIXES = (".txt", ".html", ".htm")


def expand_inputs(inputs: Sequence[str], jsonl: bool = False) -> list[str]:
    """Paths to score: files as given, ``-`` as stdin, and for a directory its article
    files (``*.txt``, ``*.html``, ``*.htm``; ``*.jsonl`` with ``jsonl``),
    searched recursively, in sorted order. A directory without any is an error."""
    out: list[str] = []
    suffixes = (".jsonl",) if jsonl else ARTICLE_SUFFIXES
    for item in inputs:
        p = Path(item)
        if item != STDIN and p.is_dir():
            found = sorted(
                str(f) for f in p.rglob("*") if f.is_file() and f.suffix.lower() in suffixes
            )
            if not found:
                raise InputError(
                    f"{item}: directory has no {' / '.join('*' + s for s in suffixes)} files"
                )
            out.extend(found)
        else:
            out.append(item)
    return out


@dataclass(frozen=True)
class SourceInfo:
    """Outlet and date of one article file, from a sources CSV."""

    source: str
    date: str | None = None


def read_sources_csv(path: str | Path) -> dict[str, SourceInfo]:
    """Read a sidecar CSV with columns ``path,source[,date]`` (header required).

    Paths are matched as written and also resolved (relative paths against the CSV's
    own directory), so either form finds the article.
    """
    import csv

    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read sources CSV {p}: {exc}") from None
    rows = list(csv.reader(text.splitlines()))
    if not rows or [c.strip().lower() for c in rows[0][:2]] != ["path", "source"]:
        raise InputError(f"{p}:1: header must be path,source[,date]")
    out: dict[str, SourceInfo] = {}
    for n, row in enumerate(rows[1:], 2):
        if not any(c.strip() for c in row):
            continue
        if len(row) < 2 or not row[0].strip() or not row[1].strip():
            raise InputError(f"{p}:{n}: expected path,source[,date]")
        date = row[2].strip() if len(row) > 2 and row[2].strip() else None
        info = SourceInfo(row[1].strip(), date)
        name = row[0].strip()
        out[name] = info
        out[str((p.parent / name).resolve())] = info
    return out


def source_for(path: str, table: dict[str, SourceInfo]) -> SourceInfo | None:
    """The sources-CSV entry of an article path, if any."""
    if path in table:
        return table[path]
    if path == STDIN:
        return None
    return table.get(str(Path(path).resolve()))
