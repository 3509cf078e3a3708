"""Why this label: each sentence's features and their signed contributions.

The model's heads are one linear layer (:class:`stance.scoring.Scorer`): the score of
head ``k`` for text ``i`` is ``intercept[k] + sum_j X[i, j] * coef[k, j]``, block by
block. So the contribution of feature ``j`` is exactly ``X[i, j] * coef[k, j]``, and
the contributions plus the intercept are the score (tests/test_explain.py checks it).

Features are mapped back to what a reader recognizes, and contributions of the same
thing are added up (the sums stay exact):

- ``word``: a word of the sentence, its token feature plus the character n-grams
  inside it (an n-gram occurring in several words is shared out by occurrences);
- ``stem``: a proclitic-stripped stem (بالكيان, للكيان -> كيان);
- ``ngram``: a stem bigram («كيان صهيوني»);
- ``loaded_term``: the lexicon features (summed and maximum weight of the critical,
  or of the pro, loaded terms), named by the terms matched in the sentence.

The evidence of a label is the head of that label (for the ``four_way`` design, its
column of the joint softmax); for the ``two_heads`` design the relevance head also
gives on-target evidence (positive: toward on target).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from .decision import OFF_TARGET
from .normalize import normalize, normalize_with_offsets

__all__ = ["Evidence", "Explainer", "label_column", "target_column", "TOP"]

TOP = 5
_LEXICON = {"critical_sum": "critical", "critical_max": "critical", "pro_sum": "pro"}
_LEXICON["pro_max"] = "pro"


@dataclass(frozen=True)
class Evidence:
    """One reason for a label: what (``kind``, ``feature``) and its signed contribution
    to the label's linear score (positive pushes toward the label)."""

    kind: str
    feature: str
    contribution: float

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "feature": self.feature,
            "contribution": round(float(self.contribution), 4),
        }

    def short(self) -> str:
        """``+0.42 كيان (stem)`` for tables and tooltips."""
        return f"{self.contribution:+.2f} {self.feature} ({self.kind.replace('_', ' ')})"


def label_column(label: str, classes: Sequence[str], design: str) -> int:
    """The column of the linear scores that decides ``label``."""
    if design == "four_way":
        return sorted([*classes, OFF_TARGET]).index(label)
    return list(classes).index(label)


def target_column(classes: Sequence[str], design: str) -> int | None:
    """The relevance logit's column (``two_heads`` only), else None."""
    return len(classes) if design == "two_heads" else None


def _occurrences(feature: str, padded: str) -> int:
    """Overlapping occurrences of a character n-gram in a space-padded word."""
    n, i = 0, padded.find(feature)
    while i >= 0:
        n += 1
        i = padded.find(feature, i + 1)
    return n


def _bare(word: str) -> str:
    """A word without the punctuation glued to its ends (the token inside it)."""
    core = "".join(c if c.isalnum() else " " for c in word).split()
    return max(core, key=len) if core else word


def _block_kind(names: list[str]) -> str:
    """``lexicon``, ``char`` (n-grams padded with spaces at word ends) or ``word``."""
    if names and all(n in _LEXICON for n in names):
        return "lexicon"
    if any(n[:1] == " " or n[-1:] == " " for n in names):
        return "char"
    return "word"


