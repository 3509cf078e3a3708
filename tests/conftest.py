"""Shared fixtures: a tiny hand-written annotated corpus and a session-scoped model."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

REPO = Path(__file__).resolve().parent.parent
SEEDS = REPO.parent / "shared" / "seeds"

# (doc, label, voice, text[, target]): six tiny documents, two per outlet style; a
# sentence not about the target carries False (and is neutral).
TINY = [
    (
        "d1",
        "pro",
        "reported",
        "وقال الوزير إن الانضمام إلى الاتفاقيات خطوة تاريخية نحو السلام والازدهار.",
    ),
    (
        "d1",
        "pro",
        "reported",
        "وأكد المتحدث أن التعاون مع إسرائيل سيجلب الاستثمار والتكنولوجيا للمنطقة.",
    ),
    ("d1", "neutral", "author", "وصل الرئيس إلى واشنطن يوم الخميس في زيارة تستغرق يومين."),
    ("d1", "critical", "reported", "ووصفت حركة حماس الخطوة بأنها طعنة في ظهر الشعب الفلسطيني."),
    ("d2", "pro", "author", "إن اتفاقيات أبراهام تفتح أبواب التعايش والتسامح بين الشعوب."),
    ("d2", "pro", "author", "المزيد من الدول ستنضم قريبا إلى قطار السلام لأنه طريق الازدهار."),
    (
        "d2",
        "neutral",
        "author",
        "تبلغ مساحة كازاخستان نحو مليونين وسبعمئة ألف كيلومتر مربع.",
        False,
    ),
    ("d2", "neutral", "author", "وقعت الاتفاقيات الأولى في سبتمبر عام 2020 في البيت الأبيض."),
    ("d3", "critical", "author", "يواصل الكيان الصهيوني اختراق آسيا الوسطى عبر اتفاق التسوية."),
    ("d3", "critical", "author", "إن التطبيع مع كيان الاحتلال خيانة للقضية الفلسطينية."),
    ("d3", "neutral", "author", "وتقع أذربيجان على ساحل بحر قزوين وتصدر النفط والغاز.", False),
    ("d3", "critical", "author", "صفقة القرن لم تجلب سوى مزيد من الدماء للفلسطينيين."),
    ("d4", "critical", "author", "يسعى العدو الصهيوني إلى تطويق إيران بالتحالف مع باكو."),
    ("d4", "critical", "author", "والتحقت أنظمة التطبيع بقطار الخيانة على حساب غزة."),
    ("d4", "neutral", "author", "عقد الاجتماع في العاصمة أستانا بحضور وفود من عدة دول."),
    ("d4", "neutral", "reported", "وقال المتحدث إن المحادثات ستستأنف الشهر المقبل."),
    ("d5", "pro", "reported", "ورحب المسؤولون بالاتفاق واعتبروه إنجازا عظيما للاستقرار الإقليمي."),
    ("d5", "neutral", "author", "ويبلغ عدد سكان أوزبكستان نحو ستة وثلاثين مليون نسمة.", False),
    ("d5", "critical", "reported", "وقال متظاهرون إن التطبيع خيانة ويجب قطع العلاقات فورا."),
    ("d5", "pro", "author", "الشراكة مع إسرائيل جسر للتنمية والتقدم في آسيا الوسطى."),
    ("d6", "neutral", "author", "أعلنت الحكومة موعد الانتخابات البرلمانية المقبلة.", False),
    ("d6", "critical", "author", "ما يسمى اتفاقيات أبراهام ليست سوى هدية مجانية لنتنياهو."),
    ("d6", "pro", "reported", "وأشاد السفير بالاتفاق ووصفه بأنه طبيعي ومنطقي ومفيد للجميع."),
    ("d6", "neutral", "reported", "وذكرت الوكالة أن الوفد سيزور تل أبيب الأسبوع المقبل."),
    ("d6", "neutral", "reported", "ووصفت دمشق الهجوم على الحافلة بأنه مجزرة إرهابية.", False),
    ("d5", "neutral", "reported", "ووصف الوزير اتفاق السلام مع أرمينيا بأنه خطوة تاريخية.", False),
]


def write_tiny_corpus(directory: Path, seed_docs: tuple[str, ...] = ("d1", "d3")) -> Path:
    """Write TINY as annotation files (docs in ``seed_docs`` get origin 'seed')."""
    directory.mkdir(parents=True, exist_ok=True)
    with open(directory / "tiny.jsonl", "w", encoding="utf-8") as fh:
        for i, (doc, label, voice, text, *target) in enumerate(TINY):
            origin = "seed" if doc in seed_docs else "authored"
            rec = {
                "id": f"t{i:02d}",
                "doc": doc,
                "source": f"style-{doc}",
                "text": text,
                "label": label,
                "voice": voice,
                "origin": origin,
                "target": target[0] if target else True,
            }
            fh.write(json.dumps(rec, ensure_ascii=False) + "\n")
    return directory


@pytest.fixture(scope="session")
def tiny_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_tiny_corpus(tmp_path_factory.mktemp("tiny") / "annotations")


@pytest.fixture(scope="session")
def tiny_model_dir(tmp_path_factory: pytest.TempPathFactory, tiny_dir: Path) -> Path:
    from stance.train import train_model

    out = tmp_path_factory.mktemp("model")
    train_model(tiny_dir, run_evaluation=False).save(out)
    return out


@pytest.fixture()
def seeds() -> Path:
    if not SEEDS.is_dir():
        pytest.skip(f"seed articles not found at {SEEDS} (../shared is not beside the repo)")
    return SEEDS


@pytest.fixture()
def runner() -> CliRunner:
    """A click test runner for the `stance` CLI (stdout and stderr kept apart)."""
    return CliRunner()


@pytest.fixture(scope="module")
def cluster() -> Iterator[Any]:
    """A local Dask cluster of two single-threaded worker processes, one per test module
    (skips where the dask extra is not installed)."""
    pytest.importorskip("distributed")
    import logging

    from distributed import LocalCluster

    with LocalCluster(
        n_workers=2,
        threads_per_worker=1,
        processes=True,
        dashboard_address=None,
        silence_logs=logging.CRITICAL,
    ) as c:
        yield c
