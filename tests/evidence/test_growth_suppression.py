"""Privacy of the published growth numbers: every statistic rests on at least the minimum
number of students, and no hidden count can be worked out from the published ones.

The attacker here is written independently of ``playbook.evidence.growth``: it reads only the
published growth rows (entity, subgroup, the counts and which are hidden) and what any reader
knows from the public registry (a district's schools, a consortium's members, which schools
adopted a model, a provider's models), writes linear equations over each count (all students =
the race groups + those with no race on file; = a flag group + the rest; a district = its
schools; a consortium = its schools; a model's students + the other students at its schools =
those schools; a provider = its models - the students counted twice), and asks for every hidden
count whether the equations fix it (its column of the null space is zero). Numerators (how many
made adequate growth) obey the same equations as their count, so the same test covers them.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pyarrow.parquet as pq
import pytest
from django.conf import settings
from scipy.linalg import null_space

from playbook.analytics.growth import aggregate_growth
from playbook.evidence.growth import growth_run_start, standard_from_synthetic_state
from playbook.evidence.models import GrowthAggregate, GrowthRun
from playbook.organizations.models import (
    ConsortiumMembership,
    LearningModel,
    ModelAdoption,
    Organization,
    OrgKind,
)
from playbook.studentdata.selectors import snapshot_current, snapshot_paths
from playbook.studentdata.synth import synth_build

pytestmark = pytest.mark.django_db

RACES = ["HI", "AM", "AS", "BL", "PI", "WH", "MU"]
FLAGS = ["econ_disadvantaged", "disability", "english_learner"]
SUBGROUPS = ["all", *RACES, *FLAGS]
#: (count, the flag saying it is hidden): the counts each published statistic rests on
COUNTS = [("n", "suppressed"), ("n_sgp", "sgp_suppressed"),
          ("n_adequate_known", "adequate_suppressed")]


@pytest.fixture
def runs(personas: Any) -> list[GrowthRun]:
    synth_build(students=2500, seed=11)
    standard_from_synthetic_state()
    snapshot = snapshot_current()
    return [growth_run_start(snapshot=snapshot, subject=subject, school_year=2025, by=None,
                             wait=True) for subject in ("math", "ela")]


def published_rows(run: GrowthRun) -> list[dict[str, Any]]:
    """What the public sees of a run: counts, statistics and which are hidden."""
    names = {f.name for f in GrowthAggregate._meta.get_fields()}
    wanted = ["entity_type", "entity_id", "subgroup", "n", "n_sgp", "median_sgp",
              "n_adequate_known", "pct_adequate", "suppressed", "sgp_suppressed",
              "adequate_suppressed", "pct_adequate_suppressed"]
    return list(GrowthAggregate.objects.filter(run=run).values(*[f for f in wanted
                                                                 if f in names]))


def true_counts(run: GrowthRun) -> dict[tuple[str, str, str], dict[str, Any]]:
    """Every group's counts from the student-level results (the office's side, for checking)."""
    from playbook.evidence.growth import _groups

    results = pq.read_table(Path(settings.LAKE_DIR) / run.results_path)
    paths = snapshot_paths(snapshot=run.snapshot)
    con = duckdb.connect()
    try:
        scores = con.sql(
            "SELECT student_key AS student_id, CAST(school_year AS VARCHAR) AS year, subject, "
            "grade, scale_score, school_id FROM read_parquet(?) WHERE subject = ? AND "
            "assessment = 'summative' AND \"window\" = 'spring' AND school_year <= ?",
            params=[str(paths["assessments"]), run.subject, run.school_year],
        ).to_arrow_table()
    finally:
        con.close()
    groups = _groups(run=run, results=results, scores=scores, paths=paths)
    out = {}
    for row in aggregate_growth(results=results, groups=groups).to_pylist():
        entity_id, subgroup = row["group_id"].rsplit("|", 1)
        out[(row["group_type"], entity_id, subgroup)] = row
    return out


def test_every_published_statistic_rests_on_at_least_the_minimum_count(runs):
    """The report: "12 students, 66.7%" where the percent counts only 6 students with a known
    adequate-growth status. Each statistic must be suppressed on its own count."""
    min_n = settings.PLAYBOOK_MIN_N
    small_percent_behind_a_large_cell = 0
    for run in runs:
        truth = true_counts(run)
        for cell in GrowthAggregate.objects.filter(run=run):
            t = truth[(cell.entity_type, cell.entity_id, cell.subgroup)]
            where = f"{run.subject} {cell}"
            if not cell.suppressed:
                assert cell.n == t["n_students"] >= min_n, where
                if t["n_adequate_eligible"] < min_n and t["n_adequate_eligible"] > 0:
                    small_percent_behind_a_large_cell += 1
            if cell.median_sgp is not None:
                assert t["n_sgp"] >= min_n, f"{where}: median of {t['n_sgp']} SGPs shown"
                assert getattr(cell, "n_sgp", t["n_sgp"]) == t["n_sgp"], where
            if cell.pct_adequate is not None:
                assert t["n_adequate_eligible"] >= min_n, (
                    f"{where}: {cell.n} students, {cell.pct_adequate}% adequate shown, but the "
                    f"percent counts {t['n_adequate_eligible']} students with a status")
                assert cell.n_adequate_known == t["n_adequate_eligible"], where
    # the state has the case of the report: a large enough cell with too few statuses
    assert small_percent_behind_a_large_cell > 0


def registry(year: int) -> dict[str, dict[str, set[str]]]:
    """What the public registry says: schools of districts and consortia, adopting schools of
    models, models of providers (ids as the published rows name them)."""
    district_schools: dict[str, set[str]] = defaultdict(set)
    schools_of_org: dict[int, set[str]] = defaultdict(set)
    for school in Organization.objects.filter(kind=OrgKind.SCHOOL, nces_id__isnull=False):
        schools_of_org[school.pk].add(school.nces_id)
        if school.parent is not None and school.parent.nces_id:
            district_schools[school.parent.nces_id].add(school.nces_id)
            schools_of_org[school.parent_id].add(school.nces_id)
    consortium_schools: dict[str, set[str]] = defaultdict(set)
    for m in ConsortiumMembership.objects.select_related("consortium"):
        code = m.consortium.code or str(m.consortium.pk)
        consortium_schools[code] |= schools_of_org[m.member_id]
    model_schools: dict[str, set[str]] = defaultdict(set)
    provider_schools: dict[str, set[str]] = defaultdict(set)
    for a in ModelAdoption.objects.select_related("model__provider", "school"):
        if a.school_year is None or a.school_year <= year:
            model_schools[a.model.code].add(a.school.nces_id)
            if a.model.provider is not None:
                code = a.model.provider.code or str(a.model.provider.pk)
                provider_schools[code].add(a.school.nces_id)
    provider_models: dict[str, set[str]] = defaultdict(set)
    for model in LearningModel.objects.select_related("provider").exclude(provider=None):
        provider_models[model.provider.code or str(model.provider.pk)].add(model.code)
    return {"district": district_schools, "consortium": consortium_schools,
            "model": model_schools, "provider": provider_schools,
            "provider_models": provider_models}


def attack(rows: list[dict[str, Any]], reg: dict[str, dict[str, set[str]]],
           min_n: int, *, bounds: bool = False) -> list[str]:
    """Everything the published rows give away: counts under the minimum, hidden counts the
    equations fix, and small never-published groups (no race on file, not in a flag group,
    the other students at a model's schools, students in two of a provider's models) they
    fix. Empty when nothing leaks."""
    problems: list[str] = []
    for count, flag in COUNTS:
        if rows and count in rows[0]:  # else this count is not published at all
            problems += _attack_count(rows, reg, min_n, count, flag, bounds)
    return problems


def _count_equations(rows: list[dict[str, Any]], reg: dict[str, dict[str, set[str]]],
                     count: str, flag: str, min_n: int = 0
                     ) -> tuple[list[Any], list[dict[Any, float]], dict[Any, float]]:
    """The hidden counts (cells and virtual cells, sorted), the equations a reader knows and
    the published counts (a cell with no row: 0)."""
    problems: list[str] = []
    cols, equations, value = _equations(rows, reg, count, flag, min_n, problems)
    return cols, equations, value


def _attack_count(rows: list[dict[str, Any]], reg: dict[str, dict[str, set[str]]],
                  min_n: int, count: str, flag: str, bounds: bool = False) -> list[str]:
    problems: list[str] = []
    cols, equations, value = _equations(rows, reg, count, flag, min_n, problems)
    col = {k: i for i, k in enumerate(cols)}
    A = np.zeros((len(equations), len(cols)))
    b = np.zeros(len(equations))
    for i, eq in enumerate(equations):
        for k, coef in eq.items():
            if k in col:
                A[i, col[k]] += coef
            else:
                b[i] -= coef * value[k]
    A, b = A[np.abs(A).sum(axis=1) > 0], b[np.abs(A).sum(axis=1) > 0]
    if not cols or A.shape[0] == 0:
        return problems
    if bounds:
        return problems + _narrowed(A, b, cols, count, min_n)
    null = null_space(A)
    fixed = np.abs(null).max(axis=1, initial=0.0) < 1e-9
    solution = np.linalg.lstsq(A, b, rcond=None)[0]
    for k, i in col.items():
        if not fixed[i]:
            continue
        v = round(float(solution[i]))
        if k[0] == "cell" and v != 0:
            problems.append(f"hidden {count} of {k[1:]} worked out: {v}")
        elif k[0] == "virtual" and 0 < v < min_n:
            problems.append(f"{count} of never-published group {k[1:]} worked out: {v}")
    return problems


def _equations(rows: list[dict[str, Any]], reg: dict[str, dict[str, set[str]]], count: str,
               flag: str, min_n: int, problems: list[str]
               ) -> tuple[list[Any], list[dict[Any, float]], dict[Any, float]]:
    entities = {(r["entity_type"], r["entity_id"]) for r in rows}
    value: dict[Any, float] = {}
    unknown: set[Any] = set()
    for r in rows:
        key = ("cell", r["entity_type"], r["entity_id"], r["subgroup"])
        hidden = r.get(flag, r["suppressed"]) or r[count] is None
        if hidden:
            unknown.add(key)
        else:
            value[key] = r[count]
            if 0 < r[count] < min_n:
                problems.append(f"{count} of {key[1:]} published: {r[count]}")

    def cell(etype: str, eid: str, subgroup: str) -> Any:
        key = ("cell", etype, eid, subgroup)
        if key not in unknown and key not in value:
            value[key] = 0  # no row: nobody in that group
        return key

    def virtual(*name: str) -> Any:
        key = ("virtual", *name)
        unknown.add(key)
        return key

    equations: list[dict[Any, float]] = []

    def equation(plus: list[Any], minus: list[Any]) -> None:
        eq: dict[Any, float] = defaultdict(float)
        for k in plus:
            eq[k] += 1.0
        for k in minus:
            eq[k] -= 1.0
        equations.append(eq)

    for etype, eid in sorted(entities):
        total = cell(etype, eid, "all")
        equation([total], [*[cell(etype, eid, r) for r in RACES],
                           virtual(etype, eid, "no race on file")])
        for f in FLAGS:
            equation([total], [cell(etype, eid, f), virtual(etype, eid, f"not {f}")])
    for subgroup in SUBGROUPS:
        for kind in ("district", "consortium"):
            for eid, schools in reg[kind].items():
                if (kind, eid) in entities:
                    equation([cell(kind, eid, subgroup)],
                             [cell("school", s, subgroup) for s in sorted(schools)])
        for kind in ("model", "provider"):
            for eid, schools in reg[kind].items():
                if (kind, eid) in entities:
                    equation([cell("school", s, subgroup) for s in sorted(schools)],
                             [cell(kind, eid, subgroup),
                              virtual(kind, eid, f"others at its schools, {subgroup}")])
        for pid, model_codes in reg["provider_models"].items():
            if ("provider", pid) in entities:
                equation([cell("provider", pid, subgroup),
                          virtual("provider", pid, f"in two models, {subgroup}")],
                         [cell("model", m, subgroup) for m in sorted(model_codes)])
    return sorted(unknown, key=str), equations, value


#: the aggregate column of each published count
SOURCE = {"n": "n_students", "n_sgp": "n_sgp", "n_adequate_known": "n_adequate_eligible"}


def _narrowed(A: np.ndarray, b: np.ndarray, cols: list[Any], count: str,
              min_n: int) -> list[str]:
    """The attacker with inequalities (decision 0008): counts are non-negative integers, and a
    hidden student count has a row, so at least one student (groups with nobody have no row).
    For each hidden count, and each never-published group under the minimum, the smallest and
    largest value HiGHS finds; fewer than three values is a leak (for a never-published group,
    when it may hold fewer than the minimum and is not known to be empty)."""
    from scipy.optimize import Bounds, LinearConstraint, milp

    lb = np.array([1.0 if k[0] == "cell" and count == "n" else 0.0 for k in cols])
    bounds = Bounds(lb, np.full(len(cols), 1e7))
    cons = LinearConstraint(A, b, b)
    problems = []
    for i, k in enumerate(cols):
        ends = []
        for sign in (1.0, -1.0):
            e = np.zeros(len(cols))
            e[i] = sign
            res = milp(e, integrality=np.ones(len(cols)), bounds=bounds, constraints=cons)
            assert res.x is not None, res.message
            ends.append(round(res.x[i]))
        lo, hi = ends
        if hi - lo >= 2:
            continue
        if k[0] == "cell":
            problems.append(f"hidden {count} of {k[1:]} narrowed to {lo}..{hi}")
        elif lo < min_n and hi > 0:  # an empty group pinned at 0 describes nobody
            problems.append(f"{count} of never-published group {k[1:]} narrowed to {lo}..{hi}")
    return problems


def test_an_attacker_with_bounds_narrows_no_hidden_count(runs):
    """The same rows read with inequalities too: no hidden count, and no never-published group
    under the minimum, keeps fewer than three possible values."""
    min_n = settings.PLAYBOOK_MIN_N
    problems = []
    for run in runs:
        rows = published_rows(run)
        problems += [f"{run.subject}: {p}" for p in attack(rows, registry(run.school_year),
                                                           min_n, bounds=True)]
    assert problems == [], "\n".join(problems[:20]) + f"\n({len(problems)} in all)"


def test_an_attacker_with_the_published_rows_recovers_no_hidden_count(runs):
    min_n = settings.PLAYBOOK_MIN_N
    problems = []
    for run in runs:
        rows = published_rows(run)
        assert any(r["suppressed"] for r in rows) and any(not r["suppressed"] for r in rows)
        problems += [f"{run.subject}: {p}" for p in attack(rows, registry(run.school_year),
                                                           min_n)]
    assert problems == [], "\n".join(problems[:20]) + f"\n({len(problems)} in all)"


def test_the_attacker_finds_a_hidden_school_next_to_its_published_siblings():
    """The attacker itself works: a district of two schools with one school's count hidden
    and the other's and the district's published gives the hidden one away."""
    rows = [
        {"entity_type": "district", "entity_id": "D", "subgroup": "all", "n": 40,
         "suppressed": False},
        {"entity_type": "school", "entity_id": "S1", "subgroup": "all", "n": None,
         "suppressed": True},
        {"entity_type": "school", "entity_id": "S2", "subgroup": "all", "n": 33,
         "suppressed": False},
    ]
    reg: dict[str, Any] = {"district": {"D": {"S1", "S2"}}, "consortium": {}, "model": {},
                           "provider": {}, "provider_models": {}}
    found = attack(rows, reg, 10)
    assert "hidden n of ('school', 'S1', 'all') worked out: 7" in found


def test_a_percent_on_six_students_is_hidden_in_a_cell_of_twelve():
    """The engine's rule on the reported case, by hand: a school of 12 students of whom 6 have
    an adequate-growth status shows its 12 students, but neither its percent nor a count that
    would give the 6 away by subtraction from the district."""
    from playbook.evidence.growth import _publishable_cells

    def row(etype: str, eid: str, n: int, n_sgp: int, known: int) -> dict[str, Any]:
        return {"group_type": etype, "group_id": f"{eid}|all", "n_students": n,
                "n_sgp": n_sgp, "median_sgp": 50.0, "n_adequate_eligible": known,
                "percent_adequate": 66.7 if known else None}

    rows = [row("district", "D", 52, 52, 46), row("school", "S1", 12, 12, 6),
            row("school", "S2", 40, 40, 40)]
    entities = [{"entity_type": t, "entity_id": e, "entity_name": f"{e} name", "school_id": s,
                 "school_year": None, "model_id": None}
                for t, e, s in (("school", "S1", "S1"), ("school", "S2", "S2"),
                                ("district", "D", "S1"), ("district", "D", "S2"))]
    cells = {c["entity_id"]: c for c in _publishable_cells(rows, min_n=10, entities=entities)}
    s1 = cells["S1"]
    assert not s1["suppressed"] and s1["n"] == 12 and s1["entity_name"] == "S1 name"
    assert not s1["sgp_suppressed"] and s1["median_sgp"] == 50
    assert s1["adequate_suppressed"] and "pct_adequate" not in s1
    # 46 - 40 = 6: the district's or the other school's count is hidden too
    assert cells["D"]["adequate_suppressed"] or cells["S2"]["adequate_suppressed"]


def _attack_numerators(rows: list[dict[str, Any]], reg: dict[str, dict[str, set[str]]],
                       truth: dict[tuple[str, str, str], dict[str, Any]]) -> list[str]:
    """The inequality attacker on the numbers making adequate growth (decision 0009): the
    students with a status (``n_adequate_known``) as non-negative integers (hidden ones
    unknown), and beside them each group's number making adequate growth, in ``[0, its
    count]``, in a published percent's rounding interval (``round(100 x / n, 1)`` is the
    shown percent), obeying the same relations as the counts. For every hidden cell with a
    true count ``n``, the smallest and largest number HiGHS finds: fewer than ``min(3, n + 1)``
    values is a leak."""
    from scipy.optimize import Bounds, LinearConstraint, milp

    cols_n, equations, value = _count_equations(rows, reg, "n_adequate_known",
                                                "adequate_suppressed")
    # x: one per cell and virtual cell of the count equations (no row: an empty group)
    keys = sorted({k for eq in equations for k in eq}, key=str)
    n_col = {k: i for i, k in enumerate(cols_n)}
    x_col = {k: len(cols_n) + i for i, k in enumerate(keys)}
    size = len(cols_n) + len(keys)
    lb = np.zeros(size)
    ub = np.full(size, 1e7)
    A: list[np.ndarray] = []
    lo_r: list[float] = []
    hi_r: list[float] = []
    for eq in equations:
        row_n = np.zeros(size)
        rhs = 0.0
        for k, coef in eq.items():
            if k in n_col:
                row_n[n_col[k]] += coef
            else:
                rhs -= coef * value[k]
        if row_n.any():
            A.append(row_n)
            lo_r.append(rhs)
            hi_r.append(rhs)
        row_x = np.zeros(size)
        for k, coef in eq.items():
            row_x[x_col[k]] += coef
        A.append(row_x)
        lo_r.append(0.0)
        hi_r.append(0.0)
    by_key = {("cell", r["entity_type"], r["entity_id"], r["subgroup"]): r for r in rows}
    for k, j in x_col.items():
        if k in n_col:  # x <= n
            row = np.zeros(size)
            row[j], row[n_col[k]] = 1.0, -1.0
            A.append(row)
            lo_r.append(-np.inf)
            hi_r.append(0.0)
            continue
        n = value.get(k, 0)
        ub[j] = n
        r = by_key.get(k)
        if r is not None and r.get("pct_adequate") is not None and n:
            v = float(r["pct_adequate"])
            ok = [x for x in range(n + 1) if round(100.0 * x / n, 1) == v]
            lb[j], ub[j] = min(ok), max(ok)
    cons = LinearConstraint(np.array(A), lo_r, hi_r)
    bounds = Bounds(lb, ub)
    problems = []
    for k, r in by_key.items():
        if not (r["adequate_suppressed"] or r["suppressed"]) or k not in x_col:
            continue
        n_true = truth[k[1:]]["n_adequate_eligible"]
        need = min(2, n_true)
        if need == 0:
            continue
        ends = []
        for sign in (1.0, -1.0):
            e = np.zeros(size)
            e[x_col[k]] = sign
            res = milp(e, integrality=np.ones(size), bounds=bounds, constraints=cons)
            if res.x is None:  # HiGHS's MIP presolve (scipy 1.17): ask again without it
                res = milp(e, integrality=np.ones(size), bounds=bounds, constraints=cons,
                           options={"presolve": False})
            assert res.x is not None, res.message
            ends.append(round(res.x[x_col[k]]))
        lo, hi = ends
        if hi - lo < need:
            problems.append(f"number making adequate growth of hidden {k[1:]} (of {n_true}) "
                            f"narrowed to {lo}..{hi}")
    return problems


def test_an_attacker_with_rounding_intervals_narrows_no_hidden_numerator(runs):
    """The published percents making adequate growth read as rounding intervals (8.0% of 25
    is 2 students and nothing else): no hidden cell's number making adequate growth keeps
    fewer than min(3, n + 1) values; percents hidden for it keep their counts."""
    problems = []
    hidden_percents = 0
    for run in runs:
        rows = published_rows(run)
        for c in GrowthAggregate.objects.filter(run=run, pct_adequate_suppressed=True):
            hidden_percents += 1
            assert c.pct_adequate is None and c.n_adequate_known is not None, c
        problems += [f"{run.subject}: {p}" for p in _attack_numerators(
            rows, registry(run.school_year), true_counts(run))]
    assert problems == [], "\n".join(problems[:20]) + f"\n({len(problems)} in all)"
    assert hidden_percents > 0


def test_a_rounded_percent_making_adequate_growth_is_hidden_beside_hidden_groups():
    """By hand (decision 0009): a school's 25 students with a status, 8.0% making adequate
    growth (exactly 2); its 15 white students 13.3% (2), its 5 Hispanic students 0.0%: the
    hidden Black (2) and Asian (3) students would be known to hold none. A percent beside
    them is hidden (its count stays): the white students' here."""
    from playbook.evidence.growth import _publishable_cells

    def row(subgroup: str, n: int, adequate: int) -> dict[str, Any]:
        return {"group_type": "school", "group_id": f"S|{subgroup}", "n_students": n,
                "n_sgp": n, "median_sgp": 50.0, "n_adequate_eligible": n,
                "n_adequate": adequate, "percent_adequate": 100.0 * adequate / n}

    rows = [row("all", 25, 2), row("WH", 15, 2), row("BL", 2, 0), row("AS", 3, 0),
            row("HI", 5, 0)]
    entities = [{"entity_type": "school", "entity_id": "S", "entity_name": "S name",
                 "school_id": "S", "school_year": None, "model_id": None}]
    cells = {c["subgroup"]: c for c in _publishable_cells(rows, min_n=5, entities=entities)}
    assert cells["BL"]["suppressed"] and cells["AS"]["suppressed"]
    assert cells["all"]["pct_adequate"] == Decimal("8.0") and cells["HI"]["pct_adequate"] == 0
    wh = cells["WH"]
    assert wh.get("pct_adequate_suppressed") and "pct_adequate" not in wh
    assert wh["n_adequate_known"] == 15 and wh["n"] == 15
