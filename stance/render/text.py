"""Plain-text renderings: the article table of `stance score`, and the evaluation,
comparison and model-card tables of `stance evaluate`, `train` and `info`."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from ..results import ArticleScore, Prediction, SentenceScore


def _clip(text: str, width: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


def target_cell(s: SentenceScore | Prediction) -> str:
    """``on 0.97`` / ``off 0.12`` (``-`` for a model without a relevance stage)."""
    if s.on_target is None:
        return "-"
    return f"{'on' if s.about_target else 'off'} {s.on_target:.2f}"


def _signed(v: float | None, fmt: str = "+.2f") -> str:
    return "none" if v is None else format(v, fmt)


def render_table(article: ArticleScore, width: int = 90, explain: bool = False) -> str:
    """A readable plain-text table: one row per sentence, then the summary. With
    ``explain``, each sentence's evidence (when computed) follows it."""
    lines = [f"== {article.source or '-'}"]
    if not article.arabic:
        lines.append(f"!! not Arabic (looks {article.language}): labels are unreliable")
    lines.append(f"{'#':>3}  {'label':<8} {'p':>5}  {'target':<8}  text")
    for s in article.sentences:
        if not s.counted:
            lines.append(
                f"{s.index:>3}  {'-':<8} {'':>5}  {'furniture':<8}  "
                f"[{s.furniture}] {_clip(s.text, width)}"
            )
            continue
        p = s.probabilities[s.label]
        lines.append(
            f"{s.index:>3}  {s.label:<8} {p:>5.2f}  {target_cell(s):<8}  {_clip(s.text, width)}"
        )
        if s.loaded_terms:
            terms = ", ".join(f"{m.match} ({m.direction} {m.weight:.2f})" for m in s.loaded_terms)
            lines.append(f"{'':>30}terms: {terms}")
        if explain and s.evidence is not None:
            why = "; ".join(e.short() for e in s.evidence) or "-"
            lines.append(f"{'':>30}why {s.label}: {why}")
            if s.target_evidence is not None:
                why = "; ".join(e.short() for e in s.target_evidence) or "-"
                lines.append(f"{'':>30}target (+ on, - off): {why}")
    sm = article.summary
    counts = "  ".join(f"{k}={v}" for k, v in sm["counts"].items())
    shares = "  ".join(f"{k}={v:.0%}" for k, v in sm["shares"].items())
    lines.append(f"-- {sm['sentences']} sentences: {counts}  ({shares})")
    if sm.get("furniture_sentences"):
        lines.append(
            f"-- page furniture: {sm['furniture_sentences']} line(s) (share, byline, "
            "links ...) left out of every figure"
        )
    lines.append(
        f"-- on target: {sm['on_target_sentences']} of {sm['sentences']} sentences "
        f"({sm['on_target_share']:.0%}); lean and loaded terms count these only"
    )
    if sm["lean"] is None:
        lines.append("-- lean: none (no sentence is about the target)")
    else:
        lines.append(
            f"-- lean {sm['lean']:+.2f} (-1 critical … +1 pro; model alone {sm['lean_model']:+.2f})"
        )
    if sm["loaded_terms"]:
        top = ", ".join(f"{t['term']} ×{t['count']}" for t in sm["top_terms"])
        lines.append(
            f"-- loaded terms: {sm['loaded_terms']} ({sm['loaded_terms_per_1000_words']}"
            f" per 1000 on-target words), score {_signed(sm['loaded_term_score'])}; top: {top}"
        )
    return "\n".join(lines)


def render_dev_compare(r: dict[str, Any]) -> str:
    before = r["compare"]["before"]
    rows = [("macro-F1", before["macro_f1"], r["macro_f1"])]
    for lab, m in r["per_class"].items():
        rows.append((f"  F1 {lab}", before["per_class"][lab]["f1"], m["f1"]))
    if "off_target_stance_share" in r:
        rows.append(
            ("off-target given a stance", before["off_target_stance_share"],
             r["off_target_stance_share"])
        )  # fmt: skip
    if "relevance" in r and "relevance" in before:
        rows.append(("target relevance F1", before["relevance"]["f1"], r["relevance"]["f1"]))
    lines = [f"compared with {r['compare']['model']} on the same {r['sentences']} sentences:"]
    lines.append(f"{'':<28}{'before':>10}{'now':>10}{'change':>10}")
    for name, old, new in rows:
        change = f"{new - old:+.3f}" if old is not None and new is not None else ""
        lines.append(f"{name:<28}{_figure(old):>10}{_figure(new):>10}{change:>10}")
    return "\n".join(lines)


