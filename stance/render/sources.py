"""Renderings of per-outlet profiles (`stance sources`): the plain-text table, CSV,
JSON, and the self-contained HTML page with its SVG chart of leans and intervals."""

from __future__ import annotations

import html
import io
import json
import unicodedata
from collections.abc import Sequence
from typing import Any

from ..csvsafe import csv_writer
from ..sources import FEW_ARTICLES, SourceProfile, ordered_labels
from ..ui import UI
from .style import SOURCES_CSS

__all__ = ["render_sources_table", "sources_to_csv", "sources_to_json", "render_sources_html"]


def _labels_of(profiles: Sequence[SourceProfile]) -> list[str]:
    return ordered_labels({lab for p in profiles for lab in p.shares})


def _unit(profiles: Sequence[SourceProfile]) -> str:
    return profiles[0].unit if profiles else "article"


def _has_period(profiles: Sequence[SourceProfile]) -> bool:
    return any(p.period is not None for p in profiles)


def _headings(profiles: Sequence[SourceProfile], labels: list[str]) -> list[str]:
    """Column headings of the table and the HTML page (see :func:`_cells`)."""
    level = f"{profiles[0].ci_level:.0%}" if profiles else "95%"
    unit = _unit(profiles)
    return [
        "source",
        *(["period"] if _has_period(profiles) else []),
        f"{unit}s",
        *(["sentences"] if unit == "article" else []),
        "on target",
        f"lean [{level} CI]",
        f"loaded-term score [{level} CI]",
        *labels,
        "note",
    ]


def _cells(p: SourceProfile, profiles: Sequence[SourceProfile]) -> list[Any]:
    """The non-label cells of a row before the intervals, in :func:`_headings` order."""
    return [
        *([p.period or ""] if _has_period(profiles) else []),
        p.n_articles,
        *([p.n_sentences] if p.unit == "article" else []),
        p.n_on_target,
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
                *map(str, _cells(p, profiles)),
                _interval(p.lean_mean, p.lean_ci, "+.2f"),
                _interval(p.loaded_term_score_mean, p.loaded_term_score_ci, "+.2f"),
                *(f"{p.shares.get(lab, 0.0):.0%}" for lab in labels),
                note,
            ]
        )
    widths = [max(len(r[i]) for r in [head, *rows]) for i in range(len(head))]
    numeric = set(range(2 if _has_period(profiles) else 1, len(head) - 1))

    def fmt(row: list[str]) -> str:
        cells = [
            c.rjust(w) if i in numeric else c.ljust(w) for i, (c, w) in enumerate(zip(row, widths))
        ]
        return "  ".join(cells).rstrip()

    lines = [fmt(head), "  ".join("-" * w for w in widths), *(fmt(r) for r in rows)]
    if _unit(profiles) == "passage":
        lines.append(
            "lean: -1 critical … +1 pro, mean over the on-target passages (P(pro) - "
            "P(critical), pulled toward their loaded terms); shares pool the on-target "
            "passages; passages have no loaded-term score (no word counts)"
        )
    else:
        lines.append(
            "lean: -1 critical … +1 pro, mean over the articles with on-target sentences; "
            "loaded-term score: net signed term weight per 1000 on-target words; shares pool "
            "the on-target sentences"
        )
    return "\n".join(lines)


