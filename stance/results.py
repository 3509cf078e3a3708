"""Per-sentence scores and the per-article summary: data only (renderings are in
stance.render)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from .lexicon import TermMatch, net_weight

__all__ = [
    "Prediction",
    "SentenceScore",
    "ArticleScore",
    "sentence_lean",
    "summarize",
    "article_to_dict",
]


@dataclass(frozen=True)
class Prediction:
    """The model's verdict on one text.

    ``on_target``: probability that the text is about the target (the accords and
    normalization with Israel), None for a model without a relevance stage;
    ``about_target``: whether it counts as on target (off-target texts are neutral).
    """

    label: str
    probabilities: dict[str, float]
    on_target: float | None = None
    about_target: bool = True

    def to_dict(self) -> dict[str, Any]:
        return {
            "label": self.label,
            "probabilities": self.probabilities,
            "on_target": self.on_target,
            "about_target": self.about_target,
        }


@dataclass(frozen=True)
class SentenceScore:
    """A scored sentence; ``start``/``end`` index the original article text.

    ``furniture``: the kind of page furniture the sentence is (``"share"``,
    ``"byline"``, ... see :mod:`stance.furniture`), None for article text; furniture
    keeps its label and probabilities but counts nowhere. ``evidence`` /
    ``target_evidence``: why it got its label / its on-target probability
    (:class:`stance.explain.Evidence`, top first), None when not computed.
    """

    index: int
    start: int
    end: int
    text: str
    label: str
    probabilities: dict[str, float]
    loaded_terms: tuple[TermMatch, ...] = ()
    on_target: float | None = None
    about_target: bool = True
    furniture: str | None = None
    evidence: tuple[Any, ...] | None = None
    target_evidence: tuple[Any, ...] | None = None

    @property
    def counted(self) -> bool:
        """Whether the sentence counts in the summary (it is not page furniture)."""
        return self.furniture is None

    @property
    def net_term_weight(self) -> float:
        """Signed sum of loaded-term weights (pro positive, critical negative)."""
        return net_weight(self.loaded_terms)

    def to_dict(self) -> dict[str, Any]:
        out = {
            "index": self.index,
            "start": self.start,
            "end": self.end,
            "text": self.text,
            "label": self.label,
            "probabilities": self.probabilities,
            "on_target": self.on_target,
            "about_target": self.about_target,
            "furniture": self.furniture,
            "loaded_terms": [m.to_dict() for m in self.loaded_terms],
        }
        if self.evidence is not None:
            out["evidence"] = [e.to_dict() for e in self.evidence]
        if self.target_evidence is not None:
            out["target_evidence"] = [e.to_dict() for e in self.target_evidence]
        return out


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
    """Counts, shares, target relevance, lean and loaded-term figures of an article.

    Page furniture (``SentenceScore.furniture``) is left out of every figure:
    ``sentences`` counts the other sentences, ``furniture_sentences`` the furniture.
    ``counts``/``shares`` cover every other sentence (off-target ones are neutral).
    ``on_target_sentences``/``on_target_share`` count the sentences about the target;
    ``lean``, ``lean_model``, ``lean_hard`` and the loaded-term figures cover those
    sentences only, so an article with none has no lean (None), not a lean of 0.
    ``lean`` is the mean of :func:`sentence_lean`: the expected pro share minus
    critical share under the model's probabilities, with sentences that carry loaded
    terms pulled toward the terms' direction. ``lean_model`` leaves the terms out;
    ``lean_hard`` is pro share - critical share of the predicted labels.
    ``loaded_term_score`` is the net signed term weight per 1,000 words of the
    on-target sentences (negative = critical framing).
    """
    furniture = sum(not s.counted for s in sentences)
    sentences = [s for s in sentences if s.counted]
    n = len(sentences)
    counts = {c: 0 for c in classes}
    for s in sentences:
        counts[s.label] += 1
    shares = {c: (counts[c] / n if n else 0.0) for c in classes}
    if words is None:
        words = sum(len(s.text.split()) for s in sentences)
    on = [s for s in sentences if s.about_target]
    k = len(on)
    on_words = sum(len(s.text.split()) for s in on)

    def mean(values: Any) -> float | None:
        return round(max(-1.0, min(1.0, sum(values) / k)), 4) if k else None

    matches = [m for s in on for m in s.loaded_terms]
    net = sum(s.net_term_weight for s in on)
    per_term: Counter[str] = Counter(m.term for m in matches)
    info = {m.term: m for m in matches}
    top = sorted(per_term, key=lambda t: (-per_term[t] * info[t].weight, t))[:5]
    on_counts = Counter(s.label for s in on)
    return {
        "sentences": n,
        "furniture_sentences": furniture,
        "counts": counts,
        "shares": {c: round(v, 4) for c, v in shares.items()},
        "on_target_sentences": k,
        "on_target_share": round(k / n, 4) if n else 0.0,
        "on_target_counts": {c: on_counts[c] for c in classes},
        "lean": mean(sentence_lean(s) for s in on),
        "lean_model": mean(
            s.probabilities.get("pro", 0.0) - s.probabilities.get("critical", 0.0) for s in on
        ),
        "lean_hard": round((on_counts["pro"] - on_counts["critical"]) / k, 4) if k else None,
        "words": words,
        "on_target_words": on_words,
        "loaded_terms": len(matches),
        "loaded_terms_per_1000_words": round(1000 * len(matches) / on_words, 2)
        if on_words
        else None,
        "loaded_term_score": round(1000 * net / on_words, 2) if on_words else None,
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
