import pytest

from stance.normalize import (
    arabic_ratio,
    normalize,
    normalize_alef,
    normalize_digits,
    normalize_quotes,
    normalize_with_offsets,
    normalize_yeh,
    strip_diacritics,
    strip_tatweel,
)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("الْكِيَانُ", "الكيان"),  # harakat
        ("الصّهيونيّ", "الصهيوني"),  # shadda
        ("ســـلام", "سلام"),  # tatweel
        ("أإآٱ", "اااا"),  # alef forms
        ("مستشفى", "مستشفي"),  # alef maqsura
        ("کشور ی", "كشور ي"),  # Persian kaf / yeh
        ("٢٠٢٥ و۱۹", "2025 و19"),  # Arabic-Indic and Persian digits
        ("«إسرائيل» “إسرائيل”", '"اسرائيل" "اسرائيل"'),  # quotes kept, unified
        ("(إسرائيل)", "(اسرائيل)"),  # brackets kept
        ("ﻻ", "لا"),  # lam-alef ligature expands
        ("A\u200fB", "ab"),  # invisible marks removed, ASCII lower-cased
        ("رئيس مؤتمر", "رئيس مؤتمر"),  # hamza on ya/waw carriers is kept
        ("60،000", "60،000"),  # Arabic comma kept
    ],
)
def test_normalize_table(raw: str, expected: str) -> None:
    assert normalize(raw) == expected


def test_small_normalizers_compose_to_normalize() -> None:
    raw = "بِالكيـانِ «إسرائيل» ٢٠٢٥ على"
    step = normalize_quotes(
        normalize_digits(normalize_yeh(normalize_alef(strip_tatweel(strip_diacritics(raw)))))
    )
    assert step == normalize(raw)


def test_offsets_point_into_original() -> None:
    raw = "قال: بِالكيـــانِ الصَّهيوني"
    nt = normalize_with_offsets(raw)
    assert nt.text == normalize(raw)
    assert len(nt.offsets) == len(nt.text) + 1
    start = nt.text.index("بالكيان")
    s, e = nt.original_span(start, start + len("بالكيان الصهيوني"))
    assert raw[s:e] == "بِالكيـــانِ الصَّهيوني"[: e - s]
    assert raw[s:e].endswith("الصَّهيوني"[:-1] + "ي")
    assert normalize(raw[s:e]) == "بالكيان الصهيوني"


def test_offsets_of_expanding_ligature() -> None:
    nt = normalize_with_offsets("xﻻy")
    assert nt.text == "xلاy"
    assert nt.original_span(1, 3) == (1, 2)


def test_non_string_rejected() -> None:
    with pytest.raises(TypeError, match="expects str"):
        normalize(b"bytes")  # type: ignore[arg-type]


def test_arabic_ratio() -> None:
    assert arabic_ratio("hello") == 0.0
    assert arabic_ratio("مرحبا") == 1.0
    assert arabic_ratio("123 ...") == 0.0


def test_fast_paths_equal_the_character_table() -> None:
    """normalize() substitutes only changing characters and normalize_with_offsets()
    maps offsets in bulk; both must equal a plain walk over the character table."""
    import random

    from stance.normalize import _TABLE

    def walk(text: str) -> tuple[str, list[int]]:
        out, offsets = [], []
        for i, ch in enumerate(text):
            rep = _TABLE.get(ord(ch), ch)
            out.append(rep)
            offsets.extend([i] * len(rep))
        return "".join(out), [*offsets, len(text)]

    rng = random.Random(0)
    alphabet = list("ابتكلمني ،.«»\n") + [chr(c) for c in _TABLE]
    for _ in range(2000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 40)))
        nt = normalize_with_offsets(text)
        assert normalize(text) == text.translate(_TABLE) == nt.text
        assert (nt.text, list(nt.offsets)) == walk(text)
