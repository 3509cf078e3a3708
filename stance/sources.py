"""Source bias: per-outlet profiles over many scored articles.

An article record is the ``--format json`` object of one article (see
:func:`stance.report.article_to_dict`): a dict with ``"source"`` (the outlet; missing,
None or blank groups under ``"(unknown)"``) and ``"summary"`` (the per-article summary
of :func:`stance.report.summarize`). Only ``summary["sentences"]``, ``summary["counts"]``,
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

Note: ``stance score FILE`` records carry the file path as ``"source"``; set the outlet
name in the records (or score through the Python API with ``source=OUTLET``) before
profiling. ``stance score --jsonl`` writes passage records (one label per passage, no
``"summary"``): they are not articles and :func:`load_scored` rejects them.
"""

from __future__ import annotations

import html
import io
import json
import math
import unicodedata
import zlib
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from .csvsafe import csv_writer

__all__ = [
    "UNKNOWN_SOURCE",
    "SourceProfile",
    "load_scored",
    "scored_files",
    "profile_sources",
    "render_sources_table",
    "sources_to_csv",
    "sources_to_json",
    "render_sources_html",
]

UNKNOWN_SOURCE = "(unknown)"
LABEL_ORDER = ("critical", "neutral", "pro")
FEW_ARTICLES = 5


# --------------------------------------------------------------------------- loading


def _record_error(rec: Any) -> str | None:
    """Why ``rec`` is not an article record, or None when it is one."""
    if not isinstance(rec, dict):
        return f"expected a JSON object (an article record), got {type(rec).__name__}"
    summary = rec.get("summary")
    if summary is None:
        if "label" in rec and "probabilities" in rec:
            return (
                "a passage record (as written by `stance score --jsonl`), not an article "
                "record: it has no summary; score whole articles (`stance score --format "
                "json` or the Python API) to profile sources"
            )
        return 'no "summary": not an article record from `stance score --format json`'
    if not isinstance(summary, dict):
        return '"summary" is not an object'
    for key in ("lean", "loaded_term_score"):
        v = summary.get(key)
        if v is None and summary.get("on_target_sentences") == 0:
            continue  # no sentence about the target: no lean
        if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v):
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


def _iter_file(path: Path) -> Iterator[dict[str, Any]]:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ValueError(f"{path}: not valid UTF-8 (byte {exc.start})") from None
    if path.suffix.lower() == ".json":
        # One object or a list, possibly pretty-printed; `stance score --format json` on
        # several files writes one object per line, which falls through to JSONL below.
        try:
            doc = json.loads(text) if text.strip() else []
        except json.JSONDecodeError as exc:
            if exc.msg != "Extra data":
                raise ValueError(f"{path}:{exc.lineno}: invalid JSON ({exc.msg})") from None
        else:
            items = doc if isinstance(doc, list) else [doc]
            for i, rec in enumerate(items):
                err = _record_error(rec)
                if err:
                    where = f"item {i}" if isinstance(doc, list) else "1"
                    raise ValueError(f"{path}:{where}: {err}")
                yield rec
            return
    for lineno, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            rec = json.loads(line)
        except json.JSONDecodeError as exc:
            raise ValueError(f"{path}:{lineno}: invalid JSON ({exc.msg})") from None
        err = _record_error(rec)
        if err:
            raise ValueError(f"{path}:{lineno}: {err}")
        yield rec


def scored_files(paths: str | Path | Iterable[str | Path]) -> list[Path]:
    """The files :func:`load_scored` reads: files as given, and for a directory its
    ``*.jsonl`` and ``*.json`` files, searched recursively, in sorted order."""
    if isinstance(paths, (str, Path)):
        paths = [paths]
    out: list[Path] = []
    for p in map(Path, paths):
        if p.is_dir():
            files = sorted(
                f for f in p.rglob("*") if f.is_file() and f.suffix.lower() in (".jsonl", ".json")
            )
            if not files:
                raise ValueError(f"{p}: directory holds no *.jsonl or *.json files")
        elif p.is_file():
            files = [p]
        else:
            raise ValueError(f"{p}: no such file or directory")
        out.extend(files)
    return out


