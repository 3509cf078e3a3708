"""A keyword rule: the baseline every real-text figure is compared with.

Twenty words that a reader would reach for first: critical words (delegitimizing
names, betrayal, boycott) against favourable words (peace, prosperity, coexistence,
historic). A text with more critical than favourable words is critical, the reverse
pro, otherwise neutral. Matching is the lexicon's (normalized, clitic-aware). The list
is fixed: it is a yardstick, not tuned on any evaluation set.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache

from .lexicon import Lexicon, Term

__all__ = ["KEYWORDS", "keyword_labels"]

KEYWORDS: dict[str, tuple[str, ...]] = {
    "critical": (
        "الكيان",
        "الصهيوني",
        "الصهاينة",
        "الاحتلال",
        "العدو",
        "خيانة",
        "العار",
        "المطبعين",
        "مقاطعة",
        "صفقة القرن",
        "رفض التطبيع",
    ),
    "pro": (
        "السلام",
        "الازدهار",
        "التعايش",
        "التسامح",
        "تاريخية",
        "تاريخي",
        "فرص",
        "شراكة",
        "التعاون",
    ),
}


@lru_cache(maxsize=1)
def _lexicon() -> Lexicon:
    terms = [
        Term(word, (), direction, 1.0, "euphemism", "", "keyword baseline")
        for direction, words in KEYWORDS.items()
        for word in words
    ]
    return Lexicon(terms, "keyword-baseline")


def keyword_labels(texts: Iterable[str]) -> list[str]:
    """The keyword rule's label for each text."""
    lex = _lexicon()
    out = []
    for text in texts:
        net = sum(1 if m.direction == "pro" else -1 for m in lex.find(text))
        out.append("pro" if net > 0 else "critical" if net < 0 else "neutral")
    return out
