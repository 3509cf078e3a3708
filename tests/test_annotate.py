"""The model-assisted annotation loop: draft, review, add."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from stance.annotations import (
    REQUIRED_FIELDS,
    annotations_sha256,
    check_record,
    load_annotations,
)
from stance.drafts import (
    HELPER_KEYS,
    add_reviewed,
    draft_doc_id,
    draft_records,
    read_draft,
    write_draft,
)
from stance.errors import AnnotationError
from stance.model import StanceModel, load_model

ARTICLE = (
    "انضمت كازاخستان إلى اتفاقيات أبراهام في البيت الأبيض.\n"
    "وقال الوزير إن الخطوة تاريخية وستجلب السلام والازدهار للمنطقة.\n"
    "ووصفت حركة حماس التطبيع بأنه خيانة للقضية الفلسطينية.\n"
    "Share this article\n"
    "وتقع أستانا في شمال البلاد. ويبلغ عدد سكانها نحو مليون نسمة."
)


@pytest.fixture(scope="module")
def model(tiny_model_dir: Path) -> StanceModel:
    return load_model(tiny_model_dir)


@pytest.fixture()
def corpus(tiny_dir: Path, tmp_path: Path) -> Path:
    """A private copy of the tiny annotations (tiny_dir is session-wide: do not touch it)."""
    return Path(shutil.copytree(tiny_dir, tmp_path / "annotations"))


def _reviewed(rows: list[dict]) -> list[dict]:
    return [{**r, "label_status": "reviewed"} for r in rows]


def _snapshot(directory: Path) -> dict[str, bytes]:
    files = (p for p in directory.rglob("*") if p.is_file())
    return {p.relative_to(directory).as_posix(): p.read_bytes() for p in files}


def test_draft_is_ordered_by_margin(model: StanceModel) -> None:
    rows = draft_records(model, ARTICLE, "test-outlet")
    margins = [r["margin"] for r in rows]
    assert margins == sorted(margins)
    assert [r["review_rank"] for r in rows] == list(range(1, len(rows) + 1))
    assert len(rows) == 5  # the English share line is not scored
    for r in rows:
        assert r["label_status"] == "suggested"
        assert ARTICLE[r["start"] : r["end"]] == r["text"]
        assert 0.0 <= r["margin"] <= r["probability"] <= 1.0


def test_document_order_and_stable_ids(model: StanceModel) -> None:
    rows = draft_records(model, ARTICLE, "Test Outlet", order="document")
    assert [r["start"] for r in rows] == sorted(r["start"] for r in rows)
    doc = draft_doc_id(ARTICLE, "Test Outlet")
    assert doc.startswith("test-outlet-")
    assert {r["doc"] for r in rows} == {doc}
    # Segmenter indices: the skipped English line (index 3) leaves a gap.
    assert [r["id"] for r in rows] == [f"{doc}-{i:03d}" for i in (0, 1, 2, 4, 5)]
    again = draft_records(model, ARTICLE, "Test Outlet")
    assert sorted(r["id"] for r in again) == sorted(r["id"] for r in rows)
    named = draft_records(model, ARTICLE, "x", doc="mydoc")
    assert all(r["id"].startswith("mydoc-") for r in named)
    with pytest.raises(ValueError):
        draft_records(model, ARTICLE, "x", order="random")


def test_draft_rows_validate_once_reviewed(model: StanceModel, tmp_path: Path) -> None:
    rows = draft_records(model, ARTICLE, "test-outlet")
    for r in _reviewed(rows):
        assert set(REQUIRED_FIELDS) <= set(r)
        assert check_record(r, "draft") == []
    path = write_draft(rows, tmp_path / "d" / "draft.jsonl")
    raw = path.read_text(encoding="utf-8")
    assert "كازاخستان" in raw  # ensure_ascii=False
    assert [obj for _, obj in read_draft(path)] == rows
    assert not list(path.parent.glob("*.tmp"))


def test_add_refuses_suggested_unless_accepted(
    model: StanceModel, corpus: Path, tmp_path: Path
) -> None:
    rows = draft_records(model, ARTICLE, "test-outlet")
    rows[1:] = _reviewed(rows[1:])  # one row left unreviewed
    draft = write_draft(rows, tmp_path / "draft.jsonl")
    before = _snapshot(corpus)
    with pytest.raises(AnnotationError) as err:
        add_reviewed(draft, corpus)
    assert f"{draft}:1: label_status is 'suggested'" in str(err.value)
    assert _snapshot(corpus) == before

    result = add_reviewed(draft, corpus, accept_suggested=True)
    assert result.added == len(rows)
    assert result.accepted_suggested == 1
    assert sum(result.per_label.values()) == len(rows)
    assert result.target == corpus / "reviewed" / f"{rows[0]['doc']}.jsonl"
    written = [json.loads(line) for line in result.target.read_text("utf-8").splitlines()]
    assert [w["label_status"] for w in written] == ["suggested"] + ["reviewed"] * (len(rows) - 1)
    assert all(not set(HELPER_KEYS) & set(w) for w in written)


def test_add_refuses_duplicates_and_leaves_annotations_unchanged(
    model: StanceModel, corpus: Path, tmp_path: Path
) -> None:
    rows = _reviewed(draft_records(model, ARTICLE, "test-outlet"))
    before = _snapshot(corpus)

    twice = write_draft([*rows, rows[0]], tmp_path / "twice.jsonl")
    with pytest.raises(AnnotationError, match=rf"{len(rows) + 1}: duplicate id"):
        add_reviewed(twice, corpus)
    assert _snapshot(corpus) == before

    clash = write_draft([*rows[:2], {**rows[2], "id": "t00"}], tmp_path / "clash.jsonl")
    with pytest.raises(AnnotationError, match=r"clash.jsonl:3: id 't00' already in the"):
        add_reviewed(clash, corpus)
    assert _snapshot(corpus) == before

    # Adding the same draft twice: the second time every sentence is there already, so
    # every row is dropped and nothing is written.
    draft = write_draft(rows, tmp_path / "draft.jsonl")
    add_reviewed(draft, corpus)
    after = _snapshot(corpus)
    again = add_reviewed(draft, corpus)
    assert again.added == 0 and len(again.dropped) == len(rows)
    assert _snapshot(corpus) == after


def test_add_refuses_invalid_rows_and_corpus_conflicts(
    model: StanceModel, corpus: Path, tmp_path: Path
) -> None:
    rows = _reviewed(draft_records(model, ARTICLE, "test-outlet"))
    before = _snapshot(corpus)
    bad = write_draft([{**rows[0], "label": "positive"}, *rows[1:]], tmp_path / "bad.jsonl")
    with pytest.raises(AnnotationError, match=r"bad.jsonl:1: unknown label 'positive'"):
        add_reviewed(bad, corpus)
    # A doc already in tiny.jsonl would be split across two files.
    split = write_draft([{**r, "doc": "d1"} for r in rows], tmp_path / "split.jsonl")
    with pytest.raises(AnnotationError, match=r"adding .*split.jsonl (?s:.*)split across files"):
        add_reviewed(split, corpus, target=corpus / "more.jsonl")
    # The text of t03 (critical) labelled pro: one text, two labels.
    text = load_annotations(corpus)[3].text
    conflict = [*rows[:1], {**rows[1], "text": text, "label": "pro"}]
    conflict_path = write_draft(conflict, tmp_path / "conflict.jsonl")
    with pytest.raises(
        AnnotationError, match=r"conflict.jsonl:2: .*already in the annotations at tiny.jsonl:4"
    ):
        add_reviewed(conflict_path, corpus)
    with pytest.raises(AnnotationError, match="inside"):
        add_reviewed(write_draft(rows, corpus / "draft.jsonl"), corpus)
    (corpus / "draft.jsonl").unlink()
    with pytest.raises(AnnotationError, match="must be a"):
        add_reviewed(write_draft(rows, tmp_path / "d.jsonl"), corpus, target=tmp_path / "x.jsonl")
    assert _snapshot(corpus) == before


def test_load_annotations_sees_added_rows(model: StanceModel, corpus: Path, tmp_path: Path) -> None:
    n_before = len(load_annotations(corpus))
    sha_before = annotations_sha256(corpus)
    rows = _reviewed(draft_records(model, ARTICLE, "test-outlet"))
    result = add_reviewed(write_draft(rows, tmp_path / "draft.jsonl"), corpus)
    loaded = load_annotations(corpus)
    assert len(loaded) == n_before + result.added
    added = {a.id: a for a in loaded if a.path == f"reviewed/{rows[0]['doc']}.jsonl"}
    assert set(added) == {r["id"] for r in rows}
    assert all(a.label == r["label"] for r in rows for a in [added[r["id"]]])
    assert annotations_sha256(corpus) != sha_before

    # Appending a second batch to an explicit target keeps the first rows in place.
    other = "وأعلنت الحكومة موعد الزيارة المقبلة إلى العاصمة."
    more = _reviewed(draft_records(model, other, "second"))
    result2 = add_reviewed(write_draft(more, tmp_path / "more.jsonl"), corpus, target=result.target)
    assert result2.target == result.target
    assert len(result.target.read_text("utf-8").splitlines()) == len(rows) + len(more)
    assert len(load_annotations(corpus)) == n_before + len(rows) + len(more)


# -- the retraining loop must not leak: sentences already in the corpus -----------------


def _corpus_rows(corpus: Path) -> list[dict]:
    path = corpus / "tiny.jsonl"
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_cli_add_drops_sentences_already_in_the_corpus(runner, corpus: Path, tmp_path) -> None:
    """The leak of issue 15: seed sentences re-added under a new document id. They are
    dropped with a message; the new sentences are added."""
    from stance.cli import main

    old = _corpus_rows(corpus)[:3]
    copies = [
        {**r, "id": f"new-{i}", "doc": "new-doc", "text": r["text"] + "  ", "origin": "reviewed"}
        for i, r in enumerate(old)
    ]
    fresh = {**copies[0], "id": "new-9", "text": "وأعلنت الحكومة موعد الزيارة المقبلة."}
    draft = write_draft(_reviewed([*copies, fresh]), tmp_path / "draft.jsonl")
    res = runner.invoke(main, ["annotations", "add", str(draft), "--annotations", str(corpus)])
    assert res.exit_code == 0, res.output
    assert "dropped 3 row(s) already in the annotations" in res.stderr
    assert "draft.jsonl:1 = tiny.jsonl:1" in res.stderr
    assert "added 1 sentences" in res.stdout
    texts = [a.text for a in load_annotations(corpus)]
    assert len(texts) == len(_corpus_rows(corpus)) + 1 == 27
    assert texts.count(fresh["text"]) == 1

    res = runner.invoke(main, ["annotations", "add", str(draft), "--annotations", str(corpus)])
    assert res.exit_code == 0 and "added nothing: every row is already in the annotations" in (
        res.stdout
    )


def test_cli_add_offers_and_applies_a_correction(runner, corpus: Path, tmp_path) -> None:
    from stance.cli import main

    rows = _corpus_rows(corpus)
    t03 = rows[3]  # critical, in doc d1
    assert t03["label"] == "critical"
    row = {**t03, "id": "x-1", "doc": "x", "label": "neutral", "origin": "reviewed"}
    draft = write_draft(_reviewed([row]), tmp_path / "fix.jsonl")
    before = _snapshot(corpus)
    args = ["annotations", "add", str(draft), "--annotations", str(corpus)]
    res = runner.invoke(main, args)
    assert res.exit_code == 1
    assert "already in the annotations at tiny.jsonl:4 (id 't03') with label 'critical' (on " in (
        res.stderr
    )
    assert "rerun with --replace to correct it at tiny.jsonl:4" in res.stderr
    assert _snapshot(corpus) == before

    res = runner.invoke(main, [*args, "--replace"])
    assert res.exit_code == 0, res.output
    assert (
        "corrected tiny.jsonl:4: label 'critical' (on target) -> label 'neutral' (on target)"
        in res.stdout
    )
    after = _corpus_rows(corpus)
    assert after[3] == {**t03, "label": "neutral"}  # corrected in place, same id and doc
    assert [r for i, r in enumerate(after) if i != 3] == [r for i, r in enumerate(rows) if i != 3]
    assert not (corpus / "reviewed").exists()  # nothing appended
    assert len(load_annotations(corpus)) == len(rows)
