"""Benchmark the stance pipeline on two public Arabic stance datasets nobody on the
project wrote: Mawqif (StanceEval 2024; 3 targets) and ArabicStanceX (17 topics).

For every target/topic the project's ``stance.features.build_pipeline`` is tuned by
stratified cross-validation on that target's train split only (small grid: clf__C, char
n-gram range, domain lexicon features kept or dropped), refitted on the whole train split
and scored once on the test split. A quick baseline is run on the same splits:
plain scikit-learn word (1,2) + char_wb (2,5) TF-IDF with a class-balanced logistic
regression (Mawqif) or a LinearSVC (ArabicStanceX).

Figures: 3-class macro-F1 (favor/against/none) and the StanceEval 2024 metric
F_avg = mean of F1(favor) and F1(against) per target, averaged over targets (x100).

    python bench/external.py [--data-dir ../shared/external] [--dataset all] [--quick]
                             [--json figures.json] [--jobs 2]

The data stays where it is (read-only); nothing is copied into the repository.
"""

from __future__ import annotations

import argparse
import csv
import json
import shlex
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import numpy as np
import sklearn
from joblib import Parallel, delayed
from sklearn.base import clone
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import f1_score
from sklearn.model_selection import StratifiedKFold
from sklearn.pipeline import FeatureUnion, Pipeline, make_pipeline
from sklearn.svm import LinearSVC

from stance.features import build_pipeline

RANDOM_STATE = 0
LABELS = ("favor", "against", "none")
KEEP = "keep"  # grid value meaning "leave this step as build_pipeline() builds it"
DEFAULT_DATA_DIR = Path(__file__).resolve().parents[1].parent / "shared" / "external"

# Search space for the project pipeline (sklearn set_params names). Keys that the current
# build_pipeline() does not expose are skipped at run time (and reported).
GRID: dict[str, list[Any]] = {
    "features__lexicon": ["drop", KEEP],
    "features__char__ngram_range": [(2, 5), (1, 4)],
    "clf__C": [0.25, 1.0, 4.0],
}
QUICK_GRID: dict[str, list[Any]] = {
    "features__lexicon": ["drop"],
    "clf__C": [1.0, 8.0],
}
CV_FOLDS = 3
QUICK_CV_FOLDS = 2

REFERENCES = {
    "mawqif": [
        ("StanceEval 2024 winner", 84.38),
        ("Mawqif paper best BERT", 78.89),
        ("quick TF-IDF+LR baseline (measured earlier)", 69.1),
    ],
    "arabicstancex": [
        ("MARBERTv2 (paper, about)", 74.0),
        ("quick TF-IDF LinearSVC (measured earlier)", 76.2),
    ],
}
BASELINE_NAMES = {
    "mawqif": "word(1,2)+char_wb(2,5) TF-IDF + LogisticRegression(balanced)",
    "arabicstancex": "word(1,2)+char_wb(2,5) TF-IDF + LinearSVC",
}

# --------------------------------------------------------------------------- loading

Split = tuple[list[str], list[str]]  # texts, labels


def _label(raw: Any) -> str | None:
    """Canonical label or None for an empty/unknown stance (those rows are dropped)."""
    if raw is None:
        return None
    lab = str(raw).strip().lower()
    return lab if lab in LABELS else None


class Loaded:
    """Per-target train/test splits plus what was dropped while reading."""

    def __init__(self) -> None:
        self.targets: dict[str, dict[str, Split]] = {}
        self.dropped: Counter[str] = Counter()

    def add(self, target: str, split: str, text: Any, stance: Any) -> None:
        lab = _label(stance)
        txt = "" if text is None else str(text)
        if lab is None:
            shown = "" if stance is None else str(stance).strip()
            self.dropped[f"{split}: empty/unknown stance {shown!r}"] += 1
            return
        if not txt.strip():
            self.dropped[f"{split}: empty text"] += 1
            return
        texts, labels = self.targets.setdefault(target, {}).setdefault(split, ([], []))
        texts.append(txt)
        labels.append(lab)


def load_mawqif(root: Path) -> Loaded:
    # csv, not pandas: pandas' default NA values include the string "None", which would
    # silently turn the "None" stance class into missing values.
    out = Loaded()
    for split, name in (
        ("train", "Mawqif_AllTargets_Train.csv"),
        ("test", "Mawqif_AllTargets_Test.csv"),
    ):
        with open(root / name, encoding="utf-8-sig", newline="") as fh:
            for row in csv.DictReader(fh):
                out.add(
                    (row.get("target") or "").strip(), split, row.get("text"), row.get("stance")
                )
    return out


