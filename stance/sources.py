"""Source bias: per-outlet profiles over many scored articles.

An article record is the ``--format json`` object of one article (see
:func:`stance.results.article_to_dict`): a dict with ``"source"`` (the outlet; missing,
None or blank groups under ``"(unknown)"``) and ``"summary"`` (the per-article summary
of :func:`stance.results.summarize`). Only ``summary["sentences"]``, ``summary["counts"]``,
``summary["on_target_sentences"]``, ``summary["on_target_counts"]``, ``summary["lean"]``
and ``summary["loaded_term_score"]`` are used.

Per source, a :class:`SourceProfile` holds the number of articles, sentences and
on-target sentences, the label shares pooled over its on-target sentences
(sentence-weighted), and the mean article lean and mean loaded-term score with
percentile bootstrap intervals that resample articles. Only articles with at least one
on-target sentence have a lean (the others are counted, not averaged in); a source
with none has no lean. With one such article the interval is degenerate ([x, x]) and
flagged; with few it is rough (the percentile bootstrap is too narrow for small
samples). Records written before target relevance existed (no ``on_target_*`` keys)
count every sentence as on target.

Passage records (``stance score --jsonl`` output: ``label``, ``probabilities``,
``on_target``/``about_target``, ``loaded_terms`` and the input's own fields, such as
``source`` and ``date``) are profiled the same way with the passage as the unit: per
outlet, passages, label shares over the on-target passages and the mean passage lean
(P(pro) - P(critical), pulled toward its loaded terms' direction as a sentence's is)
with intervals resampling passages; there is no loaded-term score (no word counts). One
input may not mix article and passage records.

With ``by`` (``month``, ``quarter`` or ``year``) each outlet is profiled per period of
the records' ``date`` (``YYYY``, ``YYYY-MM``, ``YYYY-MM-DD`` or an ISO timestamp;
records without a usable date form the period ``(no date)``), with intervals per period.

Note: ``stance score FILE`` records carry the file path as ``"source"``; name the
outlets (``--source``, ``--outlets-csv``) when scoring.

Why one module over 400 lines: reading scored records, validating them and profiling
them share the record rules (article or passage, which fields count); the renderings
are in :mod:`stance.render.sources`.
"""

from __future__ import annotations

import json
import math
import re
import zlib
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from .annotations import LABELS
from .errors import RecordError
from .inputs import expand_inputs

__all__ = [
    "UNKNOWN_SOURCE",
    "NO_DATE",
    "PERIODS",
    "period_of",
    "SourceProfile",
    "load_scored",
    "scored_files",
    "profile_sources",
]

UNKNOWN_SOURCE = "(unknown)"
NO_DATE = "(no date)"
PERIODS = ("month", "quarter", "year")
FEW_ARTICLES = 5


# --------------------------------------------------------------------------- loading


def is_passage(rec: Any) -> bool:
    return isinstance(rec, dict) and "summary" not in rec and "label" in rec


def _number(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)


def _passage_error(rec: dict[str, Any]) -> str | None:
    """Why ``rec`` is not a usable passage record, or None."""
    if not isinstance(rec.get("label"), str):
        return 'a passage record whose "label" is not a string'
    probs = rec.get("probabilities")
    if not isinstance(probs, dict) or not probs or not all(map(_number, probs.values())):
        return 'a passage record whose "probabilities" is not an object of numbers'
    if not isinstance(rec.get("about_target", True), bool):
        return 'a passage record whose "about_target" is not true or false'
    terms = rec.get("loaded_terms", [])
    if not isinstance(terms, list) or not all(
        isinstance(t, dict) and _number(t.get("weight")) for t in terms
    ):
        return 'a passage record whose "loaded_terms" is not a list of terms with weights'
    src = rec.get("source")
    if src is not None and not isinstance(src, str):
        return '"source" is not a string'
    return None


def _record_error(rec: Any) -> str | None:
    """Why ``rec`` is not an article or passage record, or None when it is one."""
    if not isinstance(rec, dict):
        return f"expected a JSON object (an article record), got {type(rec).__name__}"
    if is_passage(rec):
        return _passage_error(rec)
    summary = rec.get("summary")
    if summary is None:
        return 'no "summary": not an article record from `stance score --format json`'
    if not isinstance(summary, dict):
        return '"summary" is not an object'
    for key in ("lean", "loaded_term_score"):
        v = summary.get(key)
        if v is None and summary.get("on_target_sentences") == 0:
            continue  # no sentence about the target: no lean
        if not _number(v):
            return f'summary["{key}"] is missing or not a finite number'
    n = summary.get("sentences")
    if isinstance(n, bool) or not isinstance(n, int) or n < 0:
        return 'summary["sentences"] is missing or not a non-negative integer'
    counts = summary.get("counts")
    if not isinstance(counts, dict) or not all(
        isinstance(c, int) and not isinstance(c, bool) and c >= 0 for c in counts.values()
    ):
        return 'summary["counts"] is missing or not an object of non-negative integers'
    src = rec.get("source")
    if src is not None and not isinstance(src, str):
        return '"source" is not a string'
    return None


