"""Why this label: each sentence's features and their signed contributions.

The model's heads are one linear layer (:class:`stance.linear.Scorer`): the score of
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
from functools import lru_cache
from typing import Any

import numpy as np
from scipy import sparse

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


def _wb_ngrams(word: str, lo: int, hi: int) -> list[str]:
    """The character n-grams (``lo``..``hi``) of one word padded with spaces, as
    scikit-learn's ``analyzer="char_wb"`` makes them (a padded word no longer than n
    gives itself once, and longer n-grams none)."""
    w = f" {word} "
    out = []
    for n in range(max(lo, 1), hi + 1):
        if len(w) <= n:
            out.append(w)
            break
        out.extend(w[i : i + n] for i in range(len(w) - n + 1))
    return out


@lru_cache(maxsize=1 << 14)
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


class _Pieces:
    """(key, column, weight) triplets of one text and block: ``add(key, j, w)``, or
    many at once with :meth:`add_many`."""

    def __init__(self, index: dict[tuple[str, str], int]) -> None:
        self.index = index
        self.rows: list[Any] = []
        self.cols: list[Any] = []
        self.weights: list[Any] = []

    def __call__(self, key: tuple[str, str], j: int, w: float) -> None:
        self.rows.append([self.index.setdefault(key, len(self.index))])
        self.cols.append([j])
        self.weights.append([w])

    def add_many(
        self, keys: list[tuple[str, str]], rows: np.ndarray, cols: np.ndarray, w: np.ndarray
    ) -> None:
        """Triplets whose keys are ``keys[rows]``."""
        ids = np.array([self.index.setdefault(k, len(self.index)) for k in keys], dtype=np.intp)
        self.rows.append(ids[rows])
        self.cols.append(cols)
        self.weights.append(w)

    def product(self, coef_t: np.ndarray) -> np.ndarray:
        """keys x heads: the triplets' weights times the block's coefficients
        (``coef_t``: features x heads)."""
        out = np.zeros((len(self.index), coef_t.shape[1]))
        if not self.rows:
            return out
        rows = np.concatenate([np.asarray(r, dtype=np.intp) for r in self.rows])
        cols = np.concatenate([np.asarray(c, dtype=np.intp) for c in self.cols])
        weights = np.concatenate([np.asarray(w, dtype=float) for w in self.weights])
        np.add.at(out, rows, weights[:, None] * coef_t[cols])
        return out


class Explainer:
    """Contributions of every feature of a :class:`~stance.linear.Scorer`'s blocks,
    mapped to words, stems, n-grams and loaded terms."""

    def __init__(self, scorer: Any) -> None:
        self.scorer = scorer
        self.names = scorer.feature_names()
        self.kinds = [_block_kind(n) for n in self.names]
        # For a character block: its n-gram lengths (a vocabulary holds only n-grams
        # of its range, so the names give it) and each name's column.
        self.char_index = [
            {f: j for j, f in enumerate(names)} if kind == "char" else {}
            for names, kind in zip(self.names, self.kinds)
        ]
        self.char_range = [
            (min(map(len, names)), max(map(len, names))) if kind == "char" and names else (0, 0)
            for names, kind in zip(self.names, self.kinds)
        ]
        # word -> {column: occurrences} of its character n-grams, per block
        self._word_cache: list[dict[str, Any]] = [{} for _ in self.names]
        self._coef_t: dict[int, np.ndarray] = {}  # per block: features x heads, contiguous

    def pieces(self, texts: list[str]) -> list[tuple[list[tuple[str, str]], np.ndarray]]:
        """Per text, (keys, matrix): ``matrix[k]`` @ coefficients of a head, summed, is
        what key ``k`` contributes to that head's score (``matrix`` is keys x heads, so
        every head is explained by one product). The rows add up to the score minus
        the intercept, exactly."""
        n_heads = self.scorer.intercept.shape[0]
        keys: list[dict[tuple[str, str], int]] = [{} for _ in texts]
        parts: list[list[np.ndarray]] = [[] for _ in texts]
        words = [normalize(t).split() for t in texts]
        terms: list[dict[str, list[str]]] | None = None
        for b, ((Xb, coef), names, kind) in enumerate(
            zip(self.scorer.block_matrices(texts), self.names, self.kinds)
        ):
            X = Xb.tocsr() if hasattr(Xb, "tocsr") else sparse.csr_matrix(np.asarray(Xb))
            coef_t = self._coef_t.get(b)
            if coef_t is None or coef_t.shape[0] != coef.shape[1]:
                coef_t = self._coef_t[b] = np.ascontiguousarray(coef.T)
            if kind == "lexicon" and terms is None:
                terms = self._terms(texts)
            for i in range(len(texts)):
                lo, hi = X.indptr[i], X.indptr[i + 1]
                idx, vals = X.indices[lo:hi], X.data[lo:hi]
                if not len(idx):
                    continue
                add = _Pieces(keys[i])
                if kind == "lexicon":
                    for j, v in zip(idx.tolist(), vals.tolist()):
                        direction = _LEXICON[names[j]]
                        found = terms[i][direction]  # type: ignore[index]
                        add(("loaded_term", ", ".join(found) or direction), j, v)
                elif kind == "char":
                    self._share_out(add, words[i], idx, vals, b)
                else:
                    word_keys = [_word_feature(names[j]) for j in idx.tolist()]
                    add.add_many(word_keys, np.arange(len(idx)), idx, vals)
                parts[i].append(add.product(coef_t))
        out = []
        for i, text in enumerate(texts):
            total = np.zeros((len(keys[i]), n_heads))
            for part in parts[i]:
                total[: part.shape[0]] += part
            out.append(_surface_words(text, list(keys[i]), total))
        return out

    def contributions(
        self, texts: list[str], columns: Sequence[int | None]
    ) -> list[dict[tuple[str, str], float]]:
        """Per text, ``{(kind, feature): contribution}`` to the score column given for
        it (an empty dict for None): every feature, so the values sum to the score
        minus the intercept."""
        return [
            {} if col is None else dict(zip(k, m[:, col].tolist()))
            for (k, m), col in zip(self.pieces(texts), columns)
        ]

    def _ngram_counts(self, block: int, word: str) -> tuple[np.ndarray, np.ndarray]:
        """(columns, occurrences) of the vocabulary's character n-grams in ``word``."""
        cache = self._word_cache[block]
        got = cache.get(word)
        if got is None:
            if len(cache) > 100_000:  # bounds memory on endless new words
                cache.clear()
            index, (lo, hi) = self.char_index[block], self.char_range[block]
            counts: dict[int, int] = {}
            for f in _wb_ngrams(word, lo, hi):
                j = index.get(f)
                if j is not None:
                    counts[j] = counts.get(j, 0) + 1
            got = cache[word] = (
                np.fromiter(counts.keys(), dtype=np.intp, count=len(counts)),
                np.fromiter(counts.values(), dtype=float, count=len(counts)),
            )
        return got

    def _share_out(self, add: _Pieces, words: list[str], idx: Any, vals: Any, block: int) -> None:
        """Character n-gram values (columns ``idx`` of block ``block``), shared out over
        the words holding them in proportion to their occurrences."""
        times: dict[str, int] = {}
        for w in words:  # a repeated word counts each time, as in the features
            times[w] = times.get(w, 0) + 1
        order = np.argsort(idx, kind="stable")
        cols_sorted, vals_sorted = idx[order], vals[order]
        seen = np.zeros(len(cols_sorted), dtype=bool)
        if times:
            per_word = [self._ngram_counts(block, w) for w in times]
            cols = np.concatenate([c for c, _ in per_word])
            occ = np.concatenate([n * k for (_, n), k in zip(per_word, times.values())])
            rows = np.repeat(np.arange(len(per_word)), [len(c) for c, _ in per_word])
            pos = np.minimum(np.searchsorted(cols_sorted, cols), max(len(cols_sorted) - 1, 0))
            hit = cols_sorted[pos] == cols if len(cols_sorted) else np.zeros(len(cols), bool)
            pos, occ, rows, cols = pos[hit], occ[hit], rows[hit], cols[hit]
            total = np.zeros(len(cols_sorted))
            np.add.at(total, pos, occ)
            seen[pos] = True
            keys = [("word", _bare(w)) for w in times]
            add.add_many(keys, rows, cols, vals_sorted[pos] * occ / total[pos])
        for j, v in zip(cols_sorted[~seen].tolist(), vals_sorted[~seen].tolist()):
            add(("char", self.names[block][j].strip()), j, v)  # keeps the sums exact

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
        self, texts: list[str], columns: Sequence[Sequence[int | None]], top: int = TOP
    ) -> list[list[tuple[Evidence, ...] | None]]:
        """For each text and each of its columns (None: no evidence), the ``top``
        contributions by absolute value, signed."""
        out = []
        for (k, m), cols in zip(self.pieces(texts), columns):
            row: list[tuple[Evidence, ...] | None] = []
            for col in cols:
                if col is None:
                    row.append(None)
                    continue
                items = sorted(zip(k, m[:, col].tolist()), key=lambda kv: (-abs(kv[1]), kv[0]))
                row.append(tuple(Evidence(kd, f, v) for (kd, f), v in items[:top] if v != 0.0))
            out.append(row)
        return out


def _surface_words(
    text: str, keys: list[tuple[str, str]], matrix: np.ndarray
) -> tuple[list[tuple[str, str]], np.ndarray]:
    """``keys`` with each word shown as written in ``text`` (آسيا, not the normalized
    اسيا) where the text has it; rows of words spelled the same way after
    normalization are added up."""
    nt = normalize_with_offsets(text)
    surface: dict[str, str] = {}
    for m in re.finditer(r"\S+", nt.text):
        start, end = nt.original_span(m.start(), m.end())
        surface.setdefault(_bare(m.group()), _bare(text[start:end]))
    out: dict[tuple[str, str], int] = {}
    rows = []
    for kind, feature in keys:
        key = (kind, surface.get(feature, feature)) if kind == "word" else (kind, feature)
        rows.append(out.setdefault(key, len(out)))
    if len(out) == len(keys):
        return list(out), matrix
    merged = np.zeros((len(out), matrix.shape[1]))
    np.add.at(merged, rows, matrix)
    return list(out), merged


@lru_cache(maxsize=1 << 16)
def _word_feature(name: str) -> tuple[str, str]:
    if name.startswith("~") and len(name) > 1:
        return ("stem", name[1:])
    if " " in name:
        return ("ngram", name)
    return ("word", name)
