"""Target relevance: off-target text is neutral and does not count; on-target loaded
terms still decide; the summary fields exist in every output; real-text evaluation."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from stance.cli import main
from stance.decision import DecisionRule, heads_to_proba, mixture
from stance.lexicon import load_lexicon
from stance.model import load_model
from stance.results import SentenceScore, summarize

from .conftest import REPO

DEV = REPO.parent / "shared" / "devset" / "ant2018.jsonl"

# Written for these tests: news about other conflicts, sport and economy, with the
# polemic and the praise that are neutral off the target.
OFF_TARGET = [
    "قتل عشرة مدنيين في غارة جوية استهدفت سوقا شعبية في مدينة إدلب، بحسب الدفاع المدني.",
    "ووصفت جماعة الحوثي الغارات بأنها عدوان إرهابي غاشم على الشعب اليمني.",
    "فاز المنتخب السعودي على نظيره الياباني بهدفين نظيفين في تصفيات كأس العالم.",
    "وأعلنت كازاخستان ارتفاع إنتاجها من النفط بنسبة خمسة في المئة خلال العام الجاري.",
    "ووصف الرئيس الأذربيجاني اتفاق السلام مع أرمينيا بأنه خطوة تاريخية نحو الازدهار.",
    "وتتهم الدول الأربع الدوحة بتمويل الإرهاب ودعم جماعات متطرفة، وهو ما تنفيه قطر.",
]
ON_TARGET_CRITICAL = [
    "ويواصل الكيان الصهيوني التغلغل في آسيا الوسطى عبر ما يسمى اتفاقيات أبراهام.",
    "إن التطبيع مع كيان الاحتلال خيانة لدماء الشهداء وللقضية الفلسطينية.",
]


@pytest.fixture(scope="module")
def shipped():
    return load_model()


def test_off_target_sentences_are_neutral_with_low_on_target(shipped) -> None:
    preds = shipped.score_sentences(OFF_TARGET)
    for text, p in zip(OFF_TARGET, preds):
        assert p.on_target is not None and p.on_target < 0.5, (text, p)
        assert not p.about_target and p.label == "neutral", (text, p)


def test_on_target_loaded_term_decides_its_sentence(shipped) -> None:
    for p in shipped.score_sentences(ON_TARGET_CRITICAL):
        assert p.about_target and p.label == "critical", p


def test_bare_entity_only_when_it_stands_for_israel() -> None:
    lex = load_lexicon()
    assert lex.find("وتحدث عن الكيان الاقتصادي الأوروبي الموحد") == []
    assert lex.find("الكيان السياسي الجديد") == []
    # Before a relative pronoun, a verb or punctuation it still stands for Israel.
    for text in ("مع الكيان الذي يحتل الأرض", "والكيان يواصل عدوانه", "علاقات بالكيان، وهي"):
        assert [m.term for m in lex.find(text)] == ["الكيان"], text
    # Clitics still attach to the full term.
    for form in ("بالكيان الصهيوني", "للكيان الصهيوني", "والكيان الصهيوني"):
        assert [m.term for m in lex.find(form)] == ["الكيان الصهيوني"], form


def test_dropped_noisy_terms_no_longer_fire() -> None:
    lex = load_lexicon()
    assert lex.find("وشنت القوات العراقية حملة على خلايا الإرهاب في الأنبار") == []
    assert lex.find("ووصل الوفد إلى تل أبيب صباح الاثنين") == []


def _sentence(label: str, on: bool, terms: tuple = ()) -> SentenceScore:
    probs = {"critical": 0.1, "neutral": 0.8, "pro": 0.1}
    probs[label] = 0.8
    if label != "neutral":
        probs["neutral"] = 0.1
    text = "نص قصير من خمس كلمات"
    return SentenceScore(0, 0, 10, text, label, probs, terms, 0.9 if on else 0.1, on)


def test_summary_counts_on_target_sentences_only() -> None:
    classes = ["critical", "neutral", "pro"]
    lex = load_lexicon()
    term = tuple(lex.find("الكيان الصهيوني"))
    rows = [_sentence("critical", True, term), _sentence("neutral", False, term)]
    sm = summarize(rows, classes)
    assert sm["on_target_sentences"] == 1 and sm["on_target_share"] == 0.5
    assert sm["on_target_counts"] == {"critical": 1, "neutral": 0, "pro": 0}
    assert sm["lean"] == -1.0  # the off-target sentence does not dilute it
    assert sm["loaded_terms"] == 1  # the off-target sentence's term does not count
    assert sm["loaded_term_score"] == pytest.approx(-200.0)  # 1 term in 5 on-target words
    none = summarize([_sentence("neutral", False, term)], classes)
    assert none["lean"] is None and none["lean_model"] is None and none["lean_hard"] is None
    assert none["loaded_term_score"] is None and none["on_target_share"] == 0.0


def test_mixture_and_decision_rule() -> None:
    stance = np.array([[0.7, 0.2, 0.1], [0.7, 0.2, 0.1]])
    on = np.array([1.0, 0.2])
    mixed = mixture(stance.copy(), on, 1)
    np.testing.assert_allclose(mixed.sum(axis=1), 1.0)
    np.testing.assert_allclose(mixed[1], [0.14, 0.84, 0.02])
    rule = DecisionRule(0.5, {"neutral": 1.0})
    assert rule.labels(mixed, on, ["critical", "neutral", "pro"]).tolist() == [0, 1]
    # A neutral weight above 1 needs a stronger stance to beat neutral.
    shy = DecisionRule(0.5, {"neutral": 4.0})
    assert shy.labels(mixed, on, ["critical", "neutral", "pro"]).tolist() == [1, 1]
    # The four-way design's off_target column folds into neutral.
    scores = np.log(np.array([[0.1, 0.2, 0.6, 0.1]]))  # critical neutral off_target pro
    proba, on4 = heads_to_proba(scores, "four_way", ["critical", "neutral", "pro"])
    np.testing.assert_allclose(proba, [[0.1, 0.8, 0.1]])
    np.testing.assert_allclose(on4, [0.4])


def test_outputs_carry_target_fields(runner, tmp_path: Path) -> None:
    article = tmp_path / "a.txt"
    article.write_text("\n".join([*ON_TARGET_CRITICAL, *OFF_TARGET[:2]]), encoding="utf-8")
    res = runner.invoke(main, ["score", "--format", "json", str(article)])
    assert res.exit_code == 0, res.output
    doc = json.loads(res.output)
    for key in ("on_target_sentences", "on_target_share", "on_target_counts", "lean"):
        assert key in doc["summary"]
    assert doc["summary"]["on_target_sentences"] == 2
    assert [s["about_target"] for s in doc["sentences"]] == [True, True, False, False]
    assert all(0 <= s["on_target"] <= 1 for s in doc["sentences"])

    res = runner.invoke(main, ["score", str(article)])
    assert "on target: 2 of 4 sentences" in res.output and "off 0." in res.output

    res = runner.invoke(main, ["score", "--format", "html", str(article)])
    assert res.output.count('data-target="off"') == 2 and "sent neutral off" in res.output
    assert "only these count below" in res.output

    records = tmp_path / "r.jsonl"
    records.write_text(
        "\n".join(json.dumps({"id": i, "text": t}) for i, t in enumerate(OFF_TARGET[:2])),
        encoding="utf-8",
    )
    res = runner.invoke(main, ["score", "--jsonl", str(records)])
    out = [json.loads(line) for line in res.output.splitlines()]
    assert [o["about_target"] for o in out] == [False, False]
    assert all(o["label"] == "neutral" and o["on_target"] < 0.5 for o in out)


def test_article_without_on_target_sentence_has_no_lean(runner, tmp_path: Path) -> None:
    article = tmp_path / "off.txt"
    article.write_text("\n".join(OFF_TARGET), encoding="utf-8")
    res = runner.invoke(main, ["score", "--format", "json", str(article)])
    summary = json.loads(res.output)["summary"]
    assert summary["on_target_sentences"] == 0 and summary["lean"] is None
    res = runner.invoke(main, ["score", str(article)])
    assert "lean: none (no sentence is about the target)" in res.output
    scored = tmp_path / "s.jsonl"
    args = ["score", "--format", "json", "--source", "X", str(article), "-o", str(scored)]
    assert runner.invoke(main, args).exit_code == 0
    res = runner.invoke(main, ["sources", str(scored)])
    assert res.exit_code == 0 and "no sentence on target: no lean" in res.output


def test_evaluate_dev_on_a_labelled_file(runner, tmp_path: Path) -> None:
    rows = [
        {"id": i, "text": t, "label": "neutral", "target": False} for i, t in enumerate(OFF_TARGET)
    ]
    rows += [{"id": 9, "text": ON_TARGET_CRITICAL[0], "label": "critical", "target": True}]
    dev = tmp_path / "dev.jsonl"
    dev.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows), encoding="utf-8")
    res = runner.invoke(main, ["evaluate", "--dev", str(dev)])
    assert res.exit_code == 0, res.output
    for needle in ("macro-F1", "keyword baseline", "confusion", "off-target sentences labelled"):
        assert needle in res.output
    res = runner.invoke(main, ["evaluate", "--dev", str(dev), "--format", "json"])
    data = json.loads(res.output)
    assert data["off_target_sentences"] == len(OFF_TARGET)
    assert data["off_target_stance_share"] == 0.0
    assert "macro_f1" in data["keyword_baseline"]
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"text": "نص", "label": "maybe"}\n', encoding="utf-8")
    res = runner.invoke(main, ["evaluate", "--dev", str(bad)])
    assert res.exit_code == 1 and "bad.jsonl:1" in res.output and "label" in res.output


def test_shipped_model_on_the_real_dev_set(shipped) -> None:
    if not DEV.is_file():
        pytest.skip(f"dev set not found at {DEV} (../shared is not beside the repo)")
    from stance.dev import evaluate_dev, load_dev

    result = evaluate_dev(shipped, load_dev(DEV))
    # The targets, which the shipped model meets (0.756; README, Evaluation):
    # a retrained model that falls below them fails here.
    assert result["macro_f1"] >= 0.75
    assert result["macro_f1"] >= result["keyword_baseline"]["macro_f1"] + 0.10
    assert result["off_target_stance_share"] <= 0.05
