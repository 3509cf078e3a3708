"""Score JSONL records: the one record stream (bad lines and the duplicate-id rule) and
the loop that scores a file's records in batches, in order, on one or more processes.

The Dask engine (archive) scores each partition through :func:`record_batches` too, so
the same lines are refused the same way there (see its docstring for what a partition
cannot see).
"""

from __future__ import annotations

import json
from bisect import bisect_left
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from itertools import accumulate, repeat
from pathlib import Path
from typing import Any

from ..errors import StanceError
from ..inputs import JsonlBlock, JsonlRecord, iter_jsonl_blocks

_NO_ID = object()  # a record without "id" (None is an id: null)


def with_first_line(error: str, first: int | None) -> str:
    """An error message, with the line that first used the id of a duplicate."""
    return error if first is None else f"{error} (first on line {first})"


def record_batches(
    items: Iterable[JsonlRecord],
    on_error: Callable[[Any, str, int | None], None],
    stop: bool = False,
    batch_size: int | None = None,
    batch_chars: int | None = None,
) -> Iterator[list[dict[str, Any]]]:
    """The good records of a JSONL stream in batches, in order.

    A bad line (invalid JSON, no text, ...) and a record repeating an earlier record's
    id go to ``on_error(item, message, first)`` and are left out (``first``: for a
    duplicate, the line that used the id first, else None; :func:`with_first_line`
    words it); with ``stop`` the stream ends at the first one. Ids are compared as JSON.
    ``items`` have ``line``, ``record`` and ``error`` (:class:`JsonlRecord`). A batch
    closes at ``batch_size`` records or ``batch_chars`` characters of text (default:
    the batch module's).
    """
    # One block of the items as they come: nothing is read ahead.
    return block_batches([JsonlBlock(0, None, items)], on_error, stop, batch_size, batch_chars)


def block_batches(
    blocks: Iterable[JsonlBlock],
    on_error: Callable[[Any, str, int | None], None],
    stop: bool = False,
    batch_size: int | None = None,
    batch_chars: int | None = None,
) -> Iterator[list[dict[str, Any]]]:
    """:func:`record_batches` of a stream read in blocks (:func:`iter_jsonl_blocks`).

    A block of good records whose ids are all new and of one type (or absent) joins the
    batch by slices; any other block goes item by item, through the same checks."""
    from .. import batch as _batch

    size = _batch.BATCH_SIZE if batch_size is None else batch_size
    max_chars = _batch.BATCH_CHARS if batch_chars is None else batch_chars
    # The maps grow with the number of distinct ids (not with the text), so memory
    # stays small. A string or integer id is its own key (one map per type, so "1" and
    # 1 stay apart) and any other id its JSON: no id is written out to be compared.
    by_type: dict[type, dict[Any, int]] = {str: {}, int: {}}
    as_json: dict[Any, int] = {}
    seen_of = by_type.get
    batch: list[dict[str, Any]] = []
    chars = 0
    for block in blocks:
        records = block.records
        if records is not None and _new_ids(records, block.first, by_type):
            lengths = list(map(len, map(dict.__getitem__, records, repeat("text"))))
            i, n = 0, len(records)
            while i < n:
                j = min(n, i + size - len(batch))
                more = sum(lengths[i:j])
                if chars + more >= max_chars:  # the batch closes at the record that fills it
                    j = i + bisect_left(list(accumulate(lengths[i:j], initial=chars)), max_chars, 1)
                    more = sum(lengths[i:j])
                batch += records[i:j]
                chars += more
                i = j
                if len(batch) >= size or chars >= max_chars:
                    yield batch
                    batch, chars = [], 0
            continue
        for item in block.items():
            line, record, error = item.line, item.record, item.error
            first = None
            if error is None:
                rid = record.get("id", _NO_ID)  # type: ignore[union-attr]
                if rid is not _NO_ID:
                    seen = seen_of(type(rid))
                    if seen is None:
                        seen, key = as_json, json.dumps(rid, sort_keys=True)
                    else:
                        key = rid
                    first = seen.setdefault(key, line)
                    if first == line:
                        first = None
                    else:
                        error = f"duplicate id {json.dumps(rid, sort_keys=True)}"
            if error is not None:
                on_error(item, error, first)
                if stop:  # the records before it are still scored
                    if batch:
                        yield batch
                    return
                continue
            batch.append(record)  # type: ignore[arg-type]
            chars += len(record["text"])  # type: ignore[index]
            if len(batch) >= size or chars >= max_chars:
                yield batch
                batch, chars = [], 0
    if batch:
        yield batch


def _new_ids(
    records: list[dict[str, Any]], first: int, by_type: dict[type, dict[Any, int]]
) -> bool:
    """Whether the records on lines ``first``, ``first + 1``, ... have no id, or ids of
    one type (str or int) used nowhere before, each once; if so they are recorded in
    ``by_type`` as the item-by-item check records them."""
    ids = list(map(dict.get, records, repeat("id"), repeat(_NO_ID)))
    kinds = set(map(type, ids))
    if kinds == {object}:  # _NO_ID's type: no record has an id
        return True
    seen = by_type.get(kinds.pop()) if len(kinds) == 1 else None
    if seen is None or len(set(ids)) != len(ids) or not seen.keys().isdisjoint(ids):
        return False
    seen.update(zip(ids, range(first, first + len(ids))))
    return True


@dataclass
class JsonlRun:
    """What scoring one JSONL input came to: lines refused and errors (``failures``),
    records scored, and how many of them held HTML or no Arabic text."""

    failures: int = 0
    done: int = 0
    interrupted: bool = False  # an error ended the scoring
    html: int = 0
    not_arabic: int = 0

    def warnings(self, path: str) -> list[str]:
        out = []
        if self.html:
            out.append(f"{path}: {self.html} record(s) held HTML; scored their extracted text")
        if self.not_arabic:
            out.append(f'{path}: {self.not_arabic} record(s) have no Arabic text ("arabic": false)')
        return out


def score_jsonl(
    model: Any,
    path: str,
    out: Callable[[str], Any],
    fail: Callable[[str], None],
    encoding: str = "utf-8",
    keep_text: bool = False,
    stop: bool = False,
    jobs: int = 1,
    model_path: Path | None = None,
    on_progress: Callable[[int], None] | None = None,
) -> JsonlRun:
    """Score the records of one JSONL input (``-`` for stdin), writing each batch's
    output lines (one string) to ``out`` in input order; messages for refused lines and
    errors go to ``fail``, the running count of records scored to ``on_progress``."""
    from ..batch import dump_record, score_batches

    run = JsonlRun()

    def refused(item: JsonlRecord, error: str, first: int | None) -> None:
        fail(f"{path}:{item.line}: {with_first_line(error, first)}")
        run.failures += 1

    batches = block_batches(iter_jsonl_blocks(path, encoding), refused, stop)
    try:
        for scored in score_batches(model, batches, keep_text, jobs, model_path):
            text = scored.text
            out(text if text is not None else "\n".join(map(dump_record, scored.records)))
            run.html += scored.html
            run.not_arabic += scored.not_arabic
            run.done += len(scored)
            if on_progress is not None:
                on_progress(run.done)
    except StanceError as exc:
        fail(str(exc))
        run.failures += 1
        run.interrupted = True
    return run
