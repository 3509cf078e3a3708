"""Speed and memory of `stance`, side by side with fastText, in one run on this machine.

    python bench/speed.py [--sentences 200000] [--json out.json] [--quick]

Prints the command line, the machine, and for each figure the command or call that
made it:
- throughput: sentences/s of predict_proba on one core, `stance` (shipped model) and
  fastText (supervised, word bigrams + char subwords 2-5, trained on annotations/) on
  the same corpus, built by resampling annotations/ sentences (seed 0); fastText once
  on text already normalized and tokenized (its best case) and once including that
  step (the same work `stance` does inside predict_proba);
- end to end: `stance score --jsonl` on that corpus, process start to last line, with
  --jobs 1 and --jobs 2;
- latency: `stance --help` and `stance score` of one seed article, cold processes,
  median of 10;
- scaling: training time and peak memory at 1k, 10k, 100k sentences (resampled), and
  peak memory scoring a 100 MB JSONL file.

Figures are wall-clock on a machine that may be doing other work: rerun to compare.
Throughputs are also given per CPU second (the process's own user + system time), which
other work on the machine moves much less. predict_proba, fastText and `score --jsonl`
are measured in interleaved rounds (--rounds, default 3): each ratio is taken within a
round, and the figures and ratios printed are medians over the rounds. Within a round,
predict_proba and fastText take turns every ten batches (20,480 sentences); predict_proba
is called in the batches `score --jsonl` scores in (stance.batch.BATCH_SIZE).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from stance.batch import BATCH_SIZE

# One core for the throughput figures: no BLAS threads behind numpy's back.
for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(var, "1")

REPO = Path(__file__).resolve().parents[1]
SEEDS = REPO.parent / "shared" / "seeds"
# predict_proba is timed in the batches `score --jsonl` scores in.
BATCH = BATCH_SIZE


def compile_package() -> None:
    """Write the package's bytecode first, as ``pip install`` does. An editable install
    writes it on first import, unless PYTHONDONTWRITEBYTECODE is set (as on the machine
    of bench/RESULTS.md): then every process recompiles every module, about a quarter
    of a second of each command's start that no installed copy pays."""
    import compileall

    import stance

    compileall.compile_dir(Path(stance.__file__).parent, quiet=1)


def machine() -> dict[str, object]:
    cpu = platform.processor() or "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    commit = subprocess.run(
        ["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"],
        capture_output=True,
        text=True,
    ).stdout.strip()
    return {
        "date": time.strftime("%Y-%m-%d"),
        "cpu": cpu,
        "cores": os.cpu_count(),
        "python": platform.python_version(),
        "commit": commit or "?",
    }


def corpus(annotations: Path, n: int) -> tuple[list[str], list[tuple[str, str]]]:
    """n sentences resampled from the annotations (seed 0), and all (text, label)."""
    from stance.annotations import load_annotations

    records = load_annotations(annotations)
    rng = random.Random(0)
    texts = [r.text for r in records]
    return [rng.choice(texts) for _ in range(n)], [(r.text, r.label) for r in records]


def throughput(
    model_dir: str | None,
    sentences: list[str],
    ft=None,
    chunk: int = 10 * BATCH,  # noqa: ANN001
) -> tuple[float, float, float | None, float | None]:
    """Sentences per second of predict_proba, per wall-clock second and per CPU second,
    and the same for fastText (``ft``, on pre-tokenized text) or None. The two take
    turns every ``chunk`` sentences, so that both see the same moments of a machine
    whose speed drifts; ``stance`` keeps one model throughout."""
    from stance.model import load_model

    model = load_model(model_dir)
    # Warm up (imports, first allocations) on a text that is not in the corpus: the
    # corpus's own sentences would have their new words analysed before the clock
    # starts, work that `score --jsonl` pays inside its timing (a first batch of 2,048
    # took 0.5 s cold and 0.07 s warm here: 5 % of predict time left out).
    model.predict_proba(["نص للتحمية قبل القياس"])
    lines = [_prep(s) + "\n" for s in sentences] if ft is not None else []
    wall = [0.0, 0.0]
    cpu = [0.0, 0.0]
    for lo in range(0, len(sentences), chunk):
        hi = min(lo + chunk, len(sentences))
        start, cpu0 = time.perf_counter(), time.process_time()
        for i in range(lo, hi, BATCH):
            model.predict_proba(sentences[i : min(i + BATCH, hi)])
        wall[0] += time.perf_counter() - start
        cpu[0] += time.process_time() - cpu0
        if ft is not None:
            start, cpu0 = time.perf_counter(), time.process_time()
            for line in lines[lo:hi]:
                ft.f.predict(line, -1, 0.0, "strict")
            wall[1] += time.perf_counter() - start
            cpu[1] += time.process_time() - cpu0
    n = len(sentences)
    if ft is None:
        return n / wall[0], n / cpu[0], None, None
    return n / wall[0], n / cpu[0], n / wall[1], n / cpu[1]


