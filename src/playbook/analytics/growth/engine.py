"""Student growth percentiles (the SGP package's method) on a long score table.

For the current year and each current grade ``g``, the model of order ``k`` regresses the current
score on an intercept and, per prior ``j = 1..k`` (grade ``g - j`` in the year ``j`` years back),
the cubic B-spline basis of that prior score with its grade's knots (``bs()`` without intercept).
It is fitted exactly at the 100 quantiles 0.005, 0.015, ..., 0.995. A student's 100 predicted
quantiles are sorted, rounded to 5 decimals, and the SGP is the number strictly below the
observed score, with 0 -> 1 and 100 -> 99. The reported SGP uses the highest order the student
has. Projections and growth-to-standard targets are in :mod:`.projections`.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray

from playbook.analytics.growth.bspline import GradeKnots, bs_basis, derive_grade_knots
from playbook.analytics.growth.config import (
    ENGINE_VERSION,
    N_TAUS,
    PREDICTION_DIGITS,
    ConfigError,
    GrowthConfig,
)
from playbook.analytics.growth.qr import SolveStats, fit_quantiles_many

if TYPE_CHECKING:
    import pyarrow as pa

FloatArray = NDArray[np.float64]
SOLVER_OPTIONS: dict[str, Any] = {}
TAUS: FloatArray = (np.arange(N_TAUS, dtype=np.float64) + 0.5) / N_TAUS


@dataclass(slots=True)
class Panel:
    """One subject's scores pivoted to students x years (years in time order)."""

    student_ids: list[str]
    years: list[str]
    grade: NDArray[np.int64]  # (students, years), -1 where not tested
    score: FloatArray  # (students, years), NaN where not tested
    current: int  # index of the current year

    def history(
        self,
        rows: NDArray[np.intp],
        *,
        back_from: int,
        grade_at_start: NDArray[np.int64] | None = None,
    ) -> NDArray[np.int64]:
        """Number of consecutive-grade scores (grade one lower each year back) ending
        ``back_from`` years before the current year, that year's score included, for ``rows``;
        0 when that year has no score or (if given) its grade is not ``grade_at_start``."""
        y0 = self.current - back_from
        count = np.zeros(rows.size, dtype=np.int64)
        if y0 < 0:
            return count
        g0 = self.grade[rows, y0]
        alive = np.isfinite(self.score[rows, y0])
        if grade_at_start is not None:
            alive &= g0 == grade_at_start
        j = 0
        while y0 - j >= 0:
            alive &= (self.grade[rows, y0 - j] == g0 - j) & np.isfinite(self.score[rows, y0 - j])
            if not alive.any():
                break
            count += alive
            j += 1
        return count


@dataclass(frozen=True, slots=True)
class FittedModel:
    """Coefficients of one (grade, order) model: ``coef`` is ``(100, 1 + 7 * order)``;
    ``prior_grades`` are the grades of priors 1..order (most recent first)."""

    grade: int
    order: int
    coef: FloatArray
    prior_grades: tuple[int, ...]
    n_students: int
    stats: SolveStats


@dataclass(frozen=True, slots=True)
class SmallCohort:
    """A grade whose students with a prior score are too few for even the one-prior model
    (it needs more distinct ``(prior, score)`` records than its ``coefficients``): none of them
    gets an SGP."""

    grade: int
    n_students: int  # tested in the grade this year, with a score in the grade below last year
    n_distinct: int  # distinct (prior, score) records among them
    coefficients: int

    def describe(self, subject: str) -> str:
        """One line naming subject, grade and count."""
        students = f"{self.n_students} student{'s' if self.n_students != 1 else ''}"
        distinct = (
            f" ({self.n_distinct} distinct score pairs)"
            if self.n_distinct < self.n_students
            else ""
        )
        return (
            f"{subject} grade {self.grade}: {students} with a prior score{distinct}, too few "
            f"for a growth model (it needs at least {self.coefficients + 1}); no SGP for them"
        )


@dataclass(slots=True)
class GrowthResult:
    """Per-student results, the config used (with derived knots), and provenance."""

    table: pa.Table
    config: GrowthConfig
    fingerprint: str
    version: str
    subject: str
    year: str
    models: list[FittedModel] = field(default_factory=list)
    small_cohorts: list[SmallCohort] = field(default_factory=list)

    @property
    def provenance(self) -> dict[str, Any]:
        """What produced this result, for storing beside it."""
        return {
            "engine": self.version,
            "fingerprint": self.fingerprint,
            "subject": self.subject,
            "year": self.year,
            "models": [
                {"grade": m.grade, "order": m.order, "n": m.n_students} for m in self.models
            ],
            "small_cohorts": [
                {"grade": c.grade, "n": c.n_students, "n_distinct": c.n_distinct}
                for c in self.small_cohorts
            ],
            "config": self.config.to_json(),
        }


