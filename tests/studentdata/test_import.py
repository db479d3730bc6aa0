from __future__ import annotations

import os
import stat
from pathlib import Path

import duckdb
import pytest
from django.conf import settings
from django.db import IntegrityError, transaction

from playbook.cli import main as cli_main
from playbook.privacy.models import AccessLogEntry, AppendOnlyError
from playbook.studentdata.models import Snapshot
from playbook.studentdata.selectors import snapshot_paths, student_records_for_user
from playbook.studentdata.services import ImportConflict, ImportItem, snapshot_import
from playbook.studentdata.validation import ImportRefused

from ..factories import LearningModelFactory, SchoolFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def school():  # type: ignore[no-untyped-def]
    return SchoolFactory(nces_id="590000100001")


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text.strip() + "\n", encoding="utf-8")
    return path


def lake_files() -> list[Path]:
    root = Path(settings.LAKE_DIR)
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


ENROLLMENT_OK = """
student_key,school_year,school_id,grade,entry_date,exit_date
S000000001,2024,590000100001,3,2023-08-20,
S000000002,2024,590000100001,4,2023-08-20,2024-01-15
S000000001,2025,590000100001,4,2024-08-19,
"""


def test_valid_import_writes_an_immutable_snapshot(tmp_path, school):
    path = write(tmp_path, "enrollment.csv", ENROLLMENT_OK)
    snapshot = snapshot_import(items=[ImportItem("enrollment", path)], note="first")
    f = snapshot.files.get(kind="enrollment")
    assert (f.rows, f.source_rows, f.school_years) == (3, 3, [2024, 2025])
    assert len(f.source_sha256) == 64 and f.imported_here
    parquet = snapshot_paths(snapshot=snapshot)["enrollment"]
    assert not os.stat(parquet).st_mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH)
    rows = duckdb.sql(f"SELECT student_key, grade, exit_date FROM '{parquet}' "
                      "ORDER BY school_year, student_key").fetchall()
    assert rows[1][0] == "S000000002" and rows[1][1] == 4 and str(rows[1][2]) == "2024-01-15"
    assert snapshot.supersedes is None and snapshot.sequence == 1


def test_malformed_file_writes_nothing_and_names_row_and_column(tmp_path, school):
    path = write(tmp_path, "bad.csv", """
student_key,school_year,school_id,grade,entry_date,exit_date
S000000001,2024,590000100001,3,2023-08-20,
S000000002,twenty,590000100001,4,2023-08-20,
S000000003,2024,999999999999,15,2023-13-01,
S000000001,2024,590000100001,3,2023-08-20,
x,2024,590000100001,3,2023-09-01,2023-08-01
""")
    with pytest.raises(ImportRefused) as caught:
        snapshot_import(items=[ImportItem("enrollment", path)])
    report = caught.value.report()
    assert "bad.csv, row 3, column school_year: 'twenty' is not a whole number" in report
    assert "bad.csv, row 4, column school_id: '999999999999' is not a school in the registry" in (
        report)
    assert "bad.csv, row 4, column grade: '15' is above the maximum 12" in report
    assert "bad.csv, row 4, column entry_date: '2023-13-01' is not a date" in report
    assert "bad.csv, row 5, column student_key: repeats row 2" in report
    assert "bad.csv, row 6, column student_key: 'x' is not a valid student_key" in report
    assert "row 6, column exit_date: '2023-08-01' must be >= entry_date" in report
    assert caught.value.results[0].problem_count == 7
    assert Snapshot.objects.count() == 0
    assert [p for p in lake_files() if p.suffix == ".parquet"] == []


def test_error_list_is_capped_but_all_errors_are_counted(tmp_path, school):
    rows = "\n".join(f"S{i:09d},2024,590000100001,99," for i in range(250))
    path = write(tmp_path, "many.csv", "student_key,school_year,school_id,grade,entry_date\n"
                 + rows)
    with pytest.raises(ImportRefused) as caught:
        snapshot_import(items=[ImportItem("enrollment", path)])
    result = caught.value.results[0]
    assert result.problem_count == 250
    assert len(result.problems) == 100
    assert "... and 150 more" in caught.value.report()


def test_missing_columns_and_name_columns_are_refused(tmp_path, school):
    path = write(tmp_path, "names.csv", """
student_key,first_name,school_year,grade
S000000001,Ada,2024,3
""")
    with pytest.raises(ImportRefused) as caught:
        snapshot_import(items=[ImportItem("enrollment", path)])
    report = caught.value.report()
    assert "row 1, column first_name: looks like personal identifying information" in report
    assert "row 1, column school_id: required column is missing" in report
    assert Snapshot.objects.count() == 0


@pytest.mark.parametrize(("text", "message"), [
    ("", "the file is empty"),
    ("student_key,school_year,school_id,grade\n", "has a header but no data rows"),
])
def test_empty_files_are_refused(tmp_path, school, text, message):
    path = tmp_path / "empty.csv"
    path.write_text(text)
    with pytest.raises(ImportRefused, match=message):
        snapshot_import(items=[ImportItem("enrollment", path)])


def test_one_bad_file_in_a_batch_refuses_the_whole_batch(tmp_path, school):
    good = write(tmp_path, "enrollment.csv", ENROLLMENT_OK)
    bad = write(tmp_path, "attendance.csv", """
student_key,school_year,school_id,days_enrolled,days_present
S000000001,2024,590000100001,170,171
""")
    with pytest.raises(ImportRefused) as caught:
        snapshot_import(items=[ImportItem("enrollment", good), ImportItem("attendance", bad)])
    assert "attendance.csv, row 2, column days_present: '171' must be <= days_enrolled" in (
        caught.value.report())
    assert Snapshot.objects.count() == 0