def load_scored(paths: str | Path | Iterable[str | Path]) -> list[dict[str, Any]]:
    """Read article records from scored-output files and directories.

    A file holds one article record per line (JSON Lines; what ``stance score --format
    json`` prints), or, for ``*.json``, one JSON object or a list of them. A directory
    contributes its ``*.jsonl`` and ``*.json`` files, searched recursively, in sorted
    order (:func:`scored_files`). Blank lines are skipped. A bad line raises
    ``ValueError("FILE:LINE: why")``.
    """
    records: list[dict[str, Any]] = []
    for f in scored_files(paths):
        records.extend(_iter_file(f))
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

    @property
    def note(self) -> str:
        """A caveat for readers ('' when there is none)."""
        if self.n_lean_articles == 0:
            return "no sentence on target: no lean"
        if self.degenerate:
            return "1 article on target: no interval"
        if self.n_lean_articles < FEW_ARTICLES:
            return f"{self.n_lean_articles} articles on target: rough interval"
        return ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "source": self.source,
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


def _ordered_labels(labels: Iterable[str]) -> list[str]:
    known = [lab for lab in LABEL_ORDER if lab in labels]
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


def profile_sources(
    articles: Iterable[Mapping[str, Any]],
    n_boot: int = 2000,
    random_state: int = 0,
    ci: float = 0.95,
) -> list[SourceProfile]:
    """One :class:`SourceProfile` per source, most critical (lowest mean lean) first.

    Intervals are deterministic for a given ``random_state``: each source draws from its
    own generator seeded by ``random_state`` and the source name, so a source's interval
    does not change when other sources are added or removed.
    """
    if not 0.0 < ci < 1.0:
        raise ValueError(f"ci must be between 0 and 1, got {ci}")
    if n_boot < 1:
        raise ValueError(f"n_boot must be at least 1, got {n_boot}")
    groups: dict[str, list[Mapping[str, Any]]] = {}
    for i, rec in enumerate(articles):
        err = _record_error(rec)
        if err:
            raise ValueError(f"article {i}: {err}")
        groups.setdefault(_source_name(rec), []).append(rec)
    labels = _ordered_labels(
        {lab for g in groups.values() for r in g for lab in r["summary"]["counts"]}
    )
    profiles = []
    for name, recs in groups.items():
        leaning = [r for r in recs if r["summary"]["lean"] is not None]
        values = np.array(
            [[r["summary"]["lean"], r["summary"]["loaded_term_score"]] for r in leaning],
            dtype=float,
        )
        counts = {lab: sum(_on_target_counts(r).get(lab, 0) for r in recs) for lab in labels}
        pooled = sum(counts.values())
        shares = {lab: (c / pooled if pooled else 0.0) for lab, c in counts.items()}
        lean = score = lean_ci = score_ci = None
        if leaning:
            rng = np.random.default_rng([random_state, zlib.crc32(name.encode("utf-8"))])
            low, high = _bootstrap(values, n_boot, rng, ci)
            means = values.mean(axis=0)
            lean, score = float(means[0]), float(means[1])
            lean_ci, score_ci = (float(low[0]), float(high[0])), (float(low[1]), float(high[1]))
        profiles.append(
            SourceProfile(
                source=name,
                n_articles=len(recs),
                n_sentences=sum(r["summary"]["sentences"] for r in recs),
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
            )
        )
    # Most critical first; sources without a lean last.
    profiles.sort(key=lambda p: (p.lean_mean is None, p.lean_mean or 0.0, p.source))
    return profiles


def _on_target_counts(rec: Mapping[str, Any]) -> Mapping[str, int]:
    """Label counts of an article's on-target sentences (all sentences in records
    written before target relevance existed)."""
    summary = rec["summary"]
    counts = summary.get("on_target_counts")
    return counts if isinstance(counts, dict) else summary["counts"]