def year_order(years: list[str]) -> list[str]:
    """Sort year labels in time order: numerically if all are numbers, else as text."""
    try:
        return sorted(years, key=float)
    except ValueError:
        return sorted(years)


def build_panel(table: pa.Table, *, subject: str, year: str) -> Panel:
    """Pivot a checked long table's ``subject`` rows to a students x years panel."""
    import pyarrow.compute as pc

    sub = table.filter(pc.equal(table.column("subject"), subject))
    if sub.num_rows == 0:
        raise ConfigError(f"no scores for subject {subject!r}")
    sid = sub.column("student_id").combine_chunks().dictionary_encode()
    yr = sub.column("year").combine_chunks().dictionary_encode()
    years = year_order([str(v) for v in yr.dictionary.to_pylist()])
    if year not in years:
        raise ConfigError(f"no {subject} scores in year {year!r} (years: {', '.join(years)})")
    rank = {y: i for i, y in enumerate(years)}
    year_map = np.array([rank[str(v)] for v in yr.dictionary.to_pylist()], dtype=np.int64)
    s_codes = sid.indices.to_numpy().astype(np.intp)
    y_codes = year_map[yr.indices.to_numpy()]
    n_st = len(sid.dictionary)
    grade = np.full((n_st, len(years)), -1, dtype=np.int64)
    score = np.full((n_st, len(years)), np.nan)
    grade[s_codes, y_codes] = sub.column("grade").to_numpy()
    score[s_codes, y_codes] = sub.column("scale_score").to_numpy()
    return Panel(
        student_ids=[str(v) for v in sid.dictionary.to_pylist()],
        years=years,
        grade=grade,
        score=score,
        current=rank[year],
    )


def design_matrix(
    priors: FloatArray, *, prior_grades: tuple[int, ...], knots: Mapping[int, GradeKnots]
) -> FloatArray:
    """``[1, bs(prior_1), ..., bs(prior_k)]`` with each prior's grade knots; ``(n, 1 + 7k)``."""
    cols = [np.ones((priors.shape[0], 1))]
    for j, g in enumerate(prior_grades):
        kn = knots[g]
        cols.append(bs_basis(priors[:, j], knots=kn.knots, boundaries=kn.boundaries))
    return np.hstack(cols)


def percentiles_from_predictions(pred: FloatArray, observed: FloatArray) -> NDArray[np.int64]:
    """SGPs: per row, sort the predicted quantiles, round to 5 decimals and count those strictly
    below the observed score; 0 becomes 1 and 100 becomes 99."""
    ordered = np.round(np.sort(pred, axis=1), PREDICTION_DIGITS)
    count = (ordered < observed[:, None]).sum(axis=1)
    return np.clip(count, 1, N_TAUS - 1).astype(np.int64)


@dataclass(slots=True)
class _Job:
    grade: int
    order: int
    priors: FloatArray
    current: FloatArray
    prior_grades: tuple[int, ...]
    knots: dict[int, GradeKnots]


JobResult = tuple[int, int, FloatArray, NDArray[np.int64], SolveStats]


def _run_jobs(jobs: list[_Job]) -> list[JobResult]:
    """Fit models of one order together (shared solver iterations; duplicates merged) and
    return each cohort's SGPs."""
    prepared = []
    for job in jobs:
        data = np.column_stack([job.priors, job.current])
        uniq, inverse, counts = np.unique(data, axis=0, return_inverse=True, return_counts=True)
        x_u = design_matrix(uniq[:, :-1], prior_grades=job.prior_grades, knots=job.knots)
        prepared.append((x_u, uniq[:, -1], counts.astype(np.float64), inverse.ravel()))
    fits = fit_quantiles_many(
        problems=[(x_u, y_u, w) for x_u, y_u, w, _ in prepared], taus=TAUS, **SOLVER_OPTIONS
    )
    out: list[JobResult] = []
    for job, (x_u, y_u, _, inverse), (coef, stats) in zip(jobs, prepared, fits, strict=True):
        sgp_u = percentiles_from_predictions(x_u @ coef.T, y_u)
        out.append((job.grade, job.order, coef, sgp_u[inverse], stats))
    return out


