"""Does the loaded-term feature block help the classifier? Grouped CV and seed
leave-one-article-out, with and without it, on the same folds.

    python bench/ablate_lexicon.py [--annotations annotations]
"""

from __future__ import annotations

import argparse
import sys

from stance.annotations import load_annotations
from stance.train import evaluate


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--annotations", default="annotations")
    args = ap.parse_args(argv)
    records = load_annotations(args.annotations)
    print(f"command: python bench/ablate_lexicon.py --annotations {args.annotations}")
    print(f"{'variant':<24}{'cv_macro_f1':>12}{'seed_loao_macro_f1':>20}")
    for name, params in (("with lexicon features", {}), ("without", {"features__lexicon": "drop"})):
        r = evaluate(records, params)
        print(f"{name:<24}{r['macro_f1']:>12.3f}{r['seed_loao_macro_f1']:>20.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
