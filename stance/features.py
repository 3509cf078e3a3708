"""The scikit-learn Pipeline: word + character TF-IDF over normalized text, then a
class-weighted logistic regression.

Everything in the pipeline is a module-level function or a scikit-learn class, so the
pickled model refers only to stable import paths (``stance.features.*``).
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

import numpy as np
from scipy import sparse
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import FeatureUnion, Pipeline

from .normalize import normalize

__all__ = [
    "RANDOM_STATE",
    "DEFAULT_PARAMS",
    "build_pipeline",
    "tokenize",
    "light_stem",
    "word_features",
    "LexiconFeatures",
    "CharNgramTfidf",
    "WordTfidf",
    "char_wb_ngrams",
    "predict_proba",
]

RANDOM_STATE = 0

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


def word_features(doc: str) -> list[str]:
    """Analyzer for the word vectorizer: surface unigrams, proclitic-stripped stems,
    and stem bigrams, all over the normalized text."""
    tokens = tokenize(normalize(doc))
    stems = [light_stem(t) for t in tokens]
    feats = list(tokens)
    feats.extend("~" + s for s, t in zip(stems, tokens) if s != t)
    feats.extend(f"{a} {b}" for a, b in zip(stems, stems[1:]))
    return feats


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


class _UnitTable:
    """Units seen so far (words, or word bigrams) and their feature ids, as the rows of
    a CSR matrix that grows in place (capacity doubles), so a batch costs the new units
    only, not the whole table."""

    def __init__(self) -> None:
        self.index: dict[str, int] = {}
        self.units: list[str] = []
        # Pairs of rows (word bigrams) -> a feature id or -1, as sorted int64 keys.
        self.pair_keys = np.zeros(0, dtype=np.int64)
        self.pair_ids = np.zeros(0, dtype=np.int32)
        self.ptr = np.zeros(1024, dtype=np.int64)
        self.ids = np.zeros(16384, dtype=np.int32)
        self.size = 0

    def rows(self, units: list[str], unit_ids: Any) -> np.ndarray:
        """Row numbers of ``units``, adding the new ones (``unit_ids(unit)`` gives
        their feature ids)."""
        index = self.index
        found = list(map(index.get, units))
        if None in found:
            for u in dict.fromkeys(u for u, r in zip(units, found) if r is None):
                self._add(u, unit_ids(u))
            found = list(map(index.__getitem__, units))
        return np.array(found, dtype=np.int32)

    def _add(self, unit: str, ids: np.ndarray) -> None:
        n, end = self.size, int(self.ptr[self.size])
        if n + 2 > len(self.ptr):
            self.ptr = np.resize(self.ptr, 2 * len(self.ptr))
        while end + len(ids) > len(self.ids):
            self.ids = np.resize(self.ids, 2 * len(self.ids))
        self.ids[end : end + len(ids)] = ids
        self.ptr[n + 1] = end + len(ids)
        self.index[unit] = n
        self.units.append(unit)
        self.size = n + 1

    def pair_features(self, keys: np.ndarray, pair_id: Any) -> np.ndarray:
        """Feature id (or -1) of each pair key ``(row_a << 32) | row_b``; new pairs
        are resolved once with ``pair_id(unit_a, unit_b)``."""
        pos = np.searchsorted(self.pair_keys, keys)
        known = pos < len(self.pair_keys)
        known[known] = self.pair_keys[pos[known]] == keys[known]
        if not known.all():
            new = np.unique(keys[~known])
            ids = np.array(
                [pair_id(self.units[k >> 32], self.units[k & 0xFFFFFFFF]) for k in new.tolist()],
                dtype=np.int32,
            )
            keys_all = np.concatenate([self.pair_keys, new])
            order = np.argsort(keys_all, kind="stable")
            self.pair_keys = keys_all[order]
            self.pair_ids = np.concatenate([self.pair_ids, ids])[order]
            pos = np.searchsorted(self.pair_keys, keys)
        return self.pair_ids[pos]

    def matrix(self, n_features: int) -> sparse.csr_matrix:
        nnz = int(self.ptr[self.size])
        return sparse.csr_matrix(
            (np.ones(nnz), self.ids[:nnz], self.ptr[: self.size + 1]),
            shape=(self.size, n_features),
        )


class _CachedTfidf(TransformerMixin, BaseEstimator):
    """TF-IDF with exactly ``TfidfVectorizer(sublinear_tf=True)``'s weighting (smooth
    idf, l2 rows, sorted vocabulary), built for speed at prediction time.

    scikit-learn analyses every word of every document and looks each feature up in a
    dict. Here a word's feature ids are computed once and cached, and a batch becomes
    one CSR matrix from concatenated id arrays (``sum_duplicates`` does the counting).
    Subclasses say what a document's units are and what features a unit yields.
    """

    def _units(self, doc: str) -> list[str]:
        raise NotImplementedError

    def _unit_features(self, unit: str) -> list[str]:
        raise NotImplementedError

    def fit(self, X: Any, y: Any = None) -> _CachedTfidf:
        docs = _as_docs(X)
        feats: dict[str, list[str]] = {}
        df: dict[str, int] = {}
        for doc in docs:
            units = self._units(doc)
            present: set[str] = set()
            for u in units:
                f = feats.get(u)
                if f is None:
                    f = feats[u] = self._unit_features(u)
                present.update(f)
            for f in present:
                df[f] = df.get(f, 0) + 1
        kept = sorted(f for f, n in df.items() if n >= self.min_df)
        if not kept:
            raise ValueError("empty vocabulary: the training texts have no features")
        self.vocabulary_ = {f: i for i, f in enumerate(kept)}
        n = len(docs)
        dfs = np.array([df[f] for f in kept], dtype=np.float64)
        self.idf_ = np.log((1 + n) / (1 + dfs)) + 1.0
        self._table = _UnitTable()
        return self

    def _unit_ids(self, unit: str) -> np.ndarray:
        """Feature ids of one unit, with repeats (a word's n-grams can repeat)."""
        vocab = self.vocabulary_
        return np.array([vocab[f] for f in self._unit_features(unit) if f in vocab], dtype=np.int32)

    def _table_for(self, n_new: int) -> _UnitTable:
        table = self.__dict__.get("_table")
        if table is None or table.size + n_new > _CACHE_WORDS:
            table = self._table = _UnitTable()  # bounds memory on endless new words
        return table

    def _weigh(self, counts: sparse.csr_matrix) -> sparse.csr_matrix:
        """Counts -> sublinear tf * idf, l2-normalized rows (TfidfVectorizer's steps)."""
        np.log(counts.data, counts.data)
        counts.data += 1.0
        counts.data *= self.idf_[counts.indices]
        return _l2_rows(counts) if counts.shape[0] else counts

    def transform(self, X: Any) -> sparse.csr_matrix:
        docs = _as_docs(X)
        # Counts = (documents x units, how often each unit occurs) @ (units x features,
        # the units' cached feature ids): one sparse product. Python handles each new
        # unit once; per occurrence there is only a C-level dict lookup.
        occurrences: list[str] = []
        doc_ptr = np.zeros(len(docs) + 1, dtype=np.int64)
        for i, doc in enumerate(docs):
            occurrences.extend(self._units(doc))
            doc_ptr[i + 1] = len(occurrences)
        table = self._table_for(len(occurrences))
        rows = table.rows(occurrences, self._unit_ids)
        # The product sums repeats into counts and has no duplicate entries; its ids
        # are not sorted within rows, which changes nothing but summation order.
        counts = _docs_units(rows, doc_ptr, table.size) @ table.matrix(len(self.vocabulary_))
        return self._weigh(sparse.csr_matrix(counts))

    def get_feature_names_out(self, input_features: Any = None) -> np.ndarray:
        return np.array(sorted(self.vocabulary_, key=self.vocabulary_.get), dtype=object)

    def __getstate__(self) -> dict[str, Any]:
        # The unit table is a run-time speed-up: never pickle it into the model file.
        state = dict(super().__getstate__())
        state.pop("_table", None)
        return state


def _docs_units(rows: np.ndarray, doc_ptr: np.ndarray, n_units: int) -> sparse.csr_matrix:
    """Documents x units: a 1 for every occurrence (repeats add up in the product)."""
    return sparse.csr_matrix((np.ones(len(rows)), rows, doc_ptr), shape=(len(doc_ptr) - 1, n_units))


def _as_docs(X: Any) -> list[str]:
    if isinstance(X, str):
        raise ValueError("expected a list of texts, got one string")
    return list(X)


def _l2_rows(X: sparse.csr_matrix) -> sparse.csr_matrix:
    """Scale each row to unit length in place (empty rows stay empty), as
    ``sklearn.preprocessing.normalize`` does, without its input validation."""
    norms = np.sqrt(np.asarray(X.multiply(X).sum(axis=1)).ravel())
    norms[norms == 0.0] = 1.0
    X.data /= np.repeat(norms, np.diff(X.indptr))
    return X


class CharNgramTfidf(_CachedTfidf):
    """``TfidfVectorizer(analyzer="char_wb", preprocessor=normalize, sublinear_tf=True)``
    with n-grams computed once per distinct word."""

    def __init__(self, ngram_range: tuple[int, int] = (2, 5), min_df: int = 1) -> None:
        self.ngram_range = ngram_range
        self.min_df = min_df

    def _units(self, doc: str) -> list[str]:
        return normalize(doc).split()

    def _unit_features(self, unit: str) -> list[str]:
        return char_wb_ngrams(unit, tuple(self.ngram_range))


class WordTfidf(_CachedTfidf):
    """``TfidfVectorizer(analyzer=word_features, sublinear_tf=True)``: surface tokens,
    proclitic-stripped stems and stem bigrams.

    For fitting, a unit is a token (giving the token and its stem) or a token bigram
    (giving the stem bigram). When transforming, bigrams are looked up as pairs of
    token rows in a sorted integer array, so the per-word Python work is one lookup.
    """

    def __init__(self, min_df: int = 1) -> None:
        self.min_df = min_df

    def _units(self, doc: str) -> list[str]:
        tokens = tokenize(normalize(doc))
        tokens.extend(map(" ".join, zip(tokens, tokens[1:])))
        return tokens

    def _unit_features(self, unit: str) -> list[str]:
        if " " in unit:  # a token bigram gives its stem bigram
            a, b = unit.split(" ")
            return [f"{light_stem(a)} {light_stem(b)}"]
        stem = light_stem(unit)
        return [unit] if stem == unit else [unit, "~" + stem]

    def _pair_id(self, a: str, b: str) -> int:
        return self.vocabulary_.get(f"{light_stem(a)} {light_stem(b)}", -1)

    def transform(self, X: Any) -> sparse.csr_matrix:
        docs = _as_docs(X)
        n_feats = len(self.vocabulary_)
        tokens: list[str] = []
        doc_ptr = np.zeros(len(docs) + 1, dtype=np.int64)
        for i, doc in enumerate(docs):
            tokens.extend(tokenize(normalize(doc)))
            doc_ptr[i + 1] = len(tokens)
        table = self._table_for(len(tokens))
        rows = table.rows(tokens, self._unit_ids)
        counts = _docs_units(rows, doc_ptr, table.size) @ table.matrix(n_feats)
        # Bigrams: consecutive tokens of the same document.
        doc_of = np.repeat(np.arange(len(docs)), np.diff(doc_ptr))
        same = doc_of[:-1] == doc_of[1:]
        r = rows.astype(np.int64)
        feats = table.pair_features(((r[:-1] << 32) | r[1:])[same], self._pair_id)
        kept = feats >= 0
        bdocs = doc_of[:-1][same][kept]
        bigrams = sparse.csr_matrix(
            (np.ones(len(bdocs)), feats[kept], np.searchsorted(bdocs, np.arange(len(docs) + 1))),
            shape=(len(docs), n_feats),
        )
        return self._weigh(sparse.csr_matrix(counts + bigrams))


class LexiconFeatures(TransformerMixin, BaseEstimator):
    """Loaded-term features from the shipped lexicon: summed and maximum weight of the
    critical and of the pro terms in each text (4 columns).

    The lexicon is loaded when transforming, not pickled, so the model card records
    which lexicon version it was trained with (``lexicon_version``).
    """

    def __init__(self, scale: float = 1.0) -> None:
        self.scale = scale

    def fit(self, X: Any, y: Any = None) -> LexiconFeatures:
        self.n_features_in_ = 1
        return self

    def transform(self, X: Any) -> sparse.csr_matrix:
        from .lexicon import load_lexicon

        lex = load_lexicon()
        out = np.zeros((len(X), 4))
        for i, text in enumerate(X):
            for m in lex.find(text):
                col = 0 if m.direction == "critical" else 2
                out[i, col] += m.weight
                out[i, col + 1] = max(out[i, col + 1], m.weight)
        return sparse.csr_matrix(out * self.scale)

    def get_feature_names_out(self, input_features: Any = None) -> np.ndarray:
        return np.array(["critical_sum", "critical_max", "pro_sum", "pro_max"], dtype=object)


DEFAULT_PARAMS: dict[str, Any] = {
    "features__word__min_df": 1,
    "features__char__ngram_range": (2, 5),
    "features__char__min_df": 2,
    "clf__C": 8.0,
}


def build_pipeline(**params: Any) -> Pipeline:
    """Return the unfitted Pipeline that ``stance train`` fits.

    Keyword arguments are scikit-learn ``set_params`` names, e.g.
    ``build_pipeline(clf__C=2.0, features__char__ngram_range=(2, 4))``.
    Step names are stable: ``features`` (``word``, ``char``, ``lexicon``) and ``clf``;
    ``features__lexicon="drop"`` leaves the loaded-term features out.
    """
    pipe = Pipeline(
        [
            (
                "features",
                FeatureUnion(
                    [
                        ("word", WordTfidf()),
                        ("char", CharNgramTfidf()),
                        ("lexicon", LexiconFeatures()),
                    ]
                ),
            ),
            (
                "clf",
                LogisticRegression(
                    class_weight="balanced", max_iter=5000, random_state=RANDOM_STATE
                ),
            ),
        ]
    )
    merged = {**DEFAULT_PARAMS, **params}
    try:
        pipe.set_params(**merged)
    except ValueError as exc:
        raise ValueError(f"build_pipeline: {exc}") from None
    return pipe


def predict_proba(pipe: Pipeline, texts: list[str]) -> np.ndarray:
    """``pipe.predict_proba(texts)`` for pipelines from :func:`build_pipeline`, faster.

    The FeatureUnion stacks its blocks side by side before the linear model; here each
    block is multiplied by its slice of the coefficients and the products are summed,
    which skips the sparse hstack (a third of prediction time). Any other pipeline
    shape falls back to scikit-learn.
    """
    union = pipe.named_steps.get("features")
    clf = pipe.named_steps.get("clf")
    if (
        len(pipe.steps) != 2
        or not isinstance(union, FeatureUnion)
        or not isinstance(clf, LogisticRegression)
        or union.transformer_weights
        or len(clf.classes_) < 3
    ):
        return pipe.predict_proba(texts)
    blocks = [t for _, t in union.transformer_list if t != "drop"]  # in column order
    if any(isinstance(t, str) for t in blocks):  # "passthrough"
        return pipe.predict_proba(texts)
    coef = clf.coef_
    scores = np.tile(clf.intercept_, (len(texts), 1))
    lo = 0
    for block in blocks:
        Xb = block.transform(texts)
        hi = lo + Xb.shape[1]
        scores += np.asarray(Xb @ coef[:, lo:hi].T)
        lo = hi
    if lo != coef.shape[1]:
        return pipe.predict_proba(texts)
    # Multinomial logistic regression: softmax of the decision function, as sklearn.
    scores -= scores.max(axis=1, keepdims=True)
    np.exp(scores, scores)
    scores /= scores.sum(axis=1, keepdims=True)
    return scores