def _map_jobs(groups: list[list[_Job]], workers: int) -> Iterator[JobResult]:
    if workers <= 1 or len(groups) <= 1:
        for group in groups:
            yield from _run_jobs(group)
        return
    import multiprocessing as mp

    ctx = mp.get_context("fork")
    with ctx.Pool(processes=workers) as pool:
        for results in pool.imap_unordered(_run_jobs, groups):
            yield from results


def _cost(job: _Job) -> float:
    return float(job.priors.shape[0]) * (60.0 + (1 + 7 * job.order) ** 2)


def _group_jobs(jobs: list[_Job], *, split: bool) -> list[list[_Job]]:
    """Batches of models for the solver, largest first.

    Models of the same order share solver calls, which saves per-call overhead on small
    cohorts. Large cohorts gain nothing from that, so with several processes they go one model
    per batch (longest first), and mid-sized groups are halved, to keep the processes busy.
    """
    if split and jobs and sum(j.priors.shape[0] for j in jobs) / len(jobs) > 20000:
        return [[j] for j in sorted(jobs, key=_cost, reverse=True)]
    by_order: dict[int, list[_Job]] = {}
    for job in jobs:
        by_order.setdefault(job.order, []).append(job)
    groups: list[list[_Job]] = []
    total = sum(_cost(j) for j in jobs)
    for order_jobs in by_order.values():
        cost = sum(_cost(j) for j in order_jobs)
        if split and len(order_jobs) > 1 and cost > 0.3 * total:
            order_jobs = sorted(order_jobs, key=_cost, reverse=True)
            halves: list[list[_Job]] = [[], []]
            for job in order_jobs:
                min(halves, key=lambda h: sum(_cost(j) for j in h)).append(job)
            groups.extend(halves)
        else:
            groups.append(order_jobs)
    groups.sort(key=lambda g: -sum(_cost(j) for j in g))
    return groups


def _default_workers(total_rows: int) -> int:
    if total_rows < 4000:
        return 1
    return max(1, min(2, os.cpu_count() or 1))


def _knots_by_grade(
    grades: NDArray[np.int64], scores: FloatArray, *, skip: Mapping[int, GradeKnots]
) -> dict[int, GradeKnots]:
    """Knots per grade recorded, from the tested cells of ``grades``/``scores``; grades in
    ``skip`` are left out."""
    tested = np.isfinite(scores) & (grades >= 0)
    g_all, s_all = grades[tested], scores[tested]
    out: dict[int, GradeKnots] = {}
    for g in np.unique(g_all):
        if int(g) not in skip:
            out[int(g)] = derive_grade_knots(s_all[g_all == g])
    return out


def resolve_knots(panel: Panel, config: GrowthConfig) -> dict[int, GradeKnots]:
    """The knots to use: the configured ones, or derived from the data by ``config.knots_rule``.

    ``"studentGrowthPercentiles"`` (the default) follows that function when it is called
    without knots in the canonical loop over grade progressions (``R/studentGrowthPercentiles.R``
    lines 83-106 and 1469-1471): one call per current grade, lowest first, each with all its
    priors; a call pools the *prior* score columns of its panel (never the current year), for
    every student, by the grade recorded in each cell, and keeps the knots of grades that an
    earlier call already derived. The first call has one prior, so every grade tested last
    year gets its knots from last year's scores alone.

    ``"prepareSGP"`` follows ``prepareSGP`` for a state without knots (``R/prepareSGP.R`` line
    155): ``createKnotsBoundaries`` on the whole long data set, every year of the subject (the
    current one included), by grade.

    Both round knots, boundaries and obtainable range to 3 decimals
    (``R/createKnotsBoundaries.R`` lines 14-20).
    """
    if config.knots is not None:
        return dict(config.knots)
    if config.knots_rule == "prepareSGP":
        return _knots_by_grade(panel.grade, panel.score, skip={})
    cy = panel.current
    cur_ok = np.isfinite(panel.score[:, cy])
    max_order = cy if config.max_order is None else min(config.max_order, cy)
    out: dict[int, GradeKnots] = {}
    for g in sorted({int(v) for v in np.unique(panel.grade[cur_ok, cy])}):
        rows = np.flatnonzero(cur_ok & (panel.grade[:, cy] == g))
        depth = panel.history(rows, back_from=1, grade_at_start=np.full(rows.size, g - 1))
        k = min(int(depth.max(initial=0)), max_order)
        if k == 0:
            continue  # no progression for this grade: R is not called for it
        window = slice(cy - k, cy)
        out.update(_knots_by_grade(panel.grade[:, window], panel.score[:, window], skip=out))
    return out


