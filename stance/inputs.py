"""Reading articles and JSONL records from files or stdin, with clear errors.

Why one module over 400 lines: it is every reader of input (articles, JSON Lines, the
one input expander), which share the size limits, the encodings and the messages; the
outlets CSV is in :mod:`stance.outlets`.
"""

from __future__ import annotations

import glob
import json
import math
import os
import re
import sys
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from itertools import accumulate, repeat
from pathlib import Path
from typing import Any, BinaryIO, NamedTuple

from .errors import InputError
from .sniff import binary_kind, guess_encoding

__all__ = [
    "STDIN",
    "read_article",
    "read_text_or_file",
    "JsonlRecord",
    "iter_jsonl",
    "iter_jsonl_blocks",
    "JsonlBlock",
    "iter_lines",
    "line_blocks",
    "parse_jsonl_line",
    "MAX_RECORD_BYTES",
    "expand_inputs",
    "files_below",
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


def read_text_or_file(text_or_file: str, encoding: str = "utf-8") -> str:
    """An argument that is a text, a file name or ``-`` (stdin): the file's or stdin's
    text (:func:`read_article`), else the argument itself."""
    if text_or_file == STDIN or Path(text_or_file).is_file():
        return read_article(text_or_file, encoding)
    return text_or_file


# One JSONL record is one passage: like an article, it may be at most this big. A longer
# line is reported as soon as it passes the limit and skipped as it is read, so a huge
# (or endless) line never sits in memory. Read at call time, so a test can lower it.
MAX_RECORD_BYTES = 20 * 1024 * 1024
_READ_CHUNK = 1 << 16
_EOL = re.compile(rb"[\r\n]")


def iter_lines(
    fh: BinaryIO, limit: int | None = None, offset: int = 0
) -> Iterator[tuple[int, bytes | None]]:
    """Split a binary stream into lines ended by LF, CRLF or a lone CR, reading it in
    bounded chunks.

    Yields (offset of the line's first byte, the line without its end). A line longer
    than ``limit`` bytes (default :data:`MAX_RECORD_BYTES`) is yielded as None once it
    passes the limit, and the rest of it is read and dropped, so memory stays bounded
    whatever the line length. ``offset`` is the stream position at the start.
    """
    for starts, lines in line_blocks(fh, limit, offset, offsets=True):
        yield from zip(starts, lines)  # type: ignore[arg-type]


def line_blocks(
    fh: BinaryIO, limit: int | None = None, offset: int = 0, offsets: bool = False
) -> Iterator[tuple[list[int] | None, list[bytes | None]]]:
    """:func:`iter_lines` a chunk at a time: per chunk read, the lines it ends, as
    (their offsets, or None without ``offsets``; the lines). A block holds at most a
    chunk's bytes besides the line it completes, so memory stays as bounded; the usual
    chunk (one kind of line end) is split in C, line by line work left to the caller."""
    limit = MAX_RECORD_BYTES if limit is None else limit
    read = getattr(fh, "read1", fh.read)
    parts: list[bytes] = []  # the current line so far
    size = 0  # its length so far
    start = pos = offset  # offsets of the current line and of the chunk
    over = False  # the current line passed the limit (already given, as None)
    cr = False  # the last chunk ended with CR: an LF opening the next one belongs to it
    while True:
        chunk = read(_READ_CHUNK)
        if not chunk:
            break
        if cr:
            cr = False
            if chunk[0] == 10:
                chunk, pos, start = chunk[1:], pos + 1, start + 1
                if not chunk:
                    continue
        n = len(chunk)
        cr = chunk[-1] == 13
        lines: list[bytes | None] = []
        starts: list[int] = []
        # One kind of line end in the chunk (the usual case): split it in C.
        crs = chunk.count(b"\r")
        segs = None
        if not crs:
            sep = b"\n"
        elif b"\n" not in chunk:
            sep = b"\r"
        else:
            sep = b"\r\n"
            if not cr and crs == chunk.count(b"\n"):
                segs = chunk.split(sep)
                if len(segs) != crs + 1:  # not every CR and LF pair up
                    segs = None
            if segs is None:
                sep = b""
        if sep:
            segs = segs or chunk.split(sep)
            if len(segs) > 1:
                head = segs[0]  # ends the current line
                if not over:
                    size += len(head)
                    starts.append(start)
                    if size > limit:
                        lines.append(None)
                    else:
                        lines.append(b"".join((*parts, head)) if parts else head)
                parts.clear()
                size, over = 0, False
                start = pos + len(head) + len(sep)
                whole = segs[1:-1]  # lines wholly inside the chunk
                if whole:
                    sizes = list(map(len, whole))
                    if max(sizes) > limit:
                        whole = [None if k > limit else seg for k, seg in zip(sizes, whole)]
                    lines += whole
                    if offsets:
                        starts += accumulate([k + len(sep) for k in sizes[:-1]], initial=start)
                    start += sum(sizes) + len(sep) * len(sizes)
            tail = segs[-1]
            if not over:
                size += len(tail)
                if size > limit:
                    over = True
                    parts.clear()
                    starts.append(start)
                    lines.append(None)
                elif tail:
                    parts.append(tail)
            pos += n
        else:
            # Mixed line ends: find each one.
            i = 0
            while True:
                m = _EOL.search(chunk, i)
                j = n if m is None else m.start()
                if not over:
                    size += j - i
                    if size > limit:
                        over = True
                        parts.clear()
                        starts.append(start)
                        lines.append(None)
                    elif j > i:
                        parts.append(chunk[i:j])
                if m is None:
                    break
                if not over:
                    starts.append(start)
                    lines.append(b"".join(parts))
                parts.clear()
                size, over = 0, False
                if chunk[j] == 10:  # LF
                    i = j + 1
                elif j + 1 < n:  # CR, or CRLF
                    i = j + 2 if chunk[j + 1] == 10 else j + 1
                else:  # CR ending the chunk (cr is set)
                    i = n
                start = pos + i
            pos += n
        if lines:
            yield (starts if offsets else None), lines
    if not over and size:  # a last line without a line end
        yield ([start] if offsets else None), [b"".join(parts)]


class JsonlRecord(NamedTuple):
    """One JSONL input line: its line number and the parsed object, or the error."""

    line: int
    record: dict[str, Any] | None
    error: str | None


def _size(n: int) -> str:
    return f"{n // 2**20} MB" if n % 2**20 == 0 else f"{n:,} bytes"


class _NotJson(ValueError):
    """What Python's json module reads but JSON does not allow."""


def _no_constant(name: str) -> Any:
    # NaN, Infinity and -Infinity: Python reads them, but they are not JSON, and written
    # back they would make the output unreadable by strict JSON readers.
    raise _NotJson(f"{name} is not a JSON value; write null or a string")


def _finite(number: str) -> float:
    value = float(number)
    if math.isinf(value):  # 1e999: read as Infinity, written back as Infinity
        raise _NotJson(f"{number[:20]} is out of range for a number; write it as a string")
    return value


# json.loads(text, parse_constant=..., parse_float=...) makes this decoder on every call.
_DECODER = json.JSONDecoder(parse_constant=_no_constant, parse_float=_finite)
# msgspec reads a line in a third of the json module's time, straight from the bytes. It
# refuses everything the json module refuses here (NaN, Infinity, numbers out of range,
# bad UTF-8, lone surrogates, ints over 4300 digits) and reads the rest to the same
# values (tests/test_inputs_fast.py), so a line it refuses goes to the json module for
# the message. Lines that open 256 brackets go there directly.
try:
    from msgspec.json import Decoder as _Decoder
except ImportError:  # pragma: no cover - msgspec is a dependency; the json module will do
    _FAST_DECODE = None
else:
    _FAST_DECODE = _Decoder().decode

# A JSON escape of a UTF-16 surrogate (\ud800-\udfff); json.loads joins a valid pair into
# one character, so only a lone half is left in the parsed strings.
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")
_SURROGATE = re.compile("[\ud800-\udfff]")


def _lone_surrogate(obj: dict[str, Any]) -> str | None:
    """Which field of a parsed record holds a lone surrogate, as an error, or None."""
    for key, value in obj.items():
        m = _SURROGATE.search(json.dumps([key, value], ensure_ascii=False))
        if m:
            return (
                f"{json.dumps(key)} holds a lone surrogate \\u{ord(m.group()):04x} (half of "
                "an emoji or other UTF-16 pair), which is not valid Unicode; repair the record"
            )
    return None


# Nesting: msgspec's limit is a few levels deeper than json's; a valid line shorter than
# this cannot nest 256 levels.
_SHALLOW_BYTES = 512


def _shallow(raw: bytes) -> bool:
    """Whether msgspec may read the line: it cannot open 256 brackets (so cannot nest
    past json's limit), which is plain from its length or its bracket count."""
    return len(raw) < _SHALLOW_BYTES or raw.count(b"[") + raw.count(b"{") < 256


def parse_jsonl_line(
    raw: bytes | None, line: int, encoding: str = "utf-8", limit: int | None = None
) -> JsonlRecord | None:
    """One raw JSONL line (without its line end) as a record or an error (None for a
    blank line). ``raw`` None stands for a line over ``limit`` bytes (see
    :func:`iter_lines`). A UTF-8 byte-order mark opening the line is dropped (files
    concatenated with ``cat`` have one at the start of each)."""
    if raw is None:
        limit = MAX_RECORD_BYTES if limit is None else limit
        return JsonlRecord(
            line, None, f"record over {_size(limit)}; split its text into smaller records"
        )
    enc = "utf-8-sig" if encoding == "utf-8" else _encoding_name(encoding)
    if enc == "utf-8-sig" and raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    if not raw or raw.isspace():  # the whitespace bytes.strip() strips
        return None
    if _FAST_DECODE is not None and enc == "utf-8-sig" and _shallow(raw):
        try:
            obj = _FAST_DECODE(raw)
        except Exception:  # noqa: BLE001 - whatever it refuses, the json module explains
            pass
        else:
            return _checked(line, obj)
    try:
        text = raw.decode("utf-8" if enc == "utf-8-sig" else enc)
    except UnicodeDecodeError:
        return JsonlRecord(line, None, f"not valid {encoding}; pass --encoding")
    try:
        obj = _DECODER.decode(text)
    except json.JSONDecodeError as exc:
        return JsonlRecord(line, None, f"invalid JSON ({exc.msg})")
    except _NotJson as exc:
        return JsonlRecord(line, None, f"invalid JSON ({exc})")
    except ValueError as exc:  # an integer of thousands of digits
        return JsonlRecord(line, None, f"invalid JSON ({str(exc).split(':')[0]})")
    except RecursionError:
        return JsonlRecord(line, None, "invalid JSON (nested too deeply)")
    if (
        _SURROGATE_ESCAPE.search(text)
        and isinstance(obj, dict)
        and isinstance(obj.get("text"), str)
    ):
        error = _lone_surrogate(obj)
        if error:
            return JsonlRecord(line, None, error)
    return _checked(line, obj)


def _checked(line: int, obj: Any) -> JsonlRecord:
    """The record of a parsed line, or why it is not one."""
    if type(obj) is not dict:
        return JsonlRecord(line, None, 'expected a JSON object with a "text" field')
    if "text" not in obj:
        return JsonlRecord(line, None, 'missing field "text"')
    if type(obj["text"]) is not str:
        return JsonlRecord(line, None, f'"text" must be a string, got {type(obj["text"]).__name__}')
    return JsonlRecord(line, obj, None)


def iter_jsonl(path: str, encoding: str = "utf-8") -> Iterator[JsonlRecord]:
    """Stream records of a JSONL file line by line (constant memory).

    Each record must be an object with a string ``text``; problems are yielded as
    errors with their line number instead of stopping the stream. Lines end in
    LF, CRLF or CR; a line over :data:`MAX_RECORD_BYTES` is an error, found
    without reading it into memory. A binary input (an image, NUL bytes) is refused
    as a whole with :class:`InputError`.
    """
    for block in iter_jsonl_blocks(path, encoding):
        yield from block.items()


class JsonlBlock(NamedTuple):
    """Consecutive lines of a JSONL input (:func:`iter_jsonl_blocks`).

    ``records`` is set when every line of the block is a good record: they are on lines
    ``first``, ``first + 1``, ... Otherwise it is None and ``checked`` holds a
    :class:`JsonlRecord` per non-blank line (or gives them: any iterable will do)."""

    first: int
    records: list[dict[str, Any]] | None
    checked: Iterable[JsonlRecord] | None

    def items(self) -> Iterator[JsonlRecord]:
        """The block's lines as :func:`iter_jsonl` yields them."""
        if self.records is None:
            return iter(self.checked or ())
        lines = range(self.first, self.first + len(self.records))
        return map(JsonlRecord._make, zip(lines, self.records, repeat(None)))


def iter_jsonl_blocks(path: str, encoding: str = "utf-8") -> Iterator[JsonlBlock]:
    """:func:`iter_jsonl` a block of lines at a time (:func:`line_blocks`).

    A block whose lines are all the usual record, an object with a string "text" that
    msgspec reads, is decoded by one C-level map and checked by a few set operations;
    :func:`parse_jsonl_line` takes that very path for each such line (same decoder, same
    conditions) and returns the same records. Any other block goes line by line to
    :func:`parse_jsonl_line`.
    """
    limit = MAX_RECORD_BYTES
    fh = _open_binary(path)
    try:
        peek = getattr(fh, "peek", None)
        kind = binary_kind(peek(8192)[:8192]) if peek else None
        if kind:
            raise InputError(f"{path}: {kind}, not JSON Lines; give the records as UTF-8 text")
        fast = _FAST_DECODE if _encoding_name(encoding) == "utf-8-sig" else None
        first = 1
        for _starts, lines in line_blocks(fh, limit):
            records = None if fast is None else _usual_records(fast, lines)
            if records is not None:
                yield JsonlBlock(first, records, None)
            else:
                checked = [
                    parse_jsonl_line(raw, n, encoding, limit) for n, raw in enumerate(lines, first)
                ]
                yield JsonlBlock(first, None, [item for item in checked if item is not None])
            first += len(lines)
    finally:
        if path != STDIN:
            fh.close()


def _usual_records(
    decode: Callable[[bytes], Any], lines: list[bytes | None]
) -> list[dict[str, Any]] | None:
    """The records of lines that are all objects with a string "text" decoded by
    ``decode`` (msgspec), or None if any line is anything else: over the size limit
    (None), nested as deep as msgspec's limit, not JSON, or another value."""
    if None in lines:
        return None
    if max(map(len, lines)) >= _SHALLOW_BYTES and not all(map(_shallow, lines)):  # type: ignore[arg-type]
        return None
    try:
        records = list(map(decode, lines))
    except Exception:  # noqa: BLE001 - the lines go to parse_jsonl_line, which explains
        return None
    if set(map(type, records)) != {dict}:
        return None
    if set(map(type, map(dict.get, records, repeat("text")))) != {str}:
        return None
    return records


ARTICLE_SUFFIXES = (".txt", ".html", ".htm")


def expand_inputs(
    inputs: Sequence[str],
    jsonl: bool = False,
    *,
    suffixes: Sequence[str] | None = None,
    archive: bool = False,
    out_dir: str | Path | None = None,
    error: type[InputError] = InputError,
    wording: Mapping[str, str] | None = None,
    key: Callable[[str], Any] | None = None,
) -> list[str]:
    """The one input expander (``stance score``, ``--engine dask``, ``stance sources``).

    Files as given, ``-`` as stdin, and for a directory its files with ``suffixes``
    (default: articles, ``*.txt``, ``*.html``, ``*.htm``; ``*.jsonl`` with ``jsonl``),
    searched recursively, in sorted order (by ``key``); a directory without any is an
    error. With ``archive`` (the Dask engine, which cuts files into byte ranges): stdin
    is refused, globs are expanded (sorted; ``**`` recursive), a missing file is an
    error at once, duplicates are dropped, and files inside ``out_dir`` are left out of
    globs and directories (so ``archive/`` with ``--out-dir archive/scored`` does not
    read its own shards on a rerun); naming one explicitly is an error. Without it, a
    missing file is passed on (reported when read, the others still scored) unless
    ``wording`` words the error for it (``missing``). ``error`` is the class raised;
    ``wording`` may also reword an empty directory (``empty``).
    """
    if suffixes is None:
        suffixes = (".jsonl",) if jsonl or archive else ARTICLE_SUFFIXES
    words = {"empty": f"directory has no {' / '.join('*' + s for s in suffixes)} files"}
    words.update(wording or {})
    if archive and not inputs:
        raise error("no input files given")
    inside = _inside(out_dir)
    seen: set[str] = set()
    out: list[str] = []
    for item in inputs:
        if item == STDIN:
            if archive:
                raise error("--engine dask reads files, not stdin; name the JSONL files")
            matches = [item]
        elif archive and _has_magic(item) and not os.path.exists(item):
            found = [m for m in glob.glob(item, recursive=True) if os.path.isfile(m)]
            matches = sorted(m for m in found if not inside(m))
            if not matches:
                raise error(_nothing_to_read(item, found, out_dir, "no files match this pattern"))
        elif os.path.isdir(item):
            found = files_below(item, suffixes)
            matches = sorted((m for m in found if not inside(m)), key=key)
            if not matches:
                raise error(_nothing_to_read(item, found, out_dir, words["empty"]))
        elif os.path.isfile(item):
            if inside(item):
                raise error(
                    f"{item} is inside the output directory {out_dir}; write --out-dir elsewhere"
                )
            matches = [item]
        elif archive:
            raise error(f"{item}: no such file; check the path")
        elif "missing" in words:
            raise error(f"{item}: {words['missing']}")
        else:
            matches = [item]
        if not archive:
            out.extend(matches)
            continue
        for m in matches:
            real = os.path.realpath(m)
            if real not in seen:
                seen.add(real)
                out.append(m)
    return out


def files_below(directory: str | Path, suffixes: Sequence[str]) -> list[str]:
    """The files below ``directory`` (recursively) whose suffix, in any case, is one
    of ``suffixes``, unsorted."""
    return [
        str(f) for f in Path(directory).rglob("*") if f.is_file() and f.suffix.lower() in suffixes
    ]


def _has_magic(s: str) -> bool:
    return any(c in s for c in "*?[")


def _nothing_to_read(item: str, found: list[str], out_dir: str | Path | None, why: str) -> str:
    """The message for a glob or directory that gave no input: ``why``, unless it did
    find files, all of them inside the output directory."""
    if found:
        why = (
            f"its only files ({len(found)}) are inside the output directory {out_dir}, "
            "whose files are never read as input; name the input files, or write --out-dir "
            "elsewhere"
        )
    return f"{item}: {why}"


def _inside(directory: str | Path | None) -> Callable[[str], bool]:
    if directory is None:
        return lambda _path: False
    root = os.path.realpath(directory) + os.sep
    return lambda path: os.path.realpath(path).startswith(root)
