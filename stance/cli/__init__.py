"""The `stance` command line: a thin layer over the library API.

This package holds the group, the options shared by several commands, how messages,
progress and output reach the terminal, and one error decorator; each command family
lives in its own module (score, model, corpus, sources, terms). The commands parse
options, call the library and print what it returns.

Heavy modules (scikit-learn, the model) are imported inside the commands so that
``stance --help`` stays fast.
"""

from __future__ import annotations

import functools
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click

from ..errors import StanceError

# Where --quiet is kept for the running invocation (the click context's meta, shared by
# the group and its commands, and new for every invocation).
_QUIET_KEY = "stance.quiet"


def model_option(f: Any) -> Any:
    return click.option(
        "--model",
        "model_path",
        type=click.Path(path_type=Path),
        envvar="STANCE_MODEL",
        default=None,
        help="Model directory (holding card.json) instead of the shipped model. "
        "Model files are code: use only models from trusted sources. [env: STANCE_MODEL]",
    )(f)


def output_option(f: Any) -> Any:
    return click.option(
        "-o",
        "--output",
        type=click.Path(dir_okay=False, path_type=Path),
        default=None,
        help="Write the output to this file (atomically) instead of stdout.",
    )(f)


def annotations_option(f: Any) -> Any:
    return click.option(
        "--annotations",
        "annotations_dir",
        type=click.Path(path_type=Path),
        default=Path("annotations"),
        show_default=True,
        help="Directory of annotated sentences (*.jsonl, searched recursively).",
    )(f)


def user_errors(f: Callable[..., Any]) -> Callable[..., Any]:
    """The one error decorator: a user-fixable problem (the StanceError family) ends the
    command with ``error: MESSAGE`` and exit code 1, not a traceback."""

    @functools.wraps(f)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return f(*args, **kwargs)
        except StanceError as exc:
            raise click.ClickException(str(exc)) from None

    return wrapper


def load(model_path: Path | None) -> Any:
    from ..model import load_model

    return load_model(model_path)


def set_quiet(quiet: bool) -> None:
    """Silence warnings, notes and progress for the rest of this invocation."""
    click.get_current_context().meta[_QUIET_KEY] = quiet


def is_quiet() -> bool:
    ctx = click.get_current_context(silent=True)
    return bool(ctx is not None and ctx.meta.get(_QUIET_KEY))


def fail(message: str) -> None:
    click.echo(f"error: {message}", err=True)


def warn(message: str) -> None:
    if not is_quiet():
        click.echo(f"warning: {message}", err=True)


def note(message: str) -> None:
    """A note on stderr (deprecations), silenced by --quiet."""
    if not is_quiet():
        click.echo(f"note: {message}", err=True)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="stance")
def main() -> None:
    """Stance and loaded-term analysis of Arabic coverage of the Abraham Accords."""


def _cpu_count() -> int:
    """CPUs this process may run on."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1  # pragma: no cover - macOS, Windows


def cap_jobs(jobs: int) -> int:
    """``--jobs`` beyond the CPU count only adds processes that wait (and 100,000 of
    them exhaust the machine): use the CPU count, and say so."""
    cpus = _cpu_count()
    if jobs <= cpus:
        return jobs
    warn(f"--jobs {jobs} is more than the {cpus} CPU(s) here; using {cpus}")
    return cpus


def refuse_output_over_input(output: Path | None, inputs: Any) -> None:
    """``-o`` naming one of the inputs (also through a symbolic or hard link) would
    replace the input with the output: a usage error, before anything is read."""
    if output is None:
        return
    try:
        out = os.stat(output)
    except OSError:
        return  # does not exist yet: it cannot be an input
    for path in inputs:
        if str(path) == "-":
            continue
        try:
            st = os.stat(path)
        except OSError:
            continue
        if (st.st_dev, st.st_ino) == (out.st_dev, out.st_ino):
            same = "" if os.path.abspath(path) == os.path.abspath(output) else " (the same file)"
            raise click.UsageError(
                f"-o {output} is the input {path}{same}: writing it would destroy the input; "
                "write the output to another file"
            )


def _stderr_is_terminal() -> bool:
    return sys.stderr.isatty()


def interactive() -> bool:
    """Whether progress goes to stderr: a terminal, and not --quiet."""
    return not is_quiet() and _stderr_is_terminal()


class Stages:
    """Progress of a long command on stderr (a terminal only): one line per stage,
    counting its steps, with the time since the start."""

    def __init__(self) -> None:
        import time

        self.enabled = interactive()
        self.clock = time.monotonic
        self.start = self.clock()

    def __call__(self, stage: str, done: int, total: int) -> None:
        if not self.enabled:
            return
        seconds = self.clock() - self.start
        steps = f" {done}/{total}" if total > 1 else ""
        end = " done" if done == total else " ..."
        click.echo(f"\r{stage}{steps}{end} ({seconds:.0f} s)\x1b[K", err=True, nl=done == total)


def progress(total: int, label: str) -> Any:
    """A click progress bar on stderr when it is a terminal (and not --quiet); a no-op
    otherwise, so pipes and logs stay clean."""
    if total < 2 or not interactive():
        return NoBar()
    return click.progressbar(length=total, label=label, file=sys.stderr)


class NoBar:
    def __enter__(self) -> NoBar:
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def update(self, n: int) -> None:
        return None


@contextmanager
def open_output(path: Path | None, plain: bool = False) -> Iterator[Any]:
    """Yield a function writing one chunk of output (a line or a page): to stdout, or to
    ``path`` through a temporary file renamed on success, so a failed or interrupted
    run never leaves a half-written report. With ``plain`` the chunks hold no terminal
    styles (JSON Lines: JSON escapes every control character), so stdout gets them as
    they are, without click.echo's search for styles to strip (1 % of `score --jsonl`
    on a pipe or a file)."""
    if path is None:
        # color=True: keep styles, which here means not searching the chunk for them.
        yield (lambda chunk: click.echo(chunk, color=True)) if plain else click.echo
        return
    from ..atomic import AtomicFile

    try:  # a file name that is not UTF-8 is written with "?", not a crash at the end
        af = AtomicFile(path, "w", encoding="utf-8", errors="replace", newline="\n")
    except OSError as exc:
        raise click.ClickException(f"cannot write {path}: {exc.strerror or exc}") from None
    with af:
        yield lambda chunk: af.file.write(chunk + "\n")


# The command families register themselves on `main` (imported last: they use the above).
from . import corpus, model, score, sources, terms  # noqa: E402,F401

__all__ = ["main"]
