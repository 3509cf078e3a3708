"""predict_proba throughput of the package and shipped model of another checkout, on the
same resampled corpus as bench/speed.py: the "before" figure of a change.

    git worktree add /tmp/before c0c664d
    python bench/throughput_at.py /tmp/before [--sentences 20000] [--jsonl]

``--jsonl`` also times that checkout's `stance score --jsonl` end to end on the same
corpus written as JSON Lines (process start to last line, output discarded).
"""

from __future__ import annotations

import argparse
import json
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("tree", type=Path, help="a checkout of this repository (git worktree)")
    ap.add_argument("--sentences", type=int, default=20_000)
    ap.add_argument("--annotations", type=Path, default=REPO / "annotations")
    ap.add_argument("--jsonl", action="store_true", help="also time score --jsonl end to end")
    args = ap.parse_args(argv)
    flag = " --jsonl" if args.jsonl else ""
    print(f"command: python bench/throughput_at.py {args.tree} --sentences {args.sentences}{flag}")
    sys.path.insert(0, str(args.tree.resolve()))
    for name in [m for m in sys.modules if m == "stance" or m.startswith("stance.")]:
        del sys.modules[name]
    import stance
    from stance.annotations import load_annotations
    from stance.model import load_model

    if not Path(stance.__file__).resolve().is_relative_to(args.tree.resolve()):
        raise SystemExit(f"imported {stance.__file__}, not the package in {args.tree}")
    texts = [r.text for r in load_annotations(args.annotations)]
    rng = random.Random(0)
    corpus = [rng.choice(texts) for _ in range(args.sentences)]
    model = load_model(args.tree / "models")
    model.predict_proba(corpus[:512])
    start = time.perf_counter()
    for i in range(0, len(corpus), 512):
        model.predict_proba(corpus[i : i + 512])
    rate = len(corpus) / (time.perf_counter() - start)
    print(f"{args.tree}: {rate:,.0f} sentences/s (predict_proba, 1 core)")
    if args.jsonl:
        print(
            f"{args.tree}: {_jsonl_rate(args.tree.resolve(), corpus):,.0f} records/s "
            "(score --jsonl, end to end)"
        )
    return 0


def _jsonl_rate(tree: Path, corpus: list[str]) -> float:
    """Records/s of the checkout's ``stance score --jsonl`` on ``corpus``."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "corpus.jsonl"
        with open(path, "w", encoding="utf-8") as fh:
            for i, text in enumerate(corpus):
                fh.write(json.dumps({"id": i, "text": text}, ensure_ascii=False) + "\n")
        code = f"import sys; sys.path.insert(0, {str(tree)!r}); from stance.cli import main; main()"
        cmd = [
            sys.executable,
            "-c",
            code,
            "score",
            "--jsonl",
            str(path),
            "--model",
            str(tree / "models"),
        ]
        start = time.perf_counter()
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
        return len(corpus) / (time.perf_counter() - start)


if __name__ == "__main__":
    sys.exit(main())
