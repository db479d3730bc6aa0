"""Rules of ``studentdata/validation.py`` that mutation testing found unpinned (issue 10,
bin/mutation, docs/testing.md): the refusal report an operator reads, line by line; a file that
passes is typed as its format declares (numbers, true/false flags and dates, not text); yes/no
flags are checked; a model-participation file is checked against the model registry; and the
messages for an empty file, a file with no rows, a missing required column and a repeated row
say where and what."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pyarrow as pa

from playbook.studentdata.validation import ImportRefused, Problem, ValidationResult, validate_file


def test_the_refusal_report_lists_each_refused_file_and_its_problems_line_by_line():
    bad = ValidationResult(file="scores.csv", kind="scores", sha256="x", problem_count=3,
                           problems=[Problem("scores.csv", 4, "score", "not a number"),
                                     Problem("scores.csv", None, None, "duplicate header")])
    good = ValidationResult(file="schools.csv", kind="schools", sha256="y")
    refused = ImportRefused([bad, good])
    assert refused.results == [bad]
    assert refused.report().split("\n") == [
        "scores.csv: 3 problem(s); nothing was imported.",
        "  scores.csv, row 4, column score: not a number",
        "  scores.csv: duplicate header",
        "  ... and 1 more",
    ]
    assert str(refused) == refused.report()


SCHOOL = "590000100001"


def _validate(tmp_path: Path, kind: str, text: str, **ids: list[str]):  # type: ignore[no-untyped-def]
    path = tmp_path / f"{kind}.csv"
    path.write_text(text, encoding="utf-8")
    return validate_file(path, kind, school_ids=ids.get("school_ids", [SCHOOL]),
                         model_ids=ids.get("model_ids", ["model-1"]))


def _problems(tmp_path: Path, kind: str, text: str, **ids: list[str]) -> list[str]:
    return [str(p) for p in _validate(tmp_path, kind, text, **ids).problems]


def test_an_accepted_file_is_typed_as_its_format_declares(tmp_path):
    result = _validate(tmp_path, "demographics",
                       "student_key,school_year,race_ethnicity,gender,econ_disadvantaged,"
                       "disability,english_learner\n"
                       "S000000001,2024,HI,F,Y,no,1\nS000000002,2024,AS,,false,TRUE,n\n")
    assert result.ok and result.table is not None
    assert result.table.schema.field("econ_disadvantaged").type == pa.bool_()
    assert result.table.column("econ_disadvantaged").to_pylist() == [True, False]
    assert result.table.column("disability").to_pylist() == [False, True]
    assert result.table.column("english_learner").to_pylist() == [True, False]
    scores = _validate(tmp_path, "assessments",
                       "student_key,school_year,school_id,subject,grade,assessment,window,"
                       f"scale_score,achievement_level\nS000000001,2024,{SCHOOL},math,3,"
                       "summative,spring,512.5,3\n")
    assert scores.ok and scores.table is not None
    assert scores.table.schema.field("scale_score").type == pa.float64()
    assert scores.table.column("scale_score").to_pylist() == [512.5]
    enrolled = _validate(tmp_path, "enrollment",
                         "student_key,school_year,school_id,grade,entry_date,exit_date\n"
                         f"S000000001,2024,{SCHOOL},3,2023-08-15,\n")
    assert enrolled.ok and enrolled.table is not None
    assert enrolled.table.schema.field("entry_date").type == pa.date32()
    assert enrolled.table.column("entry_date").to_pylist() == [dt.date(2023, 8, 15)]


def test_a_flag_that_is_not_yes_or_no_is_refused(tmp_path):
    assert _problems(tmp_path, "demographics",
                     "student_key,school_year,race_ethnicity,gender,econ_disadvantaged,"
                     "disability,english_learner\nS000000001,2024,HI,F,maybe,N,0\n") == [
        "demographics.csv, row 2, column econ_disadvantaged: 'maybe' is not true/false "
        "(use true, false, Y, N, 1 or 0)"]


def test_a_model_not_in_the_registry_is_refused(tmp_path):
    text = ("student_key,school_year,school_id,model_id,subject\n"
            f"S000000001,2024,{SCHOOL},model-1,math\nS000000002,2024,{SCHOOL},model-9,\n")
    assert _problems(tmp_path, "model_participation", text) == [
        "model_participation.csv, row 3, column model_id: 'model-9' is not a model in the "
        "registry"]


def test_an_empty_file_and_a_header_without_rows_are_refused_saying_so(tmp_path):
    assert _problems(tmp_path, "enrollment", "") == [
        "enrollment.csv: the file is empty; expected a header row"]
    assert _problems(tmp_path, "enrollment", "student_key,school_year,school_id,grade\n") == [
        "enrollment.csv: has a header but no data rows"]


def test_a_missing_required_column_is_named(tmp_path):
    assert _problems(tmp_path, "enrollment", "student_key,school_year,grade\n"
                     "S000000001,2024,3\n") == [
        "enrollment.csv, row 1, column school_id: required column is missing (the enrollment "
        "format needs: student_key, school_year, school_id, grade)"]


def test_a_repeated_row_names_the_first_one_and_the_key(tmp_path):
    text = ("student_key,school_year,school_id,grade\n"
            f"S000000001,2024,{SCHOOL},3\nS000000001,2024,{SCHOOL},4\n")
    assert _problems(tmp_path, "enrollment", text) == [
        "enrollment.csv, row 3, column student_key: repeats row 2 (same student_key, "
        "school_year, school_id)"]
