"""The feature arithmetic of the classifier, without scikit-learn.

Tokenization, character n-grams, and the TF-IDF blocks that turn texts into the exact
matrices of ``TfidfVectorizer(sublinear_tf=True)`` given a fitted vocabulary and idf.
``stance.features`` wraps these in scikit-learn estimators for training;
``stance.linear`` uses them directly, so scoring never imports scikit-learn.

Why one module over 400 lines: training (``stance.features``) and scoring
(``stance.linear``) must produce the same numbers from these functions; one module is
the single definition of the feature arithmetic both rely on.
"""

from __future__ import annotations

import re
from functools import lru_cache
from itertools import chain, repeat
from typing import Any, NamedTuple

import numpy as np
from scipy import sparse

from .normalize import normalize

__all__ = [
    "tokenize",
    "light_stem",
    "char_wb_ngrams",
    "fit_idf",
    "CharBlock",
    "WordBlock",
    "lexicon_features",
    "LexiconBlock",
    "OnePass",
    "PassResult",
]

# Words, numbers, and the punctuation that carries stance (quotes, brackets, colon of
# attribution). scikit-learn's default token_pattern drops one-letter words and all of it.
_TOKEN = re.compile(r"[^\W_]+|[\"'()\[\]:؟?!]")
_PROCLITICS = ("وبال", "وكال", "وال", "فال", "بال", "كال", "لل", "ال", "و", "ف", "ب", "ل", "ك")


def tokenize(text: str) -> list[str]:
    """Tokens of already-normalized text: words, numbers and stance punctuation."""
    return _TOKEN.findall(text)


@lru_cache(maxsize=1 << 16)
def light_stem(token: str) -> str:
    """Strip one proclitic cluster (و ف ب ك ل + ال) so بالكيان, للكيان and والكيان share
    the stem كيان; a stem is kept only if three or more letters remain."""
    for p in _PROCLITICS:
        if token.startswith(p) and len(token) - len(p) >= 3:
            return token[len(p) :]
    return token


def char_wb_ngrams(word: str, ngram_range: tuple[int, int]) -> list[str]:
    """Character n-grams of one word padded with spaces, exactly as scikit-learn's
    ``analyzer="char_wb"`` makes them (a word shorter than n gives itself once)."""
    w = f" {word} "
    size = len(w)
    out = []
    for n in range(ngram_range[0], ngram_range[1] + 1):
        if size <= n:
            out.append(w)  # sklearn counts a short padded word once, then stops
            break
        out.extend(w[i : i + n] for i in range(size - n + 1))
    return out


# A cache entry per distinct word; cleared when it grows past this, which bounds memory
# on endless streams (news vocabularies settle in the tens of thousands of words).
_CACHE_WORDS = 200_000


