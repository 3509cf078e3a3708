"""What kind of input is this? Binary formats, likely encodings, HTML, and the script
and language of a text: the checks that turn scraper output into clear messages."""

from __future__ import annotations

import re
from html.parser import HTMLParser

__all__ = [
    "binary_kind",
    "guess_encoding",
    "looks_like_html",
    "html_to_text",
    "visible_text",
    "text_language",
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


def text_language(text: str) -> str:
    """``arabic``, ``persian``, ``hebrew``, ``latin``, ``other`` or ``none`` (no letters):
    the main language/script of a text, from letter counts and Persian function words."""
    letters = [c for c in text if c.isalpha()]
    if not letters:
        return "none"
    n = len(letters)
    arabic_script = sum("\u0600" <= c <= "\u06ff" or "\u0750" <= c <= "\u077f" for c in letters)
    if arabic_script / n >= 0.3:
        words = _WORD.findall(text)
        persian = sum(w in _PERSIAN_WORDS for w in words)
        extra = sum(c in _PERSIAN_LETTERS for c in letters)
        if words and (persian / len(words) >= 0.08 or extra / arabic_script >= 0.01):
            return "persian"
        return "arabic"
    hebrew = sum("\u0590" <= c <= "\u05ff" for c in letters)
    if hebrew / n >= 0.3:
        return "hebrew"
    latin = sum(c.isascii() or "\u00c0" <= c <= "\u024f" for c in letters)
    return "latin" if latin / n >= 0.5 else "other"
