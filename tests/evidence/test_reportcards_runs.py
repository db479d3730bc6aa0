"""Report-card runs in the office: provenance, rerun identity, background progress."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from django.conf import settings

from playbook.core.jobs import JobStatus
from playbook.evidence.growth import standard_from_synthetic_state
from playbook.evidence.models import (
    GrowthRun,
    ReportCardCell,
    ReportCardFramework,
    ReportCardRating,
    ReportCardRun,
)
from playbook.evidence.reportcards import (
    code_version,
    frameworks_load_shipped,
    report_card_run_execute,
    report_card_run_start,
    run_version,
)
from playbook.studentdata.selectors import snapshot_current
from playbook.studentdata.synth import synth_build

pytestmark = pytest.mark.django_db


@pytest.fixture
def state(personas):  # type: ignore[no-untyped-def]
    synth_build(students=2500, seed=11)
    standard_from_synthetic_state()
    frameworks_load_shipped()
    return snapshot_current()


def test_shipped_frameworks_load_once_as_version_1(state):
    again = frameworks_load_shipped()
    assert {f.slug for f in again} == {"approved-model-report-card",
                                       "school-district-performance"}
    assert ReportCardFramework.objects.count() == 2
    assert all(f.version == 1 for f in again)


def test_a_run_stores_cells_and_ratings_with_provenance(state, personas):
    fw = ReportCardFramework.objects.get(slug="school-district-performance", version=1)
    t0 = time.perf_counter()
    run = report_card_run_start(framework=fw, snapshot=state, by=personas.officer)
    elapsed = time.perf_counter() - t0
    assert run.status == JobStatus.SUCCEEDED, run.message
    print(f"run took {elapsed:.1f}s: {run.message} {run.timings}")
    assert run.snapshot == state and run.framework == fw and run.engine == "duckdb"
    assert run.code_version == f"{code_version()}; standards ela v1, math v1"
    assert run.code_version == run_version(framework=fw) and run.min_n == settings.PLAYBOOK_MIN_N
    assert run.created_by == personas.officer and run.progress == 100
    # growth came from the growth engine's stored runs (started where missing)
    assert run.growth_runs
    assert GrowthRun.objects.filter(pk__in=run.growth_runs, snapshot=state,
                                    status=JobStatus.SUCCEEDED).count() == len(run.growth_runs)
    cells = ReportCardCell.objects.filter(run=run)
    assert cells.filter(suppressed=True).exists() and cells.filter(suppressed=False).exists()
    assert not cells.filter(suppressed=True, n__isnull=False).exists()
    assert not cells.filter(suppressed=False, n__lt=settings.PLAYBOOK_MIN_N, n__gt=0).exclude(
        n__isnull=True).exists()
    assert ReportCardRating.objects.filter(run=run, entity_type="school").exists()
    folder = Path(settings.LAKE_DIR) / run.results_path
    lines = (folder / "results.csv").read_text().splitlines()
    assert lines[0] == ("framework,entity_type,entity_id,year,subgroup,component,metric,n,value,"
                        "level,suppressed,value_suppressed")
    assert len(lines) - 1 == cells.count()
    # percents hidden for a small group beside them (decision 0009): count and level kept
    covered = cells.filter(value_suppressed=True)
    assert covered.exists()
    assert not covered.filter(value__isnull=False).exists()
    assert not covered.filter(n__isnull=True).exists()
    assert covered.count() == sum(1 for line in lines[1:] if line.endswith(",true"))
    # the same inputs are not computed twice
    assert report_card_run_start(framework=fw, snapshot=state).pk == run.pk
    # a forced recomputation gives byte-identical files
    twin = ReportCardRun.objects.create(framework=fw, snapshot=state, engine="duckdb",
                                        min_n=run.min_n, code_version="rerun")
    report_card_run_execute(run_id=twin.pk)
    twin.refresh_from_db()
    assert twin.results_sha256 == run.results_sha256
    assert twin.ratings_sha256 == run.ratings_sha256
    assert twin.growth_runs == run.growth_runs


@pytest.fixture
def state_with_high_schools(personas):  # type: ignore[no-untyped-def]
    """A synthetic state with 9-12 schools (at 2,500 students, seed 11, every school is K-12):
    3 high schools, 9 K-12, 3 K-8. No achievement standard: rating needs none."""
    synth_build(students=4000, seed=11)
    frameworks_load_shipped()
    return snapshot_current()


def test_high_schools_are_rated_on_the_indicators_a_high_school_has(state_with_high_schools):
    """The synthetic state tests grades 3-8 and 11, so a 9-12 school has no grade 3-8
    achievement and no growth (grade 11 has no grade 10 score before it): it is rated on
    achievement and postsecondary readiness in grade 11. Every high school-year with tested
    students gets a rating, or a reason that the published cells bear out."""
    import csv

    from playbook.organizations.models import Organization, OrgKind
    from playbook.studentdata.selectors import snapshot_paths

    fw = ReportCardFramework.objects.get(slug="school-district-performance", version=1)
    state = state_with_high_schools
    run = report_card_run_start(framework=fw, snapshot=state)
    assert run.status == JobStatus.SUCCEEDED, run.message
    high = set(Organization.objects.filter(kind=OrgKind.SCHOOL, grade_low__gte=9)
               .values_list("nces_id", flat=True))
    assert high
    import duckdb

    tested = {(sid, int(y)): n for sid, y, n in duckdb.sql(
        "SELECT school_id, school_year, count(*) FROM read_parquet(?) WHERE assessment = "
        "'summative' AND \"window\" = 'spring' GROUP BY ALL",
        params=[str(snapshot_paths(snapshot=state)["assessments"])]).fetchall()
        if sid in high}
    assert tested
    folder = Path(settings.LAKE_DIR) / run.results_path
    with (folder / "results.csv").open() as fh:
        cells = {(r["entity_id"], int(r["year"]), r["metric"]): r for r in csv.DictReader(fh)
                 if r["entity_type"] == "school" and r["subgroup"] == "all"}
    ratings = {(r.entity_id, r.year): r for r in ReportCardRating.objects.filter(
        run=run, entity_type="school", entity_id__in=high)}
    rated = 0
    for sid, year in tested:
        r = ratings[(sid, year)]
        # nothing of grades 3-8 and no growth at a high school
        assert cells[(sid, year, "ela_proficiency")]["n"] == "0"
        assert cells[(sid, year, "ela_median_sgp")]["n"] == "0"
        # grade 11 tested students (achievement and readiness count the same students)
        hs = [cells[(sid, year, m)] for m in ("ela_grade11_proficiency",
                                              "math_grade11_proficiency")]
        if any(c["n"] and int(c["n"]) >= 16 for c in hs):
            assert r.points is not None, (sid, year, r.context)
            assert r.context["components_rated"] == 2
            rated += 1
        else:
            reason = r.context["not_rated_reason"]
            assert r.rating == "Insufficient state data" and reason
            assert ("fewer than 16 students" in reason
                    or "to protect a small group" in reason), reason
    assert rated
    print(f"{len(high)} high schools, {len(tested)} school-years with tested students, "
          f"{rated} rated")
