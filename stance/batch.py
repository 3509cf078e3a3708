"""Score JSONL records: one passage per record, in batches, on one or many processes.

``score_records`` is the one definition of a scored record; the CLI (``score --jsonl``,
``--jobs``) and the Dask engine both call it, so their outputs are identical.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

__all__ = [
    "BATCH_SIZE",
    "BATCH_CHARS",
    "ScoredBatch",
    "score_records",
    "score_batches",
    "dump_record",
    "worker_model",
]

# Records per model call: large enough for the sparse products to pay off, small
# enough that a batch of long passages stays in memory comfortably.
BATCH_SIZE = 512
# ...and at most this many characters of text: a batch of very long passages (each may
# be up to stance.inputs.MAX_RECORD_BYTES) goes to the model early, so memory stays flat.
BATCH_CHARS = 16 * 2**20


@dataclass
class ScoredBatch:
    """Output records of one batch, in input order, and what was noticed on the way.

    ``lines`` holds the records already serialized (:func:`dump_record`) when a worker
    process scored the batch, so the parent only writes them."""

    records: list[dict[str, Any]]
    html: int = 0
    not_arabic: int = 0
    lines: list[str] | None = None


def dump_record(record: dict[str, Any]) -> str:
    """One output line of ``score --jsonl`` (without the newline)."""
    return json.dumps(record, ensure_ascii=False)


def score_records(
    model: Any, records: Sequence[dict[str, Any]], keep_text: bool = False
) -> ScoredBatch:
    """Score each record's ``text`` as one passage.

    An output record is ``id``, the record's other fields (``text`` only with
    ``keep_text``), ``label``, ``probabilities``, ``on_target`` (probability that the
    passage is about the target), ``about_target``, ``loaded_terms`` and ``arabic``.
    HTML in a text is reduced to its visible text first.
    """
    from .sniff import text_language, visible_text

    texts = []
    html = 0
    for rec in records:
        text, was_html = visible_text(rec["text"])
        html += was_html
        texts.append(text)
    scored = model.score_sentences(texts)
    lexicon = model.lexicon
    out_records = []
    not_arabic = 0
    for rec, text, pred in zip(records, texts, scored):
        out = {"id": rec.get("id")}
        out.update({k: v for k, v in rec.items() if k not in ("id", "text")})
        if keep_text:
            out["text"] = rec["text"]
        out.update(pred.to_dict())
        out["loaded_terms"] = [m.to_dict() for m in lexicon.find(text)]
        out["arabic"] = text_language(text) == "arabic"
        not_arabic += not out["arabic"]
        out_records.append(out)
    return ScoredBatch(out_records, html=html, not_arabic=not_arabic)


@lru_cache(maxsize=4)
def worker_model(path: str | None, sha256: str) -> Any:
    """The model in a worker process, loaded (and verified) once per process.

    Keyed by the card's sha256 so a worker reused after a retrain loads the new model.
    """
    from .model import load_model

    model = load_model(path)
    if model.card.get("model_sha256") != sha256:
        from .errors import ModelError

        raise ModelError(f"model at {path} changed while scoring; rerun the command")
    return model


def _score_in_worker(
    path: str | None, sha256: str, records: list[dict[str, Any]], keep_text: bool
) -> ScoredBatch:
    scored = score_records(worker_model(path, sha256), records, keep_text)
    # Serializing here, in parallel, keeps the parent (which reads, checks and writes
    # every record) from becoming the bottleneck.
    return ScoredBatch([], scored.html, scored.not_arabic, list(map(dump_record, scored.records)))


def score_batches(
    model: Any,
    batches: Iterable[list[dict[str, Any]]],
    keep_text: bool = False,
    jobs: int = 1,
    model_path: str | Path | None = None,
) -> Iterator[ScoredBatch]:
    """Score batches of records, yielding results in input order.

    With ``jobs > 1``, batches are scored in that many worker processes (joblib's
    loky backend); each worker loads the model from ``model_path`` once and checks it
    against ``model``'s sha256. At most ``2 * jobs`` batches are in flight, so memory
    stays flat on any input size.
    """
    if jobs <= 1:
        for records in batches:
            yield score_records(model, records, keep_text)
        return
    from joblib import Parallel, delayed

    path = None if model_path is None else str(model_path)
    sha = str(model.card.get("model_sha256", ""))
    with Parallel(n_jobs=jobs, return_as="generator", pre_dispatch="2*n_jobs") as parallel:
        yield from parallel(
            delayed(_score_in_worker)(path, sha, records, keep_text) for records in batches
        )
