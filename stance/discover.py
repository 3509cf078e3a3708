"""Learned term discovery: words and 2-3-word phrases that separate the labels.

Each label is compared with all other sentences by the log-odds ratio with an
informative Dirichlet prior (Monroe, Colaresi & Quinn 2008, "Fightin' Words", eq. 16-22):

    delta_w = log((y_iw + a_w) / (n_i + a0 - y_iw - a_w))
            - log((y_jw + a_w) / (n_j + a0 - y_jw - a_w))
    var(delta_w) ~= 1 / (y_iw + a_w) + 1 / (y_jw + a_w),   z_w = delta_w / sqrt(var)

where y_iw counts n-gram w in label i, y_jw in the rest, n_i and n_j are total n-gram
counts, and the prior a_w = prior_scale * (count of w in the whole corpus), a0 = sum a_w.
The prior shrinks rare n-grams toward zero, so the ranking is not led by hapaxes.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Collection, Sequence
from dataclasses import asdict, dataclass
from functools import lru_cache
from importlib import resources

from .normalize import normalize
from .vectorize import tokenize

__all__ = ["DiscoveredTerm", "ngrams", "discover_terms", "load_stopwords"]


@dataclass(frozen=True)
class DiscoveredTerm:
    """An n-gram that separates ``label`` from the other labels."""

    label: str
    ngram: str
    n: int
    count_label: int
    count_rest: int
    log_odds: float
    z: float
    in_lexicon: bool

    def to_dict(self) -> dict[str, object]:
        return asdict(self)


@lru_cache(maxsize=1)
def load_stopwords() -> frozenset[str]:
    """The function words of ``stance/data/stopwords.tsv``, normalized."""
    text = resources.files("stance").joinpath("data/stopwords.tsv").read_text(encoding="utf-8")
    words = (line.strip() for line in text.splitlines())
    return frozenset(normalize(w) for w in words if w and not w.startswith("#"))


def ngrams(text: str, max_n: int = 3) -> list[str]:
    """Word 1..max_n-grams of normalized text (punctuation tokens are not words)."""
    words = [t for t in tokenize(normalize(text)) if t[0].isalnum()]
    out = []
    for n in range(1, max_n + 1):
        out.extend(" ".join(words[i : i + n]) for i in range(len(words) - n + 1))
    return out


def discover_terms(
    texts: Sequence[str],
    labels: Sequence[str],
    max_n: int = 3,
    min_count: int = 3,
    prior_scale: float = 0.5,
    top: int = 30,
    lexicon: object | None = None,
    stopwords: Collection[str] | None = None,
) -> dict[str, list[DiscoveredTerm]]:
    """Rank n-grams per label by z-score of the prior-smoothed log-odds ratio.

    ``lexicon`` (a :class:`stance.lexicon.Lexicon`) marks n-grams it already covers.
    An n-gram made only of ``stopwords`` (normalized words; e.g. :func:`load_stopwords`)
    is not ranked, though it still counts in the totals the log-odds use.
    Returns ``{label: [DiscoveredTerm, ...]}`` with the ``top`` highest z-scores.
    """
    if isinstance(texts, str):
        raise TypeError("discover_terms expects a list of texts, got a single str")
    if len(texts) != len(labels):
        raise ValueError(f"{len(texts)} texts but {len(labels)} labels")
    per_label: dict[str, Counter[str]] = {}
    for text, label in zip(texts, labels):
        per_label.setdefault(label, Counter()).update(ngrams(text, max_n))
    total: Counter[str] = Counter()
    for c in per_label.values():
        total.update(c)
    vocab = [w for w, c in total.items() if c >= min_count]
    alpha = {w: prior_scale * total[w] for w in vocab}
    a0 = sum(alpha.values())
    lex_forms = _lexicon_forms(lexicon)
    stop = frozenset(stopwords or ())
    ranked = [w for w in vocab if not (stop and all(t in stop for t in w.split(" ")))]
    result: dict[str, list[DiscoveredTerm]] = {}
    for label, counts in sorted(per_label.items()):
        n_i = sum(counts.values())
        n_j = sum(total.values()) - n_i
        rows = []
        for w in ranked:
            yi, yj, a = counts.get(w, 0), total[w] - counts.get(w, 0), alpha[w]
            delta = math.log((yi + a) / (n_i + a0 - yi - a)) - math.log(
                (yj + a) / (n_j + a0 - yj - a)
            )
            z = delta / math.sqrt(1.0 / (yi + a) + 1.0 / (yj + a))
            if z > 0:
                rows.append(
                    DiscoveredTerm(
                        label,
                        w,
                        w.count(" ") + 1,
                        yi,
                        yj,
                        round(delta, 4),
                        round(z, 4),
                        _covered(w, lex_forms, lexicon),
                    )
                )
        rows.sort(key=lambda r: (-r.z, r.ngram))
        result[label] = rows[:top]
    return result


def _lexicon_forms(lexicon: object | None) -> list[str]:
    if lexicon is None:
        return []
    forms = []
    for t in lexicon.terms:  # type: ignore[attr-defined]
        forms.extend(" ".join(normalize(f).split()) for f in (t.term, *t.variants))
    return forms


def _covered(ngram: str, forms: list[str], lexicon: object | None) -> bool:
    """True if the lexicon matches the whole n-gram or the n-gram is part of a term."""
    if lexicon is None:
        return False
    padded = f" {ngram} "
    if any(padded in f" {f} " for f in forms):
        return True
    return any(m.start == 0 and m.end == len(ngram) for m in lexicon.find(ngram))  # type: ignore[attr-defined]
