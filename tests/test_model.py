import json
import shutil
from pathlib import Path

import numpy as np
import pytest
from sklearn.exceptions import NotFittedError
from sklearn.pipeline import Pipeline

import stance
from stance.errors import ModelError
from stance.features import build_pipeline, light_stem, word_features
from stance.model import CARD_NAME, SCORING_KEYS, StanceModel, load_model
from stance.train import train_model

from .conftest import TINY

TEXTS = [row[3] for row in TINY]
LABELS = [row[1] for row in TINY]


def test_build_pipeline_is_unfitted_with_stable_steps() -> None:
    pipe = build_pipeline()
    assert isinstance(pipe, Pipeline)
    assert [name for name, _ in pipe.steps] == ["features", "clf"]
    assert pipe.get_params()["clf__random_state"] == 0
    assert pipe.get_params()["clf__design"] == "two_heads"
    with pytest.raises(NotFittedError):
        pipe.predict(["نص"])


def test_build_pipeline_params_and_bad_param() -> None:
    assert build_pipeline(clf__C=0.5).get_params()["clf__C"] == 0.5
    with pytest.raises(ValueError, match="build_pipeline"):
        build_pipeline(no_such_step__x=1)


def test_pipeline_trains_on_other_labels_as_given() -> None:
    pipe = build_pipeline().fit(TEXTS, ["a" if i % 2 else "b" for i in range(len(TEXTS))])
    assert list(pipe.classes_) == ["a", "b"]


@pytest.mark.parametrize("word", ["بالكيان", "للكيان", "والكيان", "الكيان", "وبالكيان"])
def test_light_stem_strips_proclitics(word: str) -> None:
    assert light_stem(word) == "كيان"


def test_word_features_keep_quotes_and_one_letter_words() -> None:
    feats = word_features("قال و «إسرائيل» بالكيان")
    assert '"' in feats and "و" in feats and "~كيان" in feats
    assert 'اسرائيل "' in feats


def test_training_is_deterministic(tiny_dir: Path) -> None:
    a = train_model(tiny_dir, run_evaluation=False).predict_proba(TEXTS)
    b = train_model(tiny_dir, run_evaluation=False).predict_proba(TEXTS)
    np.testing.assert_array_equal(a, b)


def test_save_load_round_trip(tiny_dir: Path, tmp_path: Path) -> None:
    model = train_model(tiny_dir, run_evaluation=False)
    model.save(tmp_path)
    again = load_model(tmp_path)
    np.testing.assert_allclose(again.predict_proba(TEXTS), model.predict_proba(TEXTS))
    np.testing.assert_allclose(again.predict_on_target(TEXTS), model.predict_on_target(TEXTS))
    assert again.predict(TEXTS) == model.predict(TEXTS)
    card = json.loads((tmp_path / CARD_NAME).read_text(encoding="utf-8"))
    assert card["labels"] == ["critical", "neutral", "pro"]
    assert card["training_data"]["counts_per_label"] == {"critical": 8, "neutral": 11, "pro": 7}
    assert card["training_data"]["off_target"] == 6
    assert card["decision"]["design"] == "two_heads"
    assert card["training_data"]["counts_per_origin"] == {"authored": 18, "seed": 8}
    assert len(card["model_sha256"]) == 64
    assert {"python", "scikit-learn"} <= set(card["versions"])
    # Loading by the model file path works too.
    assert load_model(tmp_path / card["model_file"]).classes_ == model.classes_


def test_resave_replaces_old_model_file(tiny_dir: Path, tmp_path: Path) -> None:
    train_model(tiny_dir, run_evaluation=False).save(tmp_path)
    m = build_pipeline(clf__C=1.0).fit(TEXTS, LABELS)
    StanceModel(m).save(tmp_path)
    assert len(list(tmp_path.glob("model-*.joblib"))) == 1
    assert not list(tmp_path.glob(".*tmp"))
    load_model(tmp_path)


def _copy(src: Path, dst: Path) -> Path:
    shutil.copytree(src, dst)
    return dst


def test_tampered_model_is_refused(tiny_model_dir: Path, tmp_path: Path) -> None:
    d = _copy(tiny_model_dir, tmp_path / "m")
    model_file = next(d.glob("model-*.joblib"))
    model_file.write_bytes(model_file.read_bytes() + b"x")
    with pytest.raises(ModelError, match="does not match its card"):
        load_model(d)


