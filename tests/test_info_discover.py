"""`stance info` prints a readable card (JSON on request); `stance terms discover`
leaves function words out of its ranking."""

from __future__ import annotations

import json
from pathlib import Path

from stance.cli import main
from stance.discover import load_stopwords
from stance.normalize import normalize


def test_info_is_a_readable_card(runner, tiny_model_dir: Path) -> None:
    card = json.loads((tiny_model_dir / "card.json").read_text(encoding="utf-8"))
    res = runner.invoke(main, ["info", "--model", str(tiny_model_dir)])
    assert res.exit_code == 0, res.output
    out = res.stdout
    assert not out.lstrip().startswith("{") and '"model_sha256"' not in out
    lines = dict(
        (line[:16].strip(), line[16:].strip()) for line in out.splitlines() if line[:16].strip()
    )
    assert lines["directory"] == str(tiny_model_dir)
    assert lines["labels"] == "critical, neutral, pro"
    assert lines["decision"].startswith("two_heads; on target when p >= 0.5")
    assert lines["training data"].startswith("26 sentences in 6 documents (critical 8")
    assert "cross-validation  none (trained with --no-eval)" in out
    assert f"sha256 {card['model_sha256']}" in out and card["scoring_file"] in out
    js = runner.invoke(main, ["info", "--model", str(tiny_model_dir), "--format", "json"])
    assert js.exit_code == 0 and json.loads(js.stdout) == card


def _corpus(directory: Path) -> Path:
    """Pro sentences full of «ان» and «في ان», critical ones with «لا للتطبيع»."""
    directory.mkdir()
    pro = [f"وقال المسؤول إن الانضمام في ان {w} مفيد" for w in ("السلام", "التعاون", "الازدهار")]
    crit = [f"ورفع المتظاهرون شعار لا للتطبيع في {w}" for w in ("عمان", "الرباط", "تونس")]
    neu = [f"وصل الوفد إلى {w} أمس" for w in ("أستانا", "باكو", "طشقند")]
    rows = [(t, "pro") for t in pro * 2] + [(t, "critical") for t in crit * 2]
    rows += [(t, "neutral") for t in neu * 2]
    with open(directory / "a.jsonl", "w", encoding="utf-8") as fh:
        for i, (text, label) in enumerate(rows):
            rec = {"id": str(i), "doc": f"d{i % 3}", "source": "x", "text": text,
                   "label": label, "voice": "author", "origin": "authored"}  # fmt: skip
            fh.write(json.dumps(rec, ensure_ascii=False) + "\n")
    return directory


def test_discover_drops_function_words(runner, tmp_path: Path) -> None:
    ann = _corpus(tmp_path / "ann")
    base = ["terms", "discover", "--annotations", str(ann), "--format", "json", "--top", "200"]
    kept = json.loads(runner.invoke(main, [*base, "--keep-stopwords"]).stdout)
    res = runner.invoke(main, base)
    assert res.exit_code == 0, res.output
    dropped = json.loads(res.stdout)
    stop = load_stopwords()
    assert normalize("إن") in stop and normalize("على") in stop
    all_kept = {r["ngram"]: r for rows in kept.values() for r in rows}
    all_dropped = {r["ngram"]: r for rows in dropped.values() for r in rows}
    assert "ان" in all_kept and "في ان" in all_kept  # function words rank without the filter
    assert not [g for g in all_dropped if all(w in stop for w in g.split())]
    assert "لا للتطبيع" in all_dropped and "الانضمام" in all_dropped
    # Leaving function words out of the ranking changes no other n-gram's figures.
    for ngram, row in all_dropped.items():
        assert all_kept[ngram] == row
    table = runner.invoke(main, ["terms", "discover", "--annotations", str(ann)]).stdout
    ngrams = [line[30:].strip() for line in table.splitlines() if not line.startswith("==")]
    assert "لا للتطبيع" in ngrams and "ان" not in ngrams and "في ان" not in ngrams