def _prep(text: str) -> str:
    from stance.features import tokenize
    from stance.normalize import normalize

    return " ".join(tokenize(normalize(text)))


def fasttext_model(train: list[tuple[str, str]], workdir: Path):  # noqa: ANN201
    """fastText supervised on the same sentences, same normalization and tokens."""
    import fasttext

    path = workdir / "ft-train.txt"
    with path.open("w", encoding="utf-8") as fh:
        for text, label in train:
            fh.write(f"__label__{label} {_prep(text)}\n")
    return fasttext.train_supervised(
        str(path), epoch=25, lr=0.5, wordNgrams=2, minn=2, maxn=5, dim=50, thread=1, verbose=0
    )


def fasttext_with_prep(model, sentences: list[str]) -> tuple[float, float]:  # noqa: ANN001
    """Sentences per wall-clock second and per CPU second (one thread) of fastText
    doing the normalization and tokenization ``stance`` does inside predict_proba."""
    # The C++ predict: fasttext's Python wrapper breaks on NumPy 2 (np.array copy=False).
    predict = model.f.predict
    start, cpu = time.perf_counter(), time.process_time()
    for s in sentences:
        predict(_prep(s) + "\n", -1, 0.0, "strict")
    wall, cpu = time.perf_counter() - start, time.process_time() - cpu
    return len(sentences) / wall, len(sentences) / cpu


def write_jsonl(path: Path, sentences: list[str]) -> int:
    with path.open("w", encoding="utf-8") as fh:
        for i, s in enumerate(sentences):
            fh.write(json.dumps({"id": i, "text": s}, ensure_ascii=False) + "\n")
    return path.stat().st_size


def stance_cmd() -> list[str]:
    exe = shutil.which("stance")
    return [exe] if exe else [sys.executable, "-m", "stance.cli"]


def _hwm_mb(pid: int | str) -> int:
    """Peak RSS (VmHWM) of a live process in MB, 0 once it is gone. VmHWM belongs to
    the process's own address space, so unlike ru_maxrss it does not inherit the
    parent's peak across fork and exec."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) // 1024
    except OSError:
        pass
    return 0


def timed_run(cmd: list[str]) -> tuple[float, int, float]:
    """Wall seconds, peak RSS (MB) and CPU seconds (user + system, all its processes) of
    one command; the peak is polled from /proc until the process exits (the high-water
    mark only grows, so the last read holds)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    # Its warnings (e.g. the corpus's few non-Arabic records) only on failure.
    with tempfile.TemporaryFile() as err:
        proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=err)
        peak = 0
        while proc.poll() is None:
            peak = max(peak, _hwm_mb(proc.pid))
            time.sleep(0.02)
        secs = time.perf_counter() - start
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
        if proc.returncode != 0:
            err.seek(0)
            message = err.read().decode("utf-8", "replace")
            raise SystemExit(f"command failed ({proc.returncode}): {' '.join(cmd)}\n{message}")
    return secs, peak, cpu


