from pathlib import Path

import pytest

from stance.discover import discover_terms, ngrams
from stance.errors import StanceError
from stance.lexicon import Lexicon, Term, load_lexicon


def _t(term: str, direction: str = "critical", weight: float = 1.0, variants: tuple = ()) -> Term:
    return Term(term, variants, direction, weight, "delegitimizing_label", "إسرائيل", "gloss")


LEX = Lexicon(
    [
        _t("الكيان الصهيوني"),
        _t("الكيان", weight=0.6),
        _t("كيان الاحتلال"),
        _t('"إسرائيل"', weight=0.8),
        _t("خيانة", weight=0.7),
        _t("التطبيع الخياني", variants=("تطبيع خياني",)),
        _t("المطبع", weight=0.7, variants=("المطبعين", "المطبعون")),
        _t("السلام الإبراهيمي", direction="pro", weight=0.8),
        _t("التسامح", direction="pro", weight=0.4),
    ]
)


def _found(text: str) -> list[tuple[str, str]]:
    return [(m.term, m.match) for m in LEX.find(text)]


@pytest.mark.parametrize(
    "text",
    [
        "الكيان الصهيوني",
        "بالكيان الصهيوني",
        "للكيان الصهيوني",
        "والكيان الصهيوني",
        "فالكيان الصهيوني",
        "وبالكيان الصهيوني",
        "كالكيان الصهيوني",
        "وللكيان الصهيوني",
    ],
)
def test_proclitics_match(text: str) -> None:
    assert _found(text) == [("الكيان الصهيوني", text)]


@pytest.mark.parametrize(
    "text", ["الكيانات الصهيونية", "الكيانات", "كيانات", "الاستسلام", "بالكيانين", "التسامحات"]
)
def test_no_false_matches(text: str) -> None:
    assert not any(t in ("الكيان الصهيوني", "الكيان", "التسامح") for t, _ in _found(text))


def test_longest_match_wins_and_bare_entry_still_found() -> None:
    text = "إن الكيان الصهيوني يسعى، والكيان لا يتوقف"
    assert _found(text) == [("الكيان الصهيوني", "الكيان الصهيوني"), ("الكيان", "والكيان")]


def test_suffixes_and_variants() -> None:
    assert _found("وصفها بخيانتهم") == [("خيانة", "بخيانتهم")]
    assert _found("هذا تطبيع خياني") == [("التطبيع الخياني", "تطبيع خياني")]
    assert _found("أنظمة المطبعين") == [("المطبع", "المطبعين")]


def test_scare_quotes_are_a_term_but_plain_name_is_not() -> None:
    assert _found("قال «إسرائيل» و“إسرائيل”") == [
        ('"إسرائيل"', "«إسرائيل»"),
        ('"إسرائيل"', "“إسرائيل”"),
    ]
    assert _found("قالت إسرائيل إن") == []


def test_offsets_point_at_diacritized_original() -> None:
    text = "وقال إنّ لِلكيـــانِ الصَّهيونيّ أطماعًا"
    (m,) = LEX.find(text)
    assert text[m.start : m.end] == m.match == "لِلكيـــانِ الصَّهيونيّ"
    assert m.direction == "critical" and m.weight == 1.0


def test_matching_twice_gives_same_spans() -> None:
    text = "السلام الإبراهيمي والتسامح ضد الكيان"
    assert LEX.find(text) == LEX.find(text)
    assert [m.term for m in LEX.find(text)] == ["السلام الإبراهيمي", "التسامح", "الكيان"]


def test_duplicate_forms_rejected() -> None:
    with pytest.raises(StanceError, match="repeats"):
        Lexicon([_t("الكيان"), _t("الكيان")])


def test_load_lexicon_file_errors(tmp_path: Path) -> None:
    bad = tmp_path / "lex.tsv"
    bad.write_text(
        "# x\nterm\tvariants\tdirection\tweight\tcategory\tneutral\tgloss\n"
        "الكيان\t\tcritical\t2\tdelegitimizing_label\t\tx\n",
        encoding="utf-8",
    )
    with pytest.raises(StanceError, match="outside"):
        load_lexicon(bad)


def test_discovery_ranks_the_known_separators() -> None:
    # Every label draws the same filler words; only the planted phrases separate them.
    fill = ["وصل الوفد", "في العاصمة", "يوم الخميس", "قال المصدر", "بعد الاجتماع", "هذا العام"]
    texts, labels = [], []
    for i in range(12):
        a, b = fill[i % 6], fill[(i + 2) % 6]
        texts += [f"{a} الكيان الغاصب {b}", f"{a} خطوة تاريخية {b}", f"{a} {b}"]
        labels += ["critical", "pro", "neutral"]
    res = discover_terms(texts, labels, top=3, lexicon=LEX)
    assert {r.ngram for r in res["critical"]} == {"الكيان", "الغاصب", "الكيان الغاصب"}
    assert {r.ngram for r in res["pro"]} == {"خطوة", "تاريخية", "خطوة تاريخية"}
    assert all(r.count_rest == 0 and r.count_label == 12 for r in res["critical"])
    # Filler words appear under every label, so they never separate one.
    assert not any(w in r.ngram for rows in res.values() for r in rows for w in ("الوفد", "العام"))
    marks = {r.ngram: r.in_lexicon for r in res["critical"]}
    assert marks["الكيان"] and not marks["الغاصب"]
    assert all(r.z > 0 and r.log_odds > 0 for rows in res.values() for r in rows)


def test_ngrams_are_normalized_words_without_punctuation() -> None:
    assert ngrams("قالَ: «الكيان» يتمدد.", max_n=2) == [
        "قال",
        "الكيان",
        "يتمدد",
        "قال الكيان",
        "الكيان يتمدد",
    ]