def _json_entries(data: Any) -> Iterable[tuple[Any, Any]]:
    """(text, stance) pairs from either layout: column dicts keyed by row id
    ({"text": {id: ...}, "stance": {id: ...}}) or a list of {"ID", "text", "stance"}."""
    if isinstance(data, dict):
        texts, stances = data.get("text", {}), data.get("stance", {})
        for key, text in texts.items():
            yield text, stances.get(key)
    else:
        for entry in data:
            yield entry.get("text"), entry.get("stance")


def asx_root(root: Path) -> Path:
    return root / "Stance_task" if (root / "Stance_task").is_dir() else root


def load_arabicstancex(root: Path) -> Loaded:
    out = Loaded()
    base = asx_root(root)
    for split in ("train", "test"):
        for path in sorted((base / split).glob("*/*.json")):
            topic = f"{path.parent.name}/{path.stem}"
            with open(path, encoding="utf-8-sig") as fh:
                data = json.load(fh)
            for text, stance in _json_entries(data):
                out.add(topic, split, text, stance)
    return out


DATASETS: dict[str, tuple[str, Callable[[Path], Loaded]]] = {
    "mawqif": ("mawqif", load_mawqif),
    "arabicstancex": ("arabicstancex", load_arabicstancex),
}


def dataset_present(name: str, root: Path) -> Path | None:
    """The missing path, or None if the dataset looks complete."""
    d = root / DATASETS[name][0]
    if name == "mawqif":
        for f in ("Mawqif_AllTargets_Train.csv", "Mawqif_AllTargets_Test.csv"):
            if not (d / f).is_file():
                return d / f
        return None
    for split in ("train", "test"):
        if not (asx_root(d) / split).is_dir():
            return asx_root(d) / split
    return None


# --------------------------------------------------------------------------- metrics


def scores(y_true: list[str], y_pred: list[str]) -> dict[str, float]:
    f1 = f1_score(y_true, y_pred, labels=list(LABELS), average=None, zero_division=0)
    return {
        "macro_f1": 100 * float(np.mean(f1)),
        "f_avg": 100 * float((f1[0] + f1[1]) / 2),
        "f1_favor": 100 * float(f1[0]),
        "f1_against": 100 * float(f1[1]),
        "f1_none": 100 * float(f1[2]),
    }


# --------------------------------------------------------------------------- models


def usable_grid(grid: dict[str, list[Any]]) -> tuple[dict[str, list[Any]], list[str]]:
    keys = set(build_pipeline().get_params().keys())
    kept = {k: v for k, v in grid.items() if k in keys}
    return kept, [k for k in grid if k not in keys]


def expand(grid: dict[str, list[Any]]) -> list[dict[str, Any]]:
    combos: list[dict[str, Any]] = [{}]
    for key, values in grid.items():
        combos = [{**c, key: v} for c in combos for v in values]
    return combos


def to_params(config: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in config.items() if v != KEEP}


def describe(config: dict[str, Any]) -> str:
    short = {
        "features__lexicon": "lex",
        "features__char__ngram_range": "char",
        "clf__C": "C",
        "clf__class_weight": "cw",
    }
    parts = []
    for k, v in config.items():
        if k == "features__lexicon":
            v = "drop" if v == "drop" else "keep"
        if isinstance(v, tuple):
            v = f"({v[0]},{v[1]})"
        parts.append(f"{short.get(k, k)}={v}")
    return " ".join(parts)


