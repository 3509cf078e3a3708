"""Why this label: per-sentence contributions are exact (they and the intercept give the
linear scores), readable (words, stems, n-grams, loaded terms) and in every output."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from stance.cli import main
from stance.decision import heads_to_proba
from stance.explain import Explainer, label_column, target_column
from stance.model import load_model

TEXTS = [
    "يواصل الكيانُ الصهيوني اختراق آسيا الوسطى عبر اتفاق التسوية.",
    "وقال الوزير إن الانضمام إلى الاتفاقيات خطوة تاريخية نحو السلام والازدهار.",
    'وقال إن "السلام" المزعوم خدعة للتطبيع مع كيان الاحتلال',
    "تبلغ مساحة كازاخستان نحو مليونين وسبعمئة ألف كيلومتر مربع.",
]


@pytest.fixture(scope="module")
def tiny(tiny_model_dir: Path):
    return load_model(tiny_model_dir)


def test_contributions_plus_intercept_are_the_decision_scores(tiny) -> None:
    """Checked against scikit-learn's own transform and coefficients (not the scorer's
    blocks the explanations are made of), for every head, then through the decision
    layer to the probabilities the model reports."""
    pipe = tiny.pipeline
    reference = np.asarray(pipe[:-1].transform(TEXTS) @ pipe[-1].coef_.T) + pipe[-1].intercept_
    scorer = tiny._scorer
    ex = Explainer(scorer)
    assert sorted(ex.kinds) == ["char", "lexicon", "word"]
    rebuilt = np.empty_like(reference)
    for k in range(reference.shape[1]):
        for i, acc in enumerate(ex.contributions(TEXTS, [k] * len(TEXTS))):
            rebuilt[i, k] = scorer.intercept[k] + sum(acc.values())
    np.testing.assert_allclose(rebuilt, reference, rtol=0, atol=1e-9)
    proba, on = heads_to_proba(rebuilt.copy(), scorer.design, scorer.classes_)
    np.testing.assert_allclose(proba, tiny.predict_proba(TEXTS), atol=1e-9)
    np.testing.assert_allclose(on, tiny.predict_on_target(TEXTS), atol=1e-9)


def test_evidence_is_the_top_of_the_contributions(tiny) -> None:
    labels = tiny.predict(TEXTS)
    scorer = tiny._scorer
    cols = [label_column(lab, scorer.classes_, scorer.design) for lab in labels]
    full = Explainer(scorer).contributions(TEXTS, cols)
    for (evidence, target), acc, text in zip(tiny.explain(TEXTS, labels), full, TEXTS):
        assert 0 < len(evidence) <= 5
        values = [e.contribution for e in evidence]
        assert values == sorted(values, key=abs, reverse=True)
        best = sorted(acc.values(), key=abs, reverse=True)[: len(values)]
        assert values == pytest.approx(best)
        words = " ".join(text.replace('"', " ").split())
        for e in evidence:
            if e.kind == "word":  # words as written (آسيا, not the normalized اسيا)
                assert e.feature in words, e
        assert target is not None and target_column(scorer.classes_, scorer.design) == 3
    (first, _), *_ = tiny.explain(TEXTS[:1], ["critical"])
    assert first[0].kind == "loaded_term" and first[0].contribution > 0
    assert first[0].feature == "الكيان الصهيوني, اتفاق التسوية"
    assert any(e.feature == "آسيا" for e in Explainer(scorer).explain(TEXTS[:1], [[0]], 50)[0][0])


@pytest.fixture()
def article(tmp_path: Path) -> Path:
    p = tmp_path / "a.txt"
    p.write_text("\n".join(TEXTS) + "\n", encoding="utf-8")
    return p


def test_evidence_in_json_table_and_html(runner, tiny_model_dir, article) -> None:
    base = ["score", "--model", str(tiny_model_dir), str(article)]
    res = runner.invoke(main, [*base, "--format", "json"])
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    first = doc["sentences"][0]
    assert first["label"] == "critical"
    top = first["evidence"][0]
    assert top["kind"] == "loaded_term" and "الكيان الصهيوني" in top["feature"]
    assert top["contribution"] > 0
    for s in doc["sentences"]:
        assert 1 <= len(s["evidence"]) <= 5 and 1 <= len(s["target_evidence"]) <= 5
        for e in s["evidence"]:
            assert set(e) == {"kind", "feature", "contribution"}
            assert e["kind"] in {"word", "stem", "ngram", "loaded_term"}

    plain = runner.invoke(main, base).stdout
    assert "why " not in plain
    table = runner.invoke(main, [*base, "--explain"]).stdout
    assert table.count("why ") == len(TEXTS) and "why critical: +" in table
    assert "(loaded term)" in table and "target (+ on, - off):" in table

    page = runner.invoke(main, [*base, "--format", "html"]).stdout
    assert page.count("why critical:") >= 1 and "(loaded term)" in page
    lean = runner.invoke(main, [*base, "--format", "json", "--no-explain"]).stdout
    assert all("evidence" not in s for s in json.loads(lean)["sentences"])
    assert (
        "why critical:"
        not in runner.invoke(main, [*base, "--format", "html", "--no-explain"]).stdout
    )
