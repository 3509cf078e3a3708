"""How should target relevance be modelled? The same annotations, three designs:

- ``two_heads`` (the shipped one): a stance head trained on on-target sentences and a
  binary relevance head trained on all of them; an off-target sentence is neutral;
- ``four_way``: one softmax over critical / neutral / pro / off_target, collapsed to
  three labels (off_target counts as neutral);
- ``no relevance``: one 3-way softmax, off-target sentences simply labelled neutral
  (what the model did before relevance existed, but on the same data).

Each is scored by grouped CV and seed leave-one-article-out on the annotations, and,
when the dev file exists, on real text (macro-F1, off-target sentences given a stance).

    python bench/relevance_design.py [--annotations annotations] [--dev FILE]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from stance.annotations import load_annotations
from stance.dev import DEFAULT_DEV_PATH, evaluate_dev, load_dev
from stance.features import build_pipeline
from stance.model import StanceModel
from stance.train import evaluate

DESIGNS = {"two_heads": "two_heads", "four_way": "four_way", "no relevance": None}


def collapsed_fit_predict(train: list, test: list) -> list[str]:
    """Fit on the stance labels alone: off-target sentences are plain neutral ones."""
    pipe = build_pipeline()
    pipe.fit([a.text for a in train], [a.label for a in train])
    return list(pipe.predict([a.text for a in test]))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--annotations", default="annotations")
    ap.add_argument("--dev", default=str(DEFAULT_DEV_PATH))
    args = ap.parse_args(argv)
    records = load_annotations(args.annotations)
    dev = load_dev(args.dev) if Path(args.dev).is_file() else None
    print(f"command: python bench/relevance_design.py --annotations {args.annotations}")
    if dev is None:
        print(f"dev file {args.dev} not found: real-text columns skipped")
    cols = ["cv_f1", "cv_off", "loao_f1", "dev_f1", "dev_off"]
    print(f"{'design':<14}" + "".join(f"{c:>9}" for c in cols))
    for name, design in DESIGNS.items():
        # Same folds for every design; off-target figures always against the true targets.
        if design is None:
            ev = evaluate(records, fit_predict=collapsed_fit_predict)
            labels = [a.label for a in records]
        else:
            ev = evaluate(records, {"clf__design": design})
            labels = [a.training_label for a in records]
        row = [ev["macro_f1"], ev["off_target_stance_share"], ev["seed_loao_macro_f1"]]
        if dev is not None:
            pipe = build_pipeline(**({} if design is None else {"clf__design": design}))
            pipe.fit([a.text for a in records], labels)
            d = evaluate_dev(StanceModel(pipe, {}), dev)
            row += [d["macro_f1"], d.get("off_target_stance_share")]
        print(f"{name:<14}" + "".join(_cell(v) for v in row))
    print(
        "cv_off / dev_off: share of off-target sentences labelled pro or critical; "
        "loao: seed leave-one-article-out"
    )
    return 0


def _cell(v: float | None) -> str:
    return f"{'-':>9}" if v is None else f"{v:>9.3f}"


if __name__ == "__main__":
    sys.exit(main())
