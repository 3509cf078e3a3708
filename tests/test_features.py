"""The fast featurizer must compute exactly what scikit-learn's TfidfVectorizer does."""

import pickle

import numpy as np
import pytest
from sklearn.feature_extraction.text import TfidfVectorizer

from stance import vectorize
from stance.annotations import load_annotations
from stance.features import (
    CharNgramTfidf,
    WordTfidf,
    build_pipeline,
    char_wb_ngrams,
    word_features,
)
from stance.linear import Scorer
from stance.normalize import normalize

from .conftest import REPO

EDGE = ["", "   ", "!!", "و", "بالكيان  الصهيوني\n\nوالكيان", '"إسرائيل" (الكيان)', "a b a b a"]


@pytest.fixture(scope="module")
def texts() -> list[str]:
    return [a.text for a in load_annotations(REPO / "annotations")]


def _pairs():
    return [
        (
            CharNgramTfidf((2, 5), min_df=2),
            TfidfVectorizer(
                analyzer="char_wb",
                preprocessor=normalize,
                lowercase=False,
                sublinear_tf=True,
                ngram_range=(2, 5),
                min_df=2,
            ),
        ),
        (WordTfidf(min_df=1), TfidfVectorizer(analyzer=word_features, sublinear_tf=True)),
    ]


@pytest.mark.parametrize("ours,ref", _pairs(), ids=["char", "word"])
def test_equals_sklearn_tfidf(ours, ref, texts) -> None:
    train, test = texts[:600], texts[1200:1450] + EDGE
    ours.fit(train)
    ref.fit(train)
    assert ours.vocabulary_ == ref.vocabulary_
    np.testing.assert_allclose(ours.idf_, ref.idf_)
    expected = ref.transform(test).toarray()
    # Twice: the second pass runs on a warm unit table.
    for _ in range(2):
        np.testing.assert_allclose(ours.transform(test).toarray(), expected, atol=1e-12)
    # In small batches, as the CLI feeds them.
    got = np.vstack([ours.transform(test[i : i + 7]).toarray() for i in range(0, len(test), 7)])
    np.testing.assert_allclose(got, expected, atol=1e-12)


def test_unit_table_reset_keeps_results(monkeypatch, texts) -> None:
    monkeypatch.setattr(vectorize, "_CACHE_WORDS", 50)  # forces many resets
    for ours, ref in _pairs():
        ours.fit(texts[:300])
        ref.fit(texts[:300])
        test = texts[300:420]
        got = np.vstack([ours.transform(test[i : i + 10]).toarray() for i in range(0, 120, 10)])
        np.testing.assert_allclose(got, ref.transform(test).toarray(), atol=1e-12)


def test_char_ngrams_match_sklearn_analyzer() -> None:
    analyze = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), lowercase=False)
    analyze = analyze.build_analyzer()
    for word in ["و", "في", "كيان", "بالكيانات", "ab"]:
        assert char_wb_ngrams(word, (2, 5)) == analyze(word)


@pytest.mark.parametrize("ngram_range", [(2, 5), (1, 3), (3, 6), (4, 4), (5, 7)])
def test_char_ids_of_many_words_match_sklearn_analyzer(ngram_range) -> None:
    """CharBlock.ids_many makes every word's n-grams in one comprehension (and falls
    back to char_wb_ngrams for words shorter than the smallest n): the ids must be the
    analyzer's n-grams of each word, in order, that are in the vocabulary."""
    analyze = TfidfVectorizer(analyzer="char_wb", ngram_range=ngram_range, lowercase=False)
    analyze = analyze.build_analyzer()
    words = ["و", "في", "كيان", "بالكيانات", "ab", "a", "التطبيع", "ببب"]
    grams = sorted({g for w in words for g in analyze(w)})
    vocabulary = {g: i for i, g in enumerate(grams[::2])}  # half of them: some dropped
    block = vectorize.CharBlock(vocabulary, np.ones(len(vocabulary)), ngram_range)
    for batch in (words, words[1:3], words[5:6], []):
        ids, lengths = block.ids_many(batch)
        expected = [[vocabulary[g] for g in analyze(w) if g in vocabulary] for w in batch]
        assert lengths.tolist() == [len(e) for e in expected]
        assert ids.tolist() == [i for e in expected for i in e]


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_fast_predict_proba_equals_pipeline(texts) -> None:
    labels = [a.label for a in load_annotations(REPO / "annotations")]
    # Few iterations: the point is the arithmetic of prediction, not a good model.
    pipe = build_pipeline(clf__max_iter=5).fit(texts[:200], labels[:200])
    batch = texts[900:1100] + EDGE
    got = Scorer.from_pipeline(pipe).predict_proba(batch)
    np.testing.assert_allclose(got, pipe.predict_proba(batch), atol=1e-12)
    no_lex = build_pipeline(features__lexicon="drop", clf__max_iter=5)
    no_lex.fit(texts[:200], labels[:200])
    np.testing.assert_allclose(
        Scorer.from_pipeline(no_lex).predict_proba(batch), no_lex.predict_proba(batch), atol=1e-12
    )


def test_unit_table_is_not_pickled(texts) -> None:
    tf = WordTfidf().fit(texts[:200])
    before = len(pickle.dumps(tf))
    tf.transform(texts)  # fills the table with every word of the corpus
    assert len(pickle.dumps(tf)) == before
    clone = pickle.loads(pickle.dumps(tf))
    np.testing.assert_allclose(
        clone.transform(texts[:50]).toarray(), tf.transform(texts[:50]).toarray()
    )
