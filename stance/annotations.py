"""Read and validate the annotated sentences in ``annotations/`` (JSON Lines)."""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .decision import OFF_TARGET
from .errors import AnnotationError
from .normalize import normalize

__all__ = [
    "LABELS",
    "VOICES",
    "ORIGINS",
    "REQUIRED_FIELDS",
    "Annotation",
    "annotation_files",
    "load_annotations",
    "read_annotations",
    "annotations_sha256",
    "check_record",
    "json_lines",
]

LABELS: tuple[str, ...] = ("critical", "neutral", "pro")
VOICES: tuple[str, ...] = ("author", "reported")
# seed: sentences of the seed articles; authored: written for training by the project;
# reviewed: sentences of real articles labelled through `stance annotate` + review.
ORIGINS: tuple[str, ...] = ("seed", "authored", "reviewed")
REQUIRED_FIELDS: tuple[str, ...] = ("id", "doc", "source", "text", "label", "voice", "origin")


@dataclass(frozen=True)
class Annotation:
    """One labelled sentence and where it came from (``path:line``).

    ``target``: whether the sentence is about the target (the accords and
    normalization with Israel); an off-target sentence is always ``neutral``.
    """

    id: str
    doc: str
    source: str
    text: str
    label: str
    voice: str
    origin: str
    path: str
    line: int
    target: bool = True

    @property
    def training_label(self) -> str:
        """What the classifier is fitted on: the label, or ``off_target``."""
        return self.label if self.target else OFF_TARGET


def annotation_files(directory: str | Path) -> list[Path]:
    """All ``*.jsonl`` files below ``directory``, in a stable (sorted) order."""
    root = Path(directory)
    if not root.is_dir():
        raise AnnotationError(
            f"annotations directory not found: {root} (pass --annotations DIR pointing at the "
            "folder that holds the *.jsonl files)"
        )
    files = sorted(p for p in root.rglob("*.jsonl") if p.is_file())
    if not files:
        raise AnnotationError(f"no *.jsonl files in {root}: nothing to train on")
    return files


def _hash_file(h: Any, rel: str, data: bytes) -> None:
    h.update(rel.encode())
    h.update(b"\0")
    h.update(data)
    h.update(b"\0")


def annotations_sha256(directory: str | Path) -> str:
    """sha256 over the relative paths and bytes of every annotation file."""
    root = Path(directory)
    h = hashlib.sha256()
    for p in annotation_files(root):
        _hash_file(h, p.relative_to(root).as_posix(), p.read_bytes())
    return h.hexdigest()


def json_lines(lines: Iterable[str], name: str) -> Iterator[tuple[int, str, Any, str | None]]:
    """``(line number, "name:line", object, error)`` for every non-blank line of a
    JSON Lines text; ``error`` is ``invalid JSON (why)``, the object then None."""
    for lineno, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            yield lineno, f"{name}:{lineno}", json.loads(line), None
        except json.JSONDecodeError as exc:
            yield lineno, f"{name}:{lineno}", None, f"invalid JSON ({exc.msg})"


def check_record(obj: object, where: str) -> list[str]:
    if not isinstance(obj, dict):
        return [f"{where}: expected a JSON object, got {type(obj).__name__}"]
    problems = []
    for field in REQUIRED_FIELDS:
        if field not in obj:
            problems.append(f"{where}: missing field {field!r}")
        elif not isinstance(obj[field], str):
            problems.append(f"{where}: field {field!r} must be a string")
    if problems:
        return problems
    if not obj["text"].strip():
        problems.append(f"{where}: empty text")
    if obj["label"] not in LABELS:
        problems.append(f"{where}: unknown label {obj['label']!r} (use one of {', '.join(LABELS)})")
    if obj["voice"] not in VOICES:
        problems.append(f"{where}: unknown voice {obj['voice']!r} (use one of {', '.join(VOICES)})")
    if obj["origin"] not in ORIGINS:
        problems.append(
            f"{where}: unknown origin {obj['origin']!r} (use one of {', '.join(ORIGINS)})"
        )
    target = obj.get("target", True)
    if not isinstance(target, bool):
        problems.append(f"{where}: field 'target' must be true or false, not {target!r}")
    elif not target and obj["label"] != "neutral":
        problems.append(
            f"{where}: off-target sentence labelled {obj['label']!r}: a sentence not about "
            'the target is neutral (set "label": "neutral", or "target": true)'
        )
    return problems