# --------------------------------------------------------------------------- renderers


def _labels_of(profiles: Sequence[SourceProfile]) -> list[str]:
    return _ordered_labels({lab for p in profiles for lab in p.shares})


def _headings(profiles: Sequence[SourceProfile], labels: list[str]) -> list[str]:
    """Column headings of the table and the HTML page."""
    level = f"{profiles[0].ci_level:.0%}" if profiles else "95%"
    return [
        "source",
        "articles",
        "sentences",
        "on target",
        f"lean [{level} CI]",
        f"loaded-term score [{level} CI]",
        *labels,
        "note",
    ]


def _interval(mean: float | None, ci: tuple[float, float] | None, fmt: str) -> str:
    if mean is None or ci is None:
        return "none"
    return f"{mean:{fmt}} [{ci[0]:{fmt}}, {ci[1]:{fmt}}]"


def render_sources_table(profiles: Sequence[SourceProfile]) -> str:
    """An aligned plain-text table, one row per source, in the given order."""
    if not profiles:
        return "no scored articles"
    labels = _labels_of(profiles)
    head = _headings(profiles, labels)
    rows = []
    for p in profiles:
        note = p.note
        if p.n_not_arabic:
            note = "; ".join(filter(None, [note, f"{p.n_not_arabic} not Arabic"]))
        rows.append(
            [
                p.source,
                str(p.n_articles),
                str(p.n_sentences),
                str(p.n_on_target),
                _interval(p.lean_mean, p.lean_ci, "+.2f"),
                _interval(p.loaded_term_score_mean, p.loaded_term_score_ci, "+.2f"),
                *(f"{p.shares.get(lab, 0.0):.0%}" for lab in labels),
                note,
            ]
        )
    widths = [max(len(r[i]) for r in [head, *rows]) for i in range(len(head))]
    numeric = set(range(1, len(head) - 1))

    def fmt(row: list[str]) -> str:
        cells = [
            c.rjust(w) if i in numeric else c.ljust(w) for i, (c, w) in enumerate(zip(row, widths))
        ]
        return "  ".join(cells).rstrip()

    lines = [fmt(head), "  ".join("-" * w for w in widths), *(fmt(r) for r in rows)]
    lines.append(
        "lean: -1 critical … +1 pro, mean over the articles with on-target sentences; "
        "loaded-term score: net signed term weight per 1000 on-target words; shares pool "
        "the on-target sentences"
    )
    return "\n".join(lines)


def sources_to_csv(profiles: Sequence[SourceProfile]) -> str:
    """CSV with a header row and one row per source."""
    labels = _labels_of(profiles)
    buf = io.StringIO()
    w = csv_writer(buf)
    w.writerow(
        [
            "source",
            "n_articles",
            "n_sentences",
            "n_on_target",
            "n_lean_articles",
            "lean_mean",
            "lean_ci_low",
            "lean_ci_high",
            "loaded_term_score_mean",
            "loaded_term_score_ci_low",
            "loaded_term_score_ci_high",
            "ci_level",
            "degenerate",
            *(f"share_{lab}" for lab in labels),
            *(f"count_{lab}" for lab in labels),
            "n_not_arabic",
        ]
    )
    for p in profiles:
        w.writerow(
            [
                p.source,
                p.n_articles,
                p.n_sentences,
                p.n_on_target,
                p.n_lean_articles,
                *_csv_interval(p.lean_mean, p.lean_ci),
                *_csv_interval(p.loaded_term_score_mean, p.loaded_term_score_ci),
                p.ci_level,
                p.degenerate,
                *(round(p.shares.get(lab, 0.0), 4) for lab in labels),
                *(p.counts.get(lab, 0) for lab in labels),
                p.n_not_arabic,
            ]
        )
    return buf.getvalue()


