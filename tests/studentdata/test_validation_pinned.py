"""The student-data validator refuses, with file, row and column: empty required cells (ids and
scores), nan and infinity in decimal columns, personal-information headers in any case, and a
column named twice. An empty optional cell is accepted and never checked against the registry."""

from __future__ import annotations

from pathlib import Path

import pytest

from playbook.studentdata.validation import validate_file

SCHOOL = "590000100001"
ASSESSMENT_HEADER = ("student_key,school_year,school_id,subject,grade,assessment,window,"
                     "scale_score,achievement_level")


def problems(tmp_path: Path, kind: str, text: str) -> list[str]:
    path = tmp_path / f"{kind}.csv"
    path.write_text(text.strip() + "\n", encoding="utf-8")
    result = validate_file(path, kind, school_ids=[SCHOOL], model_ids=["model-1"])
    assert result.problem_count == len(result.problems)
    assert (result.table is None) == bool(result.problems)
    return [str(p) for p in result.problems]


def test_empty_required_cells_are_refused_one_problem_each(tmp_path):
    found = problems(tmp_path, "assessments", f"""
{ASSESSMENT_HEADER}
S000000001,2024,{SCHOOL},math,3,summative,spring,512.5,3
,2024,{SCHOOL},math,3,summative,spring,500,
S000000003,2024,,math,3,summative,spring,500,
S000000004,2024,{SCHOOL},math,3,summative,spring,,
S000000005,,{SCHOOL},math,,summative,spring,500,
""")
    assert found == [
        "assessments.csv, row 3, column student_key: is empty; a value is required",
        "assessments.csv, row 4, column school_id: is empty; a value is required",
        "assessments.csv, row 5, column scale_score: is empty; a value is required",
        "assessments.csv, row 6, column school_year: is empty; a value is required",
        "assessments.csv, row 6, column grade: is empty; a value is required",
    ]


def test_an_empty_optional_cell_is_accepted(tmp_path):
    assert problems(tmp_path, "assessments", f"""
{ASSESSMENT_HEADER}
S000000001,2024,{SCHOOL},math,3,summative,spring,512.5,
""") == []


def test_an_empty_required_registry_reference_is_reported_as_empty_not_passed(tmp_path):
    # Even when the registry is empty, an empty cell is "empty", never "not in the registry".
    path = tmp_path / "enrollment.csv"
    path.write_text("student_key,school_year,school_id,grade\nS000000001,2024,,3\n"
                    f"S000000002,2024,{SCHOOL},3\n")
    result = validate_file(path, "enrollment", school_ids=[], model_ids=[])
    assert [str(p) for p in result.problems] == [
        "enrollment.csv, row 2, column school_id: is empty; a value is required",
        f"enrollment.csv, row 3, column school_id: '{SCHOOL}' is not a school in the registry",
    ]


@pytest.mark.parametrize("value", ["nan", "NaN", "inf", "-inf", "Infinity", "-Infinity"])
def test_nan_and_infinity_are_not_numbers_a_score_can_have(tmp_path, value):
    assert problems(tmp_path, "assessments", f"""
{ASSESSMENT_HEADER}
S000000001,2024,{SCHOOL},math,3,summative,spring,{value},3
""") == [f"assessments.csv, row 2, column scale_score: '{value}' is not a finite number"]


def test_a_decimal_at_its_limits_is_accepted_and_beyond_them_refused(tmp_path):
    assert problems(tmp_path, "assessments", f"""
{ASSESSMENT_HEADER}
S000000001,2024,{SCHOOL},math,3,summative,spring,0,3
S000000002,2024,{SCHOOL},math,3,summative,spring,10000,3
""") == []
    assert problems(tmp_path, "assessments", f"""
{ASSESSMENT_HEADER}
S000000001,2024,{SCHOOL},math,3,summative,spring,-0.5,3
S000000002,2024,{SCHOOL},math,3,summative,spring,10000.01,3
""") == ["assessments.csv, row 2, column scale_score: '-0.5' is below the minimum 0",
         "assessments.csv, row 3, column scale_score: '10000.01' is above the maximum 10000"]


@pytest.mark.parametrize("column", ["First_Name", "FIRST_NAME", "Email", "DOB", "Last_Name"])
def test_personal_information_headers_are_refused_in_any_case(tmp_path, column):
    found = problems(tmp_path, "enrollment", f"""
student_key,school_year,school_id,grade,{column}
S000000001,2024,{SCHOOL},3,x
""")
    assert found == [f"enrollment.csv, row 1, column {column}: looks like personal identifying "
                     "information; the student-data lake stores only pseudonymous keys, so "
                     "remove this column"]


@pytest.mark.parametrize("second", ["grade", "Grade", " grade"])
def test_a_column_named_twice_is_refused(tmp_path, second):
    found = problems(tmp_path, "enrollment", f"""
student_key,school_year,school_id,grade,{second}
S000000001,2024,{SCHOOL},3,4
""")
    assert found == [f"enrollment.csv, row 1, column {second.strip()}: this column appears "
                     "twice in the header"]
