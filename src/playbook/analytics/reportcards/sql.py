"""One SQL text for both engines: DuckDB and Spark SQL run the same statement.

The statement does the student-level work (selecting the records each population counts,
attributing them to schools or to models, joining demographics) and returns them summed by
unit and demographic profile. It uses only what both dialects accept and agree on: CTEs, joins,
``UNION ALL``, ``CASE``, ``COUNT``/``SUM``/``MAX``, ``DISTINCT`` and ``ROW_NUMBER`` with a total
order. It returns integers and values copied from the input (the SGP), never a floating-point
result of arithmetic, so both engines give bit-identical rows; the roll-up to entities and
subgroups, the exact lower median, percentages and rounding happen afterwards in NumPy
(``compute.py``), the same code for both.

The engine registers these views first (see ``engines.py``): ``enrollment``, ``demographics``,
``assessments`` (with ``window`` renamed ``test_window``, a reserved word in both dialects),
``attendance``, ``discipline``, ``model_participation``, ``growth`` (``student_key,
school_year, subject, sgp, adequate_growth``), ``members_school`` (``entity_type, entity_id,
school_id, from_year``) and ``members_model`` (``entity_type, entity_id, model_id, school_id,
from_year``).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from .framework import Framework, Metric

PROFICIENT_LEVEL = 3
ENROLLMENT_POP = "enrollment"


@dataclass(frozen=True)
class Population:
    """A set of student records a metric counts (one row per student, year and school)."""

    key: str
    source: str
    subject: str | None = None
    grades: tuple[int, ...] | None = None
    prior_level_max: int | None = None


def populations(*, framework: Framework) -> list[Population]:
    """The distinct populations the framework's metrics count, plus enrollment (context)."""
    pops: dict[str, Population] = {ENROLLMENT_POP: Population(ENROLLMENT_POP, "enrollment")}
    for _, m in framework.metrics():
        pops.setdefault(m.population, _population(m))
    return list(pops.values())


def _population(m: Metric) -> Population:
    return Population(
        key=m.population, source=m.source, subject=m.subject, grades=m.grades,
        prior_level_max=m.prior_level_max,
    )


def _lit(s: str) -> str:
    return "'" + s.replace("'", "''") + "'"


def _grades(col: str, grades: tuple[int, ...] | None) -> str:
    if not grades:
        return ""
    return f" AND {col} IN ({', '.join(str(int(g)) for g in grades)})"


def _fact_select(p: Population) -> str:
    """One population's records: pop, student_key, school_year, school_id, subject, v, x1, x2,
    num, den (v: the median variable; x1, x2: 0/1 flags; num/den: additive amounts).

    Assessments: x1 = proficient. Growth: v = SGP, x1 = adequate growth, x2 = adequate growth
    known. Attendance: x1 = chronically absent, x2 = out-of-school suspension, num/den = days
    present / days enrolled."""
    key = _lit(p.key)
    if p.source == "enrollment":
        return (
            f"SELECT {key} AS pop, student_key, school_year, school_id, "
            "CAST(NULL AS STRING) AS subject, CAST(NULL AS DOUBLE) AS v, 0 AS x1, 0 AS x2, "
            "0 AS num, 0 AS den FROM primary_enrollment"
        )
    if p.source == "assessments":
        assert p.subject is not None
        return (
            f"SELECT {key} AS pop, a.student_key, a.school_year, a.school_id, a.subject, "
            "CAST(NULL AS DOUBLE) AS v, "
            f"CASE WHEN a.achievement_level >= {PROFICIENT_LEVEL} THEN 1 ELSE 0 END AS x1, "
            "0 AS x2, 0 AS num, 0 AS den FROM spring a "
            f"WHERE a.subject = {_lit(p.subject)} AND a.achievement_level IS NOT NULL"
            + _grades("a.grade", p.grades)
        )
    if p.source == "growth":
        assert p.subject is not None
        prior = ""
        if p.prior_level_max is not None:
            prior = (
                " JOIN spring pr ON pr.student_key = g.student_key "
                "AND pr.school_year = g.school_year - 1 AND pr.subject = g.subject "
                f"AND pr.achievement_level <= {int(p.prior_level_max)}"
            )
        return (
            f"SELECT {key} AS pop, g.student_key, g.school_year, a.school_id, g.subject, "
            "CAST(g.sgp AS DOUBLE) AS v, "
            "CASE WHEN g.adequate_growth THEN 1 ELSE 0 END AS x1, "
            "CASE WHEN g.adequate_growth IS NULL THEN 0 ELSE 1 END AS x2, 0 AS num, 0 AS den "
            "FROM growth g JOIN spring a ON a.student_key = g.student_key "
            "AND a.school_year = g.school_year AND a.subject = g.subject"
            + prior
            + f" WHERE g.subject = {_lit(p.subject)} AND g.sgp IS NOT NULL"
            + _grades("a.grade", p.grades)
        )
    if p.source == "attendance":
        return (
            f"SELECT {key} AS pop, t.student_key, t.school_year, t.school_id, "
            "CAST(NULL AS STRING) AS subject, CAST(NULL AS DOUBLE) AS v, "
            "CASE WHEN 10 * t.days_present < 9 * t.days_enrolled THEN 1 ELSE 0 END AS x1, "
            "CASE WHEN o.student_key IS NULL THEN 0 ELSE 1 END AS x2, "
            "t.days_present AS num, t.days_enrolled AS den "
            "FROM attendance t LEFT JOIN oss o ON o.student_key = t.student_key "
            "AND o.school_year = t.school_year AND o.school_id = t.school_id"
        )
    raise ValueError(f"unknown population source {p.source}")


