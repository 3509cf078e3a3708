"""Regenerate docs/report_screenshot.png: the HTML report of seeds 002 and 001 with their
outlets, in headless Chromium, showing the overview table and one sentence's
explanation tooltip (opened by the ``show-tip`` class, as hovering would).

Run from the repo root with the venv active and Debian's chromium installed
(``apt-get install -y chromium``):  python docs/make_report_screenshot.py [--lang ar]
tests/test_html_chromium.py checks the same page (built by :func:`build_page`).
"""

from __future__ import annotations

import argparse
import subprocess
import tempfile
from pathlib import Path
from typing import Any

from stance.model import load_model
from stance.outlets import read_sources_csv
from stance.render.html import render_html

REPO = Path(__file__).resolve().parent.parent
SEEDS = REPO.parent / "shared" / "seeds"
OUTLETS = REPO / "examples" / "seed_sources.csv"
OUT = REPO / "docs" / "report_screenshot.png"


def build_page(model: Any, files: list[Path], lang: str = "en") -> str:
    """The report of ``files`` (outlets from examples/seed_sources.csv), with the
    tooltip of the first sentence that has evidence opened."""
    import dataclasses

    found = read_sources_csv(OUTLETS).match([str(f) for f in files]).found
    articles = []
    for f in files:
        row = found.get(str(f))
        art = model.score_article(f.read_text(encoding="utf-8"), f.name, explain=True)
        if row is not None:
            art = dataclasses.replace(art, source=row.info.source, path=str(f))
        articles.append(art)
    meta = {
        "generated": "(screenshot)",
        "program": "stance",
        "model": "models/",
        "model_sha256": model.card.get("model_sha256", "?"),
        "inputs": [str(f.relative_to(REPO.parent)) for f in files],
    }
    page = render_html(articles, lexicon=model.lexicon, lang=lang, meta=meta)
    # Open the tooltip of the first counted sentence that has a loaded term.
    marker = 'class="sent critical"'
    return page.replace(marker, 'class="sent critical show-tip"', 1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lang", choices=["en", "ar"], default="en")
    args = parser.parse_args()
    files = [next(SEEDS.glob(f"{n}_*.txt")) for n in ("002", "001")]
    html = build_page(load_model(), files, args.lang)
    with tempfile.TemporaryDirectory() as tmp:
        page = Path(tmp) / "report.html"
        page.write_text(html, "utf-8")
        subprocess.run(
            [
                "chromium",
                "--headless",
                "--disable-gpu",
                "--no-sandbox",
                "--hide-scrollbars",
                f"--user-data-dir={Path(tmp) / 'profile'}",
                "--window-size=1100,1500",
                f"--screenshot={OUT}",
                page.as_uri(),
            ],
            check=True,
            capture_output=True,
            timeout=60,
        )
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
