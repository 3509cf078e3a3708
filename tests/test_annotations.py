"""Validation of annotation files, and the integrity of the repo's own corpus."""

import json
from collections import Counter
from pathlib import Path

import pytest

from stance.annotations import annotations_sha256, load_annotations
from stance.errors import AnnotationError

from .conftest import REPO

GOOD = {
    "id": "1",
    "doc": "d",
    "source": "s",
    "text": "نص",
    "label": "pro",
    "voice": "author",
    "origin": "authored",
}


def _write(path: Path, rows: list) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        "\n".join(r if isinstance(r, str) else json.dumps(r, ensure_ascii=False) for r in rows)
        + "\n",
        encoding="utf-8",
    )


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        ([{**GOOD, "label": "favour"}], "a.jsonl:1: unknown label 'favour'"),
        ([{**GOOD, "voice": "x"}], "a.jsonl:1: unknown voice"),
        ([{k: v for k, v in GOOD.items() if k != "doc"}], "a.jsonl:1: missing field 'doc'"),
        ([{**GOOD, "text": "  "}], "a.jsonl:1: empty text"),
        ([GOOD, GOOD], "a.jsonl:2: duplicate id '1'"),
        (
            [GOOD, {**GOOD, "id": "2", "text": "نَص", "label": "critical"}],
            "a.jsonl:2: same text as a.jsonl:1 but label 'critical' vs 'pro'",
        ),
        (["{oops"], "a.jsonl:1: invalid JSON"),
        ([[1, 2]], "a.jsonl:1: expected a JSON object"),
    ],
)
def test_validation_messages(tmp_path: Path, rows: list, message: str) -> None:
    _write(tmp_path / "a.jsonl", rows)
    with pytest.raises(AnnotationError) as err:
        load_annotations(tmp_path)
    assert any(p.startswith(message) for p in err.value.problems), err.value.problems


def test_doc_split_across_files(tmp_path: Path) -> None:
    _write(tmp_path / "a.jsonl", [GOOD])
    _write(tmp_path / "sub" / "b.jsonl", [{**GOOD, "id": "2", "text": "آخر"}])
    with pytest.raises(AnnotationError, match="split across files"):
        load_annotations(tmp_path)


def test_hash_changes_with_content(tmp_path: Path) -> None:
    _write(tmp_path / "a.jsonl", [GOOD])
    h1 = annotations_sha256(tmp_path)
    _write(tmp_path / "a.jsonl", [{**GOOD, "label": "neutral"}])
    assert annotations_sha256(tmp_path) != h1


def test_missing_or_empty_directory(tmp_path: Path) -> None:
    with pytest.raises(AnnotationError, match="not found"):
        load_annotations(tmp_path / "nope")
    with pytest.raises(AnnotationError, match="no \\*.jsonl"):
        load_annotations(tmp_path)


# -- the repo's corpus ---------------------------------------------------------------
@pytest.fixture(scope="module")
def corpus() -> list:
    return load_annotations(REPO / "annotations")


def test_corpus_size_and_balance(corpus: list) -> None:
    assert len(corpus) >= 1000
    on = [a for a in corpus if a.target]
    shares = {k: v / len(on) for k, v in Counter(a.label for a in on).items()}
    assert set(shares) == {"pro", "critical", "neutral"}
    assert min(shares.values()) >= 0.20, shares  # the stance head sees a balanced corpus
    off = [a for a in corpus if not a.target]
    assert all(a.label == "neutral" for a in off)
    assert sum(a.origin == "authored" for a in off) >= 1500  # off-target text to learn from


def test_corpus_seed_and_authored_docs(corpus: list) -> None:
    seed_docs = Counter(a.doc for a in corpus if a.origin == "seed")
    assert sorted(seed_docs) == [f"seed-{i:03d}" for i in range(5)]
    assert sum(seed_docs.values()) >= 200
    authored = Counter(a.doc for a in corpus if a.origin == "authored")
    assert all(10 <= n <= 30 for n in authored.values()), authored
    assert all(a.origin == "seed" for a in corpus if a.doc.startswith("seed-"))


def test_seed_sentences_are_segmenter_output(corpus: list, seeds: Path) -> None:
    from stance.segment import segment

    segmented = {p.name[:3]: segment(p.read_text(encoding="utf-8")) for p in seeds.glob("0*.txt")}
    for a in corpus:
        if a.origin == "seed":
            _, num, idx = a.id.split("-")
            assert segmented[num][int(idx)].text == a.text, a.id
