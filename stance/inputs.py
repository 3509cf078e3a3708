"""Reading articles and JSONL records from files or stdin, with clear errors."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from .errors import InputError

__all__ = ["STDIN", "read_article", "JsonlRecord", "iter_jsonl"]

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


def _decode(data: bytes, path: str, encoding: str) -> str:
    if b"\0" in data[:8192]:
        raise InputError(f"{path}: binary file (NUL bytes); give a plain-text article")
    try:
        # utf-8-sig accepts a byte-order mark; other encodings are the user's choice.
        return data.decode(
            "utf-8-sig" if encoding.lower().replace("_", "-") == "utf-8" else encoding
        )
    except UnicodeDecodeError as exc:
        raise InputError(
            f"{path}: not valid {encoding} (byte {exc.start}); if it is windows-1256 or "
            "latin-1, pass --encoding cp1256 (or the file's encoding)"
        ) from None
    except LookupError:
        raise InputError(f"unknown encoding {encoding!r}; use e.g. utf-8 or cp1256") from None


def read_article(path: str, encoding: str = "utf-8") -> str:
    """Read a whole article file (or stdin for ``-``) as text."""
    fh = _open_binary(path)
    try:
        data = fh.read()
    finally:
        if path != STDIN:
            fh.close()
    text = _decode(data, path, encoding).replace("\r\n", "\n").replace("\r", "\n")
    if not text.strip():
        raise InputError(f"{path}: empty file; nothing to score")
    return text


@dataclass(frozen=True)
class JsonlRecord:
    """One JSONL input line: its line number and the parsed object, or the error."""

    line: int
    record: dict[str, Any] | None
    error: str | None


def iter_jsonl(path: str, encoding: str = "utf-8") -> Iterator[JsonlRecord]:
    """Stream records of a JSONL file line by line (constant memory).

    Each record must be an object with a string ``text``; problems are yielded as
    errors with their line number instead of stopping the stream.
    """
    fh = _open_binary(path)
    enc = "utf-8-sig" if encoding.lower().replace("_", "-") == "utf-8" else encoding
    try:
        for lineno, raw in enumerate(fh, 1):
            if lineno == 1 and enc == "utf-8-sig" and raw.startswith(b"\xef\xbb\xbf"):
                raw = raw[3:]
            if not raw.strip():
                continue
            try:
                line = raw.decode("utf-8" if enc == "utf-8-sig" else enc)
            except UnicodeDecodeError:
                yield JsonlRecord(lineno, None, f"not valid {encoding}; pass --encoding")
                continue
            try:
                obj = json.loads(line)
            except json.JSONDecodeError as exc:
                yield JsonlRecord(lineno, None, f"invalid JSON ({exc.msg})")
                continue
            if not isinstance(obj, dict):
                yield JsonlRecord(lineno, None, 'expected a JSON object with a "text" field')
            elif "text" not in obj:
                yield JsonlRecord(lineno, None, 'missing field "text"')
            elif not isinstance(obj["text"], str):
                yield JsonlRecord(
                    lineno, None, f'"text" must be a string, got {type(obj["text"]).__name__}'
                )
            else:
                yield JsonlRecord(lineno, obj, None)
    finally:
        if path != STDIN:
            fh.close()