def _csv_interval(mean: float | None, ci: tuple[float, float] | None) -> list[Any]:
    """mean, low, high rounded to 4 places; empty cells when there is no lean."""
    if mean is None or ci is None:
        return ["", "", ""]
    return [round(mean, 4), round(ci[0], 4), round(ci[1], 4)]


def sources_to_json(profiles: Sequence[SourceProfile]) -> str:
    """A JSON list of :meth:`SourceProfile.to_dict` objects (UTF-8 text, not escaped)."""
    return json.dumps([p.to_dict() for p in profiles], ensure_ascii=False, indent=2)


_CSS = """
body{font-family:system-ui,"Noto Naskh Arabic","Segoe UI",Tahoma,sans-serif;margin:2rem;
color:#222;background:#fff}
h1{font-size:1.4rem}
.chart{direction:ltr;overflow-x:auto}
svg text{font-size:13px;fill:#222}
svg .axis{stroke:#888;stroke-width:1}
svg .grid{stroke:#ddd;stroke-width:1}
svg .zero{stroke:#888;stroke-dasharray:4 3}
svg .ci{stroke:#3b6ea5;stroke-width:3;stroke-linecap:round}
svg .marker{fill:#1f3f66}
svg .marker.degenerate{fill:#fff;stroke:#1f3f66;stroke-width:2}
svg .tick{font-size:12px;fill:#555}
table{border-collapse:collapse}
.table{overflow-x:auto;margin-top:1.5rem}
td .ci{color:#666;font-size:.85em}
th,td{border:1px solid #ccc;padding:.3rem .6rem}
td.num{direction:ltr;text-align:right;white-space:nowrap;font-variant-numeric:tabular-nums}
.legend{color:#555;font-size:.9rem}
"""


def _bidi(text: str) -> str:
    """SVG attributes that lay ``text`` out right-to-left when its first strong letter is
    Arabic or Hebrew (so "(الوقت)" keeps its brackets), and nothing otherwise."""
    for ch in text:
        if unicodedata.bidirectional(ch) in ("R", "AL"):
            return ' direction="rtl" unicode-bidi="embed"'
        if unicodedata.bidirectional(ch) == "L":
            return ""
    return ""


def _svg_chart(profiles: Sequence[SourceProfile]) -> str:
    e = html.escape
    label_w, plot_w, right, top, row_h = 300, 460, 30, 40, 34
    width = label_w + plot_w + right
    height = top + row_h * len(profiles) + 40

    def x(v: float) -> float:
        return label_w + (max(-1.0, min(1.0, v)) + 1.0) / 2.0 * plot_w

    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" aria-label="mean lean per source">'
    ]
    bottom = top + row_h * len(profiles)
    for v, text in ((-1, "−1 critical"), (-0.5, "−0.5"), (0, "0"), (0.5, "+0.5"), (1, "+1 pro")):
        cls = "zero" if v == 0 else "grid"
        out.append(
            f'<line class="{cls}" x1="{x(v):.1f}" y1="{top - 8}" x2="{x(v):.1f}" y2="{bottom}"/>'
        )
        out.append(
            f'<text class="tick" x="{x(v):.1f}" y="{bottom + 20}" text-anchor="middle">'
            f"{text}</text>"
        )
    out.append(f'<line class="axis" x1="{x(-1):.1f}" y1="{bottom}" x2="{x(1):.1f}" y2="{bottom}"/>')
    for i, p in enumerate(profiles):
        y = top + row_h * i + row_h / 2
        name = p.source if len(p.source) <= 28 else p.source[:27] + "…"
        n = f"{p.n_articles} article" + ("" if p.n_articles == 1 else "s")
        tip = (
            f"{p.source}: {n}, lean {_interval(p.lean_mean, p.lean_ci, '+.2f')}, "
            f"loaded-term score "
            f"{_interval(p.loaded_term_score_mean, p.loaded_term_score_ci, '+.2f')}"
            + (f" ({p.note})" if p.note else "")
        )
        out.append("<g>")
        out.append(f"<title>{e(tip)}</title>")
        if p.lean_mean is None or p.lean_ci is None:  # no on-target sentence: a label only
            out.append(
                f'<text x="{label_w - 12}" y="{y + 4:.1f}" text-anchor="end">'
                f"<tspan{_bidi(name)}>{e(name)}</tspan> (no lean)</text>"
            )
            out.append("</g>")
            continue
        out.append(
            f'<text x="{label_w - 12}" y="{y + 4:.1f}" text-anchor="end">'
            f"<tspan{_bidi(name)}>{e(name)}</tspan>"
            f" (n={p.n_articles})</text>"
        )
        if not p.degenerate:
            out.append(
                f'<line class="ci" x1="{x(p.lean_ci[0]):.1f}" y1="{y:.1f}" '
                f'x2="{x(p.lean_ci[1]):.1f}" y2="{y:.1f}"/>'
            )
        cls = "marker degenerate" if p.degenerate else "marker"
        out.append(f'<circle class="{cls}" cx="{x(p.lean_mean):.1f}" cy="{y:.1f}" r="6"/>')
        out.append("</g>")
    out.append("</svg>")
    return "\n".join(out)


