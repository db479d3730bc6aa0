"""The synthetic state: deterministic, realistic, and imported through the real import path.

Every assertion is computed from the registry or from the snapshot's Parquet files (DuckDB), at a
small size (3,000 students) so each test takes a few seconds.
"""

from __future__ import annotations

import argparse
import hashlib
import json
from pathlib import Path
from typing import Any

import duckdb
import pyarrow.parquet as pq
import pytest

from playbook.organizations.models import (
    ConsortiumMembership,
    LearningModel,
    ModelAdoption,
    Organization,
    OrgKind,
)
from playbook.studentdata.models import Snapshot
from playbook.studentdata.schemas import IDENTIFYING_COLUMNS, KINDS
from playbook.studentdata.selectors import snapshot_paths
from playbook.studentdata.synth import (
    CUT_SCORES,
    CUTSCORES_SGP,
    KIND_ORDER,
    SynthReport,
    configure,
    grade_mean,
    synth_build,
)

STUDENTS = 3_000
SEED = 11


@pytest.fixture
def lake(settings: Any, tmp_path: Path) -> Path:
    settings.LAKE_DIR = tmp_path / "lake"
    return settings.LAKE_DIR  # type: ignore[no-any-return]


def _build(tmp_path: Path, name: str = "csv", **kw: Any) -> tuple[SynthReport, Snapshot]:
    report = synth_build(students=kw.get("students", STUDENTS), seed=kw.get("seed", SEED),
                         workdir=tmp_path / name)
    snapshot = Snapshot.objects.get(pk=report.snapshot_id)
    return report, snapshot


def _con(snapshot: Snapshot) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    for kind, path in snapshot_paths(snapshot=snapshot).items():
        con.execute(f"CREATE VIEW {kind} AS SELECT * FROM read_parquet('{path.as_posix()}')")
    return con


def _one(con: duckdb.DuckDBPyConnection, sql: str) -> Any:
    row = con.execute(sql).fetchone()
    assert row is not None
    return row[0]


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.mark.django_db
def test_every_kind_is_imported_through_the_real_path(lake: Path, tmp_path: Path) -> None:
    report, snapshot = _build(tmp_path)
    assert snapshot.created_via == "synth"
    assert snapshot.note == f"synth students={STUDENTS} seed={SEED}"
    files = {f.kind: f for f in snapshot.files.all()}
    assert set(files) == set(KINDS) == set(KIND_ORDER)
    for kind, f in files.items():
        assert f.imported_here
        assert f.rows == f.source_rows == report.rows[kind] > 0
        assert f.school_years == [2020, 2021, 2022, 2023, 2024, 2025] or kind in (
            "discipline", "model_participation")
    # every student appears, with demographics in each year enrolled
    con = _con(snapshot)
    assert _one(con, "SELECT count(DISTINCT student_key) FROM enrollment") == STUDENTS
    assert _one(con, """SELECT count(*) FROM (SELECT DISTINCT student_key, school_year
                        FROM enrollment) e ANTI JOIN demographics d
                        USING (student_key, school_year)""") == 0
    assert set(con.execute("SELECT DISTINCT race_ethnicity FROM demographics").fetchall()) == {
        (c,) for c in ("HI", "AM", "AS", "BL", "PI", "WH", "MU")}
    # achievement levels follow the published cuts
    for subject in ("math", "ela"):
        for grade, (c1, c2, c3) in CUT_SCORES[subject].items():
            bad = _one(con, f"""SELECT count(*) FROM assessments
                WHERE subject = '{subject}' AND grade = {grade} AND achievement_level <>
                1 + (scale_score >= {c1})::int + (scale_score >= {c2})::int
                  + (scale_score >= {c3})::int""")
            assert bad == 0
    assert report.districts == Organization.objects.filter(kind=OrgKind.DISTRICT).count()
    assert report.schools == Organization.objects.filter(kind=OrgKind.SCHOOL).count()


@pytest.mark.django_db
def test_same_students_and_seed_give_identical_bytes(
    settings: Any, tmp_path: Path
) -> None:
    settings.LAKE_DIR = tmp_path / "one" / "lake"
    _, first = _build(tmp_path / "one")
    settings.LAKE_DIR = tmp_path / "two" / "lake"
    _, second = _build(tmp_path / "two")
    for kind in KIND_ORDER:
        a = tmp_path / "one" / "csv" / f"{kind}.csv"
        b = tmp_path / "two" / "csv" / f"{kind}.csv"
        assert _sha(a) == _sha(b), kind
    recorded = {
        s.pk: {f.kind: (f.source_sha256, f.parquet_sha256) for f in s.files.all()}
        for s in (first, second)
    }
    assert recorded[first.pk] == recorded[second.pk]
    # and another seed gives another state
    settings.LAKE_DIR = tmp_path / "three" / "lake"
    _, third = _build(tmp_path / "three", seed=SEED + 1)
    assert {f.kind: f.source_sha256 for f in third.files.all()} != {
        k: v[0] for k, v in recorded[first.pk].items()}


