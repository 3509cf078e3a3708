"""How the batch size of `score --jsonl` (stance.batch.BATCH_SIZE, BATCH_CHARS) moves
predict_proba throughput and the peak memory on long passages.

    python bench/batch_size.py [--sizes 512,1024,2048,4096] [--rounds 3] [--quick]

- throughput: predict_proba on the resampled corpus of bench/speed.py, in batches of
  each size, the sizes taking turns within each round (a fresh model each time, warmed
  up on a text outside the corpus);
- memory: peak RSS of `stance score --jsonl` on passages of about 6,000 characters
  (sentences of the corpus joined), once per (BATCH_SIZE, BATCH_CHARS) pair.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from speed import REPO, corpus, timed_run  # noqa: E402

_SCORE = (
    "import sys, stance.batch as b; b.BATCH_SIZE, b.BATCH_CHARS = {size}, {chars}\n"
    "from stance.cli import main; sys.argv = ['stance', 'score', '--jsonl', {path!r}]; main()"
)


def throughput(sentences: list[str], sizes: list[int], rounds: int) -> dict[int, list[float]]:
    """Sentences per second of predict_proba per batch size, one figure per round."""
    from stance.model import load_model

    out: dict[int, list[float]] = {size: [] for size in sizes}
    for _ in range(rounds):
        for size in sizes:
            model = load_model()
            model.predict_proba(["نص للتحمية قبل القياس"])
            start = time.perf_counter()
            for i in range(0, len(sentences), size):
                model.predict_proba(sentences[i : i + size])
            out[size].append(len(sentences) / (time.perf_counter() - start))
    return out


def long_passages(sentences: list[str], n: int, chars: int, path: Path) -> None:
    rng = random.Random(0)
    with path.open("w", encoding="utf-8") as fh:
        for i in range(n):
            parts: list[str] = []
            while sum(map(len, parts)) < chars:
                parts.append(rng.choice(sentences))
            fh.write(json.dumps({"id": i, "text": " ".join(parts)}, ensure_ascii=False) + "\n")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="512,1024,2048,4096")
    ap.add_argument("--sentences", type=int, default=200_000)
    ap.add_argument("--passages", type=int, default=3_000)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--quick", action="store_true", help="tiny sizes (for tests)")
    args = ap.parse_args(argv)
    if args.quick:
        args.sentences, args.passages, args.rounds, args.sizes = 300, 20, 1, "64,128"
    sizes = [int(s) for s in args.sizes.split(",")]
    print(f"command: python bench/batch_size.py {' '.join(argv or sys.argv[1:])}")
    sentences, _ = corpus(REPO / "annotations", args.sentences)
    for size, values in throughput(sentences, sizes, args.rounds).items():
        rounds = ", ".join(f"{v:,.0f}" for v in values)
        median = statistics.median(values)
        print(f"predict_proba, batches of {size:>5}: {median:>8,.0f} sent/s ({rounds})")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "long.jsonl"
        long_passages(sentences, args.passages, 6_000, path)
        for size, chars in ((512, 16 * 2**20), (2048, 16 * 2**20), (2048, 3 * 2**20)):
            code = _SCORE.format(size=size, chars=chars, path=str(path))
            secs, peak, _ = timed_run([sys.executable, "-c", code])
            print(
                f"score --jsonl, {args.passages:,} passages of 6,000 characters, "
                f"BATCH_SIZE {size}, BATCH_CHARS {chars:,}: peak {peak} MB, {secs:.1f} s"
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
