"""Render scored articles as one self-contained HTML page (inline CSS, no scripts).

Each sentence about the target is shaded by its label (pro / critical / neutral), more
strongly the more confident the model is; off-target sentences are left unshaded in
grey with a dotted outline; loaded terms are underlined with a tooltip; every article
gets a summary with an inline SVG bar of its label shares. All article text is escaped.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape
from typing import Any

from .lexicon import Lexicon, Term, TermMatch, load_lexicon
from .report import ArticleScore, SentenceScore, summarize

__all__ = ["render_html"]

LABELS = ("pro", "critical", "neutral")
# Colour-blind-safe families (Okabe-Ito blue / vermilion / grey), as "r,g,b" for rgba().
COLOURS = {"pro": "0,114,178", "critical": "213,94,0", "neutral": "120,120,120"}
INITIALS = {"pro": "P", "critical": "C", "neutral": "N"}
BAR_ORDER = ("critical", "neutral", "pro")  # the lean's axis: -1 critical ... +1 pro

CSS = (
    """
:root { color-scheme: light; }
body { font-family: "Noto Naskh Arabic", "Amiri", "Segoe UI", Tahoma, "Arial", sans-serif;
  margin: 1.5rem auto; max-width: 60rem; padding: 0 1rem; color: #1a1a1a; background: #fff;
  line-height: 2.1; font-size: 1.15rem; }
