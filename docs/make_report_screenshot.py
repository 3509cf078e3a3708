"""Regenerate docs/report_screenshot.png: the HTML report of seeds 002 and 001, in Chromium.

Run from the repo root with the venv active and Debian's chromium installed
(``apt-get install -y chromium``):  python docs/make_report_screenshot.py
"""

from __future__ import annotations

import subprocess
import tempfile
from pathlib import Path

from stance.html_report import render_html
from stance.model import load_model

REPO = Path(__file__).resolve().parent.parent
SEEDS = REPO.parent / "shared" / "seeds"
OUT = REPO / "docs" / "report_screenshot.png"


def main() -> None:
    model = load_model()
    files = [next(SEEDS.glob(f"{n}_*.txt")) for n in ("002", "001")]
    articles = [model.score_article(f.read_text(encoding="utf-8"), f.name) for f in files]
    with tempfile.TemporaryDirectory() as tmp:
        page = Path(tmp) / "report.html"
        page.write_text(render_html(articles, title="stance report: seed articles"), "utf-8")
        subprocess.run(
            [
                "chromium",
                "--headless",
                "--disable-gpu",
                "--no-sandbox",
                "--hide-scrollbars",
                f"--user-data-dir={Path(tmp) / 'profile'}",
                "--window-size=1100,1900",
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
