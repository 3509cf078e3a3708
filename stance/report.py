"""Per-sentence scores, the per-article summary, and their text/JSON renderings."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

__all__ = ["SentenceScore", "ArticleScore", "summarize", "article_to_dict", "render_table"]


@dataclass(frozen=True)
class SentenceScore:
    """A scored sentence; ``start``/``end`` index the original article text."""

    index: int
    start: int
    end: int
    text: str
    label: str
    probabilities: dict[str, float]

    def to_dict(self) -> dict[str, Any]:
        return {
            "index": self.index,
            "start": self.start,
            "end": self.end,
            "text": self.text,
            "label": self.label,
            "probabilities": self.probabilities,
        }


@dataclass(frozen=True)
class ArticleScore:
    """All scored sentences of one article and their summary."""

    source: str | None
    sentences: list[SentenceScore]
    summary: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return article_to_dict(self)


def summarize(sentences: Sequence[SentenceScore], classes: Sequence[str]) -> dict[str, Any]:
    """Counts, shares and lean of an article.

    ``lean`` is the expected value, under the model's probabilities, of
    (pro share - critical share): the mean over sentences of P(pro) - P(critical).
    It lies in [-1, 1], uses the model's confidence instead of a hard cut at the most
    probable label, and equals ``lean_hard`` (pro share - critical share of the
    predicted labels) when the model is certain.
    """
    n = len(sentences)
    counts = {c: 0 for c in classes}
    for s in sentences:
        counts[s.label] += 1
    shares = {c: (counts[c] / n if n else 0.0) for c in classes}
    if n:
        lean = (
            sum(
                s.probabilities.get("pro", 0.0) - s.probabilities.get("critical", 0.0)
                for s in sentences
            )
            / n
        )
    else:
        lean = 0.0
    lean_hard = shares.get("pro", 0.0) - shares.get("critical", 0.0)
    return {
        "sentences": n,
        "counts": counts,
        "shares": {c: round(v, 4) for c, v in shares.items()},
        "lean": round(max(-1.0, min(1.0, lean)), 4),
        "lean_hard": round(lean_hard, 4),
    }


def article_to_dict(article: ArticleScore) -> dict[str, Any]:
    """The ``--format json`` object of one article."""
    return {
        "source": article.source,
        "sentences": [s.to_dict() for s in article.sentences],
        "summary": article.summary,
    }


def _clip(text: str, width: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


def render_table(article: ArticleScore, width: int = 90) -> str:
    """A readable plain-text table: one row per sentence, then the summary."""
    lines = [f"== {article.source or '-'}"]
    lines.append(f"{'#':>3}  {'label':<8} {'p':>5}  text")
    for s in article.sentences:
        p = s.probabilities[s.label]
        lines.append(f"{s.index:>3}  {s.label:<8} {p:>5.2f}  {_clip(s.text, width)}")
    sm = article.summary
    counts = "  ".join(f"{k}={v}" for k, v in sm["counts"].items())
    shares = "  ".join(f"{k}={v:.0%}" for k, v in sm["shares"].items())
    lines.append(f"-- {sm['sentences']} sentences: {counts}  ({shares})")
    lines.append(f"-- lean {sm['lean']:+.2f} (-1 critical … +1 pro)")
    return "\n".join(lines)
