"""Renderings of the lexicon commands: the lexicon, the matches in a text, the term
audit and the discovered candidate terms (tables, JSON, CSV)."""

from __future__ import annotations

import io
import json
from collections.abc import Mapping, Sequence
from typing import Any

from ..csvsafe import csv_writer

DISCOVERY_COLUMNS = [
    "label",
    "ngram",
    "n",
    "count_label",
    "count_rest",
    "log_odds",
    "z",
    "in_lexicon",
]


def lexicon_json(lex: Any) -> str:
    rows = [
        {
            "term": t.term,
            "variants": list(t.variants),
            "direction": t.direction,
            "weight": t.weight,
            "category": t.category,
            "neutral": t.neutral,
            "gloss": t.gloss,
        }
        for t in lex.terms
    ]
    return json.dumps({"version": lex.version, "terms": rows}, ensure_ascii=False, indent=2)


def lexicon_table(lex: Any) -> str:
    lines = [f"lexicon version {lex.version}: {len(lex)} terms"]
    for t in lex.terms:
        lines.append(
            f"{t.direction:<9}{t.weight:>5.2f}  {t.category:<24} {t.term}"
            f"{'  → ' + t.neutral if t.neutral else ''}  ({t.gloss})"
        )
    return "\n".join(lines)


def matches_json(matches: Sequence[Any]) -> str:
    return json.dumps([m.to_dict() for m in matches], ensure_ascii=False)


def matches_table(matches: Sequence[Any], net: float) -> str:
    lines = [
        f"{m.start:>6}-{m.end:<6} {m.direction:<9}{m.weight:>5.2f}  {m.match}"
        f"  [{m.term}; {m.category}]"
        for m in matches
    ]
    lines.append(f"{len(matches)} match(es), net weight {net:+.2f}")
    return "\n".join(lines)


def audit_json(audits: Sequence[Any]) -> str:
    return json.dumps([a.to_dict() for a in audits], ensure_ascii=False, indent=2)


def audit_table(sentences: int, audits: Sequence[Any]) -> str:
    lines = [
        f"{sentences} labelled sentences; {len(audits)} terms fire",
        f"{'precision':>9} {'n':>4} {'on':>4}  {'dir':<8} {'w':>4}  labels  term",
    ]
    for a in audits:
        on = "-" if a.on_target is None else str(a.on_target)
        labels = " ".join(f"{k[0]}{v}" for k, v in sorted(a.labels.items()))
        lines.append(
            f"{a.precision:>9.2f} {a.sentences:>4} {on:>4}  {a.direction:<8} {a.weight:>4.2f}"
            f"  {labels:<14}  {a.term}"
        )
    return "\n".join(lines)


def discovery_json(result: Mapping[str, Sequence[Any]]) -> str:
    return json.dumps(
        {k: [r.to_dict() for r in v] for k, v in result.items()}, ensure_ascii=False, indent=2
    )


def discovery_csv(result: Mapping[str, Sequence[Any]]) -> str:
    """The candidates as CSV text (formula cells neutralized), ending with a line end."""
    buf = io.StringIO()
    writer = csv_writer(buf)
    writer.writerow(DISCOVERY_COLUMNS)
    for label in result:
        for r in result[label]:
            writer.writerow(
                [r.label, r.ngram, r.n, r.count_label, r.count_rest, r.log_odds, r.z,
                 int(r.in_lexicon)]
            )  # fmt: skip
    return buf.getvalue()


def discovery_table(result: Mapping[str, Sequence[Any]]) -> str:
    lines = []
    for label, items in result.items():
        lines.append(f"== {label}  (z-score, log-odds, count in label / rest; * = in lexicon)")
        for r in items:
            mark = "*" if r.in_lexicon else " "
            lines.append(
                f"  {r.z:>6.2f} {r.log_odds:>6.2f} {r.count_label:>5}/{r.count_rest:<5}"
                f" {mark} {r.ngram}"
            )
    return "\n".join(lines)