def _figure(v: Any) -> str:
    return "-" if v is None else (f"{v}" if isinstance(v, int) else f"{v:.3f}")


def render_compare(r: dict[str, Any]) -> str:
    c = r["compare"]
    before = c["before"]
    rows = [("grouped CV macro-F1", before.get("macro_f1"), r["macro_f1"])]
    for lab, m in r["per_class"].items():
        rows.append((f"  F1 {lab}", before.get("per_class", {}).get(lab, {}).get("f1"), m["f1"]))
    rows.append(
        ("seed LOAO macro-F1", before.get("seed_loao_macro_f1"), r.get("seed_loao_macro_f1"))
    )
    rows.append(("sentences", c["before_sentences"], r["sentences"]))
    lines = [f"compared with {c['model']} (figures from its card):"]
    lines.append(f"{'':<22}{'before':>10}{'now':>10}{'change':>10}")
    for name, old, new in rows:
        change = f"{new - old:+.3f}" if isinstance(old, (int, float)) and new is not None else ""
        if name == "sentences" and change:
            change = f"{new - old:+d}"
        lines.append(f"{name:<22}{_figure(old):>10}{_figure(new):>10}{change:>10}")
    if c["same_annotations"]:
        lines.append("(same annotations as that model was trained on: differences come from code)")
    return "\n".join(lines)


def _class_table(r: dict[str, Any]) -> list[str]:
    lines = [f"{'label':<10}{'precision':>10}{'recall':>8}{'f1':>8}{'support':>9}"]
    for lab, m in r["per_class"].items():
        lines.append(
            f"{lab:<10}{m['precision']:>10.3f}{m['recall']:>8.3f}{m['f1']:>8.3f}{m['support']:>9}"
        )
    return lines


def _confusion(r: dict[str, Any]) -> list[str]:
    labels = r["confusion"]["labels"]
    lines = ["confusion (rows = truth, columns = predicted): " + " ".join(labels)]
    for lab, row in zip(labels, r["confusion"]["matrix"]):
        lines.append(f"  {lab:<10}" + "".join(f"{v:>9}" for v in row))
    return lines


def _off_target_line(r: dict[str, Any]) -> str:
    share = r.get("off_target_stance_share")
    if share is None:
        return "off-target sentences: none in this data"
    n = r["off_target_sentences"]
    return f"off-target sentences labelled pro or critical: {share:.1%} of {n}"


def render_dev_line(d: dict[str, Any]) -> str:
    """One line of dev figures (for `stance train`)."""
    per = ", ".join(f"{k} {v['f1']:.2f}" for k, v in d["per_class"].items())
    line = (
        f"real dev set {d['file']}: macro-F1 {d['macro_f1']:.3f} ({per}); keyword baseline "
        f"{d['keyword_baseline']['macro_f1']:.3f}"
    )
    if d.get("off_target_stance_share") is not None:
        line += f"; off-target given a stance {d['off_target_stance_share']:.1%}"
    return line


def render_dev(d: dict[str, Any]) -> str:
    base = d["keyword_baseline"]
    lines = [f"{d['file']}: {d['sentences']} labelled sentences (real text)"]
    lines += _class_table(d)
    per = ", ".join(f"{k} {v:.3f}" for k, v in base["per_class_f1"].items())
    lines.append(
        f"macro-F1 {d['macro_f1']:.3f}   keyword baseline {base['macro_f1']:.3f} ({per})"
        f"   difference {d['macro_f1'] - base['macro_f1']:+.3f}"
    )
    lines += _confusion(d)
    if "off_target_stance_share" in d:
        lines.append(_off_target_line(d))
        if base.get("off_target_stance_share") is not None:
            lines.append(
                f"  keyword baseline: {base['off_target_stance_share']:.1%} of "
                f"{base['off_target_sentences']}"
            )
    rel = d.get("relevance")
    if rel:
        lines.append(
            f"target relevance: accuracy {rel['accuracy']:.3f}, precision "
            f"{rel['precision']:.3f}, recall {rel['recall']:.3f}, F1 {rel['f1']:.3f}"
        )
    return "\n".join(lines)


