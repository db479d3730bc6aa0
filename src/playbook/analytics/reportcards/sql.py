"""One SQL text for both engines: DuckDB and Spark SQL run the same statement.

The statement uses only what both dialects accept and agree on: CTEs, joins, ``UNION ALL``,
``CASE``, ``COUNT``/``SUM``/``MIN``/``MAX`` and one cumulative ``SUM`` window. It returns
integers (counts and sums) and values taken from the input (the median SGP), never a floating
point result of arithmetic, so both engines give bit-identical output; percentages and rounding
happen afterwards in Python on those integers.

The median is defined exactly (the lower median: the smallest value whose cumulative count
reaches half of the students) and computed from a histogram, so it needs no engine-specific
percentile function and rolls up from schools to districts without revisiting students.
Growth gaps are differences of two such medians, taken in Python.

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

from .framework import FLAG_GROUPS, Framework, Metric

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


#: profile column -> (subgroup when true, subgroup when false)
_FLAG_COLUMNS = {"econ": "econ_disadvantaged", "dis": "disability", "el": "english_learner"}
_SUBGROUP_CASE = (
    "CASE k.k WHEN 0 THEN 'all' WHEN 1 THEN p.race "
    + " ".join(
        f"WHEN {i} THEN CASE WHEN p.{col} THEN {_lit(flag)} "
        f"WHEN NOT p.{col} THEN {_lit(FLAG_GROUPS[flag])} END"
        for i, (col, flag) in enumerate(_FLAG_COLUMNS.items(), start=2)
    )
    + " END"
)

_KEYS = "SELECT 0 AS k UNION ALL SELECT 1 UNION ALL SELECT 2 UNION ALL SELECT 3 UNION ALL SELECT 4"

_SUMS = (
    "CAST(SUM(cnt) AS BIGINT) AS cnt, CAST(SUM(x1) AS BIGINT) AS x1, "
    "CAST(SUM(x2) AS BIGINT) AS x2, CAST(SUM(num) AS BIGINT) AS num, "
    "CAST(SUM(den) AS BIGINT) AS den"
)

_CELL = "entity_type, entity_id, school_year, pop, subgroup"


def report_card_sql(*, pops: Iterable[Population]) -> str:
    """The statement returning one row per (entity, year, population, subgroup) cell.

    Columns: entity_type, entity_id, school_year, pop, subgroup, n, x1, x2, num, den,
    median_v. Records are first summed per school (or entity) and *demographic profile*
    (race, the three flags, the SGP), which is far smaller than one row per student, and only
    then spread over the subgroups each profile belongs to.
    """
    facts = "\nUNION ALL\n".join(_fact_select(p) for p in pops)
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
k AS ({_KEYS}),
school_profiles AS (
  SELECT f.school_id, f.school_year, f.pop, f.v, d.race, d.econ, d.dis, d.el,
    COUNT(*) AS cnt, SUM(f.x1) AS x1, SUM(f.x2) AS x2, SUM(f.num) AS num, SUM(f.den) AS den
  FROM facts f LEFT JOIN demo d
    ON d.student_key = f.student_key AND d.school_year = f.school_year
  WHERE f.school_id IN (SELECT school_id FROM members_school)
  GROUP BY f.school_id, f.school_year, f.pop, f.v, d.race, d.econ, d.dis, d.el
),
school_cube AS (
  SELECT school_id, school_year, pop, subgroup, v, {_SUMS} FROM (
    SELECT p.school_id, p.school_year, p.pop, {_SUBGROUP_CASE} AS subgroup, p.v,
      p.cnt, p.x1, p.x2, p.num, p.den
    FROM school_profiles p CROSS JOIN k
  ) s WHERE subgroup IS NOT NULL
  GROUP BY school_id, school_year, pop, subgroup, v
),
school_entities AS (
  SELECT m.entity_type, m.entity_id, c.school_year, c.pop, c.subgroup, c.v,
    c.cnt, c.x1, c.x2, c.num, c.den
  FROM school_cube c JOIN members_school m
    ON m.school_id = c.school_id AND (m.from_year IS NULL OR c.school_year >= m.from_year)
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
),
model_profiles AS (
  SELECT f.entity_type, f.entity_id, f.school_year, f.pop, f.v, d.race, d.econ, d.dis, d.el,
    COUNT(*) AS cnt, SUM(f.x1) AS x1, SUM(f.x2) AS x2, SUM(f.num) AS num, SUM(f.den) AS den
  FROM model_facts f LEFT JOIN demo d
    ON d.student_key = f.student_key AND d.school_year = f.school_year
  GROUP BY f.entity_type, f.entity_id, f.school_year, f.pop, f.v, d.race, d.econ, d.dis, d.el
),
model_entities AS (
  SELECT entity_type, entity_id, school_year, pop, subgroup, v, {_SUMS} FROM (
    SELECT p.entity_type, p.entity_id, p.school_year, p.pop, {_SUBGROUP_CASE} AS subgroup,
      p.v, p.cnt, p.x1, p.x2, p.num, p.den
    FROM model_profiles p CROSS JOIN k
  ) s WHERE subgroup IS NOT NULL
  GROUP BY entity_type, entity_id, school_year, pop, subgroup, v
),
hist AS (
  SELECT {_CELL}, v, {_SUMS} FROM (
    SELECT * FROM school_entities UNION ALL SELECT * FROM model_entities
  ) u GROUP BY {_CELL}, v
),
cells AS (
  SELECT {_CELL}, {_SUMS.replace("AS cnt", "AS n")} FROM hist GROUP BY {_CELL}
),
cum AS (
  SELECT {_CELL}, v,
    SUM(cnt) OVER (PARTITION BY {_CELL} ORDER BY v
                   ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS running,
    SUM(cnt) OVER (PARTITION BY {_CELL}) AS total
  FROM hist WHERE v IS NOT NULL
),
medians AS (
  SELECT {_CELL}, MIN(v) AS median_v FROM cum WHERE 2 * running >= total GROUP BY {_CELL}
)
SELECT c.entity_type, c.entity_id, c.school_year, c.pop, c.subgroup,
  c.n, c.x1, c.x2, c.num, c.den, md.median_v
FROM cells c
LEFT JOIN medians md ON md.entity_type = c.entity_type AND md.entity_id = c.entity_id
  AND md.school_year = c.school_year AND md.pop = c.pop AND md.subgroup = c.subgroup
"""