def latency(cmd: list[str], runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(cmd, stdout=subprocess.DEVNULL, check=True)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


_TRAIN = """
import sys, time, random
from stance.annotations import load_annotations
from stance.features import build_pipeline
records = load_annotations(sys.argv[1])
rng = random.Random(0)
pick = [rng.choice(records) for _ in range(int(sys.argv[2]))]
start = time.perf_counter()
build_pipeline().fit([r.text for r in pick], [r.label for r in pick])
hwm = [ln for ln in open("/proc/self/status") if ln.startswith("VmHWM:")][0].split()[1]
print(time.perf_counter() - start, int(hwm) // 1024)
"""


def train_scaling(annotations: Path, n: int) -> tuple[float, int]:
    out = subprocess.run(
        [sys.executable, "-c", _TRAIN, str(annotations), str(n)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    return float(out[0]), int(out[1])


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--annotations", type=Path, default=REPO / "annotations")
    ap.add_argument("--model", default=None, help="model directory (default: shipped)")
    ap.add_argument("--sentences", type=int, default=200_000)
    ap.add_argument("--train-sizes", default="1000,10000,100000")
    ap.add_argument("--big-mb", type=float, default=100.0, help="size of the memory input")
    ap.add_argument("--runs", type=int, default=10, help="cold runs per latency figure")
    ap.add_argument("--rounds", type=int, default=3, help="interleaved throughput rounds")
    ap.add_argument("--quick", action="store_true", help="tiny sizes (for tests)")
    ap.add_argument("--json", type=Path, help="also write the figures here")
    args = ap.parse_args(argv)
    jobs_list = (1, 2)
    if args.quick:
        args.sentences, args.train_sizes, args.big_mb, args.runs = 300, "100", 0.05, 1
        args.rounds = 1
        jobs_list = ()  # the --jobs runs need a real corpus to mean anything

    print("command: python bench/speed.py " + " ".join(argv if argv is not None else sys.argv[1:]))
    figures: dict[str, object] = {"machine": machine()}
    compile_package()
    print("machine: " + ", ".join(f"{k} {v}" for k, v in figures["machine"].items()))
    sentences, train = corpus(args.annotations, args.sentences)
    rows: list[tuple[str, str, str]] = []

    def add(name: str, value: float, unit: str, how: str) -> None:
        figures[name] = round(value, 3)
        rows.append((name, f"{value:,.2f} {unit}" if value < 100 else f"{value:,.0f} {unit}", how))

    n = len(sentences)
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        try:
            ft = fasttext_model(train, work)
        except ImportError:
            ft = None
            print("fastText: skipped (pip install fasttext-wheel)")
        corpus_path = work / "corpus.jsonl"
        write_jsonl(corpus_path, sentences)
        model_args = ["--model", args.model] if args.model else []
        score_cmd = [*stance_cmd(), "score", "--jsonl", str(corpus_path)]
        # Interleaved rounds: this machine's speed drifts by tens of percent within
        # minutes, so each ratio is taken within a round (predict_proba and fastText
        # even take turns every ten batches) and the median over rounds is
        # reported, beside the median figures.
        per: dict[str, list[float]] = {}
        for _ in range(args.rounds):
            got: dict[str, float] = {}
            got["stance"], got["stance_cpu"], ft_tp, ft_cpu = throughput(args.model, sentences, ft)
            if ft_tp is not None and ft_cpu is not None:
                got["ft"], got["ft_cpu"] = ft_tp, ft_cpu
                got["ratio"] = got["stance"] / got["ft"]
                got["ratio_cpu"] = got["stance_cpu"] / got["ft_cpu"]
            for jobs in jobs_list:
                secs, _peak, cpu = timed_run([*score_cmd, "--jobs", str(jobs), *model_args])
                got[f"jobs{jobs}"] = n / secs
                if jobs == 1:
                    got["jobs1_cpu"] = n / cpu
                    got["e2e"] = got["jobs1"] / got["stance"]
                    got["e2e_cpu"] = got["jobs1_cpu"] / got["stance_cpu"]
            if 1 in jobs_list and 2 in jobs_list:
                got["speedup"] = got["jobs2"] / got["jobs1"]
            for key, value in got.items():
                per.setdefault(key, []).append(value)
        figures["rounds"] = {key: [round(v, 3) for v in values] for key, values in per.items()}

        def med(key: str) -> float:
            return statistics.median(per[key])

        def add_ratio(name: str, key: str, how: str) -> None:
            """A ratio's median over the rounds, and its range."""
            if args.rounds > 1:
                how += f"; rounds {min(per[key]):,.2f} to {max(per[key]):,.2f}"
            add(name, med(key), "x", how)

        rounds = f"median of {args.rounds} rounds"
        add(
            "stance_sentences_per_s",
            med("stance"),
            "sent/s",
            f"predict_proba, {n:,} sentences, 1 core, {rounds}",
        )
        add("stance_sentences_per_cpu_s", med("stance_cpu"), "sent/s", "the same per CPU second")
        if ft is not None:
            ft_all, ft_all_cpu = fasttext_with_prep(ft, sentences)
            add(
                "fasttext_sentences_per_s",
                med("ft"),
                "sent/s",
                f"predict on pre-tokenized text, {rounds}",
            )
            add("fasttext_sentences_per_cpu_s", med("ft_cpu"), "sent/s", "the same per CPU second")
            add("fasttext_with_prep_per_s", ft_all, "sent/s", "normalize+tokenize+predict, once")
            add_ratio("ratio_vs_fasttext", "ratio", "stance / fastText (pre-tokenized)")
            add_ratio("ratio_vs_fasttext_cpu", "ratio_cpu", "the same per CPU second")
            # Best against best (what timeit reports): a busy machine only slows code
            # down, so each one's fastest round is the nearest to its own speed.
            best = max(per["stance"]) / max(per["ft"])
            add("ratio_vs_fasttext_best", best, "x", "fastest round against fastest round")
            s_tp, s_cpu = med("stance"), med("stance_cpu")
            add("ratio_vs_fasttext_prep", s_tp / ft_all, "x", "stance / fastText (with prep)")
            add("ratio_vs_fasttext_prep_cpu", s_cpu / ft_all_cpu, "x", "the same per CPU second")
        for jobs in jobs_list:
            add(
                f"score_jsonl_jobs{jobs}_per_s",
                med(f"jobs{jobs}"),
                "rec/s",
                " ".join([*score_cmd[1:], "--jobs", str(jobs)]),
            )
            if jobs == 1:
                add(
                    "score_jsonl_jobs1_per_cpu_s",
                    med("jobs1_cpu"),
                    "rec/s",
                    "the same per CPU second",
                )
                add_ratio("score_jsonl_vs_predict", "e2e", "end to end / predict_proba")
                add_ratio("score_jsonl_vs_predict_cpu", "e2e_cpu", "the same per CPU second")
                best = max(per["jobs1"]) / max(per["stance"])
                add("score_jsonl_vs_predict_best", best, "x", "fastest round against fastest")
        if "speedup" in per:
            add_ratio("jobs2_speedup", "speedup", "--jobs 2 / --jobs 1, wall-clock")

        add("help_s", latency([*stance_cmd(), "--help"], args.runs), "s", "stance --help, cold")
        seed = sorted(SEEDS.glob("000*.txt")) if SEEDS.is_dir() else []
        article = seed[0] if seed else REPO / "examples" / "sample_article.txt"
        lat = latency([*stance_cmd(), "score", str(article), *model_args], args.runs)
        add("score_article_s", lat, "s", f"stance score {article.name}, cold")

        for size in [int(x) for x in args.train_sizes.split(",") if x]:
            secs, peak = train_scaling(args.annotations, size)
            add(f"train_{size}_s", secs, "s", f"fit on {size:,} resampled sentences")
            add(f"train_{size}_peak_mb", peak, "MB", "peak RSS of that fit")

        big = work / "big.jsonl"
        target = int(args.big_mb * 1_000_000)
        rng = random.Random(1)
        with big.open("w", encoding="utf-8") as fh:
            i = 0
            while fh.tell() < target:
                rec = {"id": i, "text": rng.choice(train)[0]}
                fh.write(json.dumps(rec, ensure_ascii=False) + "\n")
                i += 1
        mb = big.stat().st_size / 1e6
        secs, peak, _ = timed_run([*stance_cmd(), "score", "--jsonl", str(big), *model_args])
        add("score_big_peak_mb", peak, "MB", f"stance score --jsonl on {mb:.0f} MB ({i:,} rec)")
        add("score_big_per_s", i / secs, "rec/s", "same run")
        # The same command on a longer stream: process start and the first analysis of
        # each new word weigh less than on the corpus above.
        add("score_big_vs_predict", i / secs / med("stance"), "x", "that / predict_proba")

    width = max(len(r[0]) for r in rows)
    for name, value, how in rows:
        print(f"{name:<{width}}  {value:>18}  {how}")
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
