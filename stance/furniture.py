"""Page furniture: lines of a scraped page that are not article text.

Share bars («حصة هذه المادة:»), bylines without a name («المؤلف:»), publisher
disclaimers, «اقرأ المزيد» and related-story links, contact and newsletter boxes,
advertising labels and navigation get a stance from the model like any sentence, and
in one seed article they made all of its outlet's critical share. A sentence matching
a pattern of ``stance/data/furniture.tsv`` is flagged with the pattern's kind
(:func:`furniture_kind`); :func:`stance.results.summarize` leaves such sentences out of
the counts, the lean and the loaded-term figures, and the outputs show them as
furniture. The sentence keeps its offsets, label and probabilities, for reference.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from .normalize import normalize

__all__ = ["FurniturePattern", "load_patterns", "furniture_kind", "furniture_key", "KINDS"]

MATCHES = ("full", "start", "contains")
KINDS = (
    "share",
    "byline",
    "disclaimer",
    "read_more",
    "related",
    "contact",
    "newsletter",
    "ads",
    "navigation",
)
_NOT_WORD = re.compile(r"[^\w ]+")


def furniture_key(text: str) -> str:
    """``text`` as the patterns compare it: normalized, punctuation dropped, ة read as
    ه, spaces collapsed."""
    key = _NOT_WORD.sub(" ", normalize(text).replace("ة", "ه")).replace("_", " ")
    return " ".join(key.split())


@dataclass(frozen=True)
class FurniturePattern:
    """One row of the furniture data file (``phrase`` already a :func:`furniture_key`)."""

    kind: str
    match: str
    phrase: str
    max_words: int = 0

    def matches(self, key: str, words: int) -> bool:
        if self.max_words and words > self.max_words:
            return False
        if self.match == "full":
            return key == self.phrase
        if self.match == "start":
            return key == self.phrase or key.startswith(self.phrase + " ")
        return f" {self.phrase} " in f" {key} "


@lru_cache(maxsize=1)
def load_patterns() -> tuple[FurniturePattern, ...]:
    """The patterns of ``stance/data/furniture.tsv`` (a ``ValueError`` names a bad row)."""
    text = resources.files("stance").joinpath("data/furniture.tsv").read_text(encoding="utf-8")
    out = []
    header = True
    for n, line in enumerate(text.splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        cells = line.split("\t")
        if header:
            header = False
            if cells[:3] == ["kind", "match", "phrase"]:
                continue
        if len(cells) != 4 or cells[0] not in KINDS or cells[1] not in MATCHES:
            raise ValueError(f"furniture.tsv:{n}: expected kind, match, phrase, max_words")
        phrase = furniture_key(cells[2])
        if not phrase or not cells[3].isdigit():
            raise ValueError(f"furniture.tsv:{n}: empty phrase or bad max_words")
        out.append(FurniturePattern(cells[0], cells[1], phrase, int(cells[3])))
    return tuple(out)


def furniture_kind(text: str) -> str | None:
    """The furniture kind of a sentence (``"share"``, ``"byline"``, ...), or None for
    article text."""
    key = furniture_key(text)
    if not key:
        return None
    words = key.count(" ") + 1
    for p in load_patterns():
        if p.matches(key, words):
            return p.kind
    return None
