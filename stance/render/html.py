"""Render scored articles as one self-contained HTML page (inline CSS, no scripts).

The page opens with an overview table of every article (counts, shares, lean,
loaded-term score, linked to the article) and what produced it (model sha256, date,
inputs). Each sentence about the target is shaded by its label (pro / critical /
neutral), more strongly the more confident the model is; off-target sentences are left
unshaded in grey with a dotted outline; page furniture is struck through and labelled;
hovering a sentence shows its probabilities and why it got its label (its evidence);
loaded terms are underlined with a tooltip; every article gets a summary with an
inline SVG bar of its label shares. The interface is English or Arabic (``lang``). All
article text is escaped.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from html import escape
from typing import Any

from ..annotations import LABELS
from ..lexicon import Lexicon, Term, TermMatch, load_lexicon
from ..results import ArticleScore, SentenceScore, summarize
from ..ui import UI
from .style import COLOURS, CSS

__all__ = ["render_html", "report_meta"]

# The legend lists the two stances, then neutral (LABELS, the lean's axis, is the bars'
# order: -1 critical ... +1 pro).
LEGEND_ORDER = ("pro", "critical", "neutral")
# Inputs listed in the "about" block before the rest is counted.
INPUTS_SHOWN = 50


def _esc(value: object) -> str:
    return escape(str(value), quote=True)


def _alpha(sentence: SentenceScore) -> float:
    """Background opacity from the confidence: 0.1 at chance level, 0.55 at certainty."""
    p = sentence.probabilities.get(sentence.label, 0.0)
    chance = 1 / max(2, len(sentence.probabilities))
    strength = min(1.0, max(0.0, (p - chance) / (1 - chance)))
    return round(0.1 + 0.45 * strength, 3)


def _term_tooltip(m: TermMatch, info: Term | None, ui: UI) -> str:
    parts = [
        ui(
            "term_tip",
            direction=ui.direction(m.direction),
            term=m.term,
            weight=f"{m.weight:.2f}",
            category=m.category,
        )
    ]
    if info is not None and info.gloss:
        parts.append(ui("term_gloss", gloss=info.gloss))
    if info is not None and info.neutral:
        parts.append(ui("term_neutral", neutral=info.neutral))
    return "\n".join(parts)


def _spans(sentence: SentenceScore) -> list[tuple[int, int, TermMatch]]:
    """Non-overlapping (start, end, match) positions of loaded terms in the sentence text.

    Match offsets index the article. A match whose offsets do not land on its text is
    tried as sentence-relative, then looked up by its text; if absent, it is dropped.
    Where matches overlap, the earlier (then the longer) one wins.
    """
    text, found = sentence.text, []
    for m in sentence.loaded_terms:
        for s, e in ((m.start - sentence.start, m.end - sentence.start), (m.start, m.end)):
            if 0 <= s < e <= len(text) and text[s:e] == m.match:
                break
        else:
            s = text.find(m.match) if m.match else -1
            e = s + len(m.match)
        if 0 <= s < e:
            found.append((s, e, m))
    out, cursor = [], 0
    for s, e, m in sorted(found, key=lambda f: (f[0], -f[1])):
        if s >= cursor:
            out.append((s, e, m))
            cursor = e
    return out


def _evidence(items: Sequence[Any], ui: UI) -> str:
    """Evidence items, one per line: ``+0.42 كيان (stem)``."""
    return "\n".join(
        f"{e.contribution:+.2f} \u2068{e.feature}\u2069 ({ui.get('evidence_' + e.kind, e.kind)})"
        for e in items
    )


def _tooltip(sentence: SentenceScore, ui: UI) -> str:
    """The sentence's tooltip: label and probabilities, target relevance, evidence."""
    if not sentence.counted:
        return ui("tip_furniture", index=sentence.index, kind=ui.furniture(sentence.furniture))
    label = sentence.label
    probs = ", ".join(f"{ui.label(k)} {v:.2f}" for k, v in sorted(sentence.probabilities.items()))
    p = sentence.probabilities.get(label, 0.0)
    lines = [
        ui("tip_label", index=sentence.index, label=ui.label(label), p=f"{p:.2f}",
           probabilities=probs)
    ]  # fmt: skip
    if sentence.on_target is not None:
        key = "tip_on_target" if sentence.about_target else "tip_off_target"
        lines.append(ui(key, p=f"{sentence.on_target:.2f}"))
    if sentence.evidence:
        lines.append(ui("tip_why", label=ui.label(label)))
        lines.append(_evidence(sentence.evidence, ui))
    if sentence.target_evidence:
        lines.append(ui("tip_why_target"))
        lines.append(_evidence(sentence.target_evidence, ui))
    return "\n".join(lines)