h1, h2 { line-height: 1.3; }
h2 { font-size: 1.2rem; border-bottom: 1px solid #bbb; padding-bottom: .2rem; }
.ui { font-family: "Segoe UI", Tahoma, "Arial", sans-serif; font-size: .9rem; line-height: 1.5; }
.article { margin-bottom: 2.5rem; }
.sent { border-radius: .2rem; padding: .1rem .15rem; box-decoration-break: clone;
  -webkit-box-decoration-break: clone; }
"""
    + "".join(
        f".sent.{k} {{ background-color: rgba({c}, var(--a, .3)); }}\n"
        f".swatch.{k} {{ background-color: rgba({c}, .55); }}\n"
        for k, c in COLOURS.items()
    )
    + """
.sent.off { background-color: transparent; color: #6b6b6b; outline: 1px dotted #bbb; }
.swatch.off { background-color: #fff; border-style: dotted; }
.sent.furniture { background-color: transparent; color: #8a8a8a; font-size: .85em;
  text-decoration: line-through; text-decoration-color: #bbb; }
.sent.furniture::before { content: attr(data-furniture); font-size: .75em;
  font-family: "Segoe UI", Tahoma, "Arial", sans-serif; color: #666; border: 1px solid #bbb;
  border-radius: .2rem; padding: 0 .2em; margin-inline-end: .3em; display: inline-block; }
.swatch.furniture { background-color: #fff; border-color: #bbb; }
.term { text-decoration-line: underline; text-decoration-thickness: 2px;
  text-underline-offset: .35em; cursor: help; }
.term.critical { text-decoration-style: wavy; text-decoration-color: rgb(160, 50, 0); }
.term.pro { text-decoration-style: double; text-decoration-color: rgb(0, 70, 130); }
.warning { border: 2px solid #b00; background: #fff3f0; padding: .4rem .7rem; font-weight: bold; }
.summary { display: flex; flex-wrap: wrap; gap: .5rem 2rem; align-items: flex-start;
  background: #f6f6f6; border: 1px solid #ddd; padding: .6rem .8rem; margin: .5rem 0 1rem; }
.summary table { border-collapse: collapse; }
.summary th { text-align: start; font-weight: normal; color: #444; padding-inline-end: .8rem;
  white-space: nowrap; vertical-align: top; }
.summary td { font-variant-numeric: tabular-nums; }
.legend span { margin-inline-end: 1rem; white-space: nowrap; }
.swatch { display: inline-block; width: .9em; height: .9em; vertical-align: middle;
  border: 1px solid #888; margin-inline-end: .3em; }
.initial { display: none; }
@media print {
  body { max-width: none; margin: 0; font-size: 11pt; }
  * { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
  .article { break-inside: auto; }
  .summary { break-inside: avoid; background: none; }
  .initial { display: inline; font-family: "Arial", sans-serif; font-size: .7em;
    font-weight: bold; border: 1px solid #000; padding: 0 .15em; margin-inline-end: .3em; }
  .sent.critical { border-bottom: 2px solid #000; }
  .sent.pro { border-bottom: 2px dashed #000; }
  .sent.neutral { border-bottom: 1px dotted #777; }
  .sent.off { border-bottom: none; }
}
"""
)


def _esc(value: object) -> str:
    return escape(str(value), quote=True)


def _alpha(sentence: SentenceScore) -> float:
    """Background opacity from the confidence: 0.1 at chance level, 0.55 at certainty."""
    p = sentence.probabilities.get(sentence.label, 0.0)
    chance = 1 / max(2, len(sentence.probabilities))
    strength = min(1.0, max(0.0, (p - chance) / (1 - chance)))
    return round(0.1 + 0.45 * strength, 3)


def _term_tooltip(m: TermMatch, info: Term | None) -> str:
    parts = [f"{m.direction} term «{m.term}», weight {m.weight:.2f} ({m.category})"]
    if info is not None and info.gloss:
        parts.append(f"gloss: {info.gloss}")
    if info is not None and info.neutral:
        parts.append(f"neutral equivalent: {info.neutral}")
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


def _sentence_html(sentence: SentenceScore, terms: dict[str, Term]) -> str:
    label = sentence.label
    probs = ", ".join(f"{k} {v:.2f}" for k, v in sorted(sentence.probabilities.items()))
    p = sentence.probabilities.get(label, 0.0)
    tip = f"#{sentence.index} {label} (p={p:.2f}); {probs}"
    if sentence.on_target is not None:
        where = "on target" if sentence.about_target else "off target: not counted"
        tip += f"; {where} (p on target {sentence.on_target:.2f})"
    if sentence.evidence:
        tip += f"\nwhy {label}: " + "; ".join(e.short() for e in sentence.evidence)
    if sentence.target_evidence:
        tip += "\ntarget (+ on, − off): " + "; ".join(e.short() for e in sentence.target_evidence)
    cls = f"sent {label}" if label in COLOURS else "sent"
    if not sentence.about_target:
        cls += " off"
    tag = ""
    if not sentence.counted:
        cls = "sent furniture"
        tip = f"#{sentence.index} page furniture ({sentence.furniture}): not counted"
        tag = f' data-furniture="{_esc(sentence.furniture)}"'
    body, cursor = [], 0
    for s, e, m in _spans(sentence):
        body.append(_esc(sentence.text[cursor:s]))
        tcls = f"term {m.direction}" if m.direction in COLOURS else "term"
        body.append(
            f'<span class="{_esc(tcls)}" title="{_esc(_term_tooltip(m, terms.get(m.term)))}">'
            f"{_esc(sentence.text[s:e])}</span>"
        )
        cursor = e
    body.append(_esc(sentence.text[cursor:]))
    initial = INITIALS.get(label, label[:1].upper())
    return (
        f'<span class="{_esc(cls)}" data-label="{_esc(label)}" data-p="{p:.3f}"'
        f' data-target="{"on" if sentence.about_target else "off"}"'
        f' data-index="{sentence.index}"{tag} style="--a: {_alpha(sentence)}" title="{_esc(tip)}">'
        f'<span class="initial" aria-hidden="true">{_esc(initial)}</span>{"".join(body)}</span>'
    )


def _share_bar(shares: dict[str, float], width: int = 320, height: int = 18) -> str:
    """An inline SVG horizontal stacked bar of the label shares, critical on the left."""
    order = [k for k in BAR_ORDER if k in shares] + [k for k in shares if k not in BAR_ORDER]
    desc = ", ".join(f"{k} {shares[k]:.0%}" for k in order)
    rects, x = [], 0.0
    for k in order:
        w = width * float(shares[k])
        fill = f"rgb({COLOURS.get(k, '180,180,180')})"
        rects.append(
            f'<rect x="{x:.1f}" y="0" width="{w:.1f}" height="{height}" fill="{fill}">'
            f"<title>{_esc(k)} {shares[k]:.0%}</title></rect>"
        )
        x += w
    return (
        f'<svg class="bar" role="img" width="{width}" height="{height}"'
        f' viewBox="0 0 {width} {height}">'
        f"<title>label shares: {_esc(desc)}</title>"
        f'<rect x="0" y="0" width="{width}" height="{height}" fill="#fff" stroke="#888"/>'
        f"{''.join(rects)}</svg>"
    )


def _summary_html(article: ArticleScore) -> str:
    sm: dict[str, Any] = article.summary
    if not sm:
        classes = sorted({k for s in article.sentences for k in s.probabilities}) or list(LABELS)
        sm = summarize(article.sentences, classes)
    counts, shares = sm.get("counts", {}), sm.get("shares", {})
    label_rows = "".join(
        f'<tr><th><span class="swatch {_esc(k)}"></span>{_esc(k)}</th>'
        f"<td>{counts.get(k, 0)} ({shares.get(k, 0.0):.0%})</td></tr>"
        for k in counts
    )
    top = ", ".join(
        f'<bdi lang="ar">{_esc(t["term"])}</bdi> ×{t["count"]}'
        f" ({_esc(t['direction'])} {t['weight']:.2f})"
        for t in sm.get("top_terms", [])
    )
    n = sm.get("sentences", len(article.sentences))
    on = sm.get("on_target_sentences", n)
    if sm.get("lean") is None:
        lean = "none: no sentence is about the target"
    else:
        lean = (
            f"{sm['lean']:+.2f} (model alone {sm.get('lean_model', 0.0):+.2f},"
            f" labels {sm.get('lean_hard', 0.0):+.2f})"
        )
    score = sm.get("loaded_term_score")
    rows = [
        ("sentences", str(n)),
        ("on target", f"{on} ({sm.get('on_target_share', 1.0):.0%}); only these count below"),
        ("lean (−1 critical … +1 pro)", lean),
        (
            "loaded terms",
            f"{sm.get('loaded_terms', 0)} ({sm.get('loaded_terms_per_1000_words') or 0.0}"
            f" per 1000 on-target words)",
        ),
        (
            "loaded-term score",
            "–" if score is None else f"{score:+.2f} per 1000 on-target words",
        ),
        ("top terms", top or "–"),
    ]
    table = "".join(f"<tr><th>{_esc(k)}</th><td>{v}</td></tr>" for k, v in rows)
    return (
        f'<div class="summary ui" dir="ltr" lang="en">'
        f"<table>{label_rows}</table><table>{table}</table>"
        f"<div>{_share_bar(shares)}</div></div>"
    )


def _article_html(n: int, article: ArticleScore, terms: dict[str, Term]) -> str:
    head = f'<h2 dir="auto">{n}. {_esc(article.source or "article")}</h2>'
    warning = ""
    if not article.arabic:
        warning = (
            f'<p class="warning ui" role="alert" dir="ltr" lang="en">Warning: this text looks'
            f" {_esc(article.language)}, not Arabic; the model was trained on Arabic, so its"
            f" labels are unreliable here.</p>"
        )
    sentences = " ".join(_sentence_html(s, terms) for s in article.sentences)
    body_attrs = 'dir="rtl" lang="ar"' if article.arabic else 'dir="auto"'
    return (
        f'<section class="article" id="article-{n}">{head}{warning}{_summary_html(article)}'
        f'<div class="text" {body_attrs}>{sentences}</div></section>'
    )


def _legend() -> str:
    items = "".join(
        f'<span><span class="swatch {k}"></span>{k} ({INITIALS[k]} in print)</span>' for k in LABELS
    )
    items += '<span><span class="swatch off"></span>off target (grey, not counted)</span>'
    items += '<span><span class="swatch furniture"></span>page furniture (not counted)</span>'
    return (
        f'<p class="legend ui" dir="ltr" lang="en">{items}<br>Shading grows with the model\'s'
        " confidence; hover a sentence for its probabilities. Sentences not about the target"
        " (the accords, normalization with Israel) are left unshaded and do not count in the"
        " lean. Loaded terms are underlined (critical: wavy, pro: double); hover for weight,"
        " gloss and neutral equivalent.</p>"
    )


def render_html(
    articles: Sequence[ArticleScore], title: str = "stance report", lexicon: Lexicon | None = None
) -> str:
    """One self-contained HTML page for ``articles``.

    ``lexicon`` supplies the glosses and neutral equivalents of the loaded terms in the
    tooltips (default: the shipped lexicon; terms it lacks get direction and weight only).
    """
    lex = lexicon if lexicon is not None else load_lexicon()
    terms = {t.term: t for t in lex.terms}
    body = "".join(_article_html(i, a, terms) for i, a in enumerate(articles, 1))
    return (
        '<!DOCTYPE html>\n<html dir="rtl" lang="ar">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{_esc(title)}</title>\n<style>{CSS}</style>\n</head>\n<body>\n"
        f'<h1 dir="auto">{_esc(title)}</h1>\n{_legend()}\n{body}\n</body>\n</html>\n'
    )
