"""The shipped model in models/ is the one `stance train` builds from annotations/."""

import json

import pytest

import stance
from stance.annotations import annotations_sha256
from stance.lexicon import load_lexicon
from stance.model import default_model_dir

from .conftest import REPO


def test_shipped_card_matches_annotations() -> None:
    card = json.loads((default_model_dir() / "card.json").read_text(encoding="utf-8"))
    assert card["training_data"]["sha256"] == annotations_sha256(REPO / "annotations"), (
        "models/ is stale: run `stance train` after changing annotations/"
    )
    assert card["labels"] == ["critical", "neutral", "pro"]
    assert card["lexicon_version"] == load_lexicon().version
    assert card["evaluation"]["seed_loao_macro_f1"] >= 0.65


def test_shipped_model_scores_the_sample_article() -> None:
    model = stance.load_model()
    text = (REPO / "examples" / "sample_article.txt").read_text(encoding="utf-8")
    art = model.score_article(text, source="sample")
    labels = [s.label for s in art.sentences]
    assert len(labels) == 8
    # The two officials' quotes of praise are pro, the Hamas statement and the
    # "Zionist entity" sentence critical, the dateline neutral.
    assert labels[3] == labels[4] == "pro"
    assert labels[5] == labels[6] == "critical"
    assert labels[1] == "neutral"
    assert -1 <= art.summary["lean"] <= 1


@pytest.mark.parametrize(
    ("text", "label"),
    [
        ("وقال الوزير إن الانضمام خطوة تاريخية ستجلب السلام والازدهار للمنطقة.", "pro"),
        ("ويواصل الكيان الصهيوني جرائمه بغطاء من الأنظمة المطبعة.", "critical"),
        ("ووصل الوفد إلى العاصمة صباح الثلاثاء في زيارة تستغرق يومين.", "neutral"),
    ],
)
def test_shipped_model_on_clear_sentences(text: str, label: str) -> None:
    assert stance.load_model().predict([text])[0] == label
