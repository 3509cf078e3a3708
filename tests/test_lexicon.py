from pathlib import Path

import pytest

from stance.discover import discover_terms, ngrams
from stance.errors import StanceError
from stance.lexicon import Lexicon, Term, load_lexicon
from stance.normalize import normalize

from .conftest import REPO


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


def _reference_find(lex, text: str) -> list[tuple[int, int, str]]:
    """The plain algorithm the fast matcher must reproduce: every form tried at every
    word start and opening quote (one lookahead alternation), a match dropped when the
    next word matches its term's ``unless_next``, longest match wins."""
    import re as _re

    from stance.normalize import normalize_with_offsets

    guard = r"(?:(?<![^\W_])(?=[^\W_])|(?=[\"'(\[]))"
    regex = _re.compile(f"{guard}(?=(?:{'|'.join(lex._patterns)}))")
    nt = normalize_with_offsets(text)
    cands = []
    for m in regex.finditer(nt.text):
        s, e = m.span(m.lastgroup)
        term = lex.terms[lex._group_term[m.lastgroup]]
        nxt = _re.match(r"\s+([^\W_]+)", nt.text[e:])
        if term.unless_next and nxt and _re.fullmatch(term.unless_next, nxt.group(1)):
            continue
        if e > s:
            cands.append((s, e, lex._group_term[m.lastgroup]))
    cands.sort(key=lambda c: (-(c[1] - c[0]), c[0]))
    used = [False] * len(nt.text)
    out = []
    for s, e, i in sorted(cands, key=lambda c: (-(c[1] - c[0]), c[0])):
        if not any(used[s:e]):
            used[s:e] = [True] * (e - s)
            out.append((*nt.original_span(s, e), lex.terms[i].term))
    return sorted(out)


def test_fast_matcher_equals_trying_every_form_everywhere() -> None:
    import random

    from stance.annotations import load_annotations

    lex = load_lexicon()
    texts = [a.text for a in load_annotations(REPO / "annotations")][:300]
    forms = [f for t in lex.terms for f in (t.term, *t.variants)]
    rng = random.Random(0)
    for _ in range(400):
        form = rng.choice(forms)
        pre = rng.choice(["", "و", "ف", "ب", "ل", "ك", "وب", "فل", "وال", "لل", "س", "«", "("])
        suf = rng.choice(["", "ه", "ها", "هم", "ات", "»", ")", '"', "ي", "تهم", "ـ"])
        noise = rng.choice(texts)[: rng.randint(0, 60)]
        texts.append(f"{noise} {pre}{form}{suf}{rng.choice([' ', '،', '.', ''])}{noise[::-1]}")
    for text in texts:
        got = [(m.start, m.end, m.term) for m in lex._find(text)]
        ref = _reference_find(lex, text)
        assert got == ref, text
        # The same from the clues of the text's pieces, as the one-pass featurizer
        # gathers them (stance.vectorize.OnePass).
        norm = normalize(text)
        clues = {c for piece in norm.split() for c in lex.clues(piece)}
        assert [(m.start, m.end, m.term) for m in lex.find_from(text, norm, clues)] == ref, text


def test_clues_of_second_words_keep_every_match() -> None:
    """A start token whose terms all have a second word is tried only where a piece of
    the text begins like one: with ة written ت before a pronoun, and proclitics only on
    the first word."""
    lex = Lexicon(
        [
            _t("على حساب"),
            _t("صفقة القرن"),
            _t("التطبيع المذل"),
            _t("قطار الخيانة"),
            _t("ما يسمى", weight=0.5),
            _t("طعنة في الظهر"),
            _t('"إسرائيل"', weight=0.8),
        ]
    )
    texts = [
        "على حسابهم",
        "وعلى حساب غزة",
        "صفقة القرن",
        "بصفقة القرنين",
        "التطبيع المذل",
        "والتطبيع المذلة",
        "قطار الخيانة",
        "قطار الخيانتهم",
        "قطار خيانة",
        "ما يسمى",
        "ما يسمي",
        "ما  يسمىه",
        "طعنة في الظهر",
        "طعنة في ظهر",
        '"إسرائيل"',
        "(إسرائيل)",
        "على\nحساب",
        "على، حساب",
    ]
    for text in texts:
        norm = normalize(text)
        clues = {c for piece in norm.split() for c in lex.clues(piece)}
        assert lex.find_from(text, norm, clues) == lex.find(text), text
        assert [(m.start, m.end, m.term) for m in lex.find(text)] == _reference_find(lex, text)