def sources_to_csv(profiles: Sequence[SourceProfile]) -> str:
    """CSV with a header row and one row per source."""
    labels = _labels_of(profiles)
    unit = _unit(profiles)
    period = _has_period(profiles)
    buf = io.StringIO()
    w = csv_writer(buf)
    w.writerow(
        [
            "source",
            *(["period"] if period else []),
            f"n_{unit}s",
            "n_sentences",
            "n_on_target",
            f"n_lean_{unit}s",
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
                *([p.period or ""] if period else []),
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


# Chart geometry: labels right-aligned at NAME_X (the name) and LABEL_W - 12 (the count,
# "(n=12)") left of the plot, so neither runs into the plot whatever the script.
_LABEL_W, _PLOT_W, _RIGHT, _TOP, _ROW_H = 330, 460, 40, 40, 34
_NAME_X = _LABEL_W - 90
_NAME_CHARS = 32


def _rtl(text: str) -> bool:
    """Whether ``text``'s first strong letter is Arabic or Hebrew."""
    for ch in text:
        if unicodedata.bidirectional(ch) in ("R", "AL"):
            return True
        if unicodedata.bidirectional(ch) == "L":
            return False
    return False


def _note(p: SourceProfile, ui: UI) -> str:
    """:attr:`SourceProfile.note` in the interface language, with the not-Arabic count."""
    if p.n_lean_articles == 0:
        note = ui(f"src_note_no_lean_{p.unit}")
    elif p.degenerate:
        note = ui(f"src_note_one_{p.unit}")
    elif p.n_lean_articles < FEW_ARTICLES:
        note = ui(f"src_note_few_{p.unit}", n=p.n_lean_articles)
    else:
        note = ""
    if p.n_not_arabic:
        note = "; ".join(filter(None, [note, ui("src_not_arabic", n=p.n_not_arabic)]))
    return note


def _svg_chart(profiles: Sequence[SourceProfile], ui: UI) -> str:
    e = html.escape
    width = _LABEL_W + _PLOT_W + _RIGHT
    height = _TOP + _ROW_H * len(profiles) + 56

    def x(v: float) -> float:
        return _LABEL_W + (max(-1.0, min(1.0, v)) + 1.0) / 2.0 * _PLOT_W

    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" aria-label="{e(ui("src_chart_label"))}">'
    ]
    bottom = _TOP + _ROW_H * len(profiles)
    for v, text in ((-1, "−1"), (-0.5, "−0.5"), (0, "0"), (0.5, "+0.5"), (1, "+1")):
        cls = "zero" if v == 0 else "grid"
        out.append(
            f'<line class="{cls}" x1="{x(v):.1f}" y1="{_TOP - 8}" x2="{x(v):.1f}" y2="{bottom}"/>'
        )
        out.append(
            f'<text class="tick" x="{x(v):.1f}" y="{bottom + 20}" text-anchor="middle" '
            f'direction="ltr">{text}</text>'
        )
    # The ends of the axis, named under their numbers (a number and a word in one text
    # would be ordered by the script).
    for v, label in ((-1, "critical"), (1, "pro")):
        word = ui.label(label)
        out.append(
            f'<text class="tick end" x="{x(v):.1f}" y="{bottom + 36}" text-anchor="middle"'
            f"{_dir_attrs(word)}>{e(word)}</text>"
        )
    out.append(f'<line class="axis" x1="{x(-1):.1f}" y1="{bottom}" x2="{x(1):.1f}" y2="{bottom}"/>')
    for i, p in enumerate(profiles):
        y = _TOP + _ROW_H * i + _ROW_H / 2
        name = p.source if len(p.source) <= _NAME_CHARS else p.source[: _NAME_CHARS - 1] + "…"
        if p.period is not None:
            name = f"{name} · {p.period}"
        n = f"{p.n_articles} {p.unit}" + ("" if p.n_articles == 1 else "s")
        note = _note(p, ui)
        tip = (
            f"{p.source}{' ' + p.period if p.period else ''}: {n}, "
            f"lean {_interval(p.lean_mean, p.lean_ci, '+.2f')}, "
            f"loaded-term score "
            f"{_interval(p.loaded_term_score_mean, p.loaded_term_score_ci, '+.2f')}"
            + (f" ({note})" if note else "")
        )
        out.append("<g>")
        out.append(f"<title>{e(tip)}</title>")
        # The name ends at _NAME_X whatever its direction (an RTL text's start is its
        # right end); the count ends at the plot's edge, in its own element.
        out.append(
            f'<text class="name" x="{_NAME_X}" y="{y + 4:.1f}"{_right_aligned(name)}>'
            f"{e(name)}</text>"
        )
        if p.lean_mean is None or p.lean_ci is None:  # no on-target sentence: a label only
            label = ui("src_no_lean")
            out.append(
                f'<text class="n" x="{_LABEL_W - 12}" y="{y + 4:.1f}"{_right_aligned(label)}>'
                f"{e(label)}</text>"
            )
            out.append("</g>")
            continue
        out.append(
            f'<text class="n" x="{_LABEL_W - 12}" y="{y + 4:.1f}" text-anchor="end" '
            f'direction="ltr">(n={p.n_articles})</text>'
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


def _right_aligned(text: str) -> str:
    """Attributes ending ``text`` at its x whatever its script: SVG anchors a
    right-to-left text's *start* at its right end, so "end" would push it rightwards."""
    return f' text-anchor="{"start" if _rtl(text) else "end"}"{_dir_attrs(text)}'


def _dir_attrs(text: str) -> str:
    """SVG attributes laying ``text`` out right-to-left when it starts in Arabic script
    (so "(الوقت)" keeps its brackets), left-to-right otherwise."""
    return ' direction="rtl" unicode-bidi="embed"' if _rtl(text) else ' direction="ltr"'


def _html_interval(mean: float | None, ci: tuple[float, float] | None, ui: UI) -> str:
    if mean is None or ci is None:
        return f'<td class="num">{html.escape(ui("src_none"))}</td>'
    return (
        f'<td class="num"><span>{mean:+.2f}</span><br>'
        f'<span class="ci">[{ci[0]:+.2f}, {ci[1]:+.2f}]</span></td>'
    )


def render_sources_html(
    profiles: Sequence[SourceProfile], title: str | None = None, lang: str = "en"
) -> str:
    """A self-contained HTML page (inline CSS and SVG, no scripts or external resources):
    a lean chart (dot = mean, line = interval, hollow dot = a single article) and a
    table. ``lang`` is the interface language: ``en`` lays the page out left to right,
    ``ar`` right to left with Arabic headings (so the columns read in the page's
    direction either way); source names keep their own direction.
    """
    e = html.escape
    ui = UI(lang)
    title = ui("sources_title") if title is None else title
    labels = _labels_of(profiles)
    level = f"{profiles[0].ci_level:.0%}" if profiles else "95%"
    unit = _unit(profiles)
    head_cells = [
        ui("src_source"),
        *([ui("src_period")] if _has_period(profiles) else []),
        ui(f"src_{unit}s"),
        *([ui("src_sentences")] if unit == "article" else []),
        ui("src_on_target"),
        ui("src_lean", level=level),
        ui("src_score", level=level),
        *(ui.label(lab) for lab in labels),
        ui("src_note"),
    ]
    head = "".join(f"<th>{e(h)}</th>" for h in head_cells)
    rows = []
    for p in profiles:
        cells = [
            f'<td dir="auto">{e(p.source)}</td>',
            *(f'<td class="num">{e(str(c))}</td>' for c in _cells(p, profiles)),
            _html_interval(p.lean_mean, p.lean_ci, ui),
            _html_interval(p.loaded_term_score_mean, p.loaded_term_score_ci, ui),
            *(f'<td class="num">{p.shares.get(lab, 0.0):.0%}</td>' for lab in labels),
            f"<td>{e(_note(p, ui))}</td>",
        ]
        rows.append("<tr>" + "".join(cells) + "</tr>")
    chart = _svg_chart(profiles, ui) if profiles else f"<p>{e(ui('src_empty'))}</p>"
    legend = ui(f"src_legend_{unit}", level=level)
    return "\n".join(
        [
            "<!DOCTYPE html>",
            f'<html lang="{ui.lang}" dir="{ui.dir}">',
            "<head>",
            '<meta charset="utf-8">',
            '<meta name="viewport" content="width=device-width, initial-scale=1">',
            f"<title>{e(title)}</title>",
            f"<style>{SOURCES_CSS}</style>",
            "</head>",
            "<body>",
            f'<h1 dir="auto">{e(title)}</h1>',
            f'<div class="chart" dir="ltr">{chart}</div>',
            f'<p class="legend">{e(legend)}</p>',
            f'<div class="table"><table><thead><tr>{head}</tr></thead><tbody>',
            *rows,
            "</tbody></table></div>",
            "</body>",
            "</html>",
        ]
    )
