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
    from stance.model import load_model
    from stance.render.html import render_html

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


# -- the report's overview, tooltip and counts, and the sources page, in both languages --
#
# One Chromium run measures every page below: each page is an iframe (srcdoc) of one
# harness page, whose script runs a probe on each frame's document once all are loaded.

PROBES = """
const box = (el) => el.getBoundingClientRect();
function order(el) {  // is the first character of el's text left of its last?
  const t = el.firstChild, r = el.ownerDocument.createRange();
  r.setStart(t, 0); r.setEnd(t, 1); const a = box(r);
  r.setStart(t, t.length - 1); r.setEnd(t, t.length); return a.left < box(r).left;
}
const probes = {
  report(doc, win) {
    const q = (s) => [...doc.querySelectorAll(s)];
    const tip = q(".show-tip")[0], after = tip && win.getComputedStyle(tip, "::after");
    return {
      overviewRows: q(".overview tbody tr").length,
      links: q(".overview a").map((a) => !!doc.querySelector(a.getAttribute("href"))),
      about: q(".about dd").length,
      tipContent: after ? after.content : null, tipPosition: after && after.position,
      tipDirection: after && after.direction,
      overflow: doc.documentElement.scrollWidth - doc.documentElement.clientWidth,
      counts: q(".top-term").map((t) => {
        const term = box(t.querySelector("bdi")), count = t.querySelector(".count");
        return {after: win.getComputedStyle(t.closest(".summary")).direction === "rtl"
          ? box(count).right <= term.left + 1 : box(count).left >= term.right - 1,
          ltr: order(count)};
      }),
      signed: q(".summary .count, .overview .count").map(order),
      resources: win.performance.getEntriesByType("resource").map((e) => e.name),
      errors: win.__errors};
  },
  sources(doc, win) {
    const svg = box(doc.querySelector("svg"));
    const texts = [...doc.querySelectorAll("svg text")].map((t) => {
      const b = box(t);
      return {cls: t.getAttribute("class"), left: b.left - svg.left, right: b.right - svg.left};
    });
    const th = [...doc.querySelectorAll("th")].map((h) => box(h).left);
    return {width: svg.width, texts, dir: doc.dir, errors: win.__errors,
            firstColumnRightmost: th[0] === Math.max(...th)};
  },
};
addEventListener("load", () => {
  const out = {};
  for (const f of document.querySelectorAll("iframe")) {
    out[f.id] = probes[f.dataset.probe](f.contentDocument, f.contentWindow);
  }
  const pre = document.createElement("pre");
  pre.id = "probe"; pre.textContent = JSON.stringify(out); document.body.append(pre);
});
"""

ARTICLES = [
    "يواصل الكيان الصهيوني اختراق آسيا الوسطى عبر اتفاق التسوية. ووصف الكيان الصهيوني بالعدو.\n"
    "وقال الوزير إن الانضمام إلى الاتفاقيات خطوة تاريخية نحو السلام.\nحصة هذه المادة:\n",
    "وصل الرئيس إلى واشنطن يوم الخميس في زيارة تستغرق يومين.\nإن التطبيع خيانة.\n",
]
SOURCE_NAMES = [
    "الوقت (تحليل)",
    "مركز توران للأبحاث والدراسات الاستراتيجية في آسيا الوسطى",
    "Arabic news site (AFP/Axios report) with a long name",
    "قناة بلا ميل",
]


def _sources_page() -> str:
    from stance.render.sources import render_sources_html
    from stance.sources import profile_sources

    def art(src: str, lean: float | None) -> dict:
        on = 0 if lean is None else 2
        return {"source": src, "summary": {"sentences": 2, "counts": {"neutral": 2},
                "on_target_sentences": on, "lean": lean,
                "loaded_term_score": None if lean is None else 0.0}}  # fmt: skip

    n = SOURCE_NAMES
    recs = [art(n[0], -0.7), art(n[0], -0.5), art(n[1], 0.3), art(n[2], 0.1), art(n[3], None)]
    return render_sources_html(profile_sources(recs, 100), lang="ar")


def _docs_page(seeds: Path, model: object) -> str:
    """The page docs/make_report_screenshot.py turns into docs/report_screenshot.png."""
    import importlib.util

    from .conftest import REPO

    path = REPO / "docs" / "make_report_screenshot.py"
    spec = importlib.util.spec_from_file_location("make_report_screenshot", path)
    shot = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(shot)  # type: ignore[union-attr]
    files = [next(seeds.glob(f"{n}_*.txt")) for n in ("002", "001")]
    return shot.build_page(model, files)


