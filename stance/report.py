"""Per-sentence scores, the per-article summary, and their text/JSON renderings."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from .lexicon import TermMatch, net_weight

__all__ = [
    "SentenceScore",
    "ArticleScore",
    "sentence_lean",
    "summarize",
    "article_to_dict",
    "render_table",
]


@dataclass(frozen=True)
class SentenceScore:
    """A scored sentence; ``start``/``end`` index the original article text."""

    index: int
    start: int
    end: int
    text: str
    label: str
    probabilities: dict[str, float]
    loaded_terms: tuple[TermMatch, ...] = ()

    @property
    def net_term_weight(self) -> float:
        """Signed sum of loaded-term weights (pro positive, critical negative)."""
        return net_weight(self.loaded_terms)

    def to_dict(self) -> dict[str, Any]:
        return {
            "index": self.index,
            "start": self.start,
            "end": self.end,
            "text": self.text,
            "label": self.label,
            "probabilities": self.probabilities,
            "loaded_terms": [m.to_dict() for m in self.loaded_terms],
        }


@dataclass(frozen=True)
class ArticleScore:
    """All scored sentences of one article and their summary."""

    source: str | None
    sentences: list[SentenceScore]
    summary: dict[str, Any] = field(default_factory=dict)
    language: str = "arabic"
    path: str | None = None  # the file it was read from, when not the source itself
    date: str | None = None  # publication date, when known (e.g. from a sources CSV)

    @property
    def arabic(self) -> bool:
        """False when the text's main language is not Arabic (see ``language``)."""
        return self.language == "arabic"

    def to_dict(self) -> dict[str, Any]:
        return article_to_dict(self)


def sentence_lean(s: SentenceScore) -> float:
    """A sentence's contribution to the article lean, in [-1, 1].

    The model's P(pro) - P(critical), pulled toward the direction of the sentence's
    loaded terms in proportion to their net weight: a net weight of 1 or more (one
    unambiguous delegitimizing label such as الكيان الصهيوني) decides the sentence, as
    the codebook's tie-break does; weaker cues only shift it.
    """
    model = s.probabilities.get("pro", 0.0) - s.probabilities.get("critical", 0.0)
    net = s.net_term_weight
    pull = min(1.0, abs(net))
    direction = 1.0 if net > 0 else -1.0
    return (1.0 - pull) * model + pull * direction


def summarize(
    sentences: Sequence[SentenceScore], classes: Sequence[str], words: int | None = None
) -> dict[str, Any]:
    """Counts, shares, lean and loaded-term figures of an article.

    ``lean`` is the mean of :func:`sentence_lean`: the expected pro share minus critical
    share under the model's probabilities, with sentences that carry loaded terms pulled
    toward the terms' direction. ``lean_model`` leaves the terms out; ``lean_hard`` is
    pro share - critical share of the predicted labels. ``loaded_term_score`` is the net
    signed term weight per 1,000 words (negative = critical framing).
    """
    n = len(sentences)
    counts = {c: 0 for c in classes}
    for s in sentences:
        counts[s.label] += 1
    shares = {c: (counts[c] / n if n else 0.0) for c in classes}
    lean_model = (
        sum(
            s.probabilities.get("pro", 0.0) - s.probabilities.get("critical", 0.0)
            for s in sentences
        )
        / n
        if n
        else 0.0
    )
    lean = sum(sentence_lean(s) for s in sentences) / n if n else 0.0
    if words is None:
        words = sum(len(s.text.split()) for s in sentences)
    matches = [m for s in sentences for m in s.loaded_terms]
    net = sum(s.net_term_weight for s in sentences)
    per_term: Counter[str] = Counter(m.term for m in matches)
    info = {m.term: m for m in matches}
    top = sorted(per_term, key=lambda t: (-per_term[t] * info[t].weight, t))[:5]
    return {
        "sentences": n,
        "counts": counts,
        "shares": {c: round(v, 4) for c, v in shares.items()},
        "lean": round(max(-1.0, min(1.0, lean)), 4),
        "lean_model": round(lean_model, 4),
        "lean_hard": round(shares.get("pro", 0.0) - shares.get("critical", 0.0), 4),
        "words": words,
        "loaded_terms": len(matches),
        "loaded_terms_per_1000_words": round(1000 * len(matches) / words, 2) if words else 0.0,
        "loaded_term_score": round(1000 * net / words, 2) if words else 0.0,
        "top_terms": [
            {
                "term": t,
                "count": per_term[t],
                "direction": info[t].direction,
                "weight": info[t].weight,
            }
            for t in top
        ],
    }


def article_to_dict(article: ArticleScore) -> dict[str, Any]:
    """The ``--format json`` object of one article."""
    out: dict[str, Any] = {"source": article.source}
    if article.path is not None:
        out["path"] = article.path
    if article.date is not None:
        out["date"] = article.date
    return {
        **out,
        "arabic": article.arabic,
        "language": article.language,
        "sentences": [s.to_dict() for s in article.sentences],
        "summary": article.summary,
    }


def _clip(text: str, width: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


def render_table(article: ArticleScore, width: int = 90) -> str:
    """A readable plain-text table: one row per sentence, then the summary."""
    lines = [f"== {article.source or '-'}"]
    if not article.arabic:
        lines.append(f"!! not Arabic (looks {article.language}): labels are unreliable")
    lines.append(f"{'#':>3}  {'label':<8} {'p':>5}  text")
    for s in article.sentences:
        p = s.probabilities[s.label]
        lines.append(f"{s.index:>3}  {s.label:<8} {p:>5.2f}  {_clip(s.text, width)}")
        if s.loaded_terms:
            terms = ", ".join(f"{m.match} ({m.direction} {m.weight:.2f})" for m in s.loaded_terms)
            lines.append(f"{'':>20}terms: {terms}")
    sm = article.summary
    counts = "  ".join(f"{k}={v}" for k, v in sm["counts"].items())
    shares = "  ".join(f"{k}={v:.0%}" for k, v in sm["shares"].items())
    lines.append(f"-- {sm['sentences']} sentences: {counts}  ({shares})")
    lines.append(
        f"-- lean {sm['lean']:+.2f} (-1 critical … +1 pro; model alone {sm['lean_model']:+.2f})"
    )
    if sm["loaded_terms"]:
        top = ", ".join(f"{t['term']} ×{t['count']}" for t in sm["top_terms"])
        lines.append(
            f"-- loaded terms: {sm['loaded_terms']} ({sm['loaded_terms_per_1000_words']}"
            f" per 1000 words), score {sm['loaded_term_score']:+.2f}; top: {top}"
        )
    return "\n".join(lines)