def tune(
    X: np.ndarray, y: np.ndarray, grid: dict[str, list[Any]], folds: int, select: str
) -> tuple[dict[str, Any], float]:
    """Best grid point by stratified CV on the train split. The transformer steps are fitted
    once per fold and feature setting; only the final estimator is refitted per clf setting.
    Ties go to the earlier grid point."""
    configs = expand(grid)
    n_splits = min(folds, min(Counter(y.tolist()).values()))
    if len(configs) == 1 or n_splits < 2:
        return configs[0], float("nan")
    clf_name = build_pipeline().steps[-1][0]
    prefix = clf_name + "__"
    feat_keys = [k for k in grid if not k.startswith(prefix)]
    cv = StratifiedKFold(n_splits=n_splits, shuffle=True, random_state=RANDOM_STATE)
    splits = list(cv.split(X, y))
    totals = np.zeros(len(configs))
    groups: dict[tuple, list[int]] = {}
    for i, c in enumerate(configs):
        groups.setdefault(tuple(repr(c[k]) for k in feat_keys), []).append(i)
    for idx in groups.values():
        feat_params = {k: configs[idx[0]][k] for k in feat_keys}
        for tr, va in splits:
            pipe = build_pipeline(**to_params(feat_params))
            Xt = pipe[:-1].fit_transform(X[tr], y[tr])
            Xv = pipe[:-1].transform(X[va])
            for i in idx:
                clf_params = {
                    k[len(prefix) :]: v for k, v in configs[i].items() if k.startswith(prefix)
                }
                clf = clone(pipe[-1]).set_params(**clf_params).fit(Xt, y[tr])
                totals[i] += scores(y[va].tolist(), clf.predict(Xv).tolist())[select]
    best = int(np.argmax(totals))  # first maximum
    return configs[best], float(totals[best] / len(splits))


def quick_baseline(dataset: str) -> Pipeline:
    union = FeatureUnion(
        [
            ("word", TfidfVectorizer(analyzer="word", ngram_range=(1, 2))),
            ("char", TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5))),
        ]
    )
    if dataset == "mawqif":
        clf: Any = LogisticRegression(
            class_weight="balanced", max_iter=5000, random_state=RANDOM_STATE
        )
    else:
        clf = LinearSVC(random_state=RANDOM_STATE)
    return make_pipeline(union, clf)


def run_target(
    dataset: str,
    target: str,
    splits: dict[str, Split],
    grid: dict[str, list[Any]],
    folds: int,
    select: str,
) -> dict[str, Any]:
    t0 = time.perf_counter()
    Xtr = np.array(splits["train"][0], dtype=object)
    ytr = np.array(splits["train"][1])
    Xte, yte = splits["test"]
    config, cv_score = tune(Xtr, ytr, grid, folds, select)
    model = build_pipeline(**to_params(config)).fit(Xtr, ytr)
    ours = scores(yte, model.predict(Xte).tolist())
    base = quick_baseline(dataset).fit(Xtr, ytr)
    quick = scores(yte, base.predict(Xte).tolist())
    return {
        "target": target,
        "n_train": len(ytr),
        "n_test": len(yte),
        "train_labels": dict(Counter(ytr.tolist())),
        "best_params": {k: (list(v) if isinstance(v, tuple) else v) for k, v in config.items()},
        "best_params_str": describe(config),
        "cv_score": cv_score,
        "stance": ours,
        "quick": quick,
        "_y": (list(yte), model.predict(Xte).tolist(), base.predict(Xte).tolist()),
        "seconds": time.perf_counter() - t0,
    }


# --------------------------------------------------------------------------- output


def _row(name: str, n_tr: Any, n_te: Any, s: dict, q: dict, params: str) -> str:
    return (
        f"{name:<42}{n_tr:>6}{n_te:>6}  {s['macro_f1']:>7.2f}{s['f_avg']:>7.2f}"
        f"  {q['macro_f1']:>7.2f}{q['f_avg']:>7.2f}  {params}"
    ).rstrip()


