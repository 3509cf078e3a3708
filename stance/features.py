"""The scikit-learn Pipeline: word + character TF-IDF over normalized text, then a
class-weighted logistic regression.

Everything in the pipeline is a module-level function or a scikit-learn class, so the
pickled model refers only to stable import paths (``stance.features.*``).
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np
from scipy import sparse
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.feature_extraction.text import TfidfVectorizer
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
]

RANDOM_STATE = 0

# Words, numbers, and the punctuation that carries stance (quotes, brackets, colon of
# attribution). scikit-learn's default token_pattern drops one-letter words and all of it.
_TOKEN = re.compile(r"[^\W_]+|[\"'()\[\]:؟?!]")
_PROCLITICS = ("وبال", "وكال", "وال", "فال", "بال", "كال", "لل", "ال", "و", "ف", "ب", "ل", "ك")


def tokenize(text: str) -> list[str]:
    """Tokens of already-normalized text: words, numbers and stance punctuation."""
    return _TOKEN.findall(text)


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
                        (
                            "word",
                            TfidfVectorizer(
                                analyzer=word_features, sublinear_tf=True, dtype=np.float64
                            ),
                        ),
                        (
                            "char",
                            TfidfVectorizer(
                                analyzer="char_wb",
                                preprocessor=normalize,
                                lowercase=False,
                                sublinear_tf=True,
                                dtype=np.float64,
                            ),
                        ),
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