def test_missing_card_and_missing_dir_are_refused(tiny_model_dir: Path, tmp_path: Path) -> None:
    d = _copy(tiny_model_dir, tmp_path / "m")
    (d / CARD_NAME).unlink()
    with pytest.raises(ModelError, match="no model card"):
        load_model(d)
    with pytest.raises(ModelError, match="model not found"):
        load_model(tmp_path / "nope")


def test_card_from_other_label_set_or_sklearn_is_refused(
    tiny_model_dir: Path, tmp_path: Path
) -> None:
    d = _copy(tiny_model_dir, tmp_path / "m")
    card = json.loads((d / CARD_NAME).read_text(encoding="utf-8"))
    (d / CARD_NAME).write_text(json.dumps({**card, "labels": ["favor", "against"]}))
    with pytest.raises(ModelError, match="another label set"):
        load_model(d)
    bad = {**card, "versions": {**card["versions"], "scikit-learn": "0.24.2"}}
    (d / CARD_NAME).write_text(json.dumps(bad))
    # Scoring reads the card's arrays, not the pickle: the check waits for the pickle.
    model = load_model(d)
    assert model.predict(TEXTS[:2])
    with pytest.raises(ModelError, match="scikit-learn 0.24.2"):
        _ = model.pipeline
    without_arrays = {k: v for k, v in bad.items() if k not in SCORING_KEYS}
    (d / CARD_NAME).write_text(json.dumps(without_arrays))
    with pytest.raises(ModelError, match="scikit-learn 0.24.2"):
        load_model(d)
    (d / CARD_NAME).write_text("{not json")
    with pytest.raises(ModelError, match="not valid JSON"):
        load_model(d)


def test_api_predict_and_string_input(tiny_model_dir: Path) -> None:
    model = stance.load_model(tiny_model_dir)
    assert model.classes_ == ["critical", "neutral", "pro"]
    proba = model.predict_proba(TEXTS[:3])
    assert proba.shape == (3, 3)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    assert model.predict(TEXTS[:3]) == [model.classes_[i] for i in proba.argmax(axis=1)]
    with pytest.raises(TypeError, match="got a single str"):
        model.predict("جملة واحدة")
    assert model.predict_proba([]).shape == (0, 3)


def test_score_article(tiny_model_dir: Path) -> None:
    model = stance.load_model(tiny_model_dir)
    text = "عنوان: الكيان الصهيوني يتمدد\nSHARE:\nوقال الوزير إنها خطوة تاريخية. وصل الوفد أمس."
    art = model.score_article(text, source="x.txt")
    assert [s.text for s in art.sentences] == [
        "عنوان: الكيان الصهيوني يتمدد",
        "وقال الوزير إنها خطوة تاريخية.",
        "وصل الوفد أمس.",
    ]
    assert [s.index for s in art.sentences] == [0, 1, 2]
    for s in art.sentences:
        assert text[s.start : s.end] == s.text
    sm = art.summary
    assert sm["sentences"] == 3 and sum(sm["counts"].values()) == 3
    assert -1.0 <= sm["lean"] <= 1.0
    expected = np.mean(
        [s.probabilities["pro"] - s.probabilities["critical"] for s in art.sentences]
    )
    assert sm["lean_model"] == pytest.approx(expected, abs=1e-4)
    # الكيان الصهيوني (weight 1) decides sentence 0; خطوة تاريخية (0.7) pulls sentence 1.
    _, second, third = (s.probabilities["pro"] - s.probabilities["critical"] for s in art.sentences)
    assert [m.term for m in art.sentences[0].loaded_terms] == ["الكيان الصهيوني"]
    assert sm["lean"] == pytest.approx((-1.0 + 0.3 * second + 0.7 + third) / 3, abs=1e-4)
    assert sm["words"] == 12
    assert sm["loaded_term_score"] == pytest.approx(1000 * (0.7 - 1.0) / 12, abs=0.01)
    english = model.score_article("Only English here. Nothing else.")
    assert not english.arabic and english.language == "latin"
    assert len(english.sentences) == 2 and english.to_dict()["arabic"] is False
    with pytest.raises(stance.InputError, match="no words"):
        model.score_article("... !!! ---")
