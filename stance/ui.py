"""Interface text of the HTML pages in English or Arabic (``--lang en|ar``).

The strings live in ``stance/data/ui_text.json``, both languages side by side, so a
translator edits one file; data values (labels in JSON, CSS classes) stay English.
"""

from __future__ import annotations

import json
from functools import lru_cache
from importlib import resources
from typing import Any

__all__ = ["LANGS", "UI", "ui_table"]

LANGS = ("en", "ar")


@lru_cache(maxsize=1)
def ui_table() -> dict[str, dict[str, str]]:
    """``{key: {"en": text, "ar": text}}`` from the data file."""
    raw = resources.files("stance").joinpath("data/ui_text.json").read_text(encoding="utf-8")
    return {k: v for k, v in json.loads(raw).items() if not k.startswith("_")}


class UI:
    """The interface text of one language: ``ui(key, **fields)``."""

    def __init__(self, lang: str = "en") -> None:
        if lang not in LANGS:
            raise ValueError(f"unknown interface language {lang!r}; use one of {', '.join(LANGS)}")
        self.lang = lang
        self.dir = "rtl" if lang == "ar" else "ltr"
        self._text = {k: v[lang] for k, v in ui_table().items()}

    def __call__(self, key: str, **fields: Any) -> str:
        text = self._text[key]
        return text.format(**fields) if fields else text

    def get(self, key: str, default: str) -> str:
        """The text of ``key``, or ``default`` when there is none (an unknown label)."""
        return self._text.get(key, default)

    def label(self, label: str) -> str:
        return self.get(f"label_{label}", label)

    def direction(self, direction: str) -> str:
        return self.get(f"direction_{direction}", direction)

    def furniture(self, kind: str | None) -> str:
        return self.get(f"furniture_{kind}", str(kind))

    def attrs(self) -> str:
        """``dir="..." lang="..."`` for an element holding interface text."""
        return f'dir="{self.dir}" lang="{self.lang}"'