def fit_models(
    panel: Panel, *, knots: Mapping[int, GradeKnots], config: GrowthConfig
) -> tuple[
    list[FittedModel],
    dict[tuple[int, int], tuple[NDArray[np.intp], NDArray[np.int64]]],
    list[SmallCohort],
]:
    """Fit every (current grade, order) model with a cohort; return the models, per model
    ``(panel rows, SGPs)`` of its cohort, and the grades too small for any model."""
    cy = panel.current
    cur_ok = np.isfinite(panel.score[:, cy])
    max_order = cy if config.max_order is None else min(config.max_order, cy)
    jobs: list[_Job] = []
    rows_of: dict[tuple[int, int], NDArray[np.intp]] = {}
    small: list[SmallCohort] = []
    for g in sorted({int(v) for v in np.unique(panel.grade[cur_ok, cy])}):
        rows = np.flatnonzero(cur_ok & (panel.grade[:, cy] == g))
        depth = panel.history(rows, back_from=1, grade_at_start=np.full(rows.size, g - 1))
        for k in range(1, max_order + 1):
            member = rows[depth >= k]
            p = 1 + 7 * k
            too_small = member.size <= p
            n_distinct = member.size
            if not too_small:
                priors = np.column_stack([panel.score[member, cy - j] for j in range(1, k + 1)])
                if member.size < 20 * p:  # small cohort: count distinct observations
                    pairs = np.column_stack([priors, panel.score[member, cy]])
                    n_distinct = np.unique(pairs, axis=0).shape[0]
                    too_small = n_distinct <= p
            if too_small:
                if k == 1 and member.size:
                    small.append(SmallCohort(g, int(member.size), int(n_distinct), p))
                break
            prior_grades = tuple(g - j for j in range(1, k + 1))
            missing = [pg for pg in prior_grades if pg not in knots]
            if missing:
                raise ConfigError(f"no knots for prior grade {missing[0]}")
            jobs.append(
                _Job(
                    grade=g,
                    order=k,
                    priors=priors,
                    current=panel.score[member, cy],
                    prior_grades=prior_grades,
                    knots={pg: knots[pg] for pg in prior_grades},
                )
            )
            rows_of[(g, k)] = member
    total = sum(j.priors.shape[0] for j in jobs)
    workers = config.workers if config.workers is not None else _default_workers(total)
    groups = _group_jobs(jobs, split=workers > 1)
    models: list[FittedModel] = []
    sgps: dict[tuple[int, int], tuple[NDArray[np.intp], NDArray[np.int64]]] = {}
    by_key = {(j.grade, j.order): j for j in jobs}
    for g, k, coef, sgp, stats in _map_jobs(groups, workers):
        job = by_key[(g, k)]
        models.append(
            FittedModel(
                grade=g,
                order=k,
                coef=coef,
                prior_grades=job.prior_grades,
                n_students=int(job.priors.shape[0]),
                stats=stats,
            )
        )
        sgps[(g, k)] = (rows_of[(g, k)], sgp)
    models.sort(key=lambda m: (m.grade, m.order))
    return models, sgps, small


def growth_level_labels(
    sgp: NDArray[np.int64], *, cuts: tuple[int, ...], labels: tuple[str, ...]
) -> NDArray[np.object_]:
    """Growth level of each SGP: the number of cuts at or below it picks the label."""
    idx = np.searchsorted(np.asarray(cuts), sgp, side="right")
    return np.asarray(labels, dtype=object)[idx]


def _prior_and_norm_group(
    panel: Panel, rows: NDArray[np.intp], order: NDArray[np.int64], *, subject: str
) -> dict[str, Any]:
    """``scale_score_prior`` (the score last year, in the grade below: R's
    ``SCALE_SCORE_PRIOR``, ``R/studentGrowthPercentiles.R`` lines 1644 and 1673) and
    ``sgp_norm_group`` (the years and grades of the model that gave the SGP, oldest first:
    ``2023_2024/READING_4; 2024_2025/READING_5``, R's ``SGP_NORM_GROUP``, lines 1748-1760),
    for students with an SGP."""
    import pyarrow as pa

    cy = panel.current
    has = order > 0
    prior = panel.score[rows, cy - 1] if cy > 0 else np.full(rows.size, np.nan)
    groups = np.full(rows.size, "", dtype=object)
    grade_now = panel.grade[rows, cy]
    for k in np.unique(order[has]).tolist():
        for g in np.unique(grade_now[order == k]).tolist():
            label = "; ".join(
                f"{panel.years[cy - j]}/{subject}_{g - j}" for j in range(int(k), -1, -1)
            )
            groups[(order == k) & (grade_now == g)] = label
    return {
        "scale_score_prior": pa.array(np.where(has, prior, np.nan), pa.float64(), mask=~has),
        "sgp_norm_group": pa.array(groups.astype(str), pa.string(), mask=~has),
    }