class Explainer:
    """Contributions of every feature of a :class:`~stance.scoring.Scorer`'s blocks,
    mapped to words, stems, n-grams and loaded terms."""

    def __init__(self, scorer: Any) -> None:
        self.scorer = scorer
        self.names = scorer.feature_names()
        self.kinds = [_block_kind(n) for n in self.names]

    def contributions(
        self, texts: list[str], columns: Sequence[int | None]
    ) -> list[dict[tuple[str, str], float]]:
        """Per text, ``{(kind, feature): contribution}`` to the score column given for
        it (an empty dict for None): every feature, so the values sum to the score
        minus the intercept."""
        out: list[dict[tuple[str, str], float]] = [{} for _ in texts]
        words = [normalize(t).split() for t in texts]
        terms: list[dict[str, list[str]]] | None = None
        for (Xb, coef), names, kind in zip(
            self.scorer.block_matrices(texts), self.names, self.kinds
        ):
            X = Xb.tocsr() if hasattr(Xb, "tocsr") else None
            for i, col in enumerate(columns):
                if col is None:
                    continue
                if X is not None:
                    lo, hi = X.indptr[i], X.indptr[i + 1]
                    idx, vals = X.indices[lo:hi], X.data[lo:hi]
                else:  # a dense block
                    row = np.asarray(Xb[i]).ravel()
                    idx = np.flatnonzero(row)
                    vals = row[idx]
                contrib = vals * coef[col, idx]
                acc = out[i]
                if kind == "lexicon":
                    if terms is None:
                        terms = self._terms(texts)
                    for j, c in zip(idx.tolist(), contrib.tolist()):
                        direction = _LEXICON[names[j]]
                        key = ("loaded_term", ", ".join(terms[i][direction]) or direction)
                        acc[key] = acc.get(key, 0.0) + c
                elif kind == "char":
                    self._share_out(acc, words[i], [names[j] for j in idx.tolist()], contrib)
                else:
                    for j, c in zip(idx.tolist(), contrib.tolist()):
                        key = _word_feature(names[j])
                        acc[key] = acc.get(key, 0.0) + c
        return [_surface_words(t, acc) for t, acc in zip(texts, out)]

    @staticmethod
    def _share_out(
        acc: dict[tuple[str, str], float], words: list[str], feats: list[str], contrib: Any
    ) -> None:
        """Character n-gram contributions, shared out over the words holding them."""
        padded: dict[str, int] = {}
        for w in words:
            padded[w] = padded.get(w, 0) + 1
        for f, c in zip(feats, contrib.tolist()):
            occ = [(w, _occurrences(f, f" {w} ") * k) for w, k in padded.items()]
            total = sum(n for _, n in occ)
            if not total:  # cannot happen for a fitted block; keep the sum exact anyway
                key = ("char", f.strip())
                acc[key] = acc.get(key, 0.0) + c
                continue
            for w, n in occ:
                if n:
                    key = ("word", _bare(w))
                    acc[key] = acc.get(key, 0.0) + c * n / total

    @staticmethod
    def _terms(texts: list[str]) -> list[dict[str, list[str]]]:
        """The loaded terms the lexicon features saw in each text, by direction."""
        from .lexicon import load_lexicon

        lex = load_lexicon()
        out = []
        for t in texts:
            found: dict[str, list[str]] = {"critical": [], "pro": []}
            for m in lex.find(t):
                if m.direction in found and m.term not in found[m.direction]:
                    found[m.direction].append(m.term)
            out.append(found)
        return out

    def explain(
        self, texts: list[str], columns: Sequence[int | None], top: int = TOP
    ) -> list[tuple[Evidence, ...]]:
        """The ``top`` contributions of each text by absolute value, signed."""
        out = []
        for acc in self.contributions(texts, columns):
            items = sorted(acc.items(), key=lambda kv: (-abs(kv[1]), kv[0]))[:top]
            out.append(tuple(Evidence(k, f, v) for (k, f), v in items if v != 0.0))
        return out


def _surface_words(text: str, acc: dict[tuple[str, str], float]) -> dict[tuple[str, str], float]:
    """``acc`` with each word shown as written in ``text`` (آسيا, not the normalized
    اسيا) where the text has it; values are unchanged (words spelled the same way
    after normalization add up)."""
    nt = normalize_with_offsets(text)
    surface: dict[str, str] = {}
    for m in re.finditer(r"\S+", nt.text):
        start, end = nt.original_span(m.start(), m.end())
        surface.setdefault(_bare(m.group()), _bare(text[start:end]))
    out: dict[tuple[str, str], float] = {}
    for (kind, feature), v in acc.items():
        key = (kind, surface.get(feature, feature)) if kind == "word" else (kind, feature)
        out[key] = out.get(key, 0.0) + v
    return out


def _word_feature(name: str) -> tuple[str, str]:
    if name.startswith("~") and len(name) > 1:
        return ("stem", name[1:])
    if " " in name:
        return ("ngram", name)
    return ("word", name)
