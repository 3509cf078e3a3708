"""Model-assisted annotation: draft suggested labels for an article, then add the reviewed rows.

The loop: :func:`draft_records` segments an article with the model and proposes a label per
sentence (least certain first); :func:`write_draft` saves the draft as JSON Lines; a person
checks each row, fixes ``label`` / ``voice`` and sets ``"label_status": "reviewed"``;
:func:`add_reviewed` validates the draft with the rules of :mod:`stance.annotations` and
appends it to ``annotations/reviewed/<doc>.jsonl`` atomically.

A draft row is an annotation record (``id doc source text label target voice origin``,
``target`` being the model's suggestion too) plus
``label_status``, the model's ``probability`` of the label, the ``margin`` between the two
most probable labels, the ``review_rank`` and the sentence's ``start`` / ``end`` offsets in
the article. On add, the model- and article-specific keys (:data:`HELPER_KEYS`) are dropped;
``label_status`` is kept as provenance (the validator allows extra keys and ignores them).

Why one module over 400 lines: drafting rows and merging reviewed ones share the row
format and the corpus rules it is checked against; apart, each would restate them.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import tempfile
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .annotations import LABELS, ORIGINS, annotation_files, check_record, load_annotations
from .atomic import write_atomic
from .errors import AnnotationError, RecordError
from .normalize import normalize
from .segment import segment

__all__ = [
    "LABEL_STATUSES",
    "HELPER_KEYS",
    "DRAFT_ORIGIN",
    "DEFAULT_VOICE",
    "REVIEWED_DIR",
    "AddResult",
    "draft_doc_id",
    "draft_records",
    "draft_article",
    "write_draft",
    "read_draft",
    "add_reviewed",
]

LABEL_STATUSES: tuple[str, ...] = ("suggested", "reviewed")
# Keys that describe one model run on one copy of the article, not the annotation.
HELPER_KEYS: tuple[str, ...] = ("probability", "margin", "review_rank", "start", "end")
# Reviewed real-article sentences are neither seed nor written-for-the-project text, but the
# validator knows only ORIGINS; use "reviewed" as soon as it is added there.
DRAFT_ORIGIN: str = "reviewed" if "reviewed" in ORIGINS else "authored"
# The model does not predict voice: every draft row starts as "author" and the reviewer fixes it.
DEFAULT_VOICE = "author"
REVIEWED_DIR = "reviewed"
ORDERS: tuple[str, ...] = ("uncertainty", "document")

_SAFE = re.compile(r"[^A-Za-z0-9._-]+")


@dataclass(frozen=True)
class AddResult:
    """What :func:`add_reviewed` did: rows appended (count, per label, the file), rows
    dropped because the annotations already hold them (``"draft:line = file:line"``),
    and labels corrected in place with ``replace`` (``"file:line: old -> new"``)."""

    added: int
    per_label: dict[str, int]
    target: Path
    accepted_suggested: int = 0
    dropped: tuple[str, ...] = ()
    replaced: tuple[str, ...] = ()


def _slug(value: str) -> str:
    return _SAFE.sub("-", value).strip("-.").lower()


def draft_doc_id(text: str, source: str) -> str:
    """``<source slug>-<first 10 hex of sha256(text)>``: the same article gets the same id."""
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()[:10]
    return f"{_slug(source) or 'doc'}-{digest}"


def draft_records(
    model: Any, text: str, source: str, doc: str | None = None, order: str = "uncertainty"
) -> list[dict[str, Any]]:
    """The rows of :func:`draft_article` (without the furniture count)."""
    return draft_article(model, text, source, doc, order)[0]


def draft_article(
    model: Any, text: str, source: str, doc: str | None = None, order: str = "uncertainty"
) -> tuple[list[dict[str, Any]], int]:
    """Segment ``text`` with ``model.score_article`` into draft annotation rows, and
    count the page-furniture sentences left out (share lines, «اقرأ المزيد» ...: not
    article text, see :mod:`stance.furniture`).

    Ids are ``<doc>-<III>`` with III the segmenter's sentence index (as for the seed ids),
    so they do not depend on the model. ``order="uncertainty"`` puts the smallest margin
    (top-1 minus top-2 probability) first; ``order="document"`` keeps article order.
    ``review_rank`` (1-based) is the row's position in the returned order.
    """
    if order not in ORDERS:
        raise RecordError(f"unknown order {order!r} (use one of {', '.join(ORDERS)})")
    if not isinstance(source, str) or not source.strip():
        raise RecordError("draft_records needs a non-empty source (the outlet or style name)")
    if doc is None:
        doc = draft_doc_id(text, source)
    elif not isinstance(doc, str) or not doc.strip():
        raise RecordError("doc must be a non-empty string (or None to derive it)")
    scored = model.score_article(text, source)
    seg_index = {s.start: s.index for s in segment(text)}
    width = max(3, len(str(max(seg_index.values(), default=0))))
    rows: list[tuple[float, int, dict[str, Any]]] = []
    furniture = 0
    for s in scored.sentences:
        if not s.counted:
            furniture += 1
            continue
        probs = sorted(s.probabilities.values(), reverse=True)
        top1 = s.probabilities[s.label]
        top2 = probs[1] if len(probs) > 1 else 0.0
        margin = top1 - top2
        index = seg_index.get(s.start, s.index)
        record = {
            "id": f"{doc}-{index:0{width}d}",
            "doc": doc,
            "source": source,
            "text": s.text,
            "label": s.label,
            "target": s.about_target,
            "voice": DEFAULT_VOICE,
            "origin": DRAFT_ORIGIN,
            "label_status": "suggested",
            "probability": round(float(top1), 4),
            "margin": round(float(margin), 4),
            "start": s.start,
            "end": s.end,
        }
        rows.append((margin, s.start, record))
    if order == "uncertainty":
        rows.sort(key=lambda r: (r[0], r[1]))
    out = []
    for rank, (_, _, record) in enumerate(rows, 1):
        record["review_rank"] = rank
        out.append(record)
    return out, furniture


def _jsonl(records: Iterable[dict[str, Any]]) -> bytes:
    return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records).encode("utf-8")


def write_draft(records: Iterable[dict[str, Any]], path: str | Path) -> Path:
    """Write draft rows as UTF-8 JSON Lines (``ensure_ascii=False``), atomically."""
    path = Path(path)
    write_atomic(path, _jsonl(records))
    return path


def read_draft(path: str | Path) -> list[tuple[int, Any]]:
    """``(line number, parsed JSON)`` for each non-blank line; :class:`AnnotationError` if
    the file is unreadable or a line is not JSON."""
    path = Path(path)
    try:
        lines = path.read_text(encoding="utf-8-sig").splitlines()
    except FileNotFoundError:
        raise AnnotationError(f"draft not found: {path}") from None
    except UnicodeDecodeError as exc:
        raise AnnotationError(
            f"{path}: not UTF-8 ({exc.reason} at byte {exc.start}); save as UTF-8"
        ) from None
    rows: list[tuple[int, Any]] = []
    problems: list[str] = []
    for lineno, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            rows.append((lineno, json.loads(line)))
        except json.JSONDecodeError as exc:
            problems.append(f"{path}:{lineno}: invalid JSON ({exc.msg})")
    if problems:
        raise AnnotationError(f"draft {path} cannot be read", problems)
    if not rows:
        raise AnnotationError(f"draft {path} has no rows")
    return rows


def _inside(path: Path, root: Path) -> bool:
    try:
        path.resolve().relative_to(root.resolve())
    except ValueError:
        return False
    return True


def _resolve_target(root: Path, docs: list[str], target: str | Path | None, draft: Path) -> Path:
    if target is None:
        if len(docs) != 1:
            raise AnnotationError(
                f"{draft}: rows of {len(docs)} documents ({', '.join(docs[:5])}); "
                "each document goes to its own file: split the draft or pass a target"
            )
        name = _slug(docs[0])
        if not name:
            raise AnnotationError(f"{draft}: doc {docs[0]!r} gives no usable file name")
        return root / REVIEWED_DIR / f"{name}.jsonl"
    target = Path(target)
    if target.suffix != ".jsonl" or not _inside(target, root):
        raise AnnotationError(
            f"target {target} must be a *.jsonl file under {root}, or load_annotations "
            "will not see it"
        )
    return target


def _validate_staged(
    root: Path,
    target: Path,
    content: bytes,
    where_of: dict[int, str],
    others: dict[Path, bytes] | None = None,
) -> None:
    """Run :func:`load_annotations` on a copy of the corpus with ``target`` replaced by
    ``content`` (and each of ``others`` by its bytes): every corpus-level rule (doc in
    one file, one label per text) applies."""
    rel = target.resolve().relative_to(root.resolve()).as_posix()
    with tempfile.TemporaryDirectory(prefix="stance-add-") as tmp:
        stage = Path(tmp) / "annotations"
        for p in annotation_files(root):
            dest = stage / p.relative_to(root)
            dest.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(p, dest)
        for path, data in {target: content, **(others or {})}.items():
            dest = stage / path.resolve().relative_to(root.resolve()).as_posix()
            dest.parent.mkdir(parents=True, exist_ok=True)
            dest.write_bytes(data)
        try:
            load_annotations(stage)
        except AnnotationError as exc:
            problems = []
            for p in exc.problems:
                # Name the draft line of the first new row the problem points at.
                lines = [int(n) for n in re.findall(rf"{re.escape(rel)}:(\d+)\b", p)]
                line = next((n for n in lines if n in where_of), 0)
                problems.append(f"{where_of[line]}: {p}" if line else p)
            lines = f"{min(where_of)}-{max(where_of)}" if where_of else "none"
            draft = next(iter(where_of.values()), "the draft").rsplit(":", 1)[0]
            raise AnnotationError(
                f"adding {draft} (as {rel} lines {lines}) would make {root} invalid; "
                "nothing written",
                problems,
            ) from None


def _text_key(text: str) -> str:
    """A sentence as the corpus compares texts (one normalized text, one label)."""
    return " ".join(normalize(text).split())


def _corrected(path: Path, changes: dict[int, dict[str, Any]]) -> bytes:
    """``path`` with the JSON records on the given lines updated (other lines kept
    byte for byte)."""
    lines = path.read_bytes().decode("utf-8-sig").splitlines(keepends=True)
    for lineno, update in changes.items():
        line = lines[lineno - 1]
        end = line[len(line.rstrip("\r\n")) :]
        lines[lineno - 1] = json.dumps({**json.loads(line), **update}, ensure_ascii=False) + (
            end or "\n"
        )
    return "".join(lines).encode("utf-8")


def add_reviewed(
    draft_path: str | Path,
    annotations_dir: str | Path,
    accept_suggested: bool = False,
    target: str | Path | None = None,
    replace: bool = False,
) -> AddResult:
    """Validate a reviewed draft and append its rows to the annotations, atomically.

    A row whose sentence (normalized text) the annotations already hold with the same
    label and target is dropped, not added (listed in ``AddResult.dropped``): a second
    copy under another document would put test sentences into training during
    cross-validation. A row that gives such a sentence another label or target is a
    correction: refused unless ``replace``, which rewrites the label and target where
    the sentence lives (every copy) instead of adding the row.

    Refused as a whole (:class:`AnnotationError`, one ``draft:line: problem`` per problem,
    nothing written) if a row fails the annotation rules, has a missing or unknown
    ``label_status``, is still ``"suggested"`` (unless ``accept_suggested``), repeats an id
    of the draft or of the annotations, corrects an existing sentence without
    ``replace``, or would break a corpus rule (a doc split across files, one text with
    two labels). :data:`HELPER_KEYS` are dropped; ``label_status`` is kept. Rows go to
    ``target`` or ``<annotations_dir>/reviewed/<doc>.jsonl``.
    """
    draft = Path(draft_path)
    root = Path(annotations_dir)
    if _inside(draft, root):
        raise AnnotationError(
            f"draft {draft} is inside {root}: every *.jsonl there is loaded as annotations, "
            "so unreviewed rows would be trained on; keep drafts outside the annotations"
        )
    corpus = load_annotations(root)
    existing = {a.id: f"{a.path}:{a.line}" for a in corpus}
    by_text: dict[str, list[Any]] = {}
    for a in corpus:
        by_text.setdefault(_text_key(a.text), []).append(a)
    rows = read_draft(draft)
    problems: list[str] = []
    seen: dict[str, str] = {}
    clean: list[tuple[str, dict[str, Any]]] = []
    dropped: list[str] = []
    changes: dict[str, dict[int, dict[str, Any]]] = {}
    replaced: list[str] = []
    suggested = 0
    for lineno, obj in rows:
        where = f"{draft}:{lineno}"
        found = check_record(obj, where)
        if found:
            problems.extend(found)
            continue
        status = obj.get("label_status")
        if status not in LABEL_STATUSES:
            problems.append(
                f"{where}: label_status {status!r} (use one of {', '.join(LABEL_STATUSES)})"
            )
            continue
        if status == "suggested":
            suggested += 1
            if not accept_suggested:
                problems.append(
                    f"{where}: label_status is 'suggested' (id {obj['id']!r}): check the label "
                    "and voice and set 'reviewed', or accept the model's labels explicitly"
                )
                continue
        same = by_text.get(_text_key(obj["text"]))
        if same:
            old = same[0]
            new_target = obj.get("target", True)
            here = f"{old.path}:{old.line}"
            if (old.label, old.target) == (obj["label"], new_target):
                dropped.append(f"{where} = {here}")
                continue
            what = f"label {old.label!r} ({'on' if old.target else 'off'} target)"
            new = f"label {obj['label']!r} ({'on' if new_target else 'off'} target)"
            if not replace:
                problems.append(
                    f"{where}: this sentence is already in the annotations at {here} (id "
                    f"{old.id!r}) with {what}, and the draft gives it {new}. If the draft is "
                    f"right, rerun with --replace to correct it at {here}; otherwise fix the "
                    "row or delete it"
                )
                continue
            for a in same:
                changes.setdefault(a.path, {})[a.line] = {
                    "label": obj["label"],
                    "target": new_target,
                }
                replaced.append(f"{a.path}:{a.line}: {what} -> {new}")
            continue
        if obj["id"] in existing:
            problems.append(
                f"{where}: id {obj['id']!r} already in the annotations ({existing[obj['id']]})"
            )
            continue
        if obj["id"] in seen:
            problems.append(f"{where}: duplicate id {obj['id']!r} (first at {seen[obj['id']]})")
            continue
        seen[obj["id"]] = where
        clean.append((where, {k: v for k, v in obj.items() if k not in HELPER_KEYS}))
    if problems:
        raise AnnotationError(f"draft {draft} refused; nothing written", problems)
    corrected = {
        (root / rel).resolve(): _corrected(root / rel, lines) for rel, lines in changes.items()
    }
    if clean:
        docs = list(dict.fromkeys(r["doc"] for _, r in clean))
        path = _resolve_target(root, docs, target, draft)
        old = corrected.pop(path.resolve(), None)
        if old is None:
            old = path.read_bytes() if path.is_file() else b""
        if old and not old.endswith(b"\n"):
            old += b"\n"
        first = len(old.decode("utf-8-sig").splitlines()) + 1
        where_of = {first + i: where for i, (where, _) in enumerate(clean)}
        writes = {path: old + _jsonl(r for _, r in clean), **corrected}
    elif corrected:  # corrections only
        path = next(iter(corrected))
        where_of = {}
        writes = dict(corrected)
    else:  # every row is already in the annotations: nothing to write
        return AddResult(0, {label: 0 for label in LABELS}, root, 0, tuple(dropped))
    first_path, *_ = writes
    _validate_staged(root, first_path, writes[first_path], where_of, writes)
    for file, data in writes.items():
        write_atomic(file, data)
    counts = Counter(r["label"] for _, r in clean)
    return AddResult(
        added=len(clean),
        per_label={label: counts.get(label, 0) for label in LABELS},
        target=path,
        accepted_suggested=suggested if accept_suggested else 0,
        dropped=tuple(dropped),
        replaced=tuple(replaced),
    )