@pytest.fixture(scope="module")
def probed(tiny_model_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> dict:
    """What the probes measured on each page, by page name."""
    if not CHROMIUM.exists():
        pytest.skip("needs /usr/bin/chromium (apt: chromium)")
    from stance.model import load_model
    from stance.render.html import render_html

    from .conftest import SEEDS

    model = load_model(tiny_model_dir)
    arts = [model.score_article(t, f"outlet {i}", explain=True) for i, t in enumerate(ARTICLES)]
    meta = {"generated": "2025-01-01", "model": "m", "model_sha256": "ab" * 32, "inputs": ["x"]}
    pages = {}
    for lang in ("en", "ar"):
        page = render_html(arts, lang=lang, meta=meta)
        pages[f"report_{lang}"] = ("report", page.replace(
            'class="sent critical"', 'class="sent critical show-tip"', 1))  # fmt: skip
    pages["sources_ar"] = ("sources", _sources_page())
    if SEEDS.is_dir():
        pages["docs"] = ("report", _docs_page(SEEDS, model))
    frames = "".join(
        f'<iframe id="{name}" data-probe="{kind}" style="width:1100px;height:1400px" '
        f'srcdoc="{html_lib.escape(page.replace("</head>", PROBE_HEAD + "</head>", 1))}">'
        "</iframe>"
        for name, (kind, page) in pages.items()
    )
    tmp = tmp_path_factory.mktemp("chromium")
    harness = tmp / "harness.html"
    harness.write_text(
        f"<!DOCTYPE html><html><body>{frames}<script>{PROBES}</script></body></html>", "utf-8"
    )
    dump = chromium(tmp, "--window-size=1200,1500", "--dump-dom", harness.as_uri())
    assert console_messages(dump.stderr) == []
    m = re.search(r'<pre id="probe">(.*?)</pre>', dump.stdout, re.S)
    assert m, "the probe did not run"
    return json.loads(html_lib.unescape(m.group(1)))


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_report_overview_tooltip_and_counts(probed: dict, lang: str) -> None:
    r = probed[f"report_{lang}"]
    assert r["overviewRows"] == 2 and r["links"] == [True] * 4 and r["about"] == 3
    why = "why critical:" if lang == "en" else "لماذا ناقد:"
    assert r["tipPosition"] == "absolute" and why in r["tipContent"]
    assert r["tipDirection"] == ("ltr" if lang == "en" else "rtl")
    assert r["overflow"] <= 0  # the open tooltip widens nothing
    # "×2" sits after its term in the page's direction, and reads "×2", "+0.27"
    assert r["counts"] and all(c["after"] and c["ltr"] for c in r["counts"]), r["counts"]
    assert r["signed"] and all(r["signed"])
    assert r["resources"] == [] and r["errors"] == []


def test_sources_page_labels_fit_and_columns_follow_the_page(probed: dict) -> None:
    """The Arabic page: right to left, the source column rightmost, every chart label
    inside the chart and clear of the plot, Arabic names and notes included. (The
    English page is left to right: tests/test_sources.py.)"""
    from stance.render.sources import _LABEL_W, _NAME_X, _PLOT_W, _RIGHT

    r = probed["sources_ar"]
    assert r["dir"] == "rtl" and r["errors"] == []
    assert r["firstColumnRightmost"]  # the source column is where the page starts
    scale = r["width"] / (_LABEL_W + _PLOT_W + _RIGHT)  # the SVG may be scaled to the page
    for t in r["texts"]:
        assert t["left"] >= 0 and t["right"] <= r["width"] + 0.5, t  # nothing cut
    names = [t for t in r["texts"] if t["cls"] == "name"]
    counts = [t for t in r["texts"] if t["cls"] == "n"]
    assert len(names) == len(SOURCE_NAMES) == len(counts)
    for name, n in zip(names, counts):
        assert name["right"] <= _NAME_X * scale + 1, name  # right-aligned, not into the plot
        assert name["right"] <= n["left"] + 1 and n["right"] <= _LABEL_W * scale, (name, n)


def test_docs_screenshot_page(probed: dict, seeds: Path) -> None:
    """docs/report_screenshot.png shows the page docs/make_report_screenshot.py builds:
    the overview of both seed articles with their outlets and an open explanation
    tooltip."""
    from .conftest import REPO

    png = (REPO / "docs" / "report_screenshot.png").read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 100_000
    r = probed["docs"]
    assert r["overviewRows"] == 2 and all(r["links"])
    assert "why critical:" in r["tipContent"] and r["overflow"] <= 0 and r["errors"] == []
