"""Quality on real text: a labelled JSONL file scored by a model, beside the keyword
baseline (``stance evaluate --dev FILE``; ``stance train`` stores the figures).

A dev file has one JSON object per line with ``text`` and ``label`` (critical /
neutral / pro), an optional ``id`` and an optional boolean ``target`` (whether the
sentence is about the accords / normalization with Israel at all). Each text is scored
as one passage, as ``stance score --jsonl`` does.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from .annotations import LABELS, json_lines
from .baseline import keyword_labels
from .errors import InputError
from .train import metrics, off_target_figures

__all__ = ["DEFAULT_DEV_PATH", "load_dev", "evaluate_dev"]

# The project's real dev set (281 labelled sentences of 2018 news, on and off the
# target), beside the repository; absent on a fresh clone.
DEFAULT_DEV_PATH = Path("../shared/devset/ant2018.jsonl")


def load_dev(path: str | Path) -> dict[str, Any]:
    """Read a labelled JSONL file: ``{"path", "sha256", "rows"}``; every problem is an
    :class:`~stance.errors.InputError` naming ``file:line``."""
    p = Path(path)
    try:
        data = p.read_bytes()
    except OSError as exc:
        raise InputError(f"{p}: cannot read the labelled file ({exc.strerror or exc})") from None
    try:
        lines = data.decode("utf-8-sig").splitlines()
    except UnicodeDecodeError as exc:
        raise InputError(f"{p}: not UTF-8 (byte {exc.start}); save it as UTF-8") from None
    rows = []
    for n, where, obj, error in json_lines(lines, str(p)):
        if error is not None:
            raise InputError(f"{where}: {error}")
        if not isinstance(obj, dict):
            raise InputError(f"{where}: expected a JSON object")
        text, label = obj.get("text"), obj.get("label")
        if not isinstance(text, str) or not text.strip():
            raise InputError(f'{where}: needs a non-empty string "text"')
        if label not in LABELS:
            raise InputError(f'{where}: "label" must be one of {", ".join(LABELS)}, not {label!r}')
        target = obj.get("target")
        if target is not None and not isinstance(target, bool):
            raise InputError(f'{where}: "target" must be true or false')
        rows.append({"id": obj.get("id", n), "text": text, "label": label, "target": target})
    if not rows:
        raise InputError(f"{p}: no labelled sentences")
    return {"path": str(p), "sha256": hashlib.sha256(data).hexdigest(), "rows": rows}


def evaluate_dev(model: Any, dev: dict[str, Any]) -> dict[str, Any]:
    """Macro-F1, per-class figures and confusion of ``model`` on a loaded dev file; the
    share of off-target sentences given a stance and the relevance stage's accuracy
    (when rows carry ``target``); and the keyword baseline's figures on the same rows."""
    rows = dev["rows"]
    texts = [r["text"] for r in rows]
    gold = [r["label"] for r in rows]
    preds = model.score_sentences(texts)
    labels = [p.label for p in preds]
    result: dict[str, Any] = {
        "file": Path(dev["path"]).name,
        "sha256": dev["sha256"],
        "sentences": len(rows),
        **metrics(gold, labels),
    }
    base_labels = keyword_labels(texts)
    base = metrics(gold, base_labels)
    result["keyword_baseline"] = {
        "macro_f1": base["macro_f1"],
        "per_class_f1": {k: v["f1"] for k, v in base["per_class"].items()},
    }
    targets = [r["target"] for r in rows]
    known = all(t is not None for t in targets)
    if known:
        result.update(off_target_figures(targets, labels))
        result["keyword_baseline"].update(off_target_figures(targets, base_labels))
    if known and model.has_relevance:
        about = [p.about_target for p in preds]
        tp = sum(a and t for a, t in zip(about, targets))
        prec = tp / sum(about) if any(about) else 0.0
        rec = tp / sum(targets) if any(targets) else 0.0
        result["relevance"] = {
            "accuracy": round(sum(a == t for a, t in zip(about, targets)) / len(rows), 4),
            "precision": round(prec, 4),
            "recall": round(rec, 4),
            "f1": round(2 * prec * rec / (prec + rec), 4) if prec + rec else 0.0,
        }
    return result
