"""The Dask engine's public names, for notebooks and scripts (README: "Dask").

The engine lives in :mod:`stance.score.archive` (archives into shards) and
:mod:`stance.score.frames` (bags and dataframes); this module stays so that
``from stance.dask_engine import score_archive, score_bag, score_dataframe`` keeps
working. Importing it without Dask raises :class:`~stance.errors.StanceError` naming
the install command.
"""

from __future__ import annotations

from .score.archive import DASK_MISSING, DEFAULT_PARTITION_BYTES, score_archive
from .score.frames import score_bag, score_dataframe

__all__ = [
    "DASK_MISSING",
    "DEFAULT_PARTITION_BYTES",
    "score_archive",
    "score_bag",
    "score_dataframe",
]