class _Rows:
    """The rows of a CSR matrix (units x features, a unit's feature ids with repeats)
    that grows in place (capacity doubles), so a batch costs the new units only."""

    def __init__(self) -> None:
        # int32 like scipy's own index arrays (a table holds at most _CACHE_WORDS units
        # of a few dozen ids each), so building a matrix from them copies nothing.
        self.ptr = np.zeros(1024, dtype=np.int32)
        self.ids = np.zeros(16384, dtype=np.int32)
        self.size = 0

    def _reserve(self, rows: int, ids: int) -> int:
        """Room for ``rows`` more rows holding ``ids`` more ids; the current end of ids."""
        n, end = self.size, int(self.ptr[self.size])
        while n + rows + 1 > len(self.ptr):
            self.ptr = np.resize(self.ptr, 2 * len(self.ptr))
        while end + ids > len(self.ids):
            self.ids = np.resize(self.ids, 2 * len(self.ids))
        return end

    def append(self, ids: np.ndarray) -> int:
        """Add a row; return its number."""
        n, end = self.size, self._reserve(1, len(ids))
        self.ids[end : end + len(ids)] = ids
        self.ptr[n + 1] = end + len(ids)
        self.size = n + 1
        return n

    def extend(self, ids: np.ndarray, lengths: np.ndarray) -> None:
        """Add ``len(lengths)`` rows at once: row k holds the next ``lengths[k]`` of ``ids``."""
        n, k = self.size, len(lengths)
        end = self._reserve(k, len(ids))
        self.ids[end : end + len(ids)] = ids
        self.ptr[n + 1 : n + k + 1] = end + np.cumsum(lengths)
        self.size = n + k

    def row(self, n: int) -> np.ndarray:
        return self.ids[self.ptr[n] : self.ptr[n + 1]]

    def gather(self, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The ids of ``rows`` one after the other, and each row's length."""
        starts = self.ptr[rows]
        lengths = self.ptr[rows + 1] - starts
        total = int(lengths.sum())
        # Position j of the output is start(row of j) + (j - first output of that row).
        offsets = np.repeat(starts - (np.cumsum(lengths) - lengths), lengths)
        return self.ids[offsets + np.arange(total)], lengths

    def matrix(self, n_features: int) -> sparse.csr_matrix:
        nnz = int(self.ptr[self.size])
        return sparse.csr_matrix(
            (_ones(nnz), self.ids[:nnz], self.ptr[: self.size + 1]),
            shape=(self.size, n_features),
        )


_ONES = np.ones(0)


def _ones(n: int) -> np.ndarray:
    """A read-only array of ``n`` ones: a view of one shared buffer, so the 0/1 matrices
    built for every batch do not each allocate and fill their own."""
    global _ONES
    if len(_ONES) < n:
        _ONES = np.ones(max(n, 2 * len(_ONES)))
        _ONES.flags.writeable = False
    return _ONES[:n]


def _rows_of(index: dict[str, int], units: list[str], add: Any) -> np.ndarray:
    """The row of each of ``units`` in ``index``; the new ones go, distinct and in
    order of first occurrence, to ``add(new)``, which gives them rows in ``index``.
    One C-level lookup per unit: a stream's units are nearly all known."""
    rows = np.fromiter(map(index.get, units, repeat(-1)), dtype=np.int32, count=len(units))
    missing = np.flatnonzero(rows < 0)
    if len(missing):
        add(list(dict.fromkeys(units[i] for i in missing.tolist())))
        rows[missing] = [index[units[i]] for i in missing.tolist()]
    return rows


_NONE = np.zeros(0, dtype=np.int32)
_WORD_MASK = (1 << 64) - 1


class _UnitTable(_Rows):
    """Units seen so far (words, or word bigrams) and their feature ids, as the rows of
    a CSR matrix that grows in place."""

    def __init__(self) -> None:
        super().__init__()
        self.index: dict[str, int] = {}
        self.units: list[str] = []
        # Pairs of rows (word bigrams) -> a feature id or -1, as sorted int64 keys.
        self.pair_keys = np.zeros(0, dtype=np.int64)
        self.pair_ids = np.zeros(0, dtype=np.int32)

    def rows(self, units: list[str], ids_many: Any) -> np.ndarray:
        """Row numbers of ``units``, adding the new ones (``ids_many(new_units)``
        gives their feature ids, one after the other, and how many each has)."""

        def add(new: list[str]) -> None:
            self.index.update(zip(new, range(self.size, self.size + len(new))))
            self.units.extend(new)
            self.extend(*ids_many(new))

        return _rows_of(self.index, units, add)

    def pair_features(self, keys: np.ndarray, pair_ids: Any) -> np.ndarray:
        """Feature id (or -1) of each pair key ``(row_a << 32) | row_b``; new pairs
        are resolved once with ``pair_ids(units_a, units_b)`` (an id or -1 each)."""
        pos = self._positions(keys)
        known = pos < len(self.pair_keys)
        known[known] = self.pair_keys[pos[known]] == keys[known]
        if not known.all():
            new = np.unique(keys[~known])
            units = self.units
            ids = pair_ids(
                [units[k] for k in (new >> 32).tolist()],
                [units[k] for k in (new & 0xFFFFFFFF).tolist()],
            )
            keys_all = np.concatenate([self.pair_keys, new])
            order = np.argsort(keys_all, kind="stable")
            self.pair_keys = keys_all[order]
            self.pair_ids = np.concatenate([self.pair_ids, ids])[order]
            pos = self._positions(keys)
        return self.pair_ids[pos]

    def _positions(self, keys: np.ndarray) -> np.ndarray:
        """``searchsorted(pair_keys, keys)``, with the keys sorted first: a search for
        sorted keys starts where the previous one ended, which halves the time."""
        order = np.argsort(keys)
        pos = np.empty(len(keys), dtype=np.intp)
        pos[order] = np.searchsorted(self.pair_keys, keys[order])
        return pos


def _docs_units(rows: np.ndarray, doc_ptr: np.ndarray, n_units: int) -> sparse.csr_matrix:
    """Documents x units: a 1 for every occurrence (repeats add up in the product)."""
    return sparse.csr_matrix((_ones(len(rows)), rows, doc_ptr), shape=(len(doc_ptr) - 1, n_units))


def _l2_rows(X: sparse.csr_matrix) -> sparse.csr_matrix:
    """Scale each row to unit length in place (empty rows stay empty), as
    ``sklearn.preprocessing.normalize`` does, without its input validation."""
    per_row = np.diff(X.indptr)
    row_of = np.repeat(np.arange(X.shape[0]), per_row)
    norms = np.sqrt(np.bincount(row_of, weights=X.data * X.data, minlength=X.shape[0]))
    norms[norms == 0.0] = 1.0
    X.data /= np.repeat(norms, per_row)
    return X


class _Block:
    """A fitted TF-IDF block: ``vocabulary`` (feature -> column) and ``idf``.

    A document's counts are (documents x units, how often each unit occurs) @ (units x
    features, each unit's feature ids): one sparse product per batch. Units (words)
    are analysed once and kept in a table, so Python touches each new unit once and
    each occurrence with one C-level dict lookup.
    """

    def __init__(self, vocabulary: dict[str, int], idf: np.ndarray) -> None:
        self.vocabulary = vocabulary
        self.idf = idf
        self._table = _UnitTable()

    def units(self, doc: str) -> list[str]:
        raise NotImplementedError

    def unit_features(self, unit: str) -> list[str]:
        raise NotImplementedError

    def ids_many(self, units: list[str]) -> tuple[np.ndarray, np.ndarray]:
        """Feature ids of ``units``, one unit after the other, with repeats (a word's
        n-grams can repeat), and how many each unit has."""
        feats = [self.unit_features(u) for u in units]
        return self._lookup([f for fs in feats for f in fs], list(map(len, feats)))

    def _lookup(self, feats: list[str], per_unit: Any) -> tuple[np.ndarray, np.ndarray]:
        """The ids of ``feats`` that are in the vocabulary, and how many of each unit's
        ``per_unit`` features they are (the features are the units' one after the other)."""
        ids = np.fromiter(map(self.vocabulary.get, feats, repeat(-1)), np.int32, len(feats))
        kept = ids >= 0
        bounds = np.zeros(len(per_unit) + 1, dtype=np.int64)
        np.cumsum(per_unit, out=bounds[1:])
        counts = np.concatenate([[0], np.cumsum(kept)])
        return ids[kept], counts[bounds[1:]] - counts[bounds[:-1]]

    def _table_for(self, n_new: int) -> _UnitTable:
        if self._table.size + n_new > _CACHE_WORDS:
            self._table = _UnitTable()  # bounds memory on endless new words
        return self._table

    def _weigh(self, counts: sparse.csr_matrix) -> sparse.csr_matrix:
        """Counts -> sublinear tf * idf, l2-normalized rows (TfidfVectorizer's steps)."""
        np.log(counts.data, counts.data)
        counts.data += 1.0
        counts.data *= self.idf[counts.indices]
        return _l2_rows(counts) if counts.shape[0] else counts

    def transform(self, docs: list[str]) -> sparse.csr_matrix:
        occurrences: list[str] = []
        doc_ptr = np.zeros(len(docs) + 1, dtype=np.int64)
        for i, doc in enumerate(docs):
            occurrences.extend(self.units(doc))
            doc_ptr[i + 1] = len(occurrences)
        table = self._table_for(len(occurrences))
        rows = table.rows(occurrences, self.ids_many)
        # The product sums repeats into counts and has no duplicate entries; its ids
        # are not sorted within rows, which changes nothing but summation order.
        counts = _docs_units(rows, doc_ptr, table.size) @ table.matrix(len(self.vocabulary))
        return self._weigh(sparse.csr_matrix(counts))


class CharBlock(_Block):
    """Character n-grams inside whitespace-separated words of the normalized text
    (scikit-learn's ``analyzer="char_wb"``)."""

    def __init__(
        self, vocabulary: dict[str, int], idf: np.ndarray, ngram_range: tuple[int, int]
    ) -> None:
        super().__init__(vocabulary, idf)
        self.ngram_range = (int(ngram_range[0]), int(ngram_range[1]))

    def units(self, doc: str) -> list[str]:
        return normalize(doc).split()

    def unit_features(self, unit: str) -> list[str]:
        return char_wb_ngrams(unit, self.ngram_range)

    def ids_many(self, units: list[str]) -> tuple[np.ndarray, np.ndarray]:
        lo, hi = self.ngram_range
        padded = [f" {u} " for u in units]
        sizes = np.fromiter(map(len, padded), dtype=np.int64, count=len(units))
        if len(units) and sizes.min() < lo:  # char_wb_ngrams' short-word rule: rare
            return super().ids_many(units)
        # char_wb_ngrams of all units in one comprehension: n-grams for n up to the
        # padded length (beyond it there are none), shortest first, left to right.
        grams = [
            w[i : i + n]
            for w in padded
            for n in range(lo, min(hi, len(w)) + 1)
            for i in range(len(w) - n + 1)
        ]
        top = np.minimum(hi, sizes)
        per_unit = (top - lo + 1) * (sizes + 1) - (lo + top) * (top - lo + 1) // 2
        return self._lookup(grams, per_unit)


class WordBlock(_Block):
    """Surface tokens, proclitic-stripped stems (``~stem``) and stem bigrams.

    For fitting, a unit is a token (giving the token and its stem) or a token bigram
    (giving the stem bigram); tokens never contain a space. When transforming, bigrams
    are looked up as pairs of token rows in a sorted integer array, so the per-word
    Python work is one lookup.
    """

    def units(self, doc: str) -> list[str]:
        tokens = tokenize(normalize(doc))
        tokens.extend(map(" ".join, zip(tokens, tokens[1:])))
        return tokens

    def unit_features(self, unit: str) -> list[str]:
        if " " in unit:  # a token bigram gives its stem bigram
            a, b = unit.split(" ")
            return [f"{light_stem(a)} {light_stem(b)}"]
        stem = light_stem(unit)
        return [unit] if stem == unit else [unit, "~" + stem]

    def pair_ids(self, first: list[str], second: list[str]) -> np.ndarray:
        """The feature id of each token pair's stem bigram, or -1."""
        bigrams = [f"{light_stem(a)} {light_stem(b)}" for a, b in zip(first, second)]
        return np.fromiter(map(self.vocabulary.get, bigrams, repeat(-1)), np.int32, len(bigrams))

    def transform(self, docs: list[str]) -> sparse.csr_matrix:
        n_feats = len(self.vocabulary)
        tokens: list[str] = []
        doc_ptr = np.zeros(len(docs) + 1, dtype=np.int64)
        for i, doc in enumerate(docs):
            tokens.extend(tokenize(normalize(doc)))
            doc_ptr[i + 1] = len(tokens)
        table = self._table_for(len(tokens))
        rows = table.rows(tokens, self.ids_many)
        counts = _docs_units(rows, doc_ptr, table.size) @ table.matrix(n_feats)
        # Bigrams: consecutive tokens of the same document.
        doc_of = np.repeat(np.arange(len(docs)), np.diff(doc_ptr))
        same = doc_of[:-1] == doc_of[1:]
        r = rows.astype(np.int64)
        feats = table.pair_features(((r[:-1] << 32) | r[1:])[same], self.pair_ids)
        kept = feats >= 0
        bdocs = doc_of[:-1][same][kept]
        bigrams = sparse.csr_matrix(
            (np.ones(len(bdocs)), feats[kept], np.searchsorted(bdocs, np.arange(len(docs) + 1))),
            shape=(len(docs), n_feats),
        )
        return self._weigh(sparse.csr_matrix(counts + bigrams))


def fit_idf(docs: list[str], block: _Block, min_df: int) -> tuple[dict[str, int], np.ndarray]:
    """Vocabulary (sorted, document frequency >= ``min_df``) and smooth idf over
    ``docs``, with ``block``'s units and features: TfidfVectorizer's fit."""
    feats: dict[str, list[str]] = {}
    df: dict[str, int] = {}
    for doc in docs:
        present: set[str] = set()
        for u in block.units(doc):
            f = feats.get(u)
            if f is None:
                f = feats[u] = block.unit_features(u)
            present.update(f)
        for f in present:
            df[f] = df.get(f, 0) + 1
    kept = sorted(f for f, n in df.items() if n >= min_df)
    if not kept:
        raise ValueError("empty vocabulary: the training texts have no features")
    dfs = np.array([df[f] for f in kept], dtype=np.float64)
    return {f: i for i, f in enumerate(kept)}, np.log((1 + len(docs)) / (1 + dfs)) + 1.0


LEXICON_COLUMNS = ("critical_sum", "critical_max", "pro_sum", "pro_max")


def lexicon_features(texts: list[str], scale: float = 1.0) -> sparse.csr_matrix:
    """Summed and maximum weight of the critical and of the pro loaded terms in each
    text (the shipped lexicon), times ``scale``: 4 columns."""
    from .lexicon import load_lexicon

    lex = load_lexicon()
    return _lexicon_matrix([lex.find(text) for text in texts], scale)


def _lexicon_matrix(matches: list[Any], scale: float) -> sparse.csr_matrix:
    """The 4 lexicon columns of texts with these term matches (one list per text)."""
    out = np.zeros((len(matches), 4))
    for i, found in enumerate(matches):
        for m in found:
            col = 0 if m.direction == "critical" else 2
            out[i, col] += m.weight
            out[i, col + 1] = max(out[i, col + 1], m.weight)
    return sparse.csr_matrix(out * scale)


class LexiconBlock:
    """The loaded-term block of a fitted model: :func:`lexicon_features` times ``scale``."""

    def __init__(self, scale: float = 1.0) -> None:
        self.scale = float(scale)

    def transform(self, docs: list[str]) -> sparse.csr_matrix:
        return lexicon_features(docs, self.scale)


Block = CharBlock | WordBlock | LexiconBlock


class _Column:
    """Values per unit (a row each), in an array that grows in place like :class:`_Rows`."""

    def __init__(self, dtype: Any = np.int32, width: int | None = None) -> None:
        shape = (1024,) if width is None else (1024, width)
        self.values = np.zeros(shape, dtype=dtype)

    def set_many(self, start: int, values: Any) -> None:
        """Set rows ``start``, ``start + 1``, ... to ``values`` (one per row)."""
        stop = start + len(values)
        if stop > len(self.values):
            size = len(self.values)
            while size < stop:
                size *= 2
            grown = np.zeros((size, *self.values.shape[1:]), self.values.dtype)
            grown[: len(self.values)] = self.values
            self.values = grown
        self.values[start:stop] = values


class PassResult(NamedTuple):
    """What :meth:`OnePass.transform` found in a batch of texts: each block's matrix
    (texts x features, in block order); when asked for (or, for ``terms``, when the
    model has a lexicon block), the loaded terms of each text, ``Lexicon.find(text)`` of
    the shipped lexicon; and the language of each text, ``text_language(text)``."""

    matrices: list[sparse.csr_matrix]
    terms: list[list[Any]] | None
    languages: list[str] | None


class OnePass:
    """Every block of a fitted model (word and character TF-IDF, loaded terms), and the
    language check, from one whitespace split of each text.

    The unit is a whitespace-separated piece of the text as given. Normalization works
    character by character and keeps whitespace (it turns a few characters into spaces,
    none into nothing), so the normalized text's pieces are its pieces' normalized
    pieces, in order. Everything the blocks read is a function of those: the character
    block's n-grams are made inside them (``char_wb``), tokens never contain whitespace
    (so a text's tokens are its pieces' tokens in order), the lexicon's start tokens
    are letter runs, which are tokens too, and the language check counts letters and
    words, none of which spans whitespace. Each distinct piece is analysed once into

    - per character block, its n-gram feature ids;
    - per word block, the ids of its tokens, their stems and the stem bigrams inside
      it, plus its first and last token (the bigrams across pieces pair the last token
      of a piece with the first of the next piece that has tokens);
    - what the lexicon looks for in it (:meth:`stance.lexicon.Lexicon.clues`), also as
      bit masks (:meth:`~stance.lexicon.Lexicon.clue_masks`);
    - its letter and word counts (:func:`stance.sniff.script_counts`).

    A batch is then one dict lookup per piece, one sparse product per block, and the
    lexicon's regular expressions only on the texts whose pieces' masks allow a match,
    at the words where a term can start (:meth:`~stance.lexicon.Lexicon.find_from`);
    no text is normalized whole but those. New pieces are analysed a batch at a time
    (one vocabulary lookup per table). The matrices equal the blocks' own
    ``transform`` (tests/test_onepass.py).
    """

    def __init__(self, blocks: list[Block]) -> None:
        self.blocks = list(blocks)
        self._lexicon: Any = None
        self._reset()

    def _reset(self) -> None:
        self._index: dict[str, int] = {}
        self._rows = [_Rows() for _ in self.blocks]
        # Word blocks: their tokens (rows of a unit table, which resolves bigrams).
        self._tokens = [_UnitTable() for _ in self.blocks]
        self._first = [_Column() for _ in self.blocks]
        self._last = [_Column() for _ in self.blocks]
        # What the lexicon looks for in each piece (Lexicon.clue_masks), so that texts
        # without a possible match are skipped with array operations.
        words = self._lexicon.mask_words if self._lexicon is not None else 1
        self._definite = _Column(np.bool_)
        self._need = _Column(np.uint64, words)
        self._next = _Column(np.uint64, words)
        self._has_clue = _Column(np.bool_)
        self._clues: dict[int, tuple[tuple[str, str], ...]] = {}  # rows with clues
        # Script counts as floats (exact below 2**53): the product with the float
        # occurrence matrix then needs no converted copy of the table per batch.
        self._scripts = _Column(np.float64, 7)
        self._size = 0

    def _lexicon_now(self) -> Any:
        from .lexicon import load_lexicon

        lex = load_lexicon()
        if lex is not self._lexicon:  # the clues belong to one lexicon
            self._lexicon = lex
            self._reset()
        return lex

    def _add_many(self, new: list[str]) -> None:
        """Analyse new distinct pieces into rows ``self._size`` onwards, in order.

        Every new word of a stream passes here once, which is most of predict time on
        text with a growing vocabulary, so the work is done for all of a batch's new
        pieces together: per-piece Python only where strings are handled, and one
        array operation per table instead of one per piece."""
        from .sniff import script_counts

        start, k = self._size, len(new)
        subs_of = [normalize(piece).split() for piece in new]  # rarely none or several
        # Most pieces normalize to one sub-piece; a piece's row is its sub-pieces' rows.
        subs = [u for sub in subs_of for u in sub]
        n_subs = np.fromiter(map(len, subs_of), dtype=np.int64, count=k)
        sub_end = np.cumsum(n_subs)
        sub_start = sub_end - n_subs
        for b, block in enumerate(self.blocks):
            if isinstance(block, CharBlock):
                ids, per_sub = block.ids_many(subs)
                at = np.concatenate([[0], np.cumsum(per_sub)])  # ids before sub-piece s
                self._rows[b].extend(ids, at[sub_end] - at[sub_start])
            elif isinstance(block, WordBlock):
                tokens_of = [
                    tokenize(s[0]) if len(s) == 1 else [t for u in s for t in tokenize(u)]
                    for s in subs_of
                ]
                n_tokens = np.fromiter(map(len, tokens_of), dtype=np.int64, count=k)
                table = self._tokens[b]
                rows = table.rows([t for tokens in tokens_of for t in tokens], block.ids_many)
                ids, per_token = table.gather(rows)
                token_ends = np.cumsum(n_tokens)
                token_starts = token_ends - n_tokens
                id_at = np.concatenate([[0], np.cumsum(per_token)])  # ids before token t
                n_ids = id_at[token_ends] - id_at[token_starts]
                # The stem bigrams inside each piece that are in the vocabulary.
                inner = [t for t in tokens_of if len(t) > 1]  # few pieces hold two tokens
                pairs = block.pair_ids(
                    [a for t in inner for a in t[:-1]], [b for t in inner for b in t[1:]]
                )
                kept = np.concatenate([[0], np.cumsum(pairs >= 0)])  # before bigram j
                pair_end = np.cumsum(np.maximum(n_tokens - 1, 0))
                n_pairs = kept[pair_end] - kept[pair_end - np.maximum(n_tokens - 1, 0)]
                pairs = pairs[pairs >= 0]
                # A piece's row: its tokens' ids in order, then its bigrams' ids.
                lengths = n_ids + n_pairs
                row_start = np.cumsum(lengths) - lengths
                is_pair = np.zeros(int(lengths.sum()), dtype=bool)
                pair_start = np.cumsum(n_pairs) - n_pairs
                is_pair[
                    np.repeat(row_start + n_ids - pair_start, n_pairs) + np.arange(len(pairs))
                ] = True
                row_ids = np.empty(len(is_pair), dtype=np.int32)
                row_ids[~is_pair] = ids
                row_ids[is_pair] = pairs
                self._rows[b].extend(row_ids, lengths)
                has = n_tokens > 0
                first = np.full(k, -1, dtype=np.int32)
                last = np.full(k, -1, dtype=np.int32)
                first[has] = rows[token_starts[has]]
                last[has] = rows[token_ends[has] - 1]
                self._first[b].set_many(start, first)
                self._last[b].set_many(start, last)
        lex = self._lexicon
        clues_of, words = lex.clues, lex.mask_words
        has_clue = np.zeros(k, dtype=bool)
        definite = np.zeros(k, dtype=bool)
        need = np.zeros((k, words), dtype=np.uint64)
        nxt = np.zeros((k, words), dtype=np.uint64)
        for i, subs in enumerate(subs_of):
            clues = tuple(dict.fromkeys(c for sub in subs for c in clues_of(sub)))
            if clues:
                has_clue[i] = True
                definite[i], need_bits, next_bits = lex.clue_masks(clues)
                need[i] = [(need_bits >> (64 * w)) & _WORD_MASK for w in range(words)]
                nxt[i] = [(next_bits >> (64 * w)) & _WORD_MASK for w in range(words)]
                self._clues[start + i] = clues
        self._has_clue.set_many(start, has_clue)
        self._definite.set_many(start, definite)
        self._need.set_many(start, need)
        self._next.set_many(start, nxt)
        self._scripts.set_many(start, script_counts(new))
        self._index.update(zip(new, range(start, start + k)))
        self._size = start + k

    def _units(self, pieces: list[str]) -> np.ndarray:
        return _rows_of(self._index, pieces, self._add_many)

    def _cross_bigrams(
        self, b: int, rows: np.ndarray, doc_of: np.ndarray, n_docs: int
    ) -> sparse.csr_matrix:
        """Counts of the stem bigrams that span two pieces of the same text."""
        block = self.blocks[b]
        first = self._first[b].values[rows]
        has = np.flatnonzero(first >= 0)
        docs = doc_of[has]
        same = docs[:-1] == docs[1:]
        a = self._last[b].values[rows[has[:-1][same]]].astype(np.int64)
        keys = (a << 32) | first[has[1:][same]]
        feats = self._tokens[b].pair_features(keys, block.pair_ids)
        kept = feats >= 0
        bdocs = docs[:-1][same][kept]
        return sparse.csr_matrix(
            (np.ones(len(bdocs)), feats[kept], np.searchsorted(bdocs, np.arange(n_docs + 1))),
            shape=(n_docs, len(block.vocabulary)),
        )

    def transform(
        self, texts: list[str], terms: bool = False, languages: bool = False
    ) -> PassResult:
        """Every block's matrix of ``texts`` and, when asked for, their loaded terms
        and languages (see :class:`PassResult`)."""
        lex = self._lexicon_now()
        n = len(texts)
        split = list(map(str.split, texts))
        pieces = list(chain.from_iterable(split))
        if self._size + len(pieces) > _CACHE_WORDS:
            self._reset()  # bounds memory on endless new pieces
        rows = self._units(pieces)
        doc_ptr = np.zeros(n + 1, dtype=np.int32)
        np.cumsum(np.fromiter(map(len, split), dtype=np.int32, count=n), out=doc_ptr[1:])
        doc_of = np.repeat(np.arange(n), np.diff(doc_ptr))
        occurrences = _docs_units(rows, doc_ptr, self._size)
        matches = None
        if terms or any(isinstance(b, LexiconBlock) for b in self.blocks):
            matches = [[] for _ in texts]
            at = np.flatnonzero(self._has_clue.values[rows])
            docs_at, rows_at = doc_of[at], rows[at]
            # Texts where a term can match (Lexicon.clue_masks): a definite piece, or a
            # prefix some start token needs that some piece begins with.
            viable = np.zeros(n, dtype=bool)
            viable[docs_at[self._definite.values[rows_at]]] = True
            if len(at):
                first = np.flatnonzero(np.r_[True, docs_at[1:] != docs_at[:-1]])
                need = np.bitwise_or.reduceat(self._need.values[rows_at], first, axis=0)
                nxt = np.bitwise_or.reduceat(self._next.values[rows_at], first, axis=0)
                viable[docs_at[first[(need & nxt).any(axis=1)]]] = True
            # The clues of every piece of those texts.
            keep = viable[docs_at]
            clues: dict[int, set[tuple[str, str]]] = {}
            for doc, row in zip(docs_at[keep].tolist(), rows_at[keep].tolist()):
                clues.setdefault(doc, set()).update(self._clues[row])
            for doc, found in clues.items():
                text = texts[doc]
                matches[doc] = lex.find_from(text, normalize(text), found)
        found_languages = None
        if languages:
            from .sniff import languages_from_counts

            counts = occurrences @ self._scripts.values[: self._size]
            found_languages = languages_from_counts(np.rint(counts).astype(np.int64))
        out = []
        for b, block in enumerate(self.blocks):
            if isinstance(block, LexiconBlock):
                out.append(_lexicon_matrix(matches, block.scale))  # type: ignore[arg-type]
                continue
            counts = occurrences @ self._rows[b].matrix(len(block.vocabulary))
            if isinstance(block, WordBlock):
                counts = counts + self._cross_bigrams(b, rows, doc_of, n)
            out.append(block._weigh(sparse.csr_matrix(counts)))
        return PassResult(out, matches, found_languages)
