"""bench/external.py on tiny made-up data in both layouts (Mawqif CSV, ArabicStanceX
JSON), and the skip path when the data directory is absent."""

from __future__ import annotations

import csv
import importlib.util
import json
from pathlib import Path

import pytest

# A benchmark script end to end: not in the default run (see pyproject.toml).
pytestmark = pytest.mark.bench

SCRIPT = Path(__file__).resolve().parents[1] / "bench" / "external.py"
_spec = importlib.util.spec_from_file_location("bench_external", SCRIPT)
assert _spec is not None and _spec.loader is not None
external = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(external)

# (text, stance) per target; made up for the test, three labels each.
ROWS = {
    "Covid Vaccine": [
        ("اللقاح آمن وفعال والحمد لله أخذت الجرعة", "Favor"),
        ("خذوا اللقاح يحميكم ويحمي أهلكم", "Favor"),
        ("اللقاح نعمة وأنصح الجميع به", "Favor"),
        ("أنا مع التطعيم لأنه ينقذ الأرواح", "Favor"),
        ("لن آخذ اللقاح فهو غير آمن", "Against"),
        ("اللقاح خطير وأعراضه الجانبية كثيرة", "Against"),
        ("أرفض التطعيم الإجباري تماما", "Against"),
        ("لا أثق في هذا اللقاح أبدا", "Against"),
        ("متى يفتح مركز اللقاحات اليوم", "None"),
        ("كم عدد الجرعات المعطاة في المدينة", "None"),
        ("الجو حار اليوم في الرياض", "None"),
        ("أين أجد موعد الجرعة الثانية", "None"),
    ],
    "Women empowerment": [
        ("تمكين المرأة خطوة رائعة للوطن", "Favor"),
        ("فخورة بقرار تمكين المرأة في العمل", "Favor"),
        ("المرأة تستحق كل الفرص والدعم", "Favor"),
        ("نجاح المرأة نجاح للمجتمع كله", "Favor"),
        ("تمكين المرأة مجرد شعار فارغ", "Against"),
        ("هذا ليس تمكينا بل استغلال للمرأة", "Against"),
        ("أرفض هذه القرارات باسم تمكين المرأة", "Against"),
        ("التمكين المزعوم يضر الأسرة", "Against"),
        ("مؤتمر عن المرأة يعقد غدا", "None"),
        ("ما هو موعد إعلان النتائج", "None"),
        ("صورة من الحفل مساء أمس", "None"),
        ("خبر عن تعيين موظفات جدد", "None"),
    ],
}


def _write_mawqif(root: Path) -> None:
    d = root / "mawqif"
    d.mkdir(parents=True)
    for name in ("Train", "Test"):
        with open(d / f"Mawqif_AllTargets_{name}.csv", "w", encoding="utf-8-sig", newline="") as fh:
            w = csv.writer(fh)
            w.writerow(["ID", "text", "target", "stance", "sarcasm"])
            i = 0
            for target, rows in ROWS.items():
                for text, stance in rows:
                    i += 1
                    w.writerow([i, f"{text} {name}", target, stance, "No"])
            # an unlabelled row: must be dropped, not counted as "none"
            w.writerow([i + 1, "نص بلا تصنيف", "Covid Vaccine", "", "No"])


def _write_arabicstancex(root: Path) -> None:
    for split in ("train", "test"):
        for k, rows in enumerate(ROWS.values()):
            d = root / "arabicstancex" / "Stance_task" / split / f"domain{k}"
            d.mkdir(parents=True)
            ids = [str(i) for i in range(len(rows))]
            data = {
                "text": {i: text for i, (text, _) in zip(ids, rows)},
                "stance": {i: stance for i, (_, stance) in zip(ids, rows)},
            }
            (d / f"topic{k}.json").write_text(json.dumps(data, ensure_ascii=False), "utf-8")


def _run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    """main() in-process (one import of scikit-learn for all tests); returns (rc, stdout)."""
    rc = external.main(list(args))
    return rc, capsys.readouterr().out


def test_quick_run_on_tiny_data(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _write_mawqif(tmp_path)
    _write_arabicstancex(tmp_path)
    out_json = tmp_path / "figures.json"
    rc, out = _run(
        capsys, "--data-dir", str(tmp_path), "--quick", "--jobs", "1", "--json", str(out_json)
    )
    assert rc == 0
    assert out.startswith("command: python bench/external.py --data-dir ")
    for needle in ("mF1", "F_avg", "StanceEval", "== mawqif", "== arabicstancex", "OVERALL"):
        assert needle in out
    assert "empty/unknown stance" in out  # the unlabelled Mawqif rows were dropped
    figures = json.loads(out_json.read_text("utf-8"))
    maw = figures["datasets"]["mawqif"]
    assert [t["n_test"] for t in maw["targets"]] == [12, 12]
    asx = figures["datasets"]["arabicstancex"]
    assert len(asx["targets"]) == 2
    for t in maw["targets"] + asx["targets"]:
        for key in ("macro_f1", "f_avg"):
            assert 0.0 <= t["stance"][key] <= 100.0
            assert 0.0 <= t["quick"][key] <= 100.0


def test_missing_data_dir_is_skipped(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    missing = tmp_path / "nope"
    rc, out = _run(capsys, "--data-dir", str(missing), "--quick")
    assert rc == 0
    assert f"skipped: {missing} not found" in out


def test_missing_dataset_is_skipped(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _write_arabicstancex(tmp_path)
    rc, out = _run(capsys, "--data-dir", str(tmp_path), "--quick", "--dataset", "mawqif")
    assert rc == 0
    assert "skipped:" in out
    assert "Mawqif_AllTargets_Train.csv not found" in out
