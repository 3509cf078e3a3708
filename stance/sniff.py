"""What kind of input is this? Binary formats, likely encodings, HTML, and the script
and language of a text: the checks that turn scraper output into clear messages."""

from __future__ import annotations

import re
from collections.abc import Sequence
from html.parser import HTMLParser
from typing import Any

__all__ = [
    "binary_kind",
    "guess_encoding",
    "looks_like_html",
    "html_to_text",
    "visible_text",
    "text_language",
    "text_languages",
    "script_counts",
    "languages_from_counts",
]

_MAGIC = (
    (b"%PDF", "a PDF document"),
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"RIFF", "a RIFF (WebP/WAV) file"),
    (b"PK\x03\x04", "a ZIP archive or Word/Office document"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"\x7fELF", "an executable"),
    (b"{\\rtf", "an RTF document"),
    (b"\xd0\xcf\x11\xe0", "an old Word/Office document"),
)


def binary_kind(head: bytes) -> str | None:
    """Name the binary format of a file from its first bytes, or None if it looks like
    text. UTF-16 text (which has NUL bytes) is not binary: see :func:`guess_encoding`."""
    for magic, name in _MAGIC:
        if head.startswith(magic):
            return name
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return None
    if b"\0" in head:
        return "a binary file (it has NUL bytes)"
    return None


def _arabic_letter_share(text: str) -> float:
    letters = [c for c in text if c.isalpha()]
    if not letters:
        return 0.0
    return sum("\u0600" <= c <= "\u06ff" for c in letters) / len(letters)


