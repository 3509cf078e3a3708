"""Split an article into sentences with (start, end) offsets into the original text.

Boundaries: line breaks (paragraphs, headlines), and . ! ? ؟ … followed by space or
end of text. Not boundaries: Arabic commas and semicolons (، ؛), a point between digits
(3.5, 60.000), known abbreviations (د. م. ص. U.S.), single-letter initials, and sentence
punctuation inside an open quotation on the same line. Closing quotes and brackets that
follow the end mark stay with the sentence.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .normalize import strip_diacritics

__all__ = ["Sentence", "segment", "split_sentences"]

_END = ".!?؟…"
_CLOSERS = "\"'»”’)]}›"
_OPEN_TO_CLOSE = {"«": "»", "“": "”", "(": ")", "[": "]"}
# Abbreviations that end with a point but do not end a sentence (compared lower-cased,
# without the point). Arabic ones are one- or two-letter forms used before names/dates.
_ABBREVIATIONS = {
    "د",
    "م",
    "ص",
    "ق",
    "ه",
    "هـ",
    "ج",
    "أ",
    "ا",
    "س",
    "ت",
    "ب",
    "ك",
    "ش",
    "ع",
    "مـ",
    "mr",
    "mrs",
    "ms",
    "dr",
    "prof",
    "st",
    "jr",
    "sr",
    "vs",
    "etc",
    "inc",
    "ltd",
    "co",
    "no",
    "u.s",
    "u.k",
    "u.n",
    "e.g",
    "i.e",
    "jan",
    "feb",
    "mar",
    "apr",
    "jun",
    "jul",
    "aug",
    "sep",
    "sept",
    "oct",
    "nov",
    "dec",
}
_WORD_BEFORE = re.compile(r"(\S+)$")
_LEADING_PUNCT = "\"'«“‘([{-—–/"


@dataclass(frozen=True)
class Sentence:
    """One sentence: its text and its ``[start, end)`` span in the original article."""

    index: int
    start: int
    end: int
    text: str


def _is_abbreviation(text: str, dot: int) -> bool:
    m = _WORD_BEFORE.search(text, 0, dot)
    if not m:
        return False
    # Diacritics must not hide the word: "عالميًا." ends with a one-letter-looking "ا".
    word = strip_diacritics(m.group(1)).lstrip(_LEADING_PUNCT).lower().rstrip(".")
    return word in _ABBREVIATIONS or (len(word) == 1 and word.isalpha())


def _boundaries(line: str) -> list[int]:
    """Return end offsets (exclusive) of sentences inside one line."""
    cuts: list[int] = []
    n = len(line)
    stack: list[str] = []  # expected closing quote/bracket characters
    straight_open = False  # inside "..." (straight double quotes toggle)
    i = 0
    while i < n:
        ch = line[i]
        if ch in _OPEN_TO_CLOSE:
            stack.append(_OPEN_TO_CLOSE[ch])
        elif stack and ch == stack[-1]:
            stack.pop()
        elif ch == '"':
            straight_open = not straight_open
        elif ch in _END:
            j = i
            while j + 1 < n and line[j + 1] in _END:
                j += 1
            prev_digit = i > 0 and line[i - 1].isdigit()
            next_digit = j + 1 < n and line[j + 1].isdigit()
            if ch == "." and prev_digit and next_digit:
                i = j + 1
                continue
            if ch == "." and j == i and _is_abbreviation(line, i):
                i = j + 1
                continue
            k = j + 1
            # Closing quotes/brackets right after the end mark belong to this sentence.
            while k < n and line[k] in _CLOSERS:
                if line[k] == '"':
                    straight_open = False
                elif stack and line[k] == stack[-1]:
                    stack.pop()
                k += 1
            at_space = k >= n or line[k].isspace()
            if at_space and not stack and not straight_open:
                cuts.append(k)
            i = k
            continue
        i += 1
    return cuts


def segment(text: str) -> list[Sentence]:
    """Split ``text`` into sentences; every sentence is non-empty and stripped.

    Offsets index ``text`` itself, so ``text[s.start:s.end] == s.text``.
    """
    if not isinstance(text, str):
        raise TypeError(f"segment() expects str, got {type(text).__name__}")
    out: list[Sentence] = []
    pos = 0
    for raw_line in text.splitlines(keepends=True):
        line_start = pos
        pos += len(raw_line)
        line = raw_line.rstrip("\r\n\u2028\u2029\x0b\x0c\x1c\x1d\x1e\x85")
        start = 0
        for cut in [*_boundaries(line), len(line)]:
            piece = line[start:cut]
            lstrip = len(piece) - len(piece.lstrip())
            stripped = piece.strip()
            if stripped:
                s = line_start + start + lstrip
                out.append(Sentence(len(out), s, s + len(stripped), stripped))
            start = cut
    return out


def split_sentences(text: str) -> list[str]:
    """Return just the sentence strings of :func:`segment`."""
    return [s.text for s in segment(text)]
