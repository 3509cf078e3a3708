"""Renderings of results: plain-text tables (text), the HTML report (html), CSV and JSON
(tabular). They return strings; printing them is the caller's business."""