def compute_growth(
    *,
    scores: pa.Table | str | Path,
    subject: str,
    year: str | int,
    config: GrowthConfig | None = None,
) -> GrowthResult:
    """Compute SGPs (and, with cutscores, growth-to-standard targets) for one subject and year.

    ``scores`` is a long table or CSV path (``student_id, year, subject, grade, scale_score``).
    The result's table has one row per student tested in ``subject`` in ``year``: the SGP from
    the highest order available (null when the student has no prior), its order, the SGP of
    every order, the growth level and, with ``config.cutscores``, the targets and statuses.
    Grades whose students with a prior are too few for a model are listed in
    ``small_cohorts`` (those students have no SGP).
    """
    import pyarrow as pa

    from playbook.analytics.growth.data import read_scores_csv, validate_scores
    from playbook.analytics.growth.projections import growth_targets

    config = config or GrowthConfig()
    is_path = isinstance(scores, (str, Path))
    table = read_scores_csv(scores) if is_path else validate_scores(scores)
    year_s = str(year)
    panel = build_panel(table, subject=subject, year=year_s)
    knots = resolve_knots(panel, config)
    used = (
        config
        if config.knots is not None
        else config.with_knots(knots, derived_by=config.knots_rule)
    )
    models, sgps, small = fit_models(panel, knots=knots, config=config)
    cy = panel.current
    rows = np.flatnonzero(np.isfinite(panel.score[:, cy]))
    pos = np.full(panel.grade.shape[0], -1, dtype=np.int64)
    pos[rows] = np.arange(rows.size)
    max_k = max((m.order for m in models), default=0)
    by_order = np.zeros((rows.size, max(max_k, 1)), dtype=np.int64)
    for (_, k), (member, sgp) in sgps.items():
        by_order[pos[member], k - 1] = sgp
    has = by_order > 0
    order = np.where(has.any(axis=1), max_k - np.argmax(has[:, ::-1], axis=1), 0)
    final = np.where(order > 0, by_order[np.arange(rows.size), np.maximum(order, 1) - 1], 0)
    mask = order == 0
    ids = np.asarray(panel.student_ids, dtype=object)[rows]
    cols: dict[str, Any] = {
        "student_id": pa.array(ids, pa.string()),
        "subject": pa.array([subject] * rows.size, pa.string()),
        "year": pa.array([year_s] * rows.size, pa.string()),
        "grade": pa.array(panel.grade[rows, cy]),
        "scale_score": pa.array(panel.score[rows, cy]),
        "sgp": pa.array(final, pa.int64(), mask=mask),
        "sgp_order": pa.array(order, pa.int64(), mask=mask),
    }
    for k in range(1, max_k + 1):
        cols[f"sgp_order_{k}"] = pa.array(by_order[:, k - 1], pa.int64(), mask=~has[:, k - 1])
    levels = growth_level_labels(final, cuts=config.growth_cuts, labels=config.growth_labels)
    cols["sgp_level"] = pa.array(levels.astype(str), pa.string(), mask=mask)
    extra_cols = _prior_and_norm_group(panel, rows, order, subject=subject)
    if config.cutscores is not None:
        cols.update(
            growth_targets(
                panel=panel,
                rows=rows,
                sgp=np.where(mask, 0, final),
                models=models,
                knots=knots,
                cutscores=config.cutscores,
                years=config.projection_years,
                projections=config.projections,
                trajectory_percentiles=config.trajectory_percentiles,
                lagged_trajectory_percentiles=config.lagged_trajectory_percentiles,
            )
        )
    # appended after the older columns, so that readers by position keep working
    cols.update(extra_cols)
    result_table = pa.table(cols)
    return GrowthResult(
        table=result_table,
        config=used,
        fingerprint=used.fingerprint(),
        version=ENGINE_VERSION,
        subject=subject,
        year=year_s,
        models=models,
        small_cohorts=small,
    )