def report_dataset(name: str, results: list[dict[str, Any]], select: str) -> dict[str, Any]:
    print(f"\n== {name}: {len(results)} targets; selection metric on train CV: {select}")
    print(f"   quick baseline: {BASELINE_NAMES[name]}")
    head = f"{'target':<42}{'train':>6}{'test':>6}  {'stance':>14}  {'quick':>14}  best params"
    sub = f"{'':<54}  {'mF1':>7}{'F_avg':>7}  {'mF1':>7}{'F_avg':>7}"
    print(head)
    print(sub)
    for r in results:
        print(
            _row(
                r["target"],
                r["n_train"],
                r["n_test"],
                r["stance"],
                r["quick"],
                r["best_params_str"],
            )
        )
    mean = {
        m: {k: float(np.mean([r[m][k] for r in results])) for k in results[0][m]}
        for m in ("stance", "quick")
    }
    y = [v for r in results for v in r["_y"][0]]
    pooled = {
        "stance": scores(y, [v for r in results for v in r["_y"][1]]),
        "quick": scores(y, [v for r in results for v in r["_y"][2]]),
    }
    n_tr = sum(r["n_train"] for r in results)
    n_te = sum(r["n_test"] for r in results)
    print(_row("OVERALL mean over targets", n_tr, n_te, mean["stance"], mean["quick"], ""))
    print(
        _row("OVERALL pooled test predictions", n_tr, n_te, pooled["stance"], pooled["quick"], "")
    )
    s, q = mean["stance"]["f_avg"], mean["quick"]["f_avg"]
    refs = ", ".join(f"{label} {value:.2f}" for label, value in REFERENCES[name])
    print(f"StanceEval F_avg (x100, mean over targets): stance {s:.2f} | quick baseline {q:.2f}")
    print(f"   published/earlier references: {refs}")
    verdict = "beats" if s > q else "does NOT beat"
    ms, mq = mean["stance"]["macro_f1"], mean["quick"]["macro_f1"]
    mverdict = "beats" if ms > mq else "does NOT beat"
    print(f"   stance pipeline {verdict} the quick baseline on F_avg ({s - q:+.2f}),")
    print(f"   and {mverdict} it on 3-class macro-F1 ({ms - mq:+.2f})")
    return {
        "targets": [{k: v for k, v in r.items() if not k.startswith("_")} for r in results],
        "mean_over_targets": mean,
        "pooled": pooled,
        "references": dict(REFERENCES[name]),
        "quick_baseline": BASELINE_NAMES[name],
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--data-dir", type=Path, default=DEFAULT_DATA_DIR)
    ap.add_argument("--dataset", choices=["mawqif", "arabicstancex", "all"], default="all")
    ap.add_argument("--quick", action="store_true", help="tiny grid and 2-fold CV (tests)")
    ap.add_argument("--json", type=Path, default=None, help="write the figures here")
    ap.add_argument("--jobs", type=int, default=2, help="targets fitted in parallel")
    ap.add_argument(
        "--select",
        choices=["macro_f1", "f_avg"],
        default="macro_f1",
        help="CV metric used to pick the grid point",
    )
    args = ap.parse_args(argv)
    shown = sys.argv[1:] if argv is None else list(argv)
    prog = sys.argv[0] if argv is None else "bench/external.py"
    print("command: python " + shlex.join([prog, *shown]))
    t_start = time.perf_counter()

    if not args.data_dir.is_dir():
        print(f"skipped: {args.data_dir} not found")
        return 0
    names = ["mawqif", "arabicstancex"] if args.dataset == "all" else [args.dataset]
    grid, unknown = usable_grid(QUICK_GRID if args.quick else GRID)
    folds = QUICK_CV_FOLDS if args.quick else CV_FOLDS
    print(f"grid ({len(expand(grid))} points, {folds}-fold stratified CV on train only): {grid}")
    if unknown:
        print(f"grid keys not in build_pipeline() and skipped: {unknown}")
    print(f"scikit-learn {sklearn.__version__}; random_state {RANDOM_STATE}")

    figures: dict[str, Any] = {"command": shown, "grid": repr(grid), "datasets": {}}
    for name in names:
        missing = dataset_present(name, args.data_dir)
        if missing is not None:
            print(f"\nskipped: {missing} not found")
            figures["datasets"][name] = {"skipped": f"{missing} not found"}
            continue
        t0 = time.perf_counter()
        loaded = DATASETS[name][1](args.data_dir / DATASETS[name][0])
        drops = ", ".join(f"{k} x{v}" for k, v in sorted(loaded.dropped.items())) or "none"
        usable = {}
        for target, splits in sorted(loaded.targets.items()):
            if "train" in splits and "test" in splits and len(set(splits["train"][1])) > 1:
                usable[target] = splits
            else:
                print(f"skipped target {target!r}: needs a test split and 2+ train labels")
        if not usable:
            print(f"\nskipped: {name}: no usable targets")
            continue
        results = Parallel(n_jobs=args.jobs)(
            delayed(run_target)(name, t, s, grid, folds, args.select) for t, s in usable.items()
        )
        out = report_dataset(name, results, args.select)
        out["dropped_rows"] = dict(loaded.dropped)
        out["seconds"] = time.perf_counter() - t0
        figures["datasets"][name] = out
        print(f"   rows dropped while loading: {drops}")
        print(f"   {name} runtime {out['seconds']:.1f}s")

    total = time.perf_counter() - t_start
    figures["seconds"] = total
    print(f"\ntotal runtime {total:.1f}s")
    if args.json is not None:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(figures, indent=2, ensure_ascii=False), encoding="utf-8")
        print(f"figures written to {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
