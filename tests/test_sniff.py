"""The vectorized language check gives the verdicts of the character loop it replaced;
the HTML check's shortcut changes nothing."""

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from stance import sniff
from stance.annotations import load_annotations
from stance.sniff import looks_like_html, text_language, text_languages

from .conftest import REPO


def _reference_language(text: str) -> str:
    """text_language as it was: a Python loop over the letters."""
    letters = [c for c in text if c.isalpha()]
    if not letters:
        return "none"
    n = len(letters)
    arabic_script = sum("\u0600" <= c <= "\u06ff" or "\u0750" <= c <= "\u077f" for c in letters)
    if arabic_script / n >= 0.3:
        words = re.findall(r"[\u0600-\u06ff]+", text)
        persian = sum(w in sniff._PERSIAN_WORDS for w in words)
        extra = sum(c in sniff._PERSIAN_LETTERS for c in letters)
        if words and (persian / len(words) >= 0.08 or extra / arabic_script >= 0.01):
            return "persian"
        return "arabic"
    hebrew = sum("\u0590" <= c <= "\u05ff" for c in letters)
    if hebrew / n >= 0.3:
        return "hebrew"
    latin = sum(c.isascii() or "\u00c0" <= c <= "\u024f" for c in letters)
    return "latin" if latin / n >= 0.5 else "other"


EXAMPLES = {
    "": "none",
    "123 !!": "none",
    "وقال الوزير إن الاتفاق خطوة تاريخية": "arabic",
    "این یک آزمایش است که می خواهیم": "persian",
    "گچ و کتاب": "persian",
    "שלום עולם": "hebrew",
    "The minister said": "latin",
    "Привет мир": "other",
    "𝔘𝔫𝔦𝔠𝔬𝔡𝔢 letters": "latin",
    "\ud800 lone surrogate": "latin",
    "ها ها ها است": "persian",
    "١٢٣ ٤٥": "none",
}


@pytest.mark.parametrize("text,expected", EXAMPLES.items())
def test_examples(text: str, expected: str) -> None:
    assert text_language(text) == expected == _reference_language(text)


def test_equals_reference_on_the_corpus_in_batches() -> None:
    texts = [a.text for a in load_annotations(REPO / "annotations")] + list(EXAMPLES)
    expected = [_reference_language(t) for t in texts]
    assert text_languages(texts) == expected
    assert [x for i in range(0, len(texts), 97) for x in text_languages(texts[i : i + 97])] == (
        expected
    )
    assert text_languages([]) == []


def test_chunks_give_the_same_verdicts(monkeypatch) -> None:
    texts = [a.text for a in load_annotations(REPO / "annotations")][:300] + list(EXAMPLES)
    expected = text_languages(texts)
    monkeypatch.setattr(sniff, "_CHUNK_CHARS", 500)  # many chunks, some a single text
    assert text_languages(texts) == expected


_SCRIPTS = st.sampled_from(
    list("ابتثكيىةهوزرنملفقعغشسصضطظ")
    + list("پچژگکی")
    + ["است", "را", "که", "های", "کشورهای", "اسرائیل", "ها"]
    + list("שלוםabcXYZÀéÿĀſ")
    + list("Жж∑ωΩ漢字")
    + ["\U0001d518", "\u0301", "\u064e", "١", "7", " ", "\n", "-", "،", "ـ", "\u0750", "\u06ff"]
)


@settings(max_examples=120, deadline=None)
@given(st.lists(st.lists(_SCRIPTS, max_size=40).map("".join), min_size=1, max_size=8))
def test_equals_reference_on_any_text(texts: list[str]) -> None:
    assert text_languages(texts) == [_reference_language(t) for t in texts]


@pytest.mark.parametrize(
    "text",
    [
        "plain text without markup",
        "<html><body>x</body></html>",
        "  <!DOCTYPE html><p>x",
        "<p>a</p><div>b</div><span>c</span>",
        "a < b and c > d",
        "x" * 70000 + "<p>a</p><p>b</p><p>c</p>",
    ],
)
def test_html_shortcut_changes_nothing(text: str) -> None:
    expected = bool(sniff._HTML_START.match(text[:2048])) or (
        len(sniff._TAG.findall(text[:65536])) >= 3
    )
    assert looks_like_html(text) is expected
