"""The CSV formats of the student-data imports, declared once.

The validator (``validation.py``), the Parquet writer, the synthetic state and
``docs/student-data-formats.md`` all read these declarations. Every kind is keyed by a
pseudonymous ``student_key`` (never a name) and a ``school_year`` (the calendar year in which
the school year ends: 2025 means 2024-25).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

ColumnType = Literal["string", "int", "decimal", "bool", "date", "enum"]

STUDENT_KEY_PATTERN = r"[A-Za-z0-9][A-Za-z0-9_-]{5,63}"
EDUCATOR_ID_PATTERN = r"[A-Za-z0-9][A-Za-z0-9_-]{2,63}"
SECTION_ID_PATTERN = r"[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}"
SCHOOL_ID_PATTERN = r"\d{12}"

RACE_ETHNICITY = {
    "HI": "Hispanic or Latino",
    "AM": "American Indian or Alaska Native",
    "AS": "Asian",
    "BL": "Black or African American",
    "PI": "Native Hawaiian or Other Pacific Islander",
    "WH": "White",
    "MU": "Two or more races",
}
SUBJECTS = {"ela": "English language arts", "math": "Mathematics", "science": "Science"}
DISCIPLINE_ACTIONS = {
    "none": "No removal",
    "in_school_suspension": "In-school suspension",
    "out_of_school_suspension": "Out-of-school suspension",
    "expulsion": "Expulsion",
    "referral": "Referral to law enforcement",
}
INCIDENT_TYPES = {
    "attendance": "Attendance",
    "disruption": "Disruptive behavior",
    "fighting": "Fighting",
    "harassment": "Bullying or harassment",
    "substance": "Alcohol, tobacco or drugs",
    "weapons": "Weapons",
    "other": "Other",
}

#: Column names that would put a person's identity into the lake; a file with one is refused.
IDENTIFYING_COLUMNS = frozenset(
    {
        "name", "first_name", "last_name", "middle_name", "full_name", "student_name",
        "given_name", "family_name", "birth_date", "date_of_birth", "dob", "birthdate", "ssn",
        "social_security_number", "address", "street_address", "email", "phone", "telephone",
        "parent_name", "guardian_name",
    }
)


@dataclass(frozen=True)
class Column:
    name: str
    type: ColumnType
    description: str
    required: bool = True
    minimum: float | None = None
    maximum: float | None = None
    choices: tuple[str, ...] = ()
    pattern: str | None = None
    #: "school" or "model": the value must exist in the organization registry.
    references: Literal["school", "model"] | None = None


@dataclass(frozen=True)
class Kind:
    name: str
    title: str
    description: str
    columns: tuple[Column, ...]
    unique: tuple[str, ...]
    #: (column, op, column) comparisons that must hold on each row, e.g. ("days_present", "<=",
    #: "days_enrolled").
    row_rules: tuple[tuple[str, str, str], ...] = field(default_factory=tuple)

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)


def _student() -> Column:
    return Column(
        "student_key", "string", "The student's pseudonymous state key (no names).",
        pattern=STUDENT_KEY_PATTERN,
    )


def _year() -> Column:
    return Column(
        "school_year", "int", "Year the school year ends (2025 = 2024-25).",
        minimum=2000, maximum=2100,
    )


def _school(required: bool = True) -> Column:
    return Column(
        "school_id", "string", "The school's 12-digit NCES ID, as in the registry.",
        required=required, pattern=SCHOOL_ID_PATTERN, references="school",
    )


def _grade() -> Column:
    return Column("grade", "int", "Grade level: -1 pre-K, 0 kindergarten, 1-12.",
                  minimum=-1, maximum=12)


KINDS: dict[str, Kind] = {
    k.name: k
    for k in [
        Kind(
            "enrollment", "Enrollment",
            "One row per student, school and school year the student was enrolled.",
            (
                _student(), _year(), _school(), _grade(),
                Column("entry_date", "date", "First day enrolled (YYYY-MM-DD).", required=False),
                Column("exit_date", "date", "Last day enrolled, if the student left.",
                       required=False),
            ),
            unique=("student_key", "school_year", "school_id"),
            row_rules=(("exit_date", ">=", "entry_date"),),
        ),
        Kind(
            "demographics", "Demographics",
            "One row per student and school year; the federal race/ethnicity categories and "
            "program flags.",
            (
                _student(), _year(),
                Column("race_ethnicity", "enum", "Federal race/ethnicity category code.",
                       choices=tuple(RACE_ETHNICITY)),
                Column("gender", "enum", "F, M or X.", required=False, choices=("F", "M", "X")),
                Column("econ_disadvantaged", "bool", "Economically disadvantaged."),
                Column("disability", "bool", "Student with a disability (IDEA)."),
                Column("english_learner", "bool", "English learner."),
            ),
            unique=("student_key", "school_year"),
        ),
        Kind(
            "assessments", "Assessments",
            "One row per student, subject, assessment and window: scale scores and achievement "
            "levels.",
            (
                _student(), _year(), _school(),
                Column("subject", "enum", "Subject code.", choices=tuple(SUBJECTS)),
                _grade(),
                Column("assessment", "enum", "Summative (state test) or interim.",
                       choices=("summative", "interim")),
                Column("window", "enum", "Testing window.", choices=("fall", "winter", "spring")),
                Column("scale_score", "decimal", "Scale score.", minimum=0, maximum=10000),
                Column("achievement_level", "int", "Level 1 (lowest) to 4; 3 is proficient.",
                       required=False, minimum=1, maximum=5),
            ),
            unique=("student_key", "school_year", "subject", "assessment", "window"),
        ),
        Kind(
            "attendance", "Attendance",
            "One row per student, school and school year: days enrolled and days present.",
            (
                _student(), _year(), _school(),
                Column("days_enrolled", "int", "Instructional days enrolled.",
                       minimum=1, maximum=260),
                Column("days_present", "int", "Days present.", minimum=0, maximum=260),
            ),
            unique=("student_key", "school_year", "school_id"),
            row_rules=(("days_present", "<=", "days_enrolled"),),
        ),
        Kind(
            "discipline", "Discipline",
            "One row per student per incident.",
            (
                Column("incident_id", "string", "The district's incident identifier.",
                       pattern=SECTION_ID_PATTERN),
                _student(), _year(), _school(),
                Column("incident_date", "date", "Date of the incident.", required=False),
                Column("incident_type", "enum", "Kind of incident.", choices=tuple(INCIDENT_TYPES)),
                Column("action", "enum", "Action taken.", choices=tuple(DISCIPLINE_ACTIONS)),
                Column("days_removed", "decimal", "School days removed from class.",
                       minimum=0, maximum=365),
            ),
            unique=("incident_id", "student_key"),
        ),
        Kind(
            "rosters", "Rosters",
            "One row per educator, student and section: who taught whom, in which subject, for how "
            "many minutes a week (for shared attribution).",
            (
                Column("educator_id", "string", "The educator's state ID.",
                       pattern=EDUCATOR_ID_PATTERN),
                _student(), _year(), _school(),
                Column("section_id", "string", "Section (class) identifier.",
                       pattern=SECTION_ID_PATTERN),
                Column("subject", "enum", "Subject code.", choices=tuple(SUBJECTS)),
                Column("minutes", "int", "Instructional minutes a week with this educator.",
                       minimum=1, maximum=3000),
            ),
            unique=("educator_id", "student_key", "school_year", "section_id"),
        ),
        Kind(
            "model_participation", "Model participation",
            "One row per student, school year and personalized-learning model the student used.",
            (
                _student(), _year(), _school(),
                Column("model_id", "string", "The model's code in the registry.",
                       pattern=r"[a-z0-9][a-z0-9-]{0,39}", references="model"),
                Column("subject", "enum", "Subject, for a subject model.", required=False,
                       choices=tuple(SUBJECTS)),
            ),
            unique=("student_key", "school_year", "model_id"),
        ),
    ]
}
