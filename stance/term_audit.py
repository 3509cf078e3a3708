"""Does each loaded term earn its weight on real text? Count, per term, the labelled
sentences it fires in, how many are on target, and how many carry the term's own
direction (``stance terms audit``).

A term that fires mostly on neutral or off-target sentences adds noise to the lean and
the loaded-term score: re-weigh it (or drop it) in ``stance/data/lexicon.tsv``.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from .lexicon import Lexicon

__all__ = ["TermAudit", "audit_terms"]


@dataclass(frozen=True)
class TermAudit:
    """How one term fared: ``sentences`` it fires in, ``labels`` of those sentences,
    ``on_target`` among them (None when the data has no target), ``agree`` = sentences
    whose label is the term's direction."""

    term: str
    direction: str
    weight: float
    sentences: int
    labels: dict[str, int] = field(hash=False)
    on_target: int | None
    agree: int

    @property
    def precision(self) -> float:
        """Share of the term's sentences labelled in its direction."""
        return self.agree / self.sentences if self.sentences else 0.0

    def to_dict(self) -> dict[str, Any]:
        return {
            "term": self.term,
            "direction": self.direction,
            "weight": self.weight,
            "sentences": self.sentences,
            "labels": dict(self.labels),
            "on_target": self.on_target,
            "agree": self.agree,
            "precision": round(self.precision, 4),
        }


def audit_terms(rows: Iterable[Mapping[str, Any]], lexicon: Lexicon) -> list[TermAudit]:
    """Audit every term that fires in ``rows`` (dicts with ``text``, ``label`` and an
    optional boolean ``target``), lowest precision first, then most frequent."""
    fired: dict[str, list[Mapping[str, Any]]] = {}
    info = {t.term: t for t in lexicon.terms}
    for row in rows:
        for term in {m.term for m in lexicon.find(row["text"])}:
            fired.setdefault(term, []).append(row)
    out = []
    for term, hits in fired.items():
        t = info[term]
        targets = [r.get("target") for r in hits]
        known = all(isinstance(x, bool) for x in targets)
        out.append(
            TermAudit(
                term,
                t.direction,
                t.weight,
                len(hits),
                dict(Counter(r["label"] for r in hits)),
                sum(targets) if known else None,
                sum(r["label"] == t.direction for r in hits),
            )
        )
    out.sort(key=lambda a: (a.precision, -a.sentences, a.term))
    return out