def test_reimport_replaces_only_the_years_in_the_file_and_shares_other_kinds(tmp_path, school):
    LearningModelFactory(code="summit-ws")
    first = snapshot_import(items=[
        ImportItem("enrollment", write(tmp_path, "e.csv", ENROLLMENT_OK)),
        ImportItem("model_participation", write(tmp_path, "m.csv", """
student_key,school_year,school_id,model_id,subject
S000000001,2025,590000100001,summit-ws,
""")),
    ])
    second = snapshot_import(items=[ImportItem("enrollment", write(tmp_path, "e2.csv", """
student_key,school_year,school_id,grade
S000000009,2025,590000100001,5
"""))])
    assert second.supersedes == first and second.sequence == 2
    paths = snapshot_paths(snapshot=second)
    keys = duckdb.sql(f"SELECT school_year, student_key FROM '{paths['enrollment']}' "
                      "ORDER BY 1, 2").fetchall()
    assert keys == [(2024, "S000000001"), (2024, "S000000002"), (2025, "S000000009")]
    shared = second.files.get(kind="model_participation")
    assert not shared.imported_here
    assert shared.path == first.files.get(kind="model_participation").path
    # The first snapshot still reads as it was.
    old = snapshot_paths(snapshot=first)["enrollment"]
    assert duckdb.sql(f"SELECT count(*) FROM '{old}'").fetchall() == [(3,)]


def test_model_participation_must_name_a_registered_model(tmp_path, school):
    path = write(tmp_path, "m.csv", """
student_key,school_year,school_id,model_id
S000000001,2025,590000100001,no-such-model
""")
    with pytest.raises(ImportRefused, match="'no-such-model' is not a model in the registry"):
        snapshot_import(items=[ImportItem("model_participation", path)])


def test_racing_imports_cannot_fork_the_snapshot_chain(tmp_path, school, monkeypatch):
    first = snapshot_import(items=[ImportItem("enrollment", write(tmp_path, "e.csv",
                                                                  ENROLLMENT_OK))])
    snapshot_import(items=[ImportItem("enrollment", write(tmp_path, "e2.csv", ENROLLMENT_OK))])
    # A second import that read the same predecessor before the other landed must fail whole.
    monkeypatch.setattr("playbook.studentdata.services.snapshot_current", lambda: first)
    before = set(lake_files())
    with pytest.raises(ImportConflict):
        snapshot_import(items=[ImportItem("enrollment", write(tmp_path, "e3.csv",
                                                              ENROLLMENT_OK))])
    assert Snapshot.objects.count() == 2
    assert set(lake_files()) == before


def test_cli_import_reports_errors_and_exit_code(tmp_path, school, capsys):
    bad = write(tmp_path, "assess.csv", """
student_key,school_year,school_id,subject,grade,assessment,window,scale_score
S000000001,2024,590000100001,reading,3,summative,spring,abc
""")
    assert cli_main(["import", "assessments", str(bad)]) == 2
    err = capsys.readouterr().err
    assert "assess.csv, row 2, column subject: 'reading' is not one of: ela, math, science" in err
    assert "assess.csv, row 2, column scale_score: 'abc' is not a number" in err
    good = write(tmp_path, "assess2.csv", """
student_key,school_year,school_id,subject,grade,assessment,window,scale_score,achievement_level
S000000001,2024,590000100001,math,3,summative,spring,412.5,3
""")
    assert cli_main(["import", "assessments", str(good)]) == 0
    assert "Imported 1 rows of assessments" in capsys.readouterr().out


def test_student_lookup_is_logged_and_limited_to_office_staff(tmp_path, personas, school):
    snapshot_import(items=[ImportItem("enrollment", write(tmp_path, "e.csv", ENROLLMENT_OK))])
    with pytest.raises(PermissionError):
        student_records_for_user(user=personas.leader_a, student_key="S000000001",
                                 purpose="curious")
    with pytest.raises(PermissionError):
        student_records_for_user(user=personas.auditor, student_key="S000000001",
                                 purpose="audit")
    assert AccessLogEntry.objects.count() == 0
    records = student_records_for_user(user=personas.officer, student_key="S000000001",
                                       purpose="eligibility check")
    assert [r["school_year"] for r in records["enrollment"]] == [2024, 2025]
    entry = AccessLogEntry.objects.get()
    assert (entry.user, entry.student_keys, entry.record_count, entry.purpose) == (
        personas.officer, ["S000000001"], 2, "eligibility check")


def test_access_log_is_append_only(personas):
    entry = AccessLogEntry.objects.create(user=personas.officer, role="program_officer",
                                          action="student_record", purpose="x")
    with pytest.raises(AppendOnlyError):
        entry.save()
    with pytest.raises(AppendOnlyError):
        entry.delete()
    # The database refuses too, even when the model is bypassed.
    with pytest.raises(IntegrityError), transaction.atomic():
        AccessLogEntry.objects.filter(pk=entry.pk).update(purpose="rewritten")
    from django.db import connection

    if connection.vendor == "postgresql":
        with pytest.raises(IntegrityError), transaction.atomic():
            AccessLogEntry.objects.filter(pk=entry.pk).delete()
    assert AccessLogEntry.objects.filter(pk=entry.pk, purpose="x").exists()
