"""The HTML report of a seed article, loaded in headless Chromium (Debian's package).

Needs /usr/bin/chromium (``apt-get install -y chromium``) and the seed articles in
../shared/seeds; skipped otherwise. No Python dependency: Chromium runs as a subprocess,
once for a screenshot and once with ``--dump-dom`` on a copy of the page carrying a probe
script that writes what it measured (document.dir, element counts, loaded resources,
load errors) into the DOM. Console messages are read from Chromium's stderr log.
"""

from __future__ import annotations

import html as html_lib
import json
import re
import subprocess
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")

PROBE_HEAD = """<script>window.__errors = [];
addEventListener("error", (e) => __errors.push(String(e.message || e.target.src
  || e.target.href || e.target.tagName)), true);</script>"""
PROBE_BODY = """<script>addEventListener("load", () => {
  const q = (s) => document.querySelectorAll(s);
  const sent = q(".sent")[0], term = q(".term")[0];
  const r = {dir: document.dir, lang: document.documentElement.lang,
    sents: q(".sent").length, terms: q(".term").length, svgs: q("svg title").length,
    sentDirection: sent && getComputedStyle(sent).direction,
    sentBackground: sent && getComputedStyle(sent).backgroundColor,
    termDecoration: term && getComputedStyle(term).textDecorationLine,
    resources: performance.getEntriesByType("resource").map((e) => e.name),
    errors: __errors};
  const pre = document.createElement("pre");
  pre.id = "probe"; pre.textContent = JSON.stringify(r); document.body.append(pre);
});</script>"""


def chromium(tmp: Path, *args: str) -> subprocess.CompletedProcess[str]:
    cmd = [
        str(CHROMIUM),
        "--headless",
        "--disable-gpu",
        "--no-sandbox",
        "--hide-scrollbars",
        "--no-first-run",
        f"--user-data-dir={tmp / 'profile'}",
        "--enable-logging=stderr",
        "--v=0",
        *args,
    ]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=60, check=True)


def console_messages(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if ":CONSOLE" in line]


@pytest.fixture()
def report_html(seeds: Path) -> str:
    from stance.html_report import render_html
    from stance.model import load_model

    files = sorted(seeds.glob("002_*.txt"))
    if not files:
        pytest.skip(f"seed article 002 not found in {seeds}")
    article = load_model().score_article(files[0].read_text(encoding="utf-8"), files[0].name)
    return render_html([article], title="stance report")


@pytest.mark.skipif(not CHROMIUM.exists(), reason="needs /usr/bin/chromium (apt: chromium)")
def test_report_in_headless_chromium(report_html: str, tmp_path: Path) -> None:
    page = tmp_path / "report.html"
    page.write_text(report_html, encoding="utf-8")
    png = tmp_path / "report.png"
    shot = chromium(tmp_path, f"--screenshot={png}", "--window-size=1100,1400", page.as_uri())
    assert console_messages(shot.stderr) == []
    data = png.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 20_000  # not a blank page

    probed = tmp_path / "probed.html"
    html = report_html.replace("</head>", PROBE_HEAD + "</head>", 1)
    probed.write_text(html.replace("</body>", PROBE_BODY + "</body>", 1), encoding="utf-8")
    dump = chromium(tmp_path, "--dump-dom", probed.as_uri())
    assert console_messages(dump.stderr) == []
    m = re.search(r'<pre id="probe">(.*?)</pre>', dump.stdout, re.S)
    assert m, "the probe did not run"
    r = json.loads(html_lib.unescape(m.group(1)))
    assert r["dir"] == "rtl" and r["lang"] == "ar" and r["sentDirection"] == "rtl"
    assert r["sents"] > 0 and r["terms"] > 0 and r["svgs"] >= 1
    assert r["sentBackground"].startswith("rgba(")  # shaded by label and confidence
    assert "underline" in r["termDecoration"]
    assert r["resources"] == [] and r["errors"] == []  # self-contained, nothing failed
