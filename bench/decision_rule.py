"""Choose the decision rule on real text: the seed articles and the dev set.

The corpus is balanced and mostly on target; real coverage is mostly neutral and
mostly off target. The rule (``stance.decision.DecisionRule``: an on-target threshold,
and weights on the neutral and pro probabilities) is chosen here, not fitted in
training, from two real-text sources the model is not trained on at that moment:

- the seed articles, predicted leave-one-article-out (each by a model trained without it);
- the dev set (``../shared/devset/ant2018.jsonl``), predicted by a model trained on all
  annotations.

Probabilities are computed once; every rule on the grid is then applied to them. The
printed table ranks rules by the mean of the two macro-F1s among those that label at
most 5 % of the dev set's off-target sentences pro or critical; the chosen values go
into ``stance.features.DEFAULT_PARAMS`` (and so into every model card).

    python bench/decision_rule.py [--annotations annotations] [--dev FILE] [--top 15]
"""

from __future__ import annotations

import argparse
import itertools
import sys
from pathlib import Path

import numpy as np

from stance.annotations import load_annotations
from stance.decision import DecisionRule
from stance.dev import DEFAULT_DEV_PATH, load_dev
from stance.features import DEFAULT_PARAMS, build_pipeline
from stance.train import metrics, off_target_figures, seed_splits

THRESHOLDS = (0.2, 0.3, 0.4, 0.5, 0.6)
NEUTRAL_WEIGHTS = (0.7, 0.85, 1.0, 1.2, 1.4, 1.7, 2.0)
PRO_WEIGHTS = (0.7, 0.85, 1.0, 1.2, 1.5)
MAX_OFF_TARGET = 0.05


def _fit(records: list) -> object:
    pipe = build_pipeline()
    pipe.fit([a.text for a in records], [a.training_label for a in records])
    return pipe


def _scores(pipe: object, texts: list[str]) -> tuple[np.ndarray, np.ndarray]:
    Xt = pipe[:-1].transform(texts)
    clf = pipe[-1]
    return clf.predict_proba(Xt), clf.predict_target_proba(Xt)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--annotations", default="annotations")
    ap.add_argument("--dev", default=str(DEFAULT_DEV_PATH))
    ap.add_argument("--top", type=int, default=15)
    args = ap.parse_args(argv)
    print(f"command: python bench/decision_rule.py --annotations {args.annotations}")
    if not Path(args.dev).is_file():
        print(f"dev file {args.dev} not found: the rule is chosen on real text, skipped")
        return 0
    records = load_annotations(args.annotations)
    classes = ["critical", "neutral", "pro"]

    # Seeds, leave one article out.
    seed_gold, seed_target, seed_p, seed_on = [], [], [], []
    for _, tr, te in seed_splits(records):
        test = [records[i] for i in te]
        p, on = _scores(_fit([records[i] for i in tr]), [a.text for a in test])
        seed_p.append(p)
        seed_on.append(on)
        seed_gold += [a.label for a in test]
        seed_target += [a.target for a in test]
    seed_p, seed_on = np.vstack(seed_p), np.concatenate(seed_on)

    dev = load_dev(args.dev)["rows"]
    dev_p, dev_on = _scores(_fit(records), [r["text"] for r in dev])
    dev_gold = [r["label"] for r in dev]
    dev_target = [bool(r["target"]) for r in dev]

    rows = []
    for t, wn, wp in itertools.product(THRESHOLDS, NEUTRAL_WEIGHTS, PRO_WEIGHTS):
        rule = DecisionRule(t, {"neutral": wn, "pro": wp})
        s_pred = [classes[i] for i in rule.labels(seed_p, seed_on, classes)]
        d_pred = [classes[i] for i in rule.labels(dev_p, dev_on, classes)]
        s_f1 = metrics(seed_gold, s_pred)["macro_f1"]
        d = metrics(dev_gold, d_pred)
        off = off_target_figures(dev_target, d_pred)["off_target_stance_share"]
        rows.append((t, wn, wp, s_f1, d["macro_f1"], off, (s_f1 + d["macro_f1"]) / 2))
    ok = [r for r in rows if r[5] is None or r[5] <= MAX_OFF_TARGET]
    ok.sort(key=lambda r: -r[6])
    cur = DEFAULT_PARAMS
    print(
        f"{len(rows)} rules; {len(ok)} keep off-target stance <= {MAX_OFF_TARGET:.0%} on the "
        f"dev set. Current defaults: threshold {cur['clf__on_target_threshold']}, neutral "
        f"weight {cur['clf__neutral_weight']}, pro weight {cur['clf__pro_weight']}"
    )
    print(
        f"{'threshold':>9}{'w_neu':>7}{'w_pro':>7}{'seed_loao':>11}{'dev':>8}{'dev_off':>9}{'mean':>8}"
    )
    for t, wn, wp, s, d, off, mean in ok[: args.top]:
        off_s = "-" if off is None else f"{off:.3f}"
        print(f"{t:>9}{wn:>7}{wp:>7}{s:>11.3f}{d:>8.3f}{off_s:>9}{mean:>8.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