def guess_encoding(data: bytes) -> str | None:
    """For bytes that are not UTF-8: the encoding they most likely are in, as a name
    that ``--encoding`` accepts (``utf-16``, ``cp1256``, ``latin-1``), or None."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "utf-16"
    try:
        as_cp1256 = data.decode("cp1256")
    except UnicodeDecodeError:
        as_cp1256 = ""
    if as_cp1256 and _arabic_letter_share(as_cp1256) > 0.5:
        return "cp1256"
    return "latin-1"


_HTML_START = re.compile(r"\s*(?:<!doctype\s+html|<html[\s>]|<\?xml[^>]*>\s*<html)", re.I)
_TAG = re.compile(
    r"</?(?:p|div|span|br|a|body|head|script|style|article|section|h[1-6]|li|ul|"
    r"table|tr|td|meta|link|img)\b[^>]*>",
    re.I,
)


def looks_like_html(text: str) -> bool:
    """True for an HTML page or fragment (a doctype/<html> start, or several tags)."""
    if text.find("<", 0, 65536) < 0:  # both checks below need a "<": most text has none
        return False
    if _HTML_START.match(text[:2048]):
        return True
    return len(_TAG.findall(text[:65536])) >= 3


class _TextExtractor(HTMLParser):
    _SKIP = {"script", "style", "noscript", "template", "svg", "head"}
    _BLOCK = {
        "p", "div", "br", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "td",
        "th", "table", "article", "section", "header", "footer", "blockquote", "title", "hr",
    }  # fmt: skip

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip_depth = 0

    def handle_starttag(self, tag: str, attrs: object) -> None:
        if tag in self._SKIP:
            self._skip_depth += 1
        elif tag in self._BLOCK:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in self._SKIP:
            self._skip_depth = max(0, self._skip_depth - 1)
        elif tag in self._BLOCK:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self._skip_depth:
            self.parts.append(data)


def html_to_text(html: str) -> str:
    """The visible text of an HTML page: scripts, styles and <head> dropped, block
    elements on lines of their own, entities decoded."""
    parser = _TextExtractor()
    parser.feed(html)
    parser.close()
    lines = (" ".join(line.split()) for line in "".join(parser.parts).splitlines())
    return "\n".join(line for line in lines if line)


def visible_text(text: str) -> tuple[str, bool]:
    """``(text, False)`` for plain text; ``(html_to_text(text), True)`` for HTML, so that
    markup is never scored."""
    if looks_like_html(text):
        return html_to_text(text), True
    return text, False


# Frequent Persian words that are not Arabic words: they tell a Persian text written
# in Arabic script from Arabic.
_PERSIAN_WORDS = frozenset(
    [
        "است",
        "این",
        "را",
        "که",
        "می",
        "های",
        "برای",
        "از",
        "با",
        "شد",
        "شده",
        "کرد",
        "کند",
        "بود",
        "نیز",
        "یک",
        "آن",
        "ها",
        "اند",
        "باید",
        "خود",
        "ایران",
        "اسرائیل",
        "کشور",
        "کشورهای",
    ]
)
_PERSIAN_LETTERS = frozenset("پچژگ")
_WORD = re.compile(r"[\u0600-\u06ff]+")
# A word (run of U+0600-U+06FF) of up to 7 letters as one integer: 9 bits a letter,
# its code point minus U+05FF (1-256), so words of different lengths differ too.
_KEY_LETTERS = 7
assert all(len(w) <= _KEY_LETTERS and _WORD.fullmatch(w) for w in _PERSIAN_WORDS)


def _word_key(word: str) -> int:
    return sum((ord(c) - 0x5FF) << (9 * k) for k, c in enumerate(word))


_PERSIAN_KEYS = sorted(_word_key(w) for w in _PERSIAN_WORDS)
# Texts are checked together, up to this many characters at a time (a longer text
# alone): the per-character arrays take about 8 bytes a character.
_CHUNK_CHARS = 1 << 20


def text_language(text: str) -> str:
    """``arabic``, ``persian``, ``hebrew``, ``latin``, ``other`` or ``none`` (no letters):
    the main language/script of a text, from letter counts and Persian function words."""
    return text_languages([text])[0]


def text_languages(texts: Sequence[str]) -> list[str]:
    """:func:`text_language` of each text, counted with numpy over all of them at once."""
    return languages_from_counts(script_counts(texts))


def script_counts(texts: Sequence[str]) -> Any:
    """What :func:`text_language` counts in each text, as a (texts x 7) int64 array:
    letters, Arabic-script letters, Hebrew letters, Latin letters, Persian-only letters,
    words of the Arabic block and Persian function words among them.

    Every count of a text is the sum of the counts of its whitespace-separated pieces
    (no letter or word spans whitespace), so ``stance.vectorize`` counts each distinct
    piece once and adds them up (:func:`languages_from_counts` then decides)."""
    import numpy as np  # imported here: `stance --help` reads this module too

    parts = []
    chunk: list[str] = []
    size = 0
    for text in texts:
        if chunk and size + len(text) > _CHUNK_CHARS:
            parts.append(_counts(chunk))
            chunk, size = [], 0
        chunk.append(text)
        size += len(text) + 1
    if chunk:
        parts.append(_counts(chunk))
    return np.vstack(parts) if parts else np.zeros((0, 7), dtype=np.int64)


_ALPHA_BMP: Any = None


def _is_alpha(cps: Any) -> Any:
    """``chr(c).isalpha()`` of each code point (an array)."""
    import numpy as np

    global _ALPHA_BMP
    if _ALPHA_BMP is None:
        _ALPHA_BMP = np.array([chr(c).isalpha() for c in range(0x10000)], dtype=bool)
    out = _ALPHA_BMP[np.minimum(cps, 0xFFFF)]
    astral = cps > 0xFFFF
    if astral.any():
        values, inverse = np.unique(cps[astral], return_inverse=True)
        out[astral] = np.array([chr(c).isalpha() for c in values.tolist()])[inverse]
    return out


_NAMES = ("none", "arabic", "persian", "hebrew", "latin", "other")


def _counts(texts: list[str]) -> Any:
    import numpy as np

    joined = "\n".join(texts) + "\n"  # a separator that is no letter and no word
    cps = np.frombuffer(joined.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    starts = np.zeros(len(texts), dtype=np.int64)
    np.cumsum([len(t) + 1 for t in texts[:-1]], out=starts[1:])
    out = np.zeros((len(texts), 7), dtype=np.int64)

    def per_text(column: int, mask: Any) -> None:
        out[:, column] = np.add.reduceat(mask, starts, dtype=np.int64)

    letters = _is_alpha(cps)
    block = (cps >= 0x0600) & (cps <= 0x06FF)  # the Arabic block: what _WORD spans
    per_text(0, letters)
    per_text(1, letters & (block | ((cps >= 0x0750) & (cps <= 0x077F))))
    per_text(2, letters & (cps >= 0x0590) & (cps <= 0x05FF))
    per_text(3, letters & ((cps < 0x80) | ((cps >= 0x00C0) & (cps <= 0x024F))))
    extra_letter = np.zeros(len(cps), dtype=bool)
    for c in _PERSIAN_LETTERS:
        extra_letter |= cps == ord(c)
    per_text(4, extra_letter)  # all four are letters
    # Words (runs of the block): where each starts and ends, and which are Persian.
    edges = np.flatnonzero(np.diff(block, prepend=False, append=False))
    first, length = edges[::2], edges[1::2] - edges[::2]
    out[:, 5] = np.bincount(np.searchsorted(starts, first, side="right") - 1, minlength=len(texts))
    short = length <= _KEY_LETTERS
    first, length = first[short], length[short]
    key = np.zeros(len(first), dtype=np.int64)
    for k in range(_KEY_LETTERS):
        has = length > k
        key[has] += (cps[first[has] + k].astype(np.int64) - 0x5FF) << (9 * k)
    found = first[np.isin(key, _PERSIAN_KEYS)]
    out[:, 6] = np.bincount(np.searchsorted(starts, found, side="right") - 1, minlength=len(texts))
    return out


def languages_from_counts(counts: Any) -> list[str]:
    """The language of each row of :func:`script_counts` (summed over pieces or not)."""
    import numpy as np

    n, arabic, hebrew, latin, extra, words, persian = np.asarray(counts, dtype=np.int64).T
    # The same divisions as in Python (exact integers, IEEE division): the same verdicts.
    with np.errstate(divide="ignore", invalid="ignore"):
        is_arabic = arabic / n >= 0.3
        is_persian = (words > 0) & ((persian / words >= 0.08) | (extra / arabic >= 0.01))
        choice = np.select(
            [n == 0, is_arabic & ~is_persian, is_arabic, hebrew / n >= 0.3, latin / n >= 0.5],
            [0, 1, 2, 3, 4],
            5,
        )
    return [_NAMES[i] for i in choice.tolist()]
