"""Arabic text normalization with a map back to original character offsets.

Every normalizer works character by character through one translation table, so the
plain path (``normalize``) is a single ``str.translate`` call and the offset-keeping
path (``normalize_with_offsets``) produces exactly the same string.

What is unified: diacritics and tatweel (removed), alef forms (أ إ آ ٱ -> ا), alef
maqsura (ى -> ي), Persian kaf/yeh (ک ی -> ك ي), Arabic-Indic and Persian digits
(-> 0-9), presentation-form ligatures (ﻻ -> لا), typographic double quotes
(« » “ ” „ ″ -> "), invisible format characters and the combining marks of other
scripts (removed: a stray U+0301 between two words must not split a term), ASCII
upper case.
Punctuation is kept: scare quotes around a name carry stance (CODEBOOK v2).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from pyarabic import araby

__all__ = [
    "NormalizedText",
    "normalize",
    "normalize_with_offsets",
    "strip_diacritics",
    "strip_tatweel",
    "normalize_alef",
    "normalize_yeh",
    "normalize_digits",
    "normalize_quotes",
    "is_arabic_char",
    "arabic_ratio",
]

_DIACRITICS = set(araby.TASHKEEL) | {araby.SHADDA, araby.SUKUN, araby.MINI_ALEF, "\u0670"}
# Quranic annotation marks and small high letters also count as diacritics.
_DIACRITICS |= {chr(c) for c in range(0x0610, 0x061B)} | {chr(c) for c in range(0x06D6, 0x06EE)}
_DIACRITICS |= {chr(c) for c in range(0x064B, 0x0660)}
_INVISIBLE = {"\u200b", "\u200c", "\u200d", "\u200e", "\u200f", "\ufeff", "\u061c", "\u00ad"}
_INVISIBLE |= {chr(c) for c in range(0x202A, 0x202F)} | {chr(c) for c in range(0x2066, 0x206A)}
# Combining marks (nonspacing and enclosing) of every script in the Basic Multilingual
# Plane (all lie in these blocks; a test checks), and the variation selectors beyond it.
_MARK_BLOCKS = ((0x0300, 0x3100), (0xA600, 0xAC00), (0xFB00, 0xFE30), (0xE0100, 0xE01F0))
_MARKS = {
    chr(c)
    for lo, hi in _MARK_BLOCKS
    for c in range(lo, hi)
    if unicodedata.category(chr(c)) in ("Mn", "Me")
}

_ALEF = {"أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ٲ": "ا", "ٳ": "ا"}
_YEH = {"ى": "ي", "ی": "ي", "ې": "ي", "ے": "ي", "ک": "ك", "ڪ": "ك"}
_DIGITS = {chr(0x0660 + i): str(i) for i in range(10)}
_DIGITS |= {chr(0x06F0 + i): str(i) for i in range(10)}
_QUOTES = {q: '"' for q in "«»“”„‟″〝〞＂"} | {"‹": "'", "›": "'", "‘": "'", "’": "'"}
_SPACES = {chr(c): " " for c in [0x00A0, *range(0x2000, 0x200B), 0x202F, 0x205F, 0x3000]}


def _presentation_forms() -> dict[str, str]:
    # Arabic presentation forms (A: FB50-FDFF, B: FE70-FEFF) decompose to base letters
    # under NFKC; ligatures such as ﻻ expand to two characters.
    table: dict[str, str] = {}
    for cp in list(range(0xFB50, 0xFE00)) + list(range(0xFE70, 0xFF00)):
        ch = chr(cp)
        if unicodedata.category(ch) == "Cn":
            continue
        decomposed = unicodedata.normalize("NFKC", ch)
        if decomposed != ch:
            table[ch] = "".join(_one(c) for c in decomposed)
    return table


def _one(ch: str) -> str:
    """Normalize one (non presentation-form) character; '' deletes it."""
    if ch in _DIACRITICS or ch == araby.TATWEEL or ch in _INVISIBLE or ch in _MARKS:
        return ""
    for table in (_ALEF, _YEH, _DIGITS, _QUOTES, _SPACES):
        if ch in table:
            return table[ch]
    if "A" <= ch <= "Z":
        return ch.lower()
    return ch


def _build_table() -> dict[int, str]:
    table: dict[int, str] = {}
    chars = set(_DIACRITICS) | _INVISIBLE | _MARKS | {araby.TATWEEL}
    for t in (_ALEF, _YEH, _DIGITS, _QUOTES, _SPACES):
        chars |= set(t)
    chars |= {chr(c) for c in range(ord("A"), ord("Z") + 1)}
    for ch in chars:
        table[ord(ch)] = _one(ch)
    for ch, rep in _presentation_forms().items():
        table[ord(ch)] = rep
    return table


def _char_class(code_points: Sequence[int]) -> re.Pattern[str]:
    """A regex matching one of ``code_points``, as ranges. Characters beyond U+FFFF go
    in a class of their own: a class holding any of them is checked item by item (one
    with only BMP characters is a bitmap), which made every search 30x slower."""
    parts = []
    for chars in ([c for c in code_points if c <= 0xFFFF], [c for c in code_points if c > 0xFFFF]):
        ranges: list[list[int]] = []
        for c in sorted(chars):
            if ranges and c == ranges[-1][1] + 1:
                ranges[-1][1] = c
            else:
                ranges.append([c, c])
        if ranges:
            body = "".join(
                re.escape(chr(a)) + ("" if a == b else "-" + re.escape(chr(b))) for a, b in ranges
            )
            parts.append(f"[{body}]")
    return re.compile("|".join(parts))


_TABLE: dict[int, str] = _build_table()
_SUBSTITUTE = {chr(c): rep for c, rep in _TABLE.items()}
_CHANGING = _char_class(list(_TABLE))
# Characters that normalization deletes or expands: only text containing one needs the
# per-character offset map; for all other text normalized offsets equal original ones.
_RESIZING = _char_class([c for c, rep in _TABLE.items() if len(rep) != 1])


def strip_diacritics(text: str) -> str:
    """Remove harakat, tanwin, shadda, sukun, dagger alef and Quranic marks."""
    return "".join(c for c in text if c not in _DIACRITICS)


def strip_tatweel(text: str) -> str:
    """Remove the kashida/tatweel character (ـ)."""
    return text.replace(araby.TATWEEL, "")


def normalize_alef(text: str) -> str:
    """Map أ إ آ ٱ to bare alef ا."""
    return text.translate({ord(k): v for k, v in _ALEF.items()})


def normalize_yeh(text: str) -> str:
    """Map alef maqsura ى and Persian yeh/kaf to Arabic ي and ك."""
    return text.translate({ord(k): v for k, v in _YEH.items()})


def normalize_digits(text: str) -> str:
    """Map Arabic-Indic (٠-٩) and Persian (۰-۹) digits to ASCII digits."""
    return text.translate({ord(k): v for k, v in _DIGITS.items()})


def normalize_quotes(text: str) -> str:
    """Map typographic double quotes (« » “ ” ...) to '"' without dropping them."""
    return text.translate({ord(k): v for k, v in _QUOTES.items()})


def normalize(text: str) -> str:
    """Return the canonical normalized form used for matching and vectorizing.

    >>> normalize("بِالكيانِ الصّهيونـــي «إسرائيل» ٢٠٢٥")
    'بالكيان الصهيوني "اسرائيل" 2025'
    """
    if not isinstance(text, str):
        raise TypeError(f"normalize() expects str, got {type(text).__name__}")
    if len(text) <= _CACHE_MAX_CHARS:
        return _normalize_cached(text)
    return _CHANGING.sub(_replace, text)


def _replace(m: re.Match[str]) -> str:
    return _SUBSTITUTE[m.group()]


# The classifier normalizes each passage three times (word, character and loaded-term
# features) in one batch; a small cache of short texts makes the second and third free.
_CACHE_MAX_CHARS = 5_000


@lru_cache(maxsize=4096)
def _normalize_cached(text: str) -> str:
    # A regex substitution only touches the few characters that change (about 5 in a
    # news sentence); str.translate with a dict looks up every character, 2-3x slower.
    return _CHANGING.sub(_replace, text)


@dataclass(frozen=True)
class NormalizedText:
    """Normalized text plus, for each normalized character, its original index.

    ``offsets`` has ``len(text) + 1`` entries; the last is ``len(original)`` so that a
    normalized span ``[s, e)`` maps back with :meth:`original_span`.
    """

    original: str
    text: str
    offsets: Sequence[int]

    def original_span(self, start: int, end: int) -> tuple[int, int]:
        """Map a normalized ``[start, end)`` span to the original text."""
        if not 0 <= start <= end <= len(self.text):
            raise ValueError(f"span ({start}, {end}) outside normalized text of {len(self.text)}")
        if start == end:
            o = self.offsets[start]
            return o, o
        # Deleted characters (diacritics, tatweel) right after the span belong to its
        # last letter; a span ending inside an expanded ligature still covers it.
        return self.offsets[start], max(self.offsets[end], self.offsets[end - 1] + 1)


def normalize_with_offsets(text: str, normalized: str | None = None) -> NormalizedText:
    """Normalize ``text`` and keep a map from normalized to original offsets
    (``normalized``: ``normalize(text)``, when the caller has it already)."""
    if not isinstance(text, str):
        raise TypeError(f"normalize_with_offsets() expects str, got {type(text).__name__}")
    if normalized is None:
        normalized = normalize(text)
    if _RESIZING.search(text) is None:
        return NormalizedText(text, normalized, range(len(text) + 1))
    # Each original character i becomes len(its replacement) normalized characters, all
    # mapped back to i: only the few deleted or expanded characters need a lookup.
    sizes = np.ones(len(text), dtype=np.int64)
    for m in _RESIZING.finditer(text):
        sizes[m.start()] = len(_SUBSTITUTE[m.group()])
    offsets = np.repeat(np.arange(len(text)), sizes).tolist()
    offsets.append(len(text))
    return NormalizedText(text, normalized, offsets)


def is_arabic_char(ch: str) -> bool:
    """True for Arabic-script letters (not digits or punctuation)."""
    cp = ord(ch)
    return (
        0x0620 <= cp <= 0x064A
        or 0x066E <= cp <= 0x06D3
        or 0x06FA <= cp <= 0x06FF
        or 0x0750 <= cp <= 0x077F
        or 0xFB50 <= cp <= 0xFDFF
        or 0xFE70 <= cp <= 0xFEFC
    )


def arabic_ratio(text: str) -> float:
    """Share of letters in ``text`` that are Arabic-script letters (0.0 if no letters)."""
    letters = [c for c in text if c.isalpha()]
    if not letters:
        return 0.0
    return sum(is_arabic_char(c) for c in letters) / len(letters)
