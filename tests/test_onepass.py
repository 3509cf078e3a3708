"""One pass over the text (stance.vectorize.OnePass) computes exactly what each block
computes on its own: the reference is the per-block transform (each block normalizing
and tokenizing the texts itself), whose equality with scikit-learn is tested in
tests/test_features.py, and ``Lexicon.find`` for the loaded terms."""

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from stance import vectorize
from stance.annotations import load_annotations
from stance.decision import heads_to_proba
from stance.features import build_pipeline
from stance.lexicon import load_lexicon
from stance.linear import Scorer
from stance.model import load_model
from stance.sniff import text_language

from .conftest import REPO

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")

EDGE = [
    "",
    "   ",
    "!!",
    "و",
    "بالكيان  الصهيوني\n\nوالكيان",
    '"إسرائيل" (الكيان)',
    "«إسرائيل» و'إسرائيل' و(إسرائيل)",
    "a b a b a",
    "قال: «الكيان» (إسرائيل)!؟ كذا...",
    "التطبيعُ  الخيانيُّ، على حساب غزة",
    "الكيان الاقتصادي والكيان",
    "ﻻ ﻹسرائيل \u200fالكيان\u0301 الصهيوني",
    "word\x00word \x1c الكيان\x1fالصهيوني",
    # U+FE70 normalizes to a space and a deleted mark: one piece becomes two.
    "الكيان\ufe70الصهيوني على\ufe72حساب \u200c \u064e",
]


@pytest.fixture(scope="module")
def texts() -> list[str]:
    return [a.text for a in load_annotations(REPO / "annotations")]


@pytest.fixture(scope="module")
def scorer(texts) -> Scorer:
    """A model fitted on part of the annotations: word, char and lexicon blocks."""
    labels = [a.label for a in load_annotations(REPO / "annotations")]
    pipe = build_pipeline(clf__max_iter=5).fit(texts[:400], labels[:400])
    return Scorer.from_pipeline(pipe)


def _assert_same(scorer: Scorer, batch: list[str]) -> None:
    one = scorer.block_matrices(batch)
    ref = scorer.block_matrices_per_block(batch)
    assert len(one) == len(ref)
    for (a, coef_a), (b, coef_b) in zip(one, ref):
        assert a.shape == b.shape
        np.testing.assert_array_equal(coef_a, coef_b)
        # Equal up to the order of summation inside a row's norm.
        np.testing.assert_allclose(a.toarray(), b.toarray(), rtol=0, atol=1e-12)
    proba, on_target, found = scorer.analyse(batch, terms=True, languages=True)
    scores = np.tile(scorer.intercept, (len(batch), 1))
    for Xb, coef in ref:
        scores += np.asarray(Xb @ coef.T)
    ref_proba, ref_on = heads_to_proba(scores, scorer.design, scorer.classes_)
    np.testing.assert_allclose(proba, ref_proba, rtol=0, atol=1e-12)
    if ref_on is not None:
        np.testing.assert_allclose(on_target, ref_on, rtol=0, atol=1e-12)
    lexicon = load_lexicon()
    assert found.terms == [lexicon.find(t) for t in batch]
    assert found.languages == [text_language(t) for t in batch]


def test_one_pass_equals_each_block(scorer, texts) -> None:
    batch = texts[1000:1300] + EDGE
    _assert_same(scorer, batch)  # a cold table
    _assert_same(scorer, batch)  # a warm one
    for i in range(0, 300, 37):  # small batches, new words in each
        _assert_same(scorer, texts[i : i + 37])


def test_one_pass_table_reset_keeps_results(monkeypatch, scorer, texts) -> None:
    monkeypatch.setattr(vectorize, "_CACHE_WORDS", 60)  # resets nearly every batch
    fresh = Scorer(
        scorer.classes_, scorer.blocks, scorer.coef, scorer.intercept, scorer.design, scorer.rule
    )
    for i in range(0, 200, 20):
        _assert_same(fresh, texts[i : i + 20] + EDGE[:3])


def test_one_pass_without_lexicon_block(texts) -> None:
    labels = [a.label for a in load_annotations(REPO / "annotations")]
    pipe = build_pipeline(features__lexicon="drop", clf__max_iter=5)
    scorer = Scorer.from_pipeline(pipe.fit(texts[:150], labels[:150]))
    batch = texts[500:650] + EDGE
    assert scorer.analyse(batch)[2].terms is None
    _assert_same(scorer, batch)  # terms asked for: found in the pass all the same
    np.testing.assert_allclose(scorer.predict_proba(batch), pipe.predict_proba(batch), atol=1e-12)


def test_one_pass_feeds_the_relevance_head(texts, tiny_model_dir) -> None:
    """The stance and relevance heads are one linear layer over the same pass."""
    model = load_model(tiny_model_dir)
    assert model._scorer.design == "two_heads"
    batch = texts[1700:1900] + EDGE
    _assert_same(model._scorer, batch)
    pipe = model.pipeline
    np.testing.assert_allclose(model.predict_proba(batch), pipe.predict_proba(batch), atol=1e-12)
    Xt = pipe[:-1].transform(batch)
    np.testing.assert_allclose(
        model.predict_on_target(batch), pipe[-1].predict_target_proba(Xt), atol=1e-12
    )


# Letters (with forms normalization changes), proclitics, lexicon words, punctuation
# that is a token, punctuation that is not, and every kind of whitespace.
_PIECES = [
    "ال", "و", "ب", "ل", "ك", "ف", "كيان", "الكيان", "الصهيوني", "إسرائيل", "التطبيع",
    "خيانة", "الخياني", "علي", "على", "حساب", "السلام", "ه", "ها", "ة", "ت", "أ", "ى",
    "\u064e", "\u0301", "ـ", "ﻻ", "٢", "7", "a", "Z", '"', "'", "«", "»", "(", ")", "[",
    ":", "؟", "!", "،", ".", "-", "_", "\u200c", " ", "  ", "\n", "\t", "\u00a0", "\u2003",
    "\ufe70", "\ufe72", "پ", "است", "ש", "ж", "\U0001d518",
]  # fmt: skip


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.lists(st.sampled_from(_PIECES), max_size=30).map("".join), max_size=12))
def test_one_pass_equals_each_block_on_any_text(scorer, batch) -> None:
    _assert_same(scorer, batch)


@pytest.fixture(scope="module")
def seed_sentences() -> list[str]:
    from stance.segment import segment

    from .conftest import SEEDS

    if not SEEDS.is_dir():
        pytest.skip(f"seed articles not found at {SEEDS} (../shared is not beside the repo)")
    out = []
    for path in sorted(SEEDS.glob("*.txt")):
        text = path.read_text(encoding="utf-8")
        out.append(text)  # the whole article as one passage too
        out.extend(s.text for s in segment(text))
    return out


def test_one_pass_equals_each_block_on_seeds(scorer, seed_sentences) -> None:
    for i in range(0, len(seed_sentences), 512):
        _assert_same(scorer, seed_sentences[i : i + 512])


def test_normalization_keeps_whitespace() -> None:
    """What lets the pass split the text before normalizing it: no whitespace character
    is deleted or turned into anything but whitespace."""
    from stance.normalize import normalize

    for cp in range(0x110000):
        ch = chr(cp)
        if ch.isspace():
            out = normalize(ch)
            assert out and out.isspace(), hex(cp)