@pytest.mark.django_db
def test_locale_mix_and_registry_match_the_students(lake: Path, tmp_path: Path) -> None:
    _, snapshot = _build(tmp_path)
    districts = list(Organization.objects.filter(kind=OrgKind.DISTRICT, nces_id__startswith="59"))
    groups = [d.locale_group for d in districts]
    assert len(districts) >= 12
    assert groups.count("rural") > groups.count("city") >= 1
    assert groups.count("rural") + groups.count("town") > len(districts) / 2
    largest = max(districts, key=lambda d: d.enrollment or 0)
    assert largest.locale_group == "city"
    # a few large urban districts hold a big share of the students
    total = sum(d.enrollment or 0 for d in districts)
    assert largest.enrollment and largest.enrollment > 0.12 * total
    # the registry's enrollment and poverty share are those of the 2025 students
    con = _con(snapshot)
    schools = {s.nces_id: s for s in Organization.objects.filter(kind=OrgKind.SCHOOL)}
    rows = con.execute("""SELECT e.school_id, count(DISTINCT e.student_key),
                          avg(d.econ_disadvantaged::int) FROM enrollment e
                          JOIN demographics d USING (student_key, school_year)
                          WHERE school_year = 2025 GROUP BY 1""").fetchall()
    by_district: dict[int, int] = {}
    for school_id, n, _econ in rows:
        by_district[schools[school_id].parent_id] = (
            by_district.get(schools[school_id].parent_id, 0) + n)
    for d in districts:
        assert abs((d.enrollment or 0) - by_district.get(d.pk, 0)) <= 0.03 * (d.enrollment or 1)
        assert d.econ_disadvantaged_share is not None
        assert 0 < float(d.econ_disadvantaged_share) < 1
    assert Organization.objects.filter(kind=OrgKind.STATE_AGENCY, code="sea").count() == 1
    for school in schools.values():
        assert len(school.nces_id or "") == 12
        assert school.parent is not None
        assert (school.nces_id or "").startswith(school.parent.nces_id or "-")
    # consortia of rural districts, one lead each; providers own models; some adopt
    for consortium in Organization.objects.filter(kind=OrgKind.CONSORTIUM):
        members = ConsortiumMembership.objects.filter(consortium=consortium)
        assert members.filter(role="lead").count() == 1
        assert all(m.member.is_rural for m in members)
    assert Organization.objects.filter(kind=OrgKind.PROVIDER).count() >= 8
    assert LearningModel.objects.filter(home_district__isnull=False).count() >= 2
    assert ModelAdoption.objects.exists()


@pytest.mark.django_db
def test_far_below_grade_level_students_exist(lake: Path, tmp_path: Path) -> None:
    _, snapshot = _build(tmp_path)
    con = _con(snapshot)
    two_below = ", ".join(
        f"('{s}', {g}, {grade_mean(s, g - 2)})" for s in ("math", "ela")
        for g in (3, 4, 5, 6, 7, 8)
    )
    # students who, in every grade 3-8 test they took (at least two), scored below the mean of
    # students two grades younger
    share = _one(con, f"""
        WITH m(subject, grade, below) AS (VALUES {two_below}),
        s AS (SELECT student_key, count(*) AS n, bool_and(scale_score < below) AS all_below
              FROM assessments JOIN m USING (subject, grade) GROUP BY 1)
        SELECT avg((all_below AND n >= 2)::int) FROM s WHERE n >= 2""")
    assert 0.02 <= share <= 0.15


@pytest.mark.django_db
def test_some_schools_grow_unusually_fast_and_some_slow(lake: Path, tmp_path: Path) -> None:
    _, snapshot = _build(tmp_path)
    con = _con(snapshot)
    # a school's mean gain against the state's mean gain in the same subject and grade
    rows = con.execute("""
        WITH g AS (
            SELECT b.school_id, b.subject, b.grade, b.scale_score - a.scale_score AS gain
            FROM assessments a JOIN assessments b
              ON a.student_key = b.student_key AND a.subject = b.subject
             AND b.school_year = a.school_year + 1 AND b.grade = a.grade + 1),
        s AS (SELECT subject, grade, avg(gain) AS typical FROM g GROUP BY ALL)
        SELECT school_id, avg(gain - typical), count(*) FROM g JOIN s USING (subject, grade)
        GROUP BY 1 HAVING count(*) >= 30""").fetchall()
    typical = _one(con, """SELECT avg(b.scale_score - a.scale_score) FROM assessments a
        JOIN assessments b ON a.student_key = b.student_key AND a.subject = b.subject
         AND b.school_year = a.school_year + 1 AND b.grade = a.grade + 1""")
    assert 10 < typical < 35  # about a grade level a year on the vertical scale
    assert any(relative > 8 for _, relative, _ in rows)
    assert any(relative < -8 for _, relative, _ in rows)
    assert sum(abs(relative) <= 8 for _, relative, _ in rows) > len(rows) / 2


