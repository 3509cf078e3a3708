"""The scikit-learn Pipeline: word + character TF-IDF over normalized text, loaded-term
features, then a class-weighted logistic regression.

The estimators here are thin scikit-learn wrappers (fit, get_params, pickling) around
``stance.vectorize``, which does the arithmetic. Everything in the pipeline is a
module-level function or class, so the pickled model refers only to stable import paths
(``stance.features.*``).
"""

from __future__ import annotations

from typing import Any

import numpy as np
from scipy import sparse
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import FeatureUnion, Pipeline

from .normalize import normalize
from .vectorize import (
    LEXICON_COLUMNS,
    CharBlock,
    WordBlock,
    char_wb_ngrams,
    fit_idf,
    lexicon_features,
    light_stem,
    tokenize,
)

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
]

RANDOM_STATE = 0


def word_features(doc: str) -> list[str]:
    """Analyzer for the word vectorizer: surface unigrams, proclitic-stripped stems,
    and stem bigrams, all over the normalized text. (What :class:`WordTfidf` counts;
    kept as a function for scikit-learn's ``TfidfVectorizer(analyzer=...)``.)"""
    tokens = tokenize(normalize(doc))
    stems = [light_stem(t) for t in tokens]
    feats = list(tokens)
    feats.extend("~" + s for s, t in zip(stems, tokens) if s != t)
    feats.extend(f"{a} {b}" for a, b in zip(stems, stems[1:]))
    return feats


class _BlockTfidf(TransformerMixin, BaseEstimator):
    """TF-IDF with exactly ``TfidfVectorizer(sublinear_tf=True)``'s weighting (smooth
    idf, l2 rows, sorted vocabulary), computed by a ``stance.vectorize`` block."""

    def _make_block(self, vocabulary: dict[str, int], idf: np.ndarray) -> Any:
        raise NotImplementedError

    def fit(self, X: Any, y: Any = None) -> _BlockTfidf:
        self.vocabulary_, self.idf_ = fit_idf(
            _as_docs(X), self._make_block({}, np.zeros(0)), self.min_df
        )
        self._block = self._make_block(self.vocabulary_, self.idf_)
        return self

    def transform(self, X: Any) -> sparse.csr_matrix:
        block = self.__dict__.get("_block")
        if block is None:
            block = self._block = self._make_block(self.vocabulary_, self.idf_)
        return block.transform(_as_docs(X))

    def get_feature_names_out(self, input_features: Any = None) -> np.ndarray:
        return np.array(sorted(self.vocabulary_, key=self.vocabulary_.get), dtype=object)

    def __getstate__(self) -> dict[str, Any]:
        # The block's unit table is a run-time speed-up: never pickle it.
        state = dict(super().__getstate__())
        state.pop("_block", None)
        return state


def _as_docs(X: Any) -> list[str]:
    if isinstance(X, str):
        raise ValueError("expected a list of texts, got one string")
    return list(X)


class CharNgramTfidf(_BlockTfidf):
    """``TfidfVectorizer(analyzer="char_wb", preprocessor=normalize, sublinear_tf=True)``
    with n-grams computed once per distinct word."""

    def __init__(self, ngram_range: tuple[int, int] = (2, 5), min_df: int = 1) -> None:
        self.ngram_range = ngram_range
        self.min_df = min_df

    def _make_block(self, vocabulary: dict[str, int], idf: np.ndarray) -> CharBlock:
        return CharBlock(vocabulary, idf, tuple(self.ngram_range))


class WordTfidf(_BlockTfidf):
    """``TfidfVectorizer(analyzer=word_features, sublinear_tf=True)``: surface tokens,
    proclitic-stripped stems and stem bigrams, each distinct token analysed once."""

    def __init__(self, min_df: int = 1) -> None:
        self.min_df = min_df

    def _make_block(self, vocabulary: dict[str, int], idf: np.ndarray) -> WordBlock:
        return WordBlock(vocabulary, idf)


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
        return lexicon_features(_as_docs(X), self.scale)

    def get_feature_names_out(self, input_features: Any = None) -> np.ndarray:
        return np.array(LEXICON_COLUMNS, dtype=object)


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
