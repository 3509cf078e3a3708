"""The self-contained HTML report: structure, escaping, term underlines, summary block."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

from stance.lexicon import TermMatch
from stance.render.html import render_html
from stance.results import ArticleScore, SentenceScore, summarize

CLASSES = ["critical", "neutral", "pro"]
S0 = "يواصل الكيان الصهيوني اختراق آسيا الوسطى."
S1 = 'قال <script>alert(1)</script> "quotes" & co.'
S2 = "وصل الرئيس إلى واشنطن يوم الخميس."


class Sentences(HTMLParser):
    """Collects the .sent elements: their attributes and visible text (minus initials)."""

    def __init__(self) -> None:
        super().__init__()
        self.sents: list[dict[str, str | None]] = []
        self.texts: list[str] = []
        self.terms: list[dict[str, str | None]] = []
        self.stack: list[set[str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        classes = set((a.get("class") or "").split())
        if "sent" in classes:
            self.sents.append(a)
            self.texts.append("")
        if "term" in classes:
            self.terms.append(a)
        self.stack.append(classes)

    def handle_endtag(self, tag: str) -> None:
        self.stack.pop()

    def handle_data(self, data: str) -> None:
        if any("sent" in c for c in self.stack) and not any("initial" in c for c in self.stack):
            self.texts[-1] += data


def parse(html: str) -> Sentences:
    p = Sentences()
    p.feed(html)
    return p


def sentence(i: int, start: int, text: str, label: str, probs: dict, terms=()) -> SentenceScore:
    return SentenceScore(i, start, start + len(text), text, label, probs, tuple(terms))


def make_article(language: str = "arabic", source: str | None = "seed <b>1</b>") -> ArticleScore:
    start = S0.index("الكيان")
    kayan = TermMatch(
        "الكيان الصهيوني",
        "الكيان الصهيوني",
        start,
        start + 15,
        "critical",
        1.0,
        "delegitimizing_label",
    )
    o1, o2 = len(S0) + 1, len(S0) + len(S1) + 2
    rows = [
        sentence(0, 0, S0, "critical", {"critical": 0.9, "neutral": 0.05, "pro": 0.05}, [kayan]),
        sentence(1, o1, S1, "pro", {"critical": 0.3, "neutral": 0.3, "pro": 0.4}),
        sentence(2, o2, S2, "neutral", {"critical": 0.1, "neutral": 0.6, "pro": 0.3}),
    ]
    return ArticleScore(source, rows, summarize(rows, CLASSES), language)


def test_page_is_rtl_arabic_utf8_and_titled() -> None:
    html = render_html([make_article()], title="تقرير <x>")
    assert '<html dir="rtl" lang="ar">' in html
    assert '<meta charset="utf-8">' in html
    assert "<title>تقرير &lt;x&gt;</title>" in html
    assert "Noto Naskh Arabic" in html and "sans-serif" in html


def test_self_contained() -> None:
    html = render_html([make_article(), make_article("english")]).lower()
    for needle in ("http://", "https://", "<script", "<link", "<img", "@import", "url(", "src="):
        assert needle not in html, needle


def test_article_text_is_escaped() -> None:
    html = render_html([make_article()])
    assert "<script>" not in html and "<b>1</b>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&quot;quotes&quot; &amp; co." in html
    assert "seed &lt;b&gt;1&lt;/b&gt;" in html
    # The tooltip of the injected sentence stays one attribute.
    assert parse(html).sents[1]["data-label"] == "pro"


def test_one_element_per_sentence_with_label_and_confidence() -> None:
    article = make_article()
    p = parse(render_html([article]))
    assert len(p.sents) == len(article.sentences)
    assert [a["data-label"] for a in p.sents] == ["critical", "pro", "neutral"]
    assert [a["class"] for a in p.sents] == ["sent critical", "sent pro", "sent neutral"]
    assert [a["data-p"] for a in p.sents] == ["0.900", "0.400", "0.600"]
    assert p.texts == [s.text for s in article.sentences]
    assert all("p=" in (a["data-tip"] or "") for a in p.sents)  # the hover tooltip
    alpha = [float(re.search(r"--a: ([\d.]+)", a["style"] or "").group(1)) for a in p.sents]
    assert alpha[0] > alpha[2] > alpha[1] > 0  # shading grows with confidence


def test_loaded_term_is_underlined_with_tooltip() -> None:
    html = render_html([make_article()])
    assert re.search(r'<span class="term critical" title="[^"]*">الكيان الصهيوني</span>', html)
    (term,) = parse(html).terms
    tip = term["title"] or ""
    assert "critical" in tip and "1.00" in tip
    assert "the Zionist entity" in tip and "إسرائيل" in tip  # gloss and neutral equivalent
    assert ".term.critical" in html and "wavy" in html


def test_odd_term_offsets_do_not_crash_or_lose_text() -> None:
    text = "الكيان الصهيوني والكيان الصهيوني هنا."
    m = dict(direction="critical", weight=1.0, category="delegitimizing_label")
    terms = [
        TermMatch("الكيان الصهيوني", text[:15], 100, 115, **m),
        TermMatch("الكيان الصهيوني", text[:15], 100, 115, **m),  # the same again
        TermMatch("الكيان", "الكيان", 100, 106, **m),  # inside the first
        TermMatch("الكيان الصهيوني", text[16:32], 16, 32, **m),  # sentence-relative offsets
        TermMatch("غائب", "غائب", 5000, 5004, **m),  # out of range, not in the text
        TermMatch("x", "", 100, 100, **m),  # empty
        TermMatch("unknown", "هنا", -1, 2, "pro", 0.5, "euphemism"),  # bad offsets, no lexicon row
    ]
    s = sentence(0, 100, text, "critical", {"critical": 0.8, "neutral": 0.1, "pro": 0.1}, terms)
    art = ArticleScore("x", [s], summarize([s], CLASSES))
    p = parse(render_html([art]))
    assert p.texts == [text]
    assert [t["class"] for t in p.terms] == ["term critical", "term critical", "term pro"]
    assert "unknown" in (p.terms[2]["title"] or "")


def test_summary_block_and_svg_bar() -> None:
    html = render_html([make_article()])
    svg = re.search(r"<svg[^>]*role=\"img\"[^>]*>(.*?)</svg>", html, re.S)
    assert svg and svg.group(1).startswith("<title>label shares: critical 33%")
    assert html.count("<rect") == 4  # frame + three shares
    for text in ("sentences", "lean (−1 critical", "loaded-term score", "top terms", "1 (33%)"):
        assert text in html
    # The count is its own left-to-right unit after the isolated term.
    assert '<bdi lang="ar">الكيان الصهيوني</bdi>&nbsp;<span class="count">×1</span>' in html


def test_missing_summary_is_computed() -> None:
    a = make_article()
    html = render_html([ArticleScore(a.source, a.sentences, {}, a.language)])
    assert "<title>label shares: critical 33%, neutral 33%, pro 33%</title>" in html


def test_non_arabic_warning() -> None:
    assert 'class="warning' not in render_html([make_article()])
    html = render_html([make_article("english")])
    assert 'class="warning ui" role="alert"' in html and "looks english, not Arabic" in html


def test_print_styles_do_not_rely_on_colour() -> None:
    html = render_html([make_article()])
    css = html[html.index("@media print") :]
    assert ".initial { display: inline" in css and "border-bottom" in css
    assert html.count('class="initial"') == 3


def test_with_a_trained_model(tiny_model_dir: Path) -> None:
    from stance.model import load_model

    text = "يواصل الكيان الصهيوني اختراق آسيا الوسطى. وصل الرئيس إلى واشنطن يوم الخميس."
    article = load_model(tiny_model_dir).score_article(text, source="tiny")
    html = render_html([article, article], title="t")
    p = parse(html)
    assert len(p.sents) == 2 * len(article.sentences)
    assert p.texts == [s.text for s in article.sentences] * 2
    assert any("الكيان" in (t["title"] or "") for t in p.terms)
    assert html.count("<svg") == 2
