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
from sklearn.base import BaseEstimator, ClassifierMixin, TransformerMixin
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import FeatureUnion, Pipeline
from sklearn.utils.validation import check_is_fitted

from .decision import DESIGNS, OFF_TARGET, DecisionRule, heads_to_proba
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
    "TargetStanceClassifier",
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


class TargetStanceClassifier(ClassifierMixin, BaseEstimator):
    """Stance with target relevance: labels ``y`` are the stance labels, or
    :data:`~stance.decision.OFF_TARGET` for a sentence not about the target.

    ``design="two_heads"`` fits a stance head (multinomial logistic regression on the
    on-target rows) and a relevance head (binary, all rows); ``"four_way"`` fits one
    softmax over the stance labels plus ``off_target``. Either way ``classes_`` are the
    stance labels, :meth:`predict_proba` gives the mixture of
    :func:`stance.decision.heads_to_proba` (off-target mass counts as neutral),
    :meth:`predict_target_proba` the on-target probability, and :meth:`predict` applies
    the decision rule (``on_target_threshold``, ``neutral_weight``, ``pro_weight``).
    Without any ``off_target`` label it is a plain class-weighted logistic regression.
    """

    def __init__(
        self,
        design: str = "two_heads",
        C: float = 8.0,
        relevance_C: float = 8.0,
        on_target_threshold: float = 0.5,
        neutral_weight: float = 1.0,
        pro_weight: float = 1.0,
        max_iter: int = 5000,
        random_state: int | None = RANDOM_STATE,
    ) -> None:
        self.design = design
        self.C = C
        self.relevance_C = relevance_C
        self.on_target_threshold = on_target_threshold
        self.neutral_weight = neutral_weight
        self.pro_weight = pro_weight
        self.max_iter = max_iter
        self.random_state = random_state

    def _lr(self, C: float) -> LogisticRegression:
        return LogisticRegression(
            C=C, class_weight="balanced", max_iter=self.max_iter, random_state=self.random_state
        )

    def fit(self, X: Any, y: Any) -> TargetStanceClassifier:
        if self.design not in DESIGNS:
            raise ValueError(f"design must be one of {DESIGNS}, got {self.design!r}")
        y = np.asarray(y, dtype=object)
        on = y != OFF_TARGET
        self.classes_ = np.array(sorted(set(y[on].tolist())), dtype=object)
        if len(self.classes_) < 2:
            raise ValueError("need at least two stance labels among the on-target rows")
        if on.all():
            self.design_ = "stance"
            heads = [self._lr(self.C).fit(X, y)]
        elif "neutral" not in self.classes_:
            raise ValueError("off-target rows count as neutral: a neutral label is needed")
        elif self.design == "four_way":
            self.design_ = "four_way"
            heads = [self._lr(self.C).fit(X, y)]
        else:
            self.design_ = "two_heads"
            stance = self._lr(self.C).fit(X[np.flatnonzero(on)], y[on])
            relevance = self._lr(self.relevance_C).fit(X, on.astype(int))
            heads = [stance, relevance]
        # One linear layer for every head: scoring is one product (stance.linear).
        coefs, intercepts = [], []
        for i, lr in enumerate(heads):
            coef, icpt = lr.coef_, lr.intercept_
            if len(lr.classes_) == 2 and not (i == 1 and self.design_ == "two_heads"):
                # A binary softmax: sigmoid(z) == softmax([0, z])[1].
                coef = np.vstack([np.zeros_like(coef), coef])
                icpt = np.concatenate([[0.0], icpt])
            coefs.append(coef)
            intercepts.append(icpt)
        self.coef_ = np.vstack(coefs)
        self.intercept_ = np.concatenate(intercepts)
        self.n_features_in_ = self.coef_.shape[1]
        return self

    @property
    def decision_rule(self) -> DecisionRule:
        """The rule :meth:`predict` applies (stored with the model's scoring arrays)."""
        weights = {"neutral": self.neutral_weight, "pro": self.pro_weight}
        return DecisionRule(self.on_target_threshold, weights)

    def _proba(self, X: Any) -> tuple[np.ndarray, np.ndarray | None]:
        check_is_fitted(self, "coef_")
        scores = np.asarray(X @ self.coef_.T) + self.intercept_
        return heads_to_proba(scores, self.design_, [str(c) for c in self.classes_])

    def predict_proba(self, X: Any) -> np.ndarray:
        return self._proba(X)[0]

    def predict_target_proba(self, X: Any) -> np.ndarray:
        """Probability that each row is about the target (1 without a relevance stage)."""
        proba, on = self._proba(X)
        return np.ones(len(proba)) if on is None else on

    def predict(self, X: Any) -> np.ndarray:
        proba, on = self._proba(X)
        return self.classes_[self.decision_rule.labels(proba, on, list(self.classes_))]


DEFAULT_PARAMS: dict[str, Any] = {
    "features__word__min_df": 1,
    "features__char__ngram_range": (2, 5),
    "features__char__min_df": 2,
    "clf__design": "two_heads",
    "clf__C": 4.0,
    "clf__relevance_C": 2.0,
    # The decision rule is chosen on real text, not fitted: `python bench/decision_rule.py`
    # ranks rules on the seed articles (leave one article out) and the dev set. On the
    # 8,279-sentence corpus the best keeps the threshold and weighs neutral 1.4 and pro
    # 1.5, i.e. critical relatively down: real neutral coverage of Israel reads as
    # critical to a model trained on a balanced corpus.
    "clf__on_target_threshold": 0.5,
    "clf__neutral_weight": 1.4,
    "clf__pro_weight": 1.5,
}


def build_pipeline(**params: Any) -> Pipeline:
    """Return the unfitted Pipeline that ``stance train`` fits.

    Keyword arguments are scikit-learn ``set_params`` names, e.g.
    ``build_pipeline(clf__C=2.0, features__char__ngram_range=(2, 4))``.
    Step names are stable: ``features`` (``word``, ``char``, ``lexicon``) and ``clf``
    (:class:`TargetStanceClassifier`); ``features__lexicon="drop"`` leaves the
    loaded-term features out. Fit it with stance labels, and ``"off_target"`` for
    sentences not about the target.
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
            ("clf", TargetStanceClassifier(random_state=RANDOM_STATE)),
        ]
    )
    merged = {**DEFAULT_PARAMS, **params}
    try:
        pipe.set_params(**merged)
    except ValueError as exc:
        raise ValueError(f"build_pipeline: {exc}") from None
    return pipe