def render_evaluation(r: dict[str, Any]) -> str:
    lines = [
        f"grouped {r['folds']}-fold CV over {r['sentences']} sentences (no document in "
        "both train and test; this measures the authored corpus, not real coverage: "
        "see --dev)",
        *_class_table(r),
        f"macro-F1 {r['macro_f1']:.3f}   majority-class baseline "
        f"({r['baseline_label']}) {r['baseline_macro_f1']:.3f}",
        *_confusion(r),
        _off_target_line(r),
    ]
    if r.get("seed_loao_macro_f1") is not None:
        per = ", ".join(f"{d} {v:.3f}" for d, v in r["seed_loao"]["per_article_macro_f1"].items())
        lines.append(f"seed leave-one-article-out macro-F1 {r['seed_loao_macro_f1']:.3f} ({per})")
    else:
        lines.append("seed leave-one-article-out: no seed sentences in these annotations")
    return "\n".join(lines)


def render_card(directory: Path, card: dict[str, Any]) -> str:
    """The model card as aligned ``name  value`` lines."""

    def pairs(d: Any) -> str:
        return ", ".join(f"{k} {v}" for k, v in d.items()) if isinstance(d, dict) else str(d)

    rows: list[tuple[str, str]] = [("directory", str(directory))]
    rows.append(("labels", ", ".join(map(str, card.get("labels", [])))))
    dec = card.get("decision")
    if isinstance(dec, dict):
        weights = pairs(dec.get("weights", {})) or "none"
        rows.append(
            (
                "decision",
                f"{dec.get('design')}; on target when p >= {dec.get('on_target_threshold')}; "
                f"class weights {weights}",
            )
        )
    else:
        rows.append(("decision", "stance only (no target-relevance head)"))
    td = card.get("training_data", {})
    if td:
        line = f"{td.get('sentences')} sentences in {td.get('documents', '?')} documents"
        line += f" ({pairs(td.get('counts_per_label', {}))})"
        if "on_target" in td:
            line += f"; {td['on_target']} on target, {td['off_target']} off"
        rows.append(("training data", line))
        if "counts_per_origin" in td:
            rows.append(("", f"origins: {pairs(td['counts_per_origin'])}"))
        rows.append(("", f"annotations sha256 {td.get('sha256')}"))
    ev = card.get("evaluation")
    if isinstance(ev, dict):
        rows.append(
            (
                "cross-validation",
                f"macro-F1 {_figure(ev.get('macro_f1'))} over {ev.get('folds')} grouped folds "
                f"(majority baseline {_figure(ev.get('baseline_macro_f1'))}); seed "
                f"leave-one-article-out {_figure(ev.get('seed_loao_macro_f1'))}",
            )
        )
        per = ev.get("per_class", {})
        if per:
            rows.append(("", "F1 " + ", ".join(f"{k} {_figure(v['f1'])}" for k, v in per.items())))
        if ev.get("off_target_stance_share") is not None:
            rows.append(("", f"off-target given a stance {ev['off_target_stance_share']:.1%}"))
    else:
        rows.append(("cross-validation", "none (trained with --no-eval)"))
    if isinstance(card.get("dev_evaluation"), dict):
        rows.append(("real text", render_dev_line(card["dev_evaluation"])))
    rows.append(("lexicon", f"version {card.get('lexicon_version', '?')}"))
    if card.get("params"):
        rows.append(("parameters", pairs(card["params"])))
    rows.append(("model file", f"{card.get('model_file')}  sha256 {card.get('model_sha256')}"))
    if card.get("scoring_file"):
        rows.append(
            ("scoring file", f"{card['scoring_file']}  sha256 {card.get('scoring_sha256')}")
        )
    rows.append(("created", str(card.get("created", "?"))))
    rows.append(("versions", pairs(card.get("versions", {}))))
    width = max(len(k) for k, _ in rows)
    return "\n".join(f"{k:<{width}}  {v}".rstrip() for k, v in rows)


