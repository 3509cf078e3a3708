"""Files that appear whole or not at all: written beside their destination under a
temporary name, flushed to disk, then renamed over it.

Used for everything `stance` writes that a reader may open at any moment: models and
cards, annotation files, reports (``-o``), Dask shards and manifests.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import IO, Any

__all__ = ["AtomicFile", "write_atomic", "TEMP_GLOB"]

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
        fd, tmp = tempfile.mkstemp(
            prefix=f".{self.path.name}.tmp-", suffix=".tmp", dir=self.path.parent
        )
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
        # mkstemp makes 0600 files; what stance writes is shared data, readable by all.
        os.chmod(tmp, 0o644)
        final = Path(path) if path is not None else self.path
        os.replace(tmp, final)
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


def write_atomic(path: str | Path, data: bytes) -> Path:
    """Write ``data`` to ``path`` atomically."""
    with AtomicFile(path) as af:
        af.file.write(data)
    return Path(path)