SCHOOL_UNIT = "~school"

_PROFILE_SUMS = (
    "CAST(COUNT(*) AS BIGINT) AS cnt, CAST(SUM(f.x1) AS BIGINT) AS x1, "
    "CAST(SUM(f.x2) AS BIGINT) AS x2, CAST(SUM(f.num) AS BIGINT) AS num, "
    "CAST(SUM(f.den) AS BIGINT) AS den"
)


def report_card_sql(*, pops: Iterable[Population], schools: bool = True,
                    models: bool = True) -> str:
    """The statement returning student records summed by unit and *demographic profile*.

    A unit is a school (``unit_type = '~school'``, for the school-based entities, which are
    unions of schools) or a model-based entity (``unit_type`` model or provider, whose students
    come from model participation). A profile is (population, SGP, race, the three flags); the
    rows are far fewer than students. Columns: unit_type, unit_id, school_year, pop, v, race,
    econ, dis, el, cnt, x1, x2, num, den. The roll-up to entities and subgroups and the medians
    are exact integer work done on these rows in NumPy (``compute.py``), the same for both
    engines. ``schools``/``models``: leave out a path the framework does not rate.
    """
    facts = "\nUNION ALL\n".join(_fact_select(p) for p in pops)
    parts = []
    if schools:
        parts.append(f"""
  SELECT '{SCHOOL_UNIT}' AS unit_type, f.school_id AS unit_id, f.school_year, f.pop, f.v,
    d.race, d.econ, d.dis, d.el, {_PROFILE_SUMS}
  FROM facts f LEFT JOIN demo d
    ON d.student_key = f.student_key AND d.school_year = f.school_year
  WHERE f.school_id IN (SELECT school_id FROM members_school)
  GROUP BY f.school_id, f.school_year, f.pop, f.v, d.race, d.econ, d.dis, d.el""")
    if models:
        parts.append(f"""
  SELECT f.entity_type AS unit_type, f.entity_id AS unit_id, f.school_year, f.pop, f.v,
    d.race, d.econ, d.dis, d.el, {_PROFILE_SUMS}
  FROM model_facts f LEFT JOIN demo d
    ON d.student_key = f.student_key AND d.school_year = f.school_year
  GROUP BY f.entity_type, f.entity_id, f.school_year, f.pop, f.v, d.race, d.econ, d.dis,
    d.el""")
    body = "\nUNION ALL\n".join(parts)
    return f"""
WITH
spring AS (
  SELECT student_key, school_year, school_id, subject, grade, achievement_level
  FROM assessments WHERE assessment = 'summative' AND test_window = 'spring'
),
ranked_enrollment AS (
  SELECT student_key, school_year, school_id,
    ROW_NUMBER() OVER (PARTITION BY student_key, school_year
                       ORDER BY entry_date DESC NULLS LAST, school_id DESC) AS rn
  FROM enrollment
),
primary_enrollment AS (
  SELECT student_key, school_year, school_id FROM ranked_enrollment WHERE rn = 1
),
oss AS (
  SELECT DISTINCT student_key, school_year, school_id FROM discipline
  WHERE action = 'out_of_school_suspension'
),
facts AS (
{facts}
),
demo AS (
  SELECT student_key, school_year, race_ethnicity AS race, econ_disadvantaged AS econ,
    disability AS dis, english_learner AS el
  FROM demographics
),
mm AS (
  SELECT DISTINCT e.entity_type, e.entity_id, p.student_key, p.school_year, p.school_id,
    COALESCE(p.subject, '*') AS msubj
  FROM model_participation p JOIN members_model e
    ON e.model_id = p.model_id
    AND (e.school_id IS NULL OR e.school_id = p.school_id)
    AND (e.from_year IS NULL OR p.school_year >= e.from_year)
),
model_facts AS (
  SELECT mm.entity_type, mm.entity_id, f.pop, f.student_key, f.school_year,
    MAX(f.v) AS v, MAX(f.x1) AS x1, MAX(f.x2) AS x2, MAX(f.num) AS num, MAX(f.den) AS den
  FROM facts f JOIN mm
    ON f.student_key = mm.student_key AND f.school_year = mm.school_year
    AND f.school_id = mm.school_id
    AND (mm.msubj = '*' OR f.subject IS NULL OR f.subject = mm.msubj)
  WHERE f.pop <> '{ENROLLMENT_POP}'
  GROUP BY mm.entity_type, mm.entity_id, f.pop, f.student_key, f.school_year, f.school_id
  UNION ALL
  SELECT DISTINCT entity_type, entity_id, '{ENROLLMENT_POP}' AS pop, student_key, school_year,
    CAST(NULL AS DOUBLE) AS v, 0 AS x1, 0 AS x2, 0 AS num, 0 AS den
  FROM mm
)
{body}
"""