_KIND_NAMES = {
    True: "a passage record (as written by `stance score --jsonl`)",
    False: "an article record (as written by `stance score --format json`)",
}


_PLURAL = {True: "passage records", False: "article records"}


def _iter_file(path: Path) -> Iterator[tuple[str, dict[str, Any]]]:
    """(``file:line``, record) of each record of a scored-output file."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise RecordError(f"{path}: not valid UTF-8 (byte {exc.start})") from None
    if path.suffix.lower() == ".json":
        # One object or a list, possibly pretty-printed; `stance score --format json` on
        # several files writes one object per line, which falls through to JSONL below.
        try:
            doc = json.loads(text) if text.strip() else []
        except json.JSONDecodeError as exc:
            if exc.msg != "Extra data":
                raise RecordError(f"{path}:{exc.lineno}: invalid JSON ({exc.msg})") from None
        else:
            items = doc if isinstance(doc, list) else [doc]
            for i, rec in enumerate(items):
                where = f"{path}:item {i}" if isinstance(doc, list) else f"{path}:1"
                err = _record_error(rec)
                if err:
                    raise RecordError(f"{where}: {err}")
                yield where, rec
            return
    for lineno, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            rec = json.loads(line)
        except json.JSONDecodeError as exc:
            raise RecordError(f"{path}:{lineno}: invalid JSON ({exc.msg})") from None
        err = _record_error(rec)
        if err:
            raise RecordError(f"{path}:{lineno}: {err}")
        yield f"{path}:{lineno}", rec


def scored_files(paths: str | Path | Iterable[str | Path]) -> list[Path]:
    """The files :func:`load_scored` reads: files as given, and for a directory its
    ``*.jsonl`` and ``*.json`` files, searched recursively, in sorted order."""
    if isinstance(paths, (str, Path)):
        paths = [paths]
    found = expand_inputs(
        [str(Path(p)) for p in paths],
        suffixes=(".jsonl", ".json"),
        error=RecordError,
        wording={
            "empty": "directory holds no *.jsonl or *.json files",
            "missing": "no such file or directory",
        },
        key=Path,
    )
    return [Path(p) for p in found]


def load_scored(paths: str | Path | Iterable[str | Path]) -> list[dict[str, Any]]:
    """Read article (or passage) records from scored-output files and directories.

    A file holds one record per line (JSON Lines; what ``stance score --format json``
    and ``stance score --jsonl`` print), or, for ``*.json``, one JSON object or a list
    of them. A directory contributes its ``*.jsonl`` and ``*.json`` files, searched
    recursively, in sorted order (:func:`scored_files`). Blank lines are skipped. A bad
    line, or a passage record among article records (or the reverse), raises
    ``RecordError("FILE:LINE: why")`` (a ValueError).
    """
    records: list[dict[str, Any]] = []
    first: tuple[bool, str] | None = None
    for f in scored_files(paths):
        for where, rec in _iter_file(f):
            kind = is_passage(rec)
            if first is None:
                first = (kind, where)
            elif kind != first[0]:
                raise RecordError(
                    f"{where}: {_KIND_NAMES[kind]} among {_PLURAL[first[0]]} (the first at "
                    f"{first[1]}): profile articles and passages separately"
                )
            records.append(rec)
    return records


# --------------------------------------------------------------------------- profiles


@dataclass(frozen=True)
class SourceProfile:
    """Aggregate stance figures of one source (outlet).

    ``lean_mean`` / ``loaded_term_score_mean`` average the articles (each counts once);
    their ``*_ci`` are ``ci_level`` percentile bootstrap intervals resampling articles.
    ``shares`` pool all the source's sentences. ``degenerate`` is True when the source
    has a single article, so its intervals are [x, x] and say nothing about uncertainty.
    """

    source: str
    n_articles: int
    n_sentences: int
    counts: dict[str, int] = field(hash=False)
    shares: dict[str, float] = field(hash=False)
    lean_mean: float | None
    lean_ci: tuple[float, float] | None
    loaded_term_score_mean: float | None
    loaded_term_score_ci: tuple[float, float] | None
    ci_level: float = 0.95
    n_boot: int = 2000
    degenerate: bool = False
    n_not_arabic: int = 0
    n_on_target: int = 0
    n_lean_articles: int = 0
    unit: str = "article"  # or "passage": what n_articles, the leans and intervals count
    period: str | None = None  # with profile_sources(by=...): "2025-03", "2025-Q1", "2025"

    @property
    def note(self) -> str:
        """A caveat for readers ('' when there is none)."""
        if self.n_lean_articles == 0:
            return f"no {'sentence' if self.unit == 'article' else 'passage'} on target: no lean"
        if self.degenerate:
            return f"1 {self.unit} on target: no interval"
        if self.n_lean_articles < FEW_ARTICLES:
            return f"{self.n_lean_articles} {self.unit}s on target: rough interval"
        return ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "period": self.period,
            "unit": self.unit,
            "n_articles": self.n_articles,
            "n_sentences": self.n_sentences,
            "n_on_target": self.n_on_target,
            "n_lean_articles": self.n_lean_articles,
            "counts": dict(self.counts),
            "shares": dict(self.shares),
            "lean_mean": self.lean_mean,
            "lean_ci": None if self.lean_ci is None else list(self.lean_ci),
            "loaded_term_score_mean": self.loaded_term_score_mean,
            "loaded_term_score_ci": None
            if self.loaded_term_score_ci is None
            else list(self.loaded_term_score_ci),
            "ci_level": self.ci_level,
            "n_boot": self.n_boot,
            "degenerate": self.degenerate,
            "n_not_arabic": self.n_not_arabic,
            "note": self.note,
        }


def _source_name(rec: Mapping[str, Any]) -> str:
    src = rec.get("source")
    if src is None or not str(src).strip():
        return UNKNOWN_SOURCE
    return str(src).strip()


def ordered_labels(labels: Iterable[str]) -> list[str]:
    known = [lab for lab in LABELS if lab in labels]
    return known + sorted(set(labels) - set(known))


def _bootstrap(values: np.ndarray, n_boot: int, rng: np.random.Generator, ci: float) -> np.ndarray:
    """Percentile intervals of the column means of ``values`` (articles x figures)."""
    n = values.shape[0]
    if n == 1:
        return np.stack([values[0], values[0]])
    idx = rng.integers(0, n, size=(n_boot, n))
    means = values[idx].mean(axis=1)  # (n_boot, figures)
    alpha = (1.0 - ci) / 2.0
    return np.quantile(means, [alpha, 1.0 - alpha], axis=0)


def period_of(date: Any, by: str) -> str | None:
    """The ``by`` period (``month`` -> ``2025-03``, ``quarter`` -> ``2025-Q1``, ``year``
    -> ``2025``) of a ``YYYY``, ``YYYY-MM``, ``YYYY-MM-DD`` or ISO timestamp date; None
    when the date does not give it."""
    if by not in PERIODS:
        raise RecordError(f"by must be one of {', '.join(PERIODS)}, not {by!r}")
    if not isinstance(date, str):
        return None
    m = _DATE.match(date.strip())
    if not m:
        return None
    year, month = m.group(1), m.group(2)
    if by == "year":
        return year
    if month is None or not 1 <= int(month) <= 12:
        return None
    return f"{year}-{month}" if by == "month" else f"{year}-Q{(int(month) - 1) // 3 + 1}"


_DATE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2})(?:[T ].*)?)?)?$")


def _passage_lean(rec: Mapping[str, Any]) -> float:
    """A passage's lean: P(pro) - P(critical), pulled toward the direction of its loaded
    terms in proportion to their net weight (:func:`stance.results.sentence_lean`)."""
    probs = rec["probabilities"]
    model = float(probs.get("pro", 0.0)) - float(probs.get("critical", 0.0))
    net = sum(
        float(t["weight"]) * (1.0 if t.get("direction") == "pro" else -1.0)
        for t in rec.get("loaded_terms", [])
    )
    pull = min(1.0, abs(net))
    return (1.0 - pull) * model + pull * (1.0 if net > 0 else -1.0)


def _unit_figures(rec: Mapping[str, Any]) -> tuple[int, dict[str, int], Any, Any]:
    """(sentences, on-target label counts, lean or None, loaded-term score or None) of
    one article or passage record."""
    if is_passage(rec):
        on = rec.get("about_target", True)
        lean = _passage_lean(rec) if on else None
        return 1, ({rec["label"]: 1} if on else {}), lean, None
    summary = rec["summary"]
    return (
        summary["sentences"],
        dict(_on_target_counts(rec)),
        summary["lean"],
        (summary["loaded_term_score"]),
    )


def profile_sources(
    articles: Iterable[Mapping[str, Any]],
    n_boot: int = 2000,
    random_state: int = 0,
    ci: float = 0.95,
    by: str | None = None,
) -> list[SourceProfile]:
    """One :class:`SourceProfile` per source (per source and period with ``by``), most
    critical (lowest mean lean) first; with ``by``, each source's periods follow in
    time order, under the source's place in the overall order.

    The records are article records, or passage records (then the unit of the counts,
    leans and intervals is the passage). Intervals are deterministic for a given
    ``random_state``: each group draws from its own generator seeded by
    ``random_state``, the source name (and the period), so a source's interval does not
    change when other sources are added or removed.
    """
    if not 0.0 < ci < 1.0:
        raise RecordError(f"ci must be between 0 and 1, got {ci}")
    if n_boot < 1:
        raise RecordError(f"n_boot must be at least 1, got {n_boot}")
    articles = list(articles)
    groups: dict[tuple[str, str | None], list[Mapping[str, Any]]] = {}
    kinds = set()
    for i, rec in enumerate(articles):
        err = _record_error(rec)
        if err:
            raise RecordError(f"article {i}: {err}")
        kinds.add(is_passage(rec))
        period = None if by is None else (period_of(rec.get("date"), by) or NO_DATE)
        groups.setdefault((_source_name(rec), period), []).append(rec)
    if len(kinds) > 1:
        raise RecordError("the records mix articles and passages: profile them separately")
    unit = "passage" if kinds == {True} else "article"
    labels = ordered_labels(
        {lab for g in groups.values() for r in g for lab in _unit_figures(r)[1]}
        | ({lab for g in groups.values() for r in g for lab in r["summary"]["counts"]}
           if unit == "article" else set())
    )  # fmt: skip
    profiles = [
        _profile(name, period, recs, labels, unit, n_boot, random_state, ci)
        for (name, period), recs in groups.items()
    ]
    if by is None:
        # Most critical first; sources without a lean last.
        profiles.sort(key=lambda p: (p.lean_mean is None, p.lean_mean or 0.0, p.source))
        return profiles
    overall = profile_sources(articles, n_boot=1, random_state=random_state, ci=ci)
    rank = {p.source: i for i, p in enumerate(overall)}
    profiles.sort(key=lambda p: (rank[p.source], p.period == NO_DATE, p.period or ""))
    return profiles


def _profile(
    name: str,
    period: str | None,
    recs: list[Mapping[str, Any]],
    labels: list[str],
    unit: str,
    n_boot: int,
    random_state: int,
    ci: float,
) -> SourceProfile:
    figures = [_unit_figures(r) for r in recs]
    leaning = [f for f in figures if f[2] is not None]
    counts = {lab: sum(f[1].get(lab, 0) for f in figures) for lab in labels}
    pooled = sum(counts.values())
    shares = {lab: (c / pooled if pooled else 0.0) for lab, c in counts.items()}
    lean = score = lean_ci = score_ci = None
    if leaning:
        with_score = all(f[3] is not None for f in leaning)
        values = np.array([[f[2], f[3] if with_score else 0.0] for f in leaning], dtype=float)
        seed = [random_state, zlib.crc32(name.encode("utf-8"))]
        if period is not None:
            seed.append(zlib.crc32(period.encode("utf-8")))
        low, high = _bootstrap(values, n_boot, np.random.default_rng(seed), ci)
        means = values.mean(axis=0)
        lean, lean_ci = float(means[0]), (float(low[0]), float(high[0]))
        if with_score:
            score, score_ci = float(means[1]), (float(low[1]), float(high[1]))
    return SourceProfile(
        source=name,
        n_articles=len(recs),
        n_sentences=sum(f[0] for f in figures),
        counts=counts,
        shares=shares,
        lean_mean=lean,
        lean_ci=lean_ci,
        loaded_term_score_mean=score,
        loaded_term_score_ci=score_ci,
        ci_level=ci,
        n_boot=n_boot,
        degenerate=len(leaning) == 1,
        n_not_arabic=sum(r.get("arabic") is False for r in recs),
        n_on_target=pooled,
        n_lean_articles=len(leaning),
        unit=unit,
        period=period,
    )


def profile_warnings(records: Sequence[Mapping[str, Any]], by: str | None) -> list[str]:
    """What to warn of before profiling ``records`` (``by`` a period or None): records
    without a usable date, passage records without a source."""
    out = []
    if by is not None:
        undated = [r for r in records if period_of(r.get("date"), by) is None]
        if undated:
            example = next((r.get("date") for r in undated if r.get("date")), None)
            why = f" (e.g. {example!r})" if example else ""
            out.append(
                f"{len(undated)} of {len(records)} records have no date giving a {by}{why}; "
                f'they form the period "{NO_DATE}"'
            )
    if records and is_passage(records[0]) and all("source" not in r for r in records):
        out.append(
            'the passage records have no "source" field: every passage is '
            f"{UNKNOWN_SOURCE}; give the input records a source to profile outlets"
        )
    return out


def _on_target_counts(rec: Mapping[str, Any]) -> Mapping[str, int]:
    """Label counts of an article's on-target sentences (all sentences in records
    written before target relevance existed)."""
    summary = rec["summary"]
    counts = summary.get("on_target_counts")
    return counts if isinstance(counts, dict) else summary["counts"]


# --------------------------------------------------------------------------- renderers
