"""Score JSONL records: one passage per record, in batches, on one or many processes.

``score_records`` is the one definition of a scored record; the CLI (``score --jsonl``,
``--jobs``) and the Dask engine both call it, so their outputs are identical.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Iterator, Sequence
from functools import lru_cache
from itertools import chain, repeat
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

# Records per model call: large enough for the per-call work (some fifty array
# operations, the first analysis of new words) to be spread thin, small enough that a
# batch stays in memory comfortably. predict_proba in batches of 2,048 sentences ran
# 13 % faster than in batches of 512, in each of five interleaved rounds; 1,024 and
# 4,096 were about as fast (`python bench/batch_size.py`).
BATCH_SIZE = 2048
# ...and at most this many characters of text: a batch of long passages goes to the
# model early, so memory stays flat (a batch of sentences, about 200,000 characters, never
# reaches it). 3,000 passages of 6,000 characters peaked at 347 MB with this bound, as
# with 512 records and 16 M characters before; 2,048 of them per batch took 907 MB.
BATCH_CHARS = 3 * 2**20


class ScoredBatch:
    """The scored records of one batch, in input order, and what was noticed on the way.

    ``records`` are the output records (dicts), ``lines`` the same records serialized
    (:func:`dump_record`) and ``text`` those lines joined by newlines (no newline at
    the end); :func:`score_records` makes whichever is used first from its scores, so
    writing lines never builds the dicts. A worker process sends back only the text
    (``records`` then stays empty)."""

    def __init__(
        self,
        records: list[dict[str, Any]] | None = None,
        html: int = 0,
        not_arabic: int = 0,
        lines: list[str] | None = None,
        scores: _Scores | None = None,
        text: str | None = None,
    ) -> None:
        self._records = records
        self._lines = lines
        self._text = text
        self._scores = scores
        self.html = html
        self.not_arabic = not_arabic

    @property
    def records(self) -> list[dict[str, Any]]:
        if self._records is None:
            self._records = self._scores.records() if self._scores is not None else []
        return self._records

    @property
    def text(self) -> str | None:
        """The output lines joined by newlines, or None for a batch made of records only."""
        if self._text is None:
            if self._lines is not None:
                self._text = "\n".join(self._lines)
            elif self._scores is not None:
                self._text = self._scores.text()
        return self._text

    @property
    def lines(self) -> list[str] | None:
        if self._lines is None and self.text is not None:
            # No line holds a newline: JSON writes one inside a string as \n.
            self._lines = self.text.split("\n") if self.text else []
        return self._lines

    def __len__(self) -> int:
        """How many records the batch holds."""
        if self._scores is not None:
            return len(self._scores.inputs)
        if self._lines is not None:
            return len(self._lines)
        if self._text is not None:
            return self._text.count("\n") + 1 if self._text else 0
        return len(self.records)

    def __getstate__(self) -> dict[str, Any]:
        text = self.text  # only the text travels between processes
        return {
            "_records": [] if text is not None else self._records,
            "_lines": None,
            "_text": text,
            "_scores": None,
            "html": self.html,
            "not_arabic": self.not_arabic,
        }


# json.dumps(record, ensure_ascii=False) is JSONEncoder(ensure_ascii=False).encode(record),
# which builds the C encoder (json.encoder.c_make_encoder) anew on every call with the
# same arguments. It is built once here: the same characters, a third less time.
_ENCODER = json.JSONEncoder(ensure_ascii=False)
_C_ENCODE = (
    None
    if json.encoder.c_make_encoder is None  # a Python without the C accelerator
    else json.encoder.c_make_encoder(
        None,  # no circular-reference check: on any error the encoder above redoes it
        _ENCODER.default,
        json.encoder.encode_basestring,
        None,
        _ENCODER.key_separator,
        _ENCODER.item_separator,
        False,
        False,
        True,
    )
)


def dump_record(record: dict[str, Any]) -> str:
    """One output line of ``score --jsonl`` (without the newline): exactly
    ``json.dumps(record, ensure_ascii=False)``."""
    if _C_ENCODE is not None:
        try:
            return "".join(_C_ENCODE(record, 0))
        except Exception:  # noqa: BLE001 - the json module raises its own error below
            pass
    return _ENCODER.encode(record)


def score_records(
    model: Any, records: Sequence[dict[str, Any]], keep_text: bool = False
) -> ScoredBatch:
    """Score each record's ``text`` as one passage.

    An output record is ``id``, the record's other fields (``text`` only with
    ``keep_text``), ``label``, ``probabilities``, ``on_target`` (probability that the
    passage is about the target), ``about_target``, ``loaded_terms`` and ``arabic``.
    HTML in a text is reduced to its visible text first.
    """
    from .sniff import visible_text

    texts = []
    html = 0
    for rec in records:
        text = rec["text"]
        if "<" in text:  # HTML needs one; most text has none (visible_text checks again)
            text, was_html = visible_text(text)
            html += was_html
        texts.append(text)
    # One pass over the texts gives the labels, the loaded terms and the languages.
    scores, terms, languages = model.score_passages(texts)
    arabic = [language == "arabic" for language in languages]
    return ScoredBatch(
        None, html, arabic.count(False), None, _Scores(records, keep_text, scores, terms, arabic)
    )


class _Scores:
    """What score_records found, turned into output records or lines on demand."""

    def __init__(
        self,
        records: Sequence[dict[str, Any]],
        keep_text: bool,
        scores: Any,
        terms: list[list[Any]],
        arabic: list[bool],
    ) -> None:
        self.inputs, self.keep_text, self.scores = records, keep_text, scores
        self.terms, self.arabic = terms, arabic

    def records(self) -> list[dict[str, Any]]:
        return [self.record(i) for i in range(len(self.inputs))]

    def record(self, i: int) -> dict[str, Any]:
        """Output record ``i``: the definition."""
        from .results import Prediction

        s, rec = self.scores, self.inputs[i]
        out = {"id": rec.get("id")}
        out.update({k: v for k, v in rec.items() if k not in ("id", "text")})
        if self.keep_text:
            out["text"] = rec["text"]
        classes = s.classes
        probabilities = dict(zip(classes, s.probabilities[i]))
        pred = Prediction(classes[s.labels[i]], probabilities, s.on_target[i], s.about_target[i])
        out.update(pred.to_dict())
        out["loaded_terms"] = [m.to_dict() for m in self.terms[i]]
        out["arabic"] = self.arabic[i]
        return out

    def lines(self) -> list[str]:
        """``dump_record`` of each output record (see :meth:`text`)."""
        text = self.text()
        return text.split("\n") if text else []

    def text(self) -> str:
        """``dump_record`` of each output record, joined by newlines, written from the
        scores: the fields added here have known types, so only each input's own fields
        go through the json module (tests/test_batch.py checks that the two agree on any
        record). The batch is one ``%`` formatting of every field of every line, with
        the per-record work done by C-level maps."""
        s = self.scores
        n = len(self.inputs)
        if not n:
            return ""
        targets = s.on_target_texts
        if "n" in "".join(s.probability_texts) + "".join(filter(None, targets)):  # nan, inf:
            return "\n".join(map(dump_record, self.records()))  # repr and json differ there
        k = len(s.classes)
        head, columns = self._heads()
        odd = []
        if head == "%s" and None in columns[0]:  # lines written the json way below
            odd = [i for i, h in enumerate(columns[0]) if h is None]
            columns = [["" if h is None else h for h in columns[0]]]
        if None in targets:
            targets = ["null" if t is None else t for t in targets]
        names = _names(tuple(s.classes))
        fields = zip(
            *columns,
            map(names.__getitem__, s.labels),
            *[s.probability_texts[j::k] for j in range(k)],
            targets,
            map(_BOOL.__getitem__, s.about_target),
            [", ".join(map(_term_json, found)) if found else "" for found in self.terms],
            map(_BOOL.__getitem__, self.arabic),
        )
        text = _batch_format(head, tuple(s.classes), n) % tuple(chain.from_iterable(fields))
        if odd:  # an input field named like an output one: the json way
            lines = text.split("\n")
            for i in odd:
                lines[i] = dump_record(self.record(i))
            text = "\n".join(lines)
        return text

    def _heads(self) -> tuple[str, list[list[Any]]]:
        """Each output line up to the fields score_records adds, ``{"id": ...`` and the
        record's own fields, as a ``%`` format and its columns of values: for the usual
        batch the ids (and texts), else the heads themselves (``"%s"``, one column;
        None where a field of the record is named like an added one)."""
        keep_text = self.keep_text
        inputs = self.inputs
        ids = list(map(dict.get, inputs, repeat("id")))
        if set(map(type, ids)) == {int} and set(map(len, inputs)) == {2}:
            # Every record is {"id": <int>, "text": ...}, the usual batch: "%d" writes
            # an int as its repr (a bool is not among them: its type is bool).
            if not keep_text:
                return _INT_HEAD, [ids]
            texts = map(_encode_string, map(dict.__getitem__, inputs, repeat("text")))
            return _INT_TEXT_HEAD, [ids, list(texts)]
        out: list[str | None] = []
        for rec in inputs:
            n = len(rec)
            if n == 2 and "id" in rec or n == 1:  # "text" and maybe "id": the usual record
                rid = rec.get("id")
                kind = type(rid)
                head = '{"id": ' + (
                    int.__repr__(rid)
                    if kind is int
                    else _encode_string(rid)
                    if kind is str
                    else dump_record(rid)
                )
                if keep_text:
                    head += ', "text": ' + _encode_string(rec["text"])
            elif _OUTPUT_FIELDS.isdisjoint(rec):
                fields = {"id": rec.get("id")}
                fields.update({k: v for k, v in rec.items() if k not in ("id", "text")})
                if keep_text:
                    fields["text"] = rec["text"]
                head = dump_record(fields)[:-1]
            else:
                head = None
            out.append(head)
        return "%s", [out]


# An output line after the fields of the input (the head); the probabilities go in the
# middle.
_LINE = (
    '%s, "label": %%s, "probabilities": {%s}, "on_target": %%s, "about_target": %%s, '
    '"loaded_terms": [%%s], "arabic": %%s}'
)
# The fields score_records writes besides "id" (and "text"): an input field with one of
# these names keeps its place in the record but gets the new value.
_OUTPUT_FIELDS = frozenset(
    ("label", "probabilities", "on_target", "about_target", "loaded_terms", "arabic")
)
_BOOL = {True: "true", False: "false"}
_encode_string = json.encoder.encode_basestring  # what the json module uses for a str
_INT_HEAD = '{"id": %d'
_INT_TEXT_HEAD = '{"id": %d, "text": %s'


@lru_cache(maxsize=16)
def _names(classes: tuple[str, ...]) -> tuple[str, ...]:
    """Each class name as a JSON string."""
    return tuple(map(_encode_string, classes))


@lru_cache(maxsize=16)
def _batch_format(head: str, classes: tuple[str, ...], n: int) -> str:
    """The ``%`` format of ``n`` output lines joined by newlines: per line the ``head``
    format, the label, a probability per class, on_target, about_target, the loaded
    terms and arabic (a batch is usually BATCH_SIZE records, so this is made once)."""
    probabilities = ", ".join(name.replace("%", "%%") + ": %s" for name in _names(classes))
    return "\n".join([_LINE % (head, probabilities)] * n)


def _term_json(match: Any) -> str:
    """``json.dumps(match.to_dict(), ensure_ascii=False)`` of a loaded term."""
    key = (match.term, match.match, match.direction, match.weight, match.category)
    parts = _TERM_PARTS.get(key)
    if parts is None:
        parts = _term_parts(*key)
        # Not 0.0 (equal to -0.0, written otherwise) nor NaN (never equal to itself).
        if len(_TERM_PARTS) < 50_000 and match.weight and math.isfinite(match.weight):
            _TERM_PARTS[key] = parts
    return f'{parts[0]}{int.__repr__(match.start)}, "end": {int.__repr__(match.end)}{parts[1]}'


# A loaded term's JSON around its offsets, by (term, match, direction, weight,
# category): the same few terms are found over and over.
_TERM_PARTS: dict[tuple[Any, ...], tuple[str, str]] = {}


def _term_parts(
    term: str, match: str, direction: str, weight: float, category: str
) -> tuple[str, str]:
    return (
        f'{{"term": {_encode_string(term)}, "match": {_encode_string(match)}, "start": ',
        f', "direction": {_encode_string(direction)}, "weight": '
        f"{float.__repr__(weight) if math.isfinite(weight) else dump_record(weight)}, "
        f'"category": {_encode_string(category)}}}',
    )


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
    # Serializing here, in parallel, keeps the parent (which reads, checks and writes
    # every record) from becoming the bottleneck: only the lines are sent back.
    return score_records(worker_model(path, sha256), records, keep_text)


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
    against ``model``'s sha256, and sends back the output lines. At most ``2 * jobs``
    batches are in flight, so memory stays flat on any input size.
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