def load_annotations(directory: str | Path) -> list[Annotation]:
    """Load and validate every annotation file; raise :class:`AnnotationError` listing
    each problem as ``file:line: message``. The checks are :func:`read_annotations`'s."""
    return read_annotations(directory)[0]


def read_annotations(directory: str | Path) -> tuple[list[Annotation], str]:
    """Load and validate every annotation file, reading each once: the records and
    the sha256 of the bytes they were read from (as :func:`annotations_sha256`), so
    the hash always describes the records even if the files change meanwhile. Raise
    :class:`AnnotationError` listing each problem as ``file:line: message``.

    Checked: valid JSON objects, required string fields, known label/voice/origin,
    ``target`` (optional, default true) a boolean and false only for neutral
    sentences, non-empty text, unique ids, one normalized text never carrying two
    labels, and every ``doc`` confined to one file.
    """
    root = Path(directory)
    records: list[Annotation] = []
    problems: list[str] = []
    seen_ids: dict[str, str] = {}
    doc_file: dict[str, str] = {}
    text_label: dict[str, tuple[str, str]] = {}
    text_target: dict[str, bool] = {}
    h = hashlib.sha256()
    for path in annotation_files(root):
        rel = path.relative_to(root).as_posix()
        data = path.read_bytes()
        _hash_file(h, rel, data)
        try:
            lines = data.decode("utf-8-sig").splitlines()
        except UnicodeDecodeError as exc:
            problems.append(f"{rel}: not UTF-8 ({exc.reason} at byte {exc.start}); save as UTF-8")
            continue
        for lineno, where, obj, error in json_lines(lines, rel):
            if error is not None:
                problems.append(f"{where}: {error}")
                continue
            found = check_record(obj, where)
            if found:
                problems.extend(found)
                continue
            if obj["id"] in seen_ids:
                first = seen_ids[obj["id"]]
                problems.append(f"{where}: duplicate id {obj['id']!r} (first at {first})")
                continue
            seen_ids[obj["id"]] = where
            first_file = doc_file.setdefault(obj["doc"], rel)
            if first_file != rel:
                problems.append(
                    f"{where}: doc {obj['doc']!r} is split across files ({first_file} and {rel}); "
                    "keep each document in one file so grouped cross-validation is sound"
                )
            key = " ".join(normalize(obj["text"]).split())
            prev = text_label.setdefault(key, (obj["label"], where))
            if prev[0] != obj["label"]:
                problems.append(
                    f"{where}: same text as {prev[1]} but label {obj['label']!r} vs {prev[0]!r}"
                )
            elif obj.get("target", True) != text_target.setdefault(key, obj.get("target", True)):
                problems.append(f"{where}: same text as {prev[1]} but a different target")
            records.append(
                Annotation(
                    **{f: obj[f] for f in REQUIRED_FIELDS},
                    path=rel,
                    line=lineno,
                    target=obj.get("target", True),
                )
            )
    if problems:
        raise AnnotationError(f"{len(problems)} problem(s) in {root}", problems)
    if not records:
        raise AnnotationError(f"no annotated sentences in {root}")
    return records, h.hexdigest()


def label_counts(records: list[Annotation]) -> dict[str, int]:
    """Number of sentences per label, every label present (possibly 0)."""
    c = Counter(r.label for r in records)
    return {label: c.get(label, 0) for label in LABELS}
