"""Scoring from the saved arrays (stance.linear) equals the pipeline, never needs
scikit-learn, and refuses damaged files cleanly."""

import json
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from stance.errors import ModelError
from stance.linear import Scorer
from stance.model import load_model

from .conftest import REPO

TEXTS = [
    "الكيان الصهيوني يتمدد في آسيا الوسطى.",
    "وقال الوزير إنها خطوة تاريخية للسلام والازدهار.",
    "وصل الوفد أمس إلى أستانا.",
    "",
    '"إسرائيل" (الكيان) تطبيع',
]


def test_saved_model_scores_with_arrays_equal_to_pipeline(tiny_model_dir: Path) -> None:
    card = json.loads((tiny_model_dir / "card.json").read_text(encoding="utf-8"))
    assert card["scoring_file"].endswith(".scoring.npz") and len(card["scoring_sha256"]) == 64
    model = load_model(tiny_model_dir)
    assert model._scorer is not None and model._pipeline is None  # pickle not loaded yet
    got = model.predict_proba(TEXTS)
    np.testing.assert_allclose(got, model.pipeline.predict_proba(TEXTS), atol=1e-12)
    assert model.classes_ == [str(c) for c in model.pipeline.classes_]


def test_round_trip_through_npz(tiny_model_dir: Path, tmp_path: Path) -> None:
    scorer = Scorer.from_pipeline(load_model(tiny_model_dir).pipeline)
    with open(tmp_path / "s.npz", "wb") as fh:
        scorer.save(fh)
    again = Scorer.load(tmp_path / "s.npz")
    np.testing.assert_array_equal(again.predict_proba(TEXTS), scorer.predict_proba(TEXTS))


def test_scoring_does_not_import_sklearn(tiny_model_dir: Path) -> None:
    code = (
        "import sys\n"
        "from stance.model import load_model\n"
        f"m = load_model({str(tiny_model_dir)!r})\n"
        "a = m.score_article('الكيان الصهيوني يتمدد. وقال الوزير إنها خطوة تاريخية.')\n"
        "print(len(a.sentences), 'sklearn' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["2", "False"]


@pytest.mark.parametrize("damage", ["truncate", "delete"])
def test_damaged_scoring_file_is_a_clean_error(tiny_model_dir: Path, tmp_path: Path, damage):
    d = tmp_path / "m"
    shutil.copytree(tiny_model_dir, d)
    card = json.loads((d / "card.json").read_text(encoding="utf-8"))
    f = d / card["scoring_file"]
    if damage == "truncate":
        f.write_bytes(f.read_bytes()[:100])
    else:
        f.unlink()
    with pytest.raises(ModelError, match="scoring file"):
        load_model(d)


def test_shipped_model_has_scoring_arrays() -> None:
    card = json.loads((REPO / "models" / "card.json").read_text(encoding="utf-8"))
    assert (REPO / "models" / card["scoring_file"]).is_file()