def _sentence_html(sentence: SentenceScore, terms: dict[str, Term], ui: UI) -> str:
    label = sentence.label
    p = sentence.probabilities.get(label, 0.0)
    cls = f"sent {label}" if label in COLOURS else "sent"
    if not sentence.about_target:
        cls += " off"
    extra = ""
    if not sentence.counted:
        cls = "sent furniture"
        extra = (
            f' data-furniture="{_esc(sentence.furniture)}"'
            f' data-furniture-label="{_esc(ui.furniture(sentence.furniture))}"'
        )
    body, cursor = [], 0
    for s, e, m in _spans(sentence):
        body.append(_esc(sentence.text[cursor:s]))
        tcls = f"term {m.direction}" if m.direction in COLOURS else "term"
        tip = _term_tooltip(m, terms.get(m.term), ui)
        body.append(
            f'<span class="{_esc(tcls)}" title="{_esc(tip)}">{_esc(sentence.text[s:e])}</span>'
        )
        cursor = e
    body.append(_esc(sentence.text[cursor:]))
    initial = ui.get(f"initial_{label}", label[:1].upper())
    return (
        f'<span class="{_esc(cls)}" data-label="{_esc(label)}" data-p="{p:.3f}"'
        f' data-target="{"on" if sentence.about_target else "off"}"'
        f' data-index="{sentence.index}"{extra} style="--a: {_alpha(sentence)}"'
        f' data-tip="{_esc(_tooltip(sentence, ui))}">'
        f'<span class="initial" aria-hidden="true">{_esc(initial)}</span>{"".join(body)}</span>'
    )


def _share_bar(shares: dict[str, float], ui: UI, width: int = 320, height: int = 18) -> str:
    """An inline SVG horizontal stacked bar of the label shares, critical on the left."""
    order = [k for k in LABELS if k in shares] + [k for k in shares if k not in LABELS]
    desc = ui("list_sep").join(f"{ui.label(k)} {shares[k]:.0%}" for k in order)
    rects, x = [], 0.0
    for k in order:
        w = width * float(shares[k])
        fill = f"rgb({COLOURS.get(k, '180,180,180')})"
        rects.append(
            f'<rect x="{x:.1f}" y="0" width="{w:.1f}" height="{height}" fill="{fill}">'
            f"<title>{_esc(ui.label(k))} {shares[k]:.0%}</title></rect>"
        )
        x += w
    return (
        f'<svg class="bar" role="img" width="{width}" height="{height}"'
        f' viewBox="0 0 {width} {height}" direction="ltr">'
        f"<title>{_esc(ui('shares_title', shares=desc))}</title>"
        f'<rect x="0" y="0" width="{width}" height="{height}" fill="#fff" stroke="#888"/>'
        f"{''.join(rects)}</svg>"
    )


def _summary_of(article: ArticleScore) -> dict[str, Any]:
    if article.summary:
        return article.summary
    classes = sorted({k for s in article.sentences for k in s.probabilities}) or list(LEGEND_ORDER)
    return summarize(article.sentences, classes)


def _top_terms(sm: Mapping[str, Any], ui: UI) -> str:
    """The top terms, each an isolated unit: the term, then its count (×2) and weight
    on the term's far side in either page direction."""
    items = []
    for t in sm.get("top_terms", []):
        how = ui("top_term", direction=ui.direction(t["direction"]), weight=f"{t['weight']:.2f}")
        items.append(
            f'<span class="top-term"><bdi lang="ar">{_esc(t["term"])}</bdi>&nbsp;'
            f'<span class="count">×{t["count"]}</span> ({_esc(how)})</span>'
        )
    return ui("list_sep").join(items)


def _signed(v: Any) -> str:
    return "–" if v is None else f'<span class="count">{v:+.2f}</span>'


