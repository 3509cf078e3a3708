"""Score Dask bags and (Dask or pandas) dataframes in notebooks: ``score_bag`` and
``score_dataframe``, record by record as ``stance score --jsonl`` scores them (the same
:func:`stance.batch.score_records`), with the model loaded once per worker process.
Needs the optional dependency: ``pip install "stance[dask]"``."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from ..batch import score_batches
from ..errors import InputError
from ..inputs import JsonlRecord
from .archive import model_in_worker, model_ref, require_dask
from .records import record_batches

__all__ = ["score_bag", "score_dataframe"]


def _score_texts(model: Any, texts: list[str]) -> list[dict[str, Any]]:
    """Each text scored as a ``score --jsonl`` record, through the same record stream
    and batch loop (the texts are checked strings already: no line is refused)."""

    def refused(item: JsonlRecord, error: str, first: int | None) -> None:
        raise InputError(f"item {item.line - 1}: {error}")  # pragma: no cover

    items = (JsonlRecord(n, {"text": t}, None) for n, t in enumerate(texts, 1))
    return [r for b in score_batches(model, record_batches(items, refused)) for r in b.records]


def _score_bag_partition(
    items: Iterable[Any], path: str | None, sha256: str, text_key: str
) -> list[dict[str, Any]]:
    items = list(items)
    if not items:
        return []
    model, _ = model_in_worker(path, sha256)
    texts = []
    for item in items:
        text = (
            item
            if isinstance(item, str)
            else (item.get(text_key) if isinstance(item, dict) else None)
        )
        if not isinstance(text, str):
            what = (
                f"{type(item).__name__}, not a dict or str"
                if not isinstance(item, dict)
                else f'"{text_key}" is {type(text).__name__}, expected str'
                if text_key in item
                else f'no "{text_key}" field'
            )
            raise InputError(f"score_bag: item {len(texts)}: {what}")
        texts.append(text)
    out: list[dict[str, Any]] = []
    for item, s in zip(items, _score_texts(model, texts)):
        new = dict(item) if isinstance(item, dict) else {text_key: item}
        for k in (
            "label",
            "probabilities",
            "on_target",
            "about_target",
            "loaded_terms",
            "arabic",
        ):
            new[k] = s[k]
        out.append(new)
    return out


def score_bag(bag: Any, model_path: str | Path | None = None, text_key: str = "text") -> Any:
    """A Dask bag of records (dicts with a string ``text_key``, or bare strings) -> the
    same records with ``label``, ``probabilities`` (per class), ``on_target``,
    ``about_target``, ``loaded_terms`` and ``arabic`` added, scored exactly like
    ``stance score --jsonl``. Lazy: nothing runs
    until you compute it. Each worker process loads and verifies the model once."""
    db = require_dask("dask.bag")
    if not isinstance(bag, db.Bag):
        raise TypeError(f"score_bag expects a dask.bag.Bag, got {type(bag).__name__}")
    path, sha256, _labels, _file = model_ref(model_path)
    return bag.map_partitions(_score_bag_partition, path, sha256, text_key)


def _score_pandas(
    df: Any, text_column: str, path: str | None, sha256: str, labels: list[str]
) -> Any:
    import pandas as pd

    if text_column not in df.columns:
        raise InputError(
            f"score_dataframe: no column {text_column!r} (columns: {list(df.columns)}); "
            "pass text_column="
        )
    texts = df[text_column].tolist()
    for i, t in zip(df.index, texts):
        if not isinstance(t, str):
            raise InputError(
                f"score_dataframe: row {i!r}: {text_column!r} is {type(t).__name__}, expected "
                f"str; drop or fill missing texts first (df.dropna(subset=[{text_column!r}]))"
            )
    scored: list[dict[str, Any]] = []
    if texts:
        model, _ = model_in_worker(path, sha256)
        scored = _score_texts(model, texts)
    idx = df.index
    new = {"label": pd.Series([s["label"] for s in scored], index=idx, dtype="str")}
    for c in labels:
        new[f"p_{c}"] = pd.Series(
            [s["probabilities"][c] for s in scored], index=idx, dtype="float64"
        )
    new["on_target"] = pd.Series([s["on_target"] for s in scored], index=idx, dtype="float64")
    new["about_target"] = pd.Series([s["about_target"] for s in scored], index=idx, dtype="bool")
    new["loaded_terms"] = pd.Series([s["loaded_terms"] for s in scored], index=idx, dtype=object)
    new["arabic"] = pd.Series([s["arabic"] for s in scored], index=idx, dtype="bool")
    return df.assign(**new)


def score_dataframe(
    df: Any, text_column: str = "text", model_path: str | Path | None = None
) -> Any:
    """A pandas or Dask dataframe with a text column -> the same type with columns
    ``label``, ``p_<class>`` per class, ``on_target`` (probability), ``about_target``,
    ``loaded_terms`` (list of matches) and ``arabic`` added (existing columns of these
    names are replaced). A Dask dataframe stays lazy; a pandas one is scored here.
    Texts must be strings (no NaN)."""
    import pandas as pd

    path, sha256, labels, _file = model_ref(model_path)
    if isinstance(df, pd.DataFrame):
        return _score_pandas(df, text_column, path, sha256, labels)
    dd = require_dask("dask.dataframe")
    if not isinstance(df, dd.DataFrame):
        raise TypeError(
            f"score_dataframe expects a pandas or Dask DataFrame, got {type(df).__name__}"
        )
    if text_column not in df.columns:
        raise InputError(
            f"score_dataframe: no column {text_column!r} (columns: {list(df.columns)}); "
            "pass text_column="
        )
    meta = _score_pandas(df._meta, text_column, path, sha256, labels)
    return df.map_partitions(_score_pandas, text_column, path, sha256, labels, meta=meta)
