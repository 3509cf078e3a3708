"""Training, grouped cross-validation and seed leave-one-article-out evaluation.

No printing and no click here: functions return plain dicts that the CLI renders.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from .annotations import LABELS, Annotation, label_counts, read_annotations
from .features import DEFAULT_PARAMS, RANDOM_STATE, build_pipeline
from .lexicon import load_lexicon
from .model import StanceModel

__all__ = [
    "N_FOLDS",
    "Progress",
    "train_model",
    "evaluate",
    "evaluation_inputs",
    "code_fingerprint",
    "metrics",
    "off_target_figures",
    "cv_splits",
    "seed_splits",
    "pipeline_fit_predict",
    "default_annotations_dir",
]

N_FOLDS = 5

# progress(stage, done, total): called before each step of a stage (done = steps
# finished so far) and once when it is complete (done == total). The CLI shows it.
Progress = Callable[[str, int, int], None]


def _no_progress(stage: str, done: int, total: int) -> None:
    return None


def code_fingerprint() -> str:
    """sha256 of this package's code and data files: figures computed by the same
    code on the same annotations are the same figures."""
    import hashlib

    root = Path(__file__).resolve().parent
    h = hashlib.sha256()
    for p in sorted(root.rglob("*")):
        if p.is_file() and p.suffix in (".py", ".tsv", ".json", ".txt"):
            h.update(p.relative_to(root).as_posix().encode())
            h.update(b"\0")
            h.update(p.read_bytes())
            h.update(b"\0")
    return h.hexdigest()


def evaluation_inputs(
    annotations_sha256: str, params: dict[str, Any] | None = None, n_folds: int = N_FOLDS
) -> dict[str, Any]:
    """What the figures of :func:`evaluate` depend on (stored in the model card, so
    `stance evaluate` can reuse the figures `stance train` just computed)."""
    from importlib.metadata import version

    merged = {**DEFAULT_PARAMS, **(params or {})}
    return {
        "annotations_sha256": annotations_sha256,
        "params": {k: (list(v) if isinstance(v, tuple) else v) for k, v in merged.items()},
        "n_folds": n_folds,
        "random_state": RANDOM_STATE,
        "code_sha256": code_fingerprint(),
        "scikit-learn": version("scikit-learn"),
    }


def default_annotations_dir() -> Path:
    """``annotations/`` of the current directory (where users run the CLI from the repo)."""
    return Path("annotations")


def off_target_figures(targets: Sequence[bool], y_pred: Sequence[str]) -> dict[str, Any]:
    """How many off-target sentences got a stance: ``off_target_sentences`` and the
    share of them labelled pro or critical (``off_target_stance_share``, None if none)."""
    off = [p for t, p in zip(targets, y_pred) if not t]
    share = sum(p != "neutral" for p in off) / len(off) if off else None
    return {
        "off_target_sentences": len(off),
        "off_target_stance_share": None if share is None else round(share, 4),
    }


def metrics(y_true: Sequence[str], y_pred: Sequence[str]) -> dict[str, Any]:
    """Per-class precision/recall/F1, macro-F1 and the confusion matrix (rows = truth)."""
    from sklearn.metrics import confusion_matrix, precision_recall_fscore_support

    labels = list(LABELS)
    p, r, f, s = precision_recall_fscore_support(y_true, y_pred, labels=labels, zero_division=0)
    cm = confusion_matrix(y_true, y_pred, labels=labels)
    return {
        "macro_f1": round(float(np.mean(f)), 4),
        "per_class": {
            lab: {
                "precision": round(float(p[i]), 4),
                "recall": round(float(r[i]), 4),
                "f1": round(float(f[i]), 4),
                "support": int(s[i]),
            }
            for i, lab in enumerate(labels)
        },
        "confusion": {"labels": labels, "matrix": cm.tolist()},
    }


FitPredict = Callable[[list[Annotation], list[Annotation]], list[str]]


def pipeline_fit_predict(params: dict[str, Any] | None = None) -> FitPredict:
    """A ``fit_predict(train, test)`` for :func:`evaluate` that fits ``build_pipeline``."""
    params = dict(params or {})

    def fit_predict(train: list[Annotation], test: list[Annotation]) -> list[str]:
        pipe = build_pipeline(**params)
        pipe.fit([a.text for a in train], [a.training_label for a in train])
        return list(pipe.predict([a.text for a in test]))

    return fit_predict


def cv_splits(records: Sequence[Annotation], n_folds: int = N_FOLDS) -> list[tuple]:
    """Grouped, stratified folds as (train indices, test indices): no document is in
    both; strata are the training labels (off-target apart from on-target neutral).
    Fixed seed, so every benchmark that calls this sees the same folds."""
    from sklearn.model_selection import StratifiedGroupKFold

    y = np.array([a.training_label for a in records])
    groups = np.array([a.doc for a in records])
    folds = min(n_folds, len(set(groups)))
    if folds < 2:
        raise ValueError("evaluation needs at least two documents")
    cv = StratifiedGroupKFold(n_splits=folds, shuffle=True, random_state=RANDOM_STATE)
    return list(cv.split(np.zeros(len(y)), y, groups))


def seed_splits(records: Sequence[Annotation]) -> list[tuple[str, np.ndarray, np.ndarray]]:
    """Seed leave-one-article-out: (seed doc, train indices, test indices) per seed
    article; train is every other record, seed or authored."""
    docs = np.array([a.doc for a in records])
    seed_docs = sorted({a.doc for a in records if a.origin == "seed"})
    return [(d, np.flatnonzero(docs != d), np.flatnonzero(docs == d)) for d in seed_docs]


def evaluate(
    records: Sequence[Annotation],
    params: dict[str, Any] | None = None,
    n_folds: int = N_FOLDS,
    fit_predict: FitPredict | None = None,
    progress: Progress | None = None,
) -> dict[str, Any]:
    """Grouped cross-validation (no document in both train and test) plus seed
    leave-one-article-out (train on everything but one seed article, predict it; the
    five folds' predictions are pooled into one macro-F1).

    ``fit_predict`` replaces the stance pipeline (benchmarks pass fastText here), so
    every model is scored on exactly the same splits. ``progress`` is told of each fold
    (stages ``cross-validation`` and ``seed leave-one-article-out``)."""
    records = list(records)
    report = progress or _no_progress
    fp = fit_predict or pipeline_fit_predict(params)
    y = np.array([a.label for a in records])
    splits = cv_splits(records, n_folds)
    pred = np.empty(len(records), dtype=object)
    for k, (tr, te) in enumerate(splits):
        report("cross-validation", k, len(splits))
        pred[te] = fp([records[i] for i in tr], [records[i] for i in te])
    report("cross-validation", len(splits), len(splits))
    result = metrics(list(y), list(pred))
    result.update(off_target_figures([a.target for a in records], list(pred)))

    majority = Counter(y).most_common(1)[0][0]
    result["baseline_macro_f1"] = metrics(list(y), [majority] * len(y))["macro_f1"]
    result["baseline_label"] = majority
    result["folds"] = len(splits)
    result["sentences"] = len(records)

    seeds = seed_splits(records)
    if seeds:
        truth: list[str] = []
        guess: list[str] = []
        per_doc: dict[str, float] = {}
        for k, (doc, tr, te) in enumerate(seeds):
            report("seed leave-one-article-out", k, len(seeds))
            test = [records[i] for i in te]
            got = fp([records[i] for i in tr], test)
            truth.extend(a.label for a in test)
            guess.extend(got)
            per_doc[doc] = metrics([a.label for a in test], got)["macro_f1"]
        report("seed leave-one-article-out", len(seeds), len(seeds))
        loao = metrics(truth, guess)
        targets = [records[i].target for _, _, te in seeds for i in te]
        loao.update(off_target_figures(targets, guess))
        result["seed_loao_macro_f1"] = loao["macro_f1"]
        result["seed_loao"] = {**loao, "per_article_macro_f1": per_doc}
    else:
        result["seed_loao_macro_f1"] = None
    return result


def train_model(
    annotations_dir: str | Path,
    params: dict[str, Any] | None = None,
    run_evaluation: bool = True,
    dev_path: str | Path | None = None,
    progress: Progress | None = None,
) -> StanceModel:
    """Fit the pipeline on every annotated sentence and return the model with its card
    (training-data hash and counts, parameters, decision rule, evaluation figures with
    what they depend on, and the figures on the labelled real text at ``dev_path`` when
    given). Not saved. ``progress`` is told of each stage (see :func:`evaluate`, then
    ``fitting the model`` and ``scoring the dev set``)."""
    report = progress or _no_progress
    report("reading the annotations", 0, 1)
    records, sha = read_annotations(annotations_dir)
    report("reading the annotations", 1, 1)
    params = dict(params or {})
    ev = evaluate(records, params, progress=progress) if run_evaluation else None
    report("fitting the model", 0, 1)
    pipe = build_pipeline(**params)
    pipe.fit([a.text for a in records], [a.training_label for a in records])
    report("fitting the model", 1, 1)
    card: dict[str, Any] = {
        "training_data": {
            "sha256": sha,
            "sentences": len(records),
            "documents": len({a.doc for a in records}),
            "counts_per_label": label_counts(records),
            "on_target": sum(a.target for a in records),
            "off_target": sum(not a.target for a in records),
            "counts_per_origin": dict(sorted(Counter(a.origin for a in records).items())),
        },
        "params": {
            k: (list(v) if isinstance(v, tuple) else v)
            for k, v in {**DEFAULT_PARAMS, **params}.items()
        },
        "random_state": RANDOM_STATE,
        "lexicon_version": load_lexicon().version,
    }
    clf = pipe[-1]
    if hasattr(clf, "decision_rule"):
        card["decision"] = {"design": clf.design_, **clf.decision_rule.to_dict()}
    if ev is not None:
        # All of it (not only EVALUATION_KEYS), with what it depends on: `stance
        # evaluate` then shows these figures instead of repeating the same folds.
        card["evaluation"] = ev
        card["evaluation_inputs"] = evaluation_inputs(sha, params)
    model = StanceModel(pipe, card)
    if dev_path is not None:
        from .dev import evaluate_dev, load_dev

        report("scoring the dev set", 0, 1)
        model.card["dev_evaluation"] = evaluate_dev(model, load_dev(dev_path))
        report("scoring the dev set", 1, 1)
    return model


# The headline figures of `stance evaluate` (the card stores all of them).
EVALUATION_KEYS = (
    "macro_f1",
    "per_class",
    "baseline_macro_f1",
    "off_target_stance_share",
    "seed_loao_macro_f1",
    "folds",
)


def stored_evaluation(
    model_path: str | Path | None, sha: str
) -> tuple[Path, dict[str, Any]] | None:
    """(card path, figures) of the model's stored cross-validation when they were
    computed on annotations with this sha256, with the default parameters, by this
    code; None otherwise (also when there is no readable model card)."""
    from .errors import StanceError
    from .model import CARD_NAME, read_card, resolve_model

    try:
        directory = resolve_model(model_path)[0]
        card = read_card(directory)
    except StanceError:
        return None
    ev = card.get("evaluation")
    if not isinstance(ev, dict) or "confusion" not in ev:  # headline figures only
        return None
    if card.get("evaluation_inputs") != evaluation_inputs(sha):
        return None
    return directory / CARD_NAME, ev


def card_to_compare(compare_dir: str | Path) -> dict[str, Any]:
    """The card of the model to compare fresh cross-validation figures with; a
    ModelError when it has no figures."""
    from .errors import ModelError
    from .model import read_card, resolve_model

    card = read_card(resolve_model(compare_dir)[0])
    if "evaluation" not in card:
        raise ModelError(
            f"{compare_dir}: its card has no evaluation figures (trained with "
            "--no-eval); retrain it without --no-eval to compare"
        )
    return card


def comparison(compare_dir: str | Path, card: dict[str, Any], sha: str) -> dict[str, Any]:
    """The ``compare`` entry of an evaluation: the figures of ``card`` (the model in
    ``compare_dir``) and whether it was trained on the same annotations (``sha``)."""
    return {
        "model": str(compare_dir),
        "before": card["evaluation"],
        "before_sentences": card.get("training_data", {}).get("sentences"),
        "same_annotations": card.get("training_data", {}).get("sha256") == sha,
    }