def _summary_html(article: ArticleScore, ui: UI) -> str:
    sm = _summary_of(article)
    counts, shares = sm.get("counts", {}), sm.get("shares", {})
    label_rows = "".join(
        f'<tr><th><span class="swatch {_esc(k)}"></span>{_esc(ui.label(k))}</th>'
        f'<td><span class="count">{counts.get(k, 0)} ({shares.get(k, 0.0):.0%})</span></td></tr>'
        for k in counts
    )
    n = sm.get("sentences", len(article.sentences))
    on = sm.get("on_target_sentences", n)
    if sm.get("lean") is None:
        lean = _esc(ui("lean_none"))
    else:
        lean = ui(
            "lean_value",
            lean=_signed(sm["lean"]),
            model=_signed(sm.get("lean_model", 0.0)),
            hard=_signed(sm.get("lean_hard", 0.0)),
        )
    score = sm.get("loaded_term_score")
    rate = sm.get("loaded_terms_per_1000_words") or 0.0
    rows = [
        (ui("row_sentences"), str(n)),
        (
            ui("row_on_target"),
            _esc(ui("on_target_value", n=on, share=f"{sm.get('on_target_share', 1.0):.0%}")),
        ),
    ]
    if sm.get("furniture_sentences"):
        rows.append((ui("row_furniture"), _esc(ui("furniture_value", n=sm["furniture_sentences"]))))
    rows += [
        (ui("row_lean"), lean),
        (
            ui("row_loaded_terms"),
            _esc(ui("loaded_terms_value", n=sm.get("loaded_terms", 0), rate=rate)),
        ),  # fmt: skip
        (
            ui("row_loaded_term_score"),
            "–" if score is None else ui("loaded_term_score_value", score=_signed(score)),
        ),
        (ui("row_top_terms"), _top_terms(sm, ui) or "–"),
    ]
    table = "".join(f"<tr><th>{_esc(k)}</th><td>{v}</td></tr>" for k, v in rows)
    return (
        f'<div class="summary ui" {ui.attrs()}>'
        f"<table>{label_rows}</table><table>{table}</table>"
        f"<div>{_share_bar(shares, ui)}</div></div>"
    )


def _article_html(n: int, article: ArticleScore, terms: dict[str, Term], ui: UI) -> str:
    head = f'<h2 dir="auto">{n}. {_esc(article.source or "article")}</h2>'
    warning = ""
    if not article.arabic:
        warning = (
            f'<p class="warning ui" role="alert" {ui.attrs()}>'
            f"{_esc(ui('warning_not_arabic', language=article.language))}</p>"
        )
    sentences = " ".join(_sentence_html(s, terms, ui) for s in article.sentences)
    body_attrs = 'dir="rtl" lang="ar"' if article.arabic else 'dir="auto"'
    return (
        f'<section class="article" id="article-{n}">{head}{warning}{_summary_html(article, ui)}'
        f'<div class="text" {body_attrs}>{sentences}</div></section>'
    )


def _overview(articles: Sequence[ArticleScore], ui: UI) -> str:
    """One row per article: where it is from, its counts, shares, lean and score."""
    labels = [k for k in LABELS if any(k in _summary_of(a).get("counts", {}) for a in articles)]
    dated = any(a.date for a in articles)
    head = [
        "#",
        ui("col_article"),
        *([ui("col_date")] if dated else []),
        ui("col_sentences"),
        ui("col_on_target"),
        ui("col_furniture"),
        *(ui.label(k) for k in labels),
        ui("col_lean"),
        ui("col_loaded_term_score"),
    ]
    rows = []
    for n, a in enumerate(articles, 1):
        sm = _summary_of(a)
        name = _esc(a.source or "article")
        if not a.arabic:
            name += f" ({_esc(ui('not_arabic_mark'))})"
        cells = [
            f'<td class="num"><a href="#article-{n}">{n}</a></td>',
            f'<td dir="auto"><a href="#article-{n}">{name}</a></td>',
            *([f'<td class="num">{_esc(a.date or "–")}</td>'] if dated else []),
            f'<td class="num">{sm.get("sentences", 0)}</td>',
            f'<td class="num">{sm.get("on_target_sentences", sm.get("sentences", 0))}</td>',
            f'<td class="num">{sm.get("furniture_sentences", 0)}</td>',
            *(f'<td class="num">{sm.get("shares", {}).get(k, 0.0):.0%}</td>' for k in labels),
            f'<td class="num">{_signed(sm.get("lean"))}</td>',
            f'<td class="num">{_signed(sm.get("loaded_term_score"))}</td>',
        ]
        rows.append("<tr>" + "".join(cells) + "</tr>")
    th = "".join(f"<th>{_esc(h)}</th>" for h in head)
    return (
        f'<section class="ui" {ui.attrs()} id="overview"><h2>{_esc(ui("overview"))}</h2>'
        f'<table class="overview"><thead><tr>{th}</tr></thead><tbody>{"".join(rows)}'
        "</tbody></table></section>"
    )


