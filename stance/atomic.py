"""Files that appear whole or not at all: written beside their destination under a
temporary name, flushed to disk, then renamed over it.

Used for everything `stance` writes that a reader may open at any moment: models and
cards, annotation files, reports (``-o``), Dask shards and manifests.

Replacing a file keeps its permission bits (a 0600 report stays private); a new file is
0644. A destination that is a symbolic link is written through: its target is replaced
(atomically, the same way) and the link is kept.
"""

from __future__ import annotations

import os
import stat
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

__all__ = ["AtomicFile", "write_atomic", "dir_lock", "TEMP_GLOB"]

# Temporary names are ".<destination name>.tmp-<random>.tmp": hidden, and found by
# either glob below (leftovers of a killed writer can be removed by it).
TEMP_GLOB = ".*.tmp-*"


class AtomicFile:
    """A temporary file beside ``path``, renamed to it by :meth:`commit`.

    As a context manager it commits on a clean exit and removes the temporary file on
    an error (or if :meth:`discard` was called)::

        with AtomicFile(path, "w", encoding="utf-8") as af:
            af.file.write(text)
    """

    def __init__(self, path: str | Path, mode: str = "wb", **open_kwargs: Any) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        target = _through_links(self.path)  # the temporary file goes beside what is replaced
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.tmp-", suffix=".tmp", dir=target.parent)
        self.tmp: Path | None = Path(tmp)
        self.file: IO[Any] = os.fdopen(fd, mode, **open_kwargs)

    def finish(self) -> Path:
        """Flush and fsync the data and close the file; return the temporary path
        (e.g. to hash the content before choosing the final name)."""
        if not self.file.closed:
            self.file.flush()
            os.fsync(self.file.fileno())
            self.file.close()
        assert self.tmp is not None, "already committed or discarded"
        return self.tmp

    def commit(self, path: str | Path | None = None) -> Path:
        """Rename the finished file to ``path`` (default: the one given at creation)."""
        tmp = self.finish()
        final = Path(path) if path is not None else self.path
        target = _through_links(final)
        try:  # replacing a file: keep its permissions
            mode = stat.S_IMODE(os.stat(target).st_mode)
        except OSError:  # a new file: mkstemp made it 0600, but what stance writes is
            mode = 0o644  # shared data, readable by all
        os.chmod(tmp, mode)
        os.replace(tmp, target)
        self.tmp = None
        return final

    def discard(self) -> None:
        """Close and remove the temporary file; the destination is left as it was."""
        if not self.file.closed:
            self.file.close()
        if self.tmp is not None:
            self.tmp.unlink(missing_ok=True)
            self.tmp = None

    def __enter__(self) -> AtomicFile:
        return self

    def __exit__(self, exc_type: Any, exc: Any, tb: Any) -> None:
        if exc_type is None and self.tmp is not None:
            self.commit()
        else:
            self.discard()


def _through_links(path: Path) -> Path:
    """The file that writing ``path`` replaces: ``path`` itself, or the final target of
    a symbolic link (which may not exist yet)."""
    if not path.is_symlink():
        return path
    return Path(os.path.realpath(path))


def write_atomic(path: str | Path, data: bytes) -> Path:
    """Write ``data`` to ``path`` atomically."""
    with AtomicFile(path) as af:
        af.file.write(data)
    return Path(path)


@contextmanager
def dir_lock(directory: Path, name: str, busy: Callable[[], Exception]) -> Iterator[None]:
    """Hold an exclusive lock on ``directory/name`` while writing into ``directory``,
    so two runs writing there cannot interleave: the second raises ``busy()`` at once.
    Without advisory locks (Windows) nothing is locked; the atomic renames still keep
    every file whole."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows
        yield
        return
    with open(Path(directory) / name, "a") as fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise busy() from None
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)