def _html_interval(mean: float | None, ci: tuple[float, float] | None) -> str:
    if mean is None or ci is None:
        return '<td class="num">none</td>'
    return (
        f'<td class="num">{mean:+.2f}<br><span class="ci">[{ci[0]:+.2f}, {ci[1]:+.2f}]</span></td>'
    )


def render_sources_html(
    profiles: Sequence[SourceProfile], title: str = "الانحياز حسب المصدر — Source bias"
) -> str:
    """A self-contained HTML page (inline CSS and SVG, no scripts or external resources):
    a lean chart (dot = mean, line = interval, hollow dot = a single article) and a table.
    """
    e = html.escape
    labels = _labels_of(profiles)
    level = f"{profiles[0].ci_level:.0%}" if profiles else "95%"
    head = "".join(f"<th>{e(h)}</th>" for h in _headings(profiles, labels))
    rows = []
    for p in profiles:
        cells = [
            f'<td dir="auto">{e(p.source)}</td>',
            f'<td class="num">{p.n_articles}</td>',
            f'<td class="num">{p.n_sentences}</td>',
            f'<td class="num">{p.n_on_target}</td>',
            _html_interval(p.lean_mean, p.lean_ci),
            _html_interval(p.loaded_term_score_mean, p.loaded_term_score_ci),
            *(f'<td class="num">{p.shares.get(lab, 0.0):.0%}</td>' for lab in labels),
            f'<td dir="auto">{e(p.note)}</td>',
        ]
        rows.append("<tr>" + "".join(cells) + "</tr>")
    chart = _svg_chart(profiles) if profiles else "<p>no scored articles</p>"
    return "\n".join(
        [
            "<!DOCTYPE html>",
            '<html lang="ar" dir="rtl">',
            "<head>",
            '<meta charset="utf-8">',
            f"<title>{e(title)}</title>",
            f"<style>{_CSS}</style>",
            "</head>",
            "<body>",
            f"<h1>{e(title)}</h1>",
            f'<div class="chart" dir="ltr">{chart}</div>',
            '<p class="legend" dir="ltr">Lean: −1 critical … +1 pro, the mean over a '
            f"source's articles with on-target sentences; the line is a {e(level)} bootstrap "
            "interval resampling articles; a hollow dot is a single article (no interval). "
            "Only sentences about the target (the accords, normalization with Israel) count. "
            "Loaded-term score: net signed loaded-term weight per 1000 on-target words "
            "(negative = critical framing).</p>",
            f'<div class="table"><table><thead><tr>{head}</tr></thead><tbody>',
            *rows,
            "</tbody></table></div>",
            "</body>",
            "</html>",
        ]
    )