def render_trained(card: dict[str, Any], model_file: Path) -> str:
    """What `stance train` prints: the training data, the model file and the figures."""
    td = card["training_data"]
    lines = [f"trained on {td['sentences']} sentences ({td['counts_per_label']}) -> {model_file}"]
    ev = card.get("evaluation")
    if ev:
        lines.append(
            f"grouped CV macro-F1 {ev['macro_f1']:.3f} (majority baseline "
            f"{ev['baseline_macro_f1']:.3f}); seed leave-one-article-out macro-F1 "
            f"{ev['seed_loao_macro_f1']}"
        )
    if "dev_evaluation" in card:
        lines.append(render_dev_line(card["dev_evaluation"]))
    return "\n".join(lines)


def render_checked(records: Sequence[Any], directory: Path, counts: dict[str, int]) -> str:
    """What `stance annotations check` prints for a valid corpus."""
    docs = len({a.doc for a in records})
    off = sum(not a.target for a in records)
    return (
        f"ok: {len(records)} sentences in {docs} documents {counts}, "
        f"{off} of them off target, under {directory}"
    )


def render_added(res: Any) -> tuple[str | None, list[str]]:
    """What `stance annotations add` reports of its result: the message on the rows
    dropped as already present (for stderr; None when none were) and the lines of what
    was corrected and added (for stdout)."""
    dropped = None
    if res.dropped:
        shown = "; ".join(res.dropped[:5]) + (" ..." if len(res.dropped) > 5 else "")
        dropped = (
            f"dropped {len(res.dropped)} row(s) already in the annotations with the same "
            f"label (training on a sentence twice, under two documents, leaks test sentences "
            f"into training): {shown}"
        )
    lines = [f"corrected {line}" for line in res.replaced]
    labels = ", ".join(f"{k} {v}" for k, v in sorted(res.per_label.items()))
    if res.added or not (res.dropped or res.replaced):
        lines.append(f"added {res.added} sentences ({labels}) to {res.target}")
    elif not res.replaced:
        lines.append("added nothing: every row is already in the annotations")
    return dropped, lines


def render_drafted(rows: Sequence[dict[str, Any]], furniture: int, output: Path) -> str:
    """What `stance annotate` prints once the draft is written."""
    unsure = sum(r["margin"] < 0.3 for r in rows)
    left = f"; {furniture} page-furniture line(s) left out" if furniture else ""
    return f"wrote {len(rows)} draft rows to {output} ({unsure} with margin < 0.3{left})"


def render_archive_run(
    m: dict[str, Any],
    out_dir: Path,
    errors: Iterable[dict[str, Any]],
    errors_name: str,
    manifest_name: str,
    shown: int = 20,
) -> list[tuple[bool, str]]:
    """What `stance score --engine dask` reports of a run's manifest ``m``, as
    ``(always, line)`` pairs in order (``always`` False: a note or warning --quiet
    drops): the model loads, the first ``shown`` bad lines of ``errors``, the HTML and
    non-Arabic counts, and the summary line last."""
    out: list[tuple[bool, str]] = []
    if m["model_loads"]:
        imports = sum(x["import_seconds"] for x in m["model_loads"])
        out.append((False,
            f"model loaded {len(m['model_loads'])} time(s) for {m['shards_scored']} task(s) "
            f"(once per worker process), {m['model_load_seconds_mean']:.2f} s each on average, "
            f"{imports / len(m['model_loads']):.2f} s of it importing the scoring code"
        ))  # fmt: skip
    if m["errors"]:
        for n, e in enumerate(errors):
            if n == shown:
                more = m["errors"] - shown
                out.append((True, f"error: ... and {more} more in {out_dir / errors_name}"))
                break
            out.append((True, f"error: {e['file']}:{e['line']}: {e['error']}"))
    if m["html"]:
        out.append(
            (False, f"warning: {m['html']} record(s) held HTML; scored their extracted text")
        )
    if m["not_arabic"]:
        out.append((False,
            f'warning: {m["not_arabic"]} record(s) have no Arabic text ("arabic": false)'
        ))  # fmt: skip
    rate = f" ({m['records_per_second']:.0f} records/s)" if m["records_per_second"] else ""
    out.append((True,
        f"{m['records']} records in {m['shards']} shards, {m['errors']} failed{rate}; "
        f"manifest: {out_dir / manifest_name}"
    ))  # fmt: skip
    return out
