"""The palette and the stylesheets of the HTML pages, in one place: the article report
(CSS, shading sentences with COLOURS) and the outlet profiles page (SOURCES_CSS, its
chart drawn in the interval blue)."""

from __future__ import annotations

__all__ = ["COLOURS", "CSS", "SOURCES_CSS"]

# Colour-blind-safe families (Okabe-Ito blue / vermilion / grey), as "r,g,b" for rgba().
COLOURS = {"pro": "0,114,178", "critical": "213,94,0", "neutral": "120,120,120"}

CSS = (
    """
:root { color-scheme: light; }
body { font-family: "Noto Naskh Arabic", "Amiri", "Segoe UI", Tahoma, "Arial", sans-serif;
  margin: 1.5rem auto; max-width: 60rem; padding: 0 1rem; color: #1a1a1a; background: #fff;
  line-height: 2.1; font-size: 1.15rem; }
h1, h2 { line-height: 1.3; }
h2 { font-size: 1.2rem; border-bottom: 1px solid #bbb; padding-bottom: .2rem; }
.ui { font-family: "Segoe UI", Tahoma, "Noto Naskh Arabic", "Arial", sans-serif;
  font-size: .9rem; line-height: 1.5; }
.article { margin-bottom: 2.5rem; }
.text { position: relative; }
.sent { border-radius: .2rem; padding: .1rem .15rem; box-decoration-break: clone;
  -webkit-box-decoration-break: clone; }
"""
    + "".join(
        f".sent.{k} {{ background-color: rgba({c}, var(--a, .3)); }}\n"
        f".swatch.{k} {{ background-color: rgba({c}, .55); }}\n"
        for k, c in COLOURS.items()
    )
    + """
.sent.off { background-color: transparent; color: #6b6b6b; outline: 1px dotted #bbb; }
.swatch.off { background-color: #fff; border-style: dotted; }
.sent.furniture { background-color: transparent; color: #8a8a8a; font-size: .85em;
  text-decoration: line-through; text-decoration-color: #bbb; }
.sent.furniture::before { content: attr(data-furniture-label); font-size: .75em;
  font-family: "Segoe UI", Tahoma, "Arial", sans-serif; color: #666; border: 1px solid #bbb;
  border-radius: .2rem; padding: 0 .2em; margin-inline-end: .3em; display: inline-block; }
.swatch.furniture { background-color: #fff; border-color: #bbb; }
.sent[data-tip]:hover::after, .sent.show-tip::after { content: attr(data-tip);
  position: absolute; left: 0; right: 0; margin-top: 2.3em; z-index: 10;
  white-space: pre-line; unicode-bidi: isolate; text-align: start;
  background: #fffff2; color: #111;
  border: 1px solid #777; border-radius: .25rem; box-shadow: 0 2px 8px rgba(0,0,0,.25);
  padding: .35rem .6rem; font: .8rem/1.5 "Segoe UI", Tahoma, "Noto Naskh Arabic", sans-serif;
  text-decoration: none; }
body.ui-ltr .sent::after { direction: ltr; }
body.ui-rtl .sent::after { direction: rtl; }
.term { text-decoration-line: underline; text-decoration-thickness: 2px;
  text-underline-offset: .35em; cursor: help; }
.term.critical { text-decoration-style: wavy; text-decoration-color: rgb(160, 50, 0); }
.term.pro { text-decoration-style: double; text-decoration-color: rgb(0, 70, 130); }
.warning { border: 2px solid #b00; background: #fff3f0; padding: .4rem .7rem; font-weight: bold; }
.summary { display: flex; flex-wrap: wrap; gap: .5rem 2rem; align-items: flex-start;
  background: #f6f6f6; border: 1px solid #ddd; padding: .6rem .8rem; margin: .5rem 0 1rem; }
.summary table { border-collapse: collapse; }
.summary th { text-align: start; font-weight: normal; color: #444; padding-inline-end: .8rem;
  white-space: nowrap; vertical-align: top; }
.summary td { font-variant-numeric: tabular-nums; }
.top-term { unicode-bidi: isolate; white-space: nowrap; }
.count { unicode-bidi: isolate; direction: ltr; }
.overview { border-collapse: collapse; margin: .5rem 0 1rem; width: 100%; }
.overview th, .overview td { border: 1px solid #ccc; padding: .2rem .5rem; text-align: start; }
.overview th { background: #f0f0f0; font-weight: 600; }
.overview td.num { text-align: end; font-variant-numeric: tabular-nums; white-space: nowrap;
  unicode-bidi: isolate; }
.about { color: #444; margin: 0 0 1rem; }
.about dt { font-weight: 600; float: inline-start; clear: inline-start; min-width: 7rem;
  margin-inline-end: .6rem; }
.about dd { margin: 0; word-break: break-all; }
.about details { margin-top: .2rem; }
.legend span { margin-inline-end: 1rem; white-space: nowrap; }
.swatch { display: inline-block; width: .9em; height: .9em; vertical-align: middle;
  border: 1px solid #888; margin-inline-end: .3em; }
.initial { display: none; }
@media print {
  body { max-width: none; margin: 0; font-size: 11pt; }
  * { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
  .article { break-inside: auto; }
  .summary { break-inside: avoid; background: none; }
  .sent::after { display: none !important; }
  .initial { display: inline; font-family: "Arial", sans-serif; font-size: .7em;
    font-weight: bold; border: 1px solid #000; padding: 0 .15em; margin-inline-end: .3em; }
  .sent.critical { border-bottom: 2px solid #000; }
  .sent.pro { border-bottom: 2px dashed #000; }
  .sent.neutral { border-bottom: 1px dotted #777; }
  .sent.off { border-bottom: none; }
}
"""
)


SOURCES_CSS = """
body{font-family:system-ui,"Noto Naskh Arabic","Segoe UI",Tahoma,sans-serif;margin:2rem;
color:#222;background:#fff}
h1{font-size:1.4rem}
.chart{direction:ltr;overflow-x:auto}
.chart svg{max-width:100%;height:auto}
svg text{font-size:13px;fill:#222}
svg .axis{stroke:#888;stroke-width:1}
svg .grid{stroke:#ddd;stroke-width:1}
svg .zero{stroke:#888;stroke-dasharray:4 3}
svg .ci{stroke:#3b6ea5;stroke-width:3;stroke-linecap:round}
svg .marker{fill:#1f3f66}
svg .marker.degenerate{fill:#fff;stroke:#1f3f66;stroke-width:2}
svg .tick{font-size:12px;fill:#555}
svg .n{fill:#555}
table{border-collapse:collapse}
.table{overflow-x:auto;margin-top:1.5rem}
td .ci{color:#666;font-size:.85em}
th,td{border:1px solid #ccc;padding:.3rem .6rem;text-align:start}
td.num{text-align:end;white-space:nowrap;font-variant-numeric:tabular-nums;unicode-bidi:isolate}
td.num span{unicode-bidi:isolate;direction:ltr}
.legend{color:#555;font-size:.9rem}
"""