@pytest.mark.django_db
def test_several_educators_share_students_in_some_schools(lake: Path, tmp_path: Path) -> None:
    report, snapshot = _build(tmp_path)
    con = _con(snapshot)
    shared = con.execute("""
        WITH e AS (SELECT school_id, school_year, student_key, subject,
                          count(DISTINCT educator_id) AS n, sum(minutes) AS minutes
                   FROM rosters GROUP BY ALL)
        SELECT school_id, avg((n >= 2)::int), max(n) FROM e GROUP BY 1""").fetchall()
    assert any(share >= 0.2 for _, share, _ in shared)
    assert any(top >= 3 for _, _, top in shared)
    assert any(share == 0 for _, share, _ in shared)  # not everywhere
    # every grade 3-8 student-year is rostered in both subjects
    missing = _one(con, """SELECT count(*) FROM (SELECT DISTINCT student_key, school_year
        FROM enrollment WHERE grade BETWEEN 3 AND 8) e
        ANTI JOIN (SELECT student_key, school_year FROM rosters GROUP BY ALL
                   HAVING count(DISTINCT subject) = 2) r USING (student_key, school_year)""")
    assert missing == 0
    # educators keep their IDs from year to year
    assert _one(con, """SELECT count(*) FROM (SELECT educator_id FROM rosters GROUP BY 1
                        HAVING count(DISTINCT school_year) >= 3)""") > 0
    assert report.educators == _one(con, "SELECT count(DISTINCT educator_id) FROM rosters")


@pytest.mark.django_db
def test_no_column_could_identify_a_student(lake: Path, tmp_path: Path) -> None:
    _, snapshot = _build(tmp_path)
    for kind, path in snapshot_paths(snapshot=snapshot).items():
        for column in pq.read_schema(path).names:
            assert column not in IDENTIFYING_COLUMNS, (kind, column)
            assert "name" not in column.lower(), (kind, column)
            assert not any(w in column.lower() for w in ("birth", "address", "phone", "email"))
    keys = _one(_con(snapshot), """SELECT count(*) FROM enrollment
        WHERE NOT regexp_full_match(student_key, 'S[0-9]{9}')""")
    assert keys == 0


@pytest.mark.django_db
def test_running_twice_reuses_the_registry_and_supersedes(lake: Path, tmp_path: Path) -> None:
    def registry() -> list[tuple[Any, ...]]:
        return sorted(Organization.objects.values_list(
            "kind", "name", "nces_id", "code", "parent__nces_id", "locale", "enrollment",
            "econ_disadvantaged_share", "school_type", "grade_low", "grade_high",
            "provider_type", "active"))

    first_report, first = _build(tmp_path)
    before = registry()
    adoptions = sorted(ModelAdoption.objects.values_list(
        "school__nces_id", "model__code", "school_year"))
    pks = set(Organization.objects.values_list("pk", flat=True))
    second_report, second = _build(tmp_path)
    assert second.supersedes_id == first.pk
    assert second.sequence == first.sequence + 1
    assert registry() == before
    assert set(Organization.objects.values_list("pk", flat=True)) == pks
    assert sorted(ModelAdoption.objects.values_list(
        "school__nces_id", "model__code", "school_year")) == adoptions
    assert second_report.rows == first_report.rows
    # a different, smaller state over the same database: the old schools go inactive
    third_report, third = _build(tmp_path, students=1_500, seed=SEED)
    assert third.supersedes_id == second.pk
    active = Organization.objects.filter(kind=OrgKind.SCHOOL, active=True)
    assert active.count() == third_report.schools
    con = _con(third)
    assert _one(con, "SELECT count(DISTINCT student_key) FROM enrollment") == 1_500


def test_cut_scores_dump_in_the_growth_engine_format() -> None:
    data = json.loads(json.dumps(CUTSCORES_SGP))
    for area in ("MATHEMATICS", "ELA"):
        cuts = data["Cutscores"][area]
        assert set(cuts) >= {f"GRADE_{g}" for g in range(3, 9)}
        for values in cuts.values():
            assert len(values) == 3 and values == sorted(values)
        g3, g8 = cuts["GRADE_3"], cuts["GRADE_8"]
        assert g8[1] > g3[1]  # a vertical scale
    assert data["Achievement_Levels"]["Proficient"][2] == "Proficient"


def test_command_line_arguments(capsys: pytest.CaptureFixture[str]) -> None:
    parser = argparse.ArgumentParser()
    run = configure(parser)
    assert run(parser.parse_args(["--cutscores"])) == 0
    assert json.loads(capsys.readouterr().out)["Cutscores"]["MATHEMATICS"]["GRADE_3"]
    ns = parser.parse_args(["--students", "10", "--seed", "1"])
    assert run(ns) == 2
    ns = parser.parse_args(["--students", "50000", "--seed", "3", "--keep-csv", "x", "--json"])
    assert (ns.students, ns.seed, ns.keep_csv, ns.json) == (50_000, 3, Path("x"), True)