def _about(meta: Mapping[str, Any], ui: UI) -> str:
    """What produced the page: when, which program and model, from which inputs."""
    items = []
    if meta.get("generated"):
        items.append((ui("about_generated"), _esc(meta["generated"])))
    if meta.get("program"):
        items.append((ui("about_program"), _esc(meta["program"])))
    if meta.get("model_sha256"):
        value = ui("about_model_value", directory=meta.get("model", "?"),
                   sha256=meta["model_sha256"])  # fmt: skip
        items.append((ui("about_model"), f'<bdi dir="ltr">{_esc(value)}</bdi>'))
    inputs = list(meta.get("inputs") or [])
    if inputs:
        shown = "".join(f'<li dir="ltr">{_esc(p)}</li>' for p in inputs[:INPUTS_SHOWN])
        more = f"<li>… +{len(inputs) - INPUTS_SHOWN}</li>" if len(inputs) > INPUTS_SHOWN else ""
        items.append(
            (
                ui("about_inputs"),
                f"<details><summary>{_esc(ui('about_inputs_value', n=len(inputs)))}</summary>"
                f"<ul>{shown}{more}</ul></details>",
            )
        )
    if not items:
        return ""
    body = "".join(f"<dt>{_esc(k)}</dt><dd>{v}</dd>" for k, v in items)
    return (
        f'<section class="about ui" {ui.attrs()} id="about"><h2>{_esc(ui("about"))}</h2>'
        f"<dl>{body}</dl></section>"
    )


def _legend(ui: UI) -> str:
    items = "".join(
        f'<span><span class="swatch {k}"></span>'
        f"{_esc(ui('legend_label', label=ui.label(k), initial=ui('initial_' + k)))}</span>"
        for k in LEGEND_ORDER
    )
    items += f'<span><span class="swatch off"></span>{_esc(ui("legend_off"))}</span>'
    items += f'<span><span class="swatch furniture"></span>{_esc(ui("legend_furniture"))}</span>'
    return f'<p class="legend ui" {ui.attrs()}>{items}<br>{_esc(ui("legend_text"))}</p>'


def render_html(
    articles: Sequence[ArticleScore],
    title: str | None = None,
    lexicon: Lexicon | None = None,
    lang: str = "en",
    meta: Mapping[str, Any] | None = None,
) -> str:
    """One self-contained HTML page for ``articles``.

    ``lexicon`` supplies the glosses and neutral equivalents of the loaded terms in the
    tooltips (default: the shipped lexicon; terms it lacks get direction and weight only).
    ``lang`` is the interface language (``en`` or ``ar``; the article text is what it
    is). ``meta`` records what produced the page: ``generated`` (a date), ``program``,
    ``model`` (directory) and ``model_sha256``, ``inputs`` (paths).
    """
    ui = UI(lang)
    title = ui("report_title") if title is None else title
    lex = lexicon if lexicon is not None else load_lexicon()
    terms = {t.term: t for t in lex.terms}
    body = "".join(_article_html(i, a, terms, ui) for i, a in enumerate(articles, 1))
    overview = _overview(articles, ui) if articles else ""
    return (
        '<!DOCTYPE html>\n<html dir="rtl" lang="ar">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f'<title>{_esc(title)}</title>\n<style>{CSS}</style>\n</head>\n<body class="ui-{ui.dir}">\n'
        f'<h1 dir="auto">{_esc(title)}</h1>\n{_about(meta or {}, ui)}\n{overview}\n'
        f"{_legend(ui)}\n{body}\n</body>\n</html>\n"
    )


def report_meta(model: Any, model_path: Any, paths: Sequence[str]) -> dict[str, Any]:
    """What produced an HTML report: date, program, model and inputs."""
    from datetime import datetime, timezone
    from importlib.metadata import version

    from ..errors import StanceError
    from ..model import resolve_model

    try:
        directory = str(resolve_model(model_path)[0])
    except StanceError:  # pragma: no cover - the model was just loaded from there
        directory = "?"
    return {
        "generated": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "program": f"stance {version('stance')}",
        "model": directory,
        "model_sha256": model.card.get("model_sha256", "?"),
        "inputs": ["<stdin>" if p == "-" else p for p in paths],
    }
