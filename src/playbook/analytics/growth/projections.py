"""Percentile growth trajectories and growth-to-standard targets (SGP's projections).

Trajectory ``j`` (``j = 1..100``) projects a student one year at a time with the current year's
fitted models: at each step the model of the next grade with the highest order that the
student's actual plus already projected scores allow, using the coefficients of quantile ``j``.
Prior scores enter clamped to their grade's obtainable range; after each step the 100 projected
scores are clamped to the new grade's range, sorted across ``j`` and rounded to 5 decimals.

The SGP needed to reach cut ``c`` ``h`` years out is ``1 +`` the number of trajectories below
``c`` in that year, kept within 1..99. Catch up / keep up uses the proficiency cut: a student
below it is *catching up* and the target is the minimum over years ``1..H`` (reach it by some
year), a student at or above it is *keeping up* and the target is the maximum (stay above in every
year); ``H`` is the horizon (3) or fewer years when the last modelled grade comes sooner. Move up
/ stay up does the same for proficient students with the next level's cut (the top level's cut
for students already in it). Targets "current" start from this year's score (growth needed from
now on); the lagged targets start from last year's score and are compared with this year's SGP,
which gives the statuses (``Catch Up: Yes`` ...) and ``adequate_growth``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray

from playbook.analytics.growth.bspline import GradeKnots, bs_basis
from playbook.analytics.growth.config import N_TAUS, PREDICTION_DIGITS, Cutscores

if TYPE_CHECKING:
    from playbook.analytics.growth.engine import FittedModel, Panel

FloatArray = NDArray[np.float64]
CHUNK = 20000


def _clamp(values: FloatArray, grade: int, knots: Mapping[int, GradeKnots]) -> FloatArray:
    kn = knots.get(grade)
    if kn is None:
        return values
    return np.clip(values, kn.loss_hoss[0], kn.loss_hoss[1])


def spline_polynomials(coef_block: FloatArray, kn: GradeKnots) -> tuple[FloatArray, FloatArray]:
    """The per-quantile spline ``sum_c bs_c(v) * coef_block[j, c]`` as cubic pieces.

    Returns ``(left, poly)``: the left ends of the 5 pieces (the lower boundary and the interior
    knots; the end pieces extend beyond the boundaries, as R's ``bs`` does) and
    ``poly[j, piece, :]``, the coefficients of ``(v - left)**0..3``.
    """
    left = np.concatenate([[min(kn.boundaries)], np.asarray(kn.knots, dtype=np.float64)])
    right = np.concatenate([left[1:], [max(kn.boundaries)]])
    poly = np.empty((coef_block.shape[0], left.size, 4))
    for k in range(left.size):
        width = right[k] - left[k]
        local = width * np.array([0.0, 1 / 3, 2 / 3, 1.0]) if width > 0 else np.arange(4.0)
        vals = bs_basis(left[k] + local, knots=kn.knots, boundaries=kn.boundaries) @ coef_block.T
        vander = np.vander(local, 4, increasing=True)
        poly[:, k, :] = np.linalg.solve(vander, vals).T
    return left, poly


def eval_spline_polynomials(values: FloatArray, left: FloatArray, poly: FloatArray) -> FloatArray:
    """Evaluate :func:`spline_polynomials` at ``values`` ``(n, T)``, quantile ``j`` in column j."""
    n_t, n_pieces, _ = poly.shape
    piece = np.zeros(values.shape, dtype=np.intp)
    for edge in left[1:]:
        piece += values >= edge
    d = values - left[piece]
    flat = piece + (n_pieces * np.arange(n_t))[None, :]
    c = poly.transpose(2, 0, 1).reshape(4, n_t * n_pieces)
    out = c[3].take(flat)
    for k in (2, 1, 0):
        out *= d
        out += c[k].take(flat)
    return out


def project(
    *,
    base_grade: int,
    history: FloatArray,
    steps: int,
    models: Mapping[int, Mapping[int, FittedModel]],
    knots: Mapping[int, GradeKnots],
) -> list[FloatArray]:
    """Percentile trajectories for students in ``base_grade`` with ``history`` ``(n, L)``: their
    consecutive scores, most recent first (grade ``base_grade``, then ``base_grade - 1``, ...).

    Returns one ``(n, 100)`` array per projected year, for as many of ``steps`` years as there
    are models for the next grades.
    """
    n, depth = history.shape
    hist = np.empty_like(history)
    for i in range(depth):
        hist[:, i] = _clamp(history[:, i], base_grade - i, knots)
    out: list[FloatArray] = []
    tables: dict[tuple[int, int, int], tuple[FloatArray, FloatArray]] = {}
    for h in range(1, steps + 1):
        target = base_grade + h
        by_order = models.get(target)
        if not by_order:
            break
        order = min(h - 1 + depth, max(by_order))
        model = by_order[order]
        coef = model.coef
        pred = np.empty((n, N_TAUS))
        for start in range(0, n, CHUNK):
            stop = min(n, start + CHUNK)
            block = np.broadcast_to(coef[:, 0], (stop - start, N_TAUS)).copy()
            for i in range(1, order + 1):
                grade_i = target - i
                kn = knots[grade_i]
                cb = coef[:, 1 + 7 * (i - 1) : 1 + 7 * i]
                if i <= h - 1:
                    key = (target, order, i)
                    if key not in tables:
                        tables[key] = spline_polynomials(cb, kn)
                    left, poly = tables[key]
                    block += eval_spline_polynomials(out[h - i - 1][start:stop], left, poly)
                else:
                    vals1 = hist[start:stop, i - h]
                    basis = bs_basis(vals1, knots=kn.knots, boundaries=kn.boundaries)
                    block += basis @ cb.T
            pred[start:stop] = block
        ordered = np.sort(_clamp(pred, target, knots), axis=1)
        out.append(np.asarray(np.round(ordered, PREDICTION_DIGITS), dtype=np.float64))
    return out


def sgp_targets(trajectory: FloatArray, cut: FloatArray) -> NDArray[np.int64]:
    """SGP needed to reach ``cut`` (per student) on a year's trajectories: 1 + the number of
    trajectories below the cut, kept within 1..99."""
    below = (trajectory < cut[:, None]).sum(axis=1)
    return np.clip(below + 1, 1, N_TAUS - 1).astype(np.int64)


def achievement_levels(
    scores: FloatArray, grades: NDArray[np.int64], cutscores: Cutscores
) -> NDArray[np.int64]:
    """Level index of each score in its grade (a score at a cut is in the higher level);
    -1 where the grade has no cutscores."""
    out = np.full(scores.shape, -1, dtype=np.int64)
    for g in np.unique(grades):
        cuts = cutscores.cuts.get(int(g))
        if cuts is None:
            continue
        sel = grades == g
        out[sel] = np.searchsorted(np.asarray(cuts), scores[sel], side="right")
    return out


def _targets_for_group(
    traj: list[FloatArray],
    grades_ahead: list[int],
    cut_index: int,
    use_min: NDArray[np.bool_],
    cutscores: Cutscores,
) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """Min (or max, per student) over the projected years of the SGP needed to reach the cut
    with index ``cut_index``, and the position of the first year that attains it (1 = the
    first year with a cut; R's ``which.min`` / ``which.max`` over the target columns,
    ``R/getTargetSGP.R`` lines 105-108 and 171); 0 where no year has that cut."""
    n = use_min.size
    best = np.zeros(n, dtype=np.int64)
    pos = np.zeros(n, dtype=np.int64)
    count = 0
    for t, g in zip(traj, grades_ahead, strict=True):
        cuts = cutscores.cuts.get(g)
        if cuts is None or cut_index >= len(cuts):
            continue  # R makes no LEVEL_j column for a grade without cutscores
        count += 1
        tgt = sgp_targets(t, np.full(n, float(cuts[cut_index])))
        if count == 1:
            best, pos = tgt, np.ones(n, dtype=np.int64)
            continue
        better = np.where(use_min, tgt < best, tgt > best)  # strict: the first one is kept
        best = np.where(better, tgt, best)
        pos = np.where(better, count, pos)
    return best, pos


@dataclass(slots=True)
class _Targets:
    """Targets from one starting year (``back`` years before the current one) for ``n``
    students; arrays are 0 (or -1 for levels) where nothing applies."""

    level0: NDArray[np.int64]  # achievement level of the starting score
    cuk: NDArray[np.int64]  # catch-up / keep-up target
    cuk_years: NDArray[np.int64]  # position of the year that gives it (R's which.min/max)
    mus: NDArray[np.int64]  # move-up / stay-up target
    mus_years: NDArray[np.int64]
    # with projections: per projected year h (0-based), the trajectories (n, 100) and the
    # targets of every cut (n, cuts); NaN / 0 where the student has no such year
    trajectories: list[FloatArray] = field(default_factory=list)
    per_year: list[NDArray[np.int64]] = field(default_factory=list)


def advanced_level(cutscores: Cutscores) -> int | None:
    """Index of the lowest *advanced* level: the second level flagged proficient (R's
    ``getTargetSGPLevel`` / ``getTargetAchievementLevels``, ``R/getTargetSGPLevel.R`` lines
    21-26 and ``R/getTargetAchievementLevels.R`` lines 36-40); ``None`` when only one level is
    proficient (then there are no move-up / stay-up targets)."""
    flagged = [i for i, f in enumerate(cutscores.proficient) if f]
    return flagged[1] if len(flagged) > 1 else None


def _targets(
    *,
    panel: Panel,
    rows: NDArray[np.intp],
    back: int,
    models: Mapping[int, Mapping[int, FittedModel]],
    knots: Mapping[int, GradeKnots],
    cutscores: Cutscores,
    years: int,
    keep: bool,
) -> _Targets:
    """Targets starting ``back`` years before the current year (0: current, 1: lagged),
    over ``years`` projected years (for the lagged ones that is the current year plus
    ``years - 1`` more). ``keep``: also return the trajectories and per-year targets."""
    n = rows.size
    cy = panel.current - back
    n_cuts = len(cutscores.labels) - 1
    out = _Targets(
        level0=np.full(n, -1, dtype=np.int64),
        cuk=np.zeros(n, dtype=np.int64),
        cuk_years=np.zeros(n, dtype=np.int64),
        mus=np.zeros(n, dtype=np.int64),
        mus_years=np.zeros(n, dtype=np.int64),
    )
    if keep:
        out.trajectories = [np.full((n, N_TAUS), np.nan) for _ in range(years)]
        out.per_year = [np.zeros((n, n_cuts), dtype=np.int64) for _ in range(years)]
    if cy < 0:
        return out
    # lagged: only from last year's score in the grade below this year's (R projects the
    # students of each progression; a student who repeats a grade has no lagged projection)
    start = None if back == 0 else panel.grade[rows, panel.current] - back
    depth = panel.history(rows, back_from=back, grade_at_start=start)
    prof = cutscores.proficient_level
    adv = advanced_level(cutscores)
    start_grade = np.where(depth > 0, panel.grade[rows, cy], -1)
    start_score = panel.score[rows, cy]
    ok = depth > 0
    out.level0[ok] = achievement_levels(start_score[ok], start_grade[ok], cutscores)
    max_depth = max((max(by) for by in models.values()), default=1)
    eff = np.minimum(depth, max_depth)
    keys: list[list[int]] = (
        np.unique(np.column_stack([start_grade, eff])[ok], axis=0).tolist() if ok.any() else []
    )
    for g, d in keys:
        sel = np.flatnonzero(ok & (start_grade == g) & (eff == d))
        hist = np.column_stack([panel.score[rows[sel], cy - j] for j in range(int(d))])
        traj = project(base_grade=int(g), history=hist, steps=years, models=models, knots=knots)
        if not traj:
            continue
        ahead = [int(g) + h for h in range(1, len(traj) + 1)]
        lv = out.level0[sel]
        known = lv >= 0
        # catch up (below the proficiency cut: the minimum) / keep up (the maximum)
        cuk, cuk_pos = _targets_for_group(traj, ahead, prof - 1, lv < prof, cutscores)
        out.cuk[sel] = np.where(known, cuk, 0)
        out.cuk_years[sel] = np.where(known, cuk_pos, 0)
        if adv is not None:
            # move up (proficient, not advanced: the minimum) / stay up (advanced: the maximum),
            # both with the advanced cut
            proficient = known & (lv >= prof)
            mus, mus_pos = _targets_for_group(traj, ahead, adv - 1, lv < adv, cutscores)
            out.mus[sel] = np.where(proficient, mus, 0)
            out.mus_years[sel] = np.where(proficient, mus_pos, 0)
        if keep:
            for h, (t, grade_h) in enumerate(zip(traj, ahead, strict=True)):
                out.trajectories[h][sel] = t
                cuts = cutscores.cuts.get(grade_h)
                if cuts is not None:
                    for j, c in enumerate(cuts[:n_cuts]):
                        out.per_year[h][sel, j] = sgp_targets(t, np.full(sel.size, float(c)))
    return out


def growth_targets(
    *,
    panel: Panel,
    rows: NDArray[np.intp],
    sgp: NDArray[np.int64],
    models: list[FittedModel],
    knots: Mapping[int, GradeKnots],
    cutscores: Cutscores,
    years: int,
    projections: bool = False,
    trajectory_percentiles: tuple[int, ...] = (),
    lagged_trajectory_percentiles: tuple[int, ...] = (),
) -> dict[str, Any]:
    """Columns for the result table: current and prior level, lagged targets with statuses
    and adequate growth (compared with this year's ``sgp``, 0 = none), the current targets,
    and the year each target comes from; with ``projections`` also the percentile
    trajectories and the per-year targets of every cut.

    The lagged targets project last year's score over the current year and ``years`` more
    (R's ``YEAR_0 .. YEAR_3``: ``R/getTargetSGP.R`` line 105 with ``tmp.suffix = "$"``); the
    current ones over ``years`` years (``YEAR_1_CURRENT .. YEAR_3_CURRENT``).
    """
    import pyarrow as pa

    by_grade: dict[int, dict[int, FittedModel]] = {}
    for m in models:
        by_grade.setdefault(m.grade, {})[m.order] = m
    cy = panel.current
    labels = np.asarray(cutscores.labels, dtype=object)
    prof = cutscores.proficient_level
    adv = advanced_level(cutscores)
    top = len(cutscores.labels) - 1
    grade_now = panel.grade[rows, cy]
    level_now = achievement_levels(panel.score[rows, cy], grade_now, cutscores)

    common = {
        "panel": panel, "rows": rows, "models": by_grade, "knots": knots,
        "cutscores": cutscores, "keep": projections,
    }  # fmt: skip
    cur = _targets(back=0, years=years, **common)  # type: ignore[arg-type]
    lag = _targets(back=1, years=years + 1, **common)  # type: ignore[arg-type]
    has_sgp = sgp > 0

    def text(values: NDArray[np.str_], valid: NDArray[np.bool_]) -> pa.Array:
        return pa.array(values.astype(str), pa.string(), mask=~valid)

    def ints(v: NDArray[np.int64], valid: NDArray[np.bool_]) -> pa.Array:
        return pa.array(v, pa.int64(), mask=~valid)

    def terminal(target: NDArray[np.int64]) -> NDArray[np.bool_]:
        """In the highest grade that has this target (R: ``GRADE ==
        max(GRADE[!is.na(target)])``, ``R/combineSGP.R`` lines 592 and 596)."""
        if not (target > 0).any():
            return np.zeros(target.size, dtype=bool)
        return np.asarray(grade_now == grade_now[target > 0].max(), dtype=bool)

    known_now = level_now >= 0

    def adjusted(
        met: NDArray[np.bool_],
        reaching: NDArray[np.bool_],
        yes_now: NDArray[np.bool_],
        last: NDArray[np.bool_],
    ) -> NDArray[np.bool_]:
        """combineSGP's four reality adjustments, in its order (``R/combineSGP.R`` lines
        586-597 for catch up / keep up, 636-647 for move up / stay up): ``reaching`` students
        (catching / moving up) who are at the level now are Yes, and No in the terminal grade
        if they are not; the others (keeping / staying up) are No if they are not at the
        level now, and Yes in the terminal grade if they are."""
        no_now = known_now & ~yes_now
        status = met.copy()
        status = np.where(~reaching & status & no_now, False, status)
        status = np.where(reaching & ~status & yes_now, True, status)
        status = np.where(reaching & status & no_now & last, False, status)
        status = np.where(~reaching & ~status & yes_now & last, True, status)
        return np.asarray(status, dtype=bool)

    # lagged statuses, judged on this year's SGP
    lag_ok = has_sgp & (lag.cuk > 0)
    catching = lag.level0 < prof
    cuk_yes = adjusted(sgp >= lag.cuk, catching, level_now >= prof, terminal(lag.cuk))
    cuk_status = np.where(
        catching,
        np.where(cuk_yes, "Catch Up: Yes", "Catch Up: No"),
        np.where(cuk_yes, "Keep Up: Yes", "Keep Up: No"),
    )
    adv_i = adv if adv is not None else top + 1
    mus_ok = has_sgp & (lag.mus > 0) & (lag.level0 >= prof)
    moving = lag.level0 < adv_i
    mus_yes = adjusted(sgp >= lag.mus, moving, level_now >= adv_i, terminal(lag.mus))
    mus_status = np.where(
        moving,
        np.where(mus_yes, "Move Up: Yes", "Move Up: No"),
        np.where(mus_yes, "Stay Up: Yes", "Stay Up: No"),
    )
    cur_cuk_ok = cur.cuk > 0
    cur_mus_ok = (cur.mus > 0) & (cur.level0 >= prof)
    y = years
    cols: dict[str, Any] = {
        "achievement_level": text(labels[np.clip(level_now, 0, top)], known_now),
        f"sgp_target_{y}_year": ints(lag.cuk, lag_ok),
        "catch_up_keep_up_status_initial": text(
            np.where(catching, "Catching Up", "Keeping Up"), lag_ok
        ),
        "catch_up_keep_up_status": text(cuk_status, lag_ok),
        "adequate_growth": pa.array(cuk_yes, pa.bool_(), mask=~lag_ok),
        f"sgp_target_move_up_stay_up_{y}_year": ints(lag.mus, mus_ok),
        "move_up_stay_up_status_initial": text(np.where(moving, "Moving Up", "Staying Up"), mus_ok),
        "move_up_stay_up_status": text(mus_status, mus_ok),
        f"sgp_target_{y}_year_current": ints(cur.cuk, cur_cuk_ok),
        "catch_up_keep_up_status_initial_current": text(
            np.where(cur.level0 < prof, "Catching Up", "Keeping Up"), cur_cuk_ok
        ),
        f"sgp_target_move_up_stay_up_{y}_year_current": ints(cur.mus, cur_mus_ok),
        "move_up_stay_up_status_initial_current": text(
            np.where(cur.level0 < adv_i, "Moving Up", "Staying Up"), cur_mus_ok
        ),
        # R: ACHIEVEMENT_LEVEL_PRIOR (the level of last year's score, from the lagged
        # projections) and which year gives each target: which.min / which.max, minus one for
        # the lagged ones, whose first year is YEAR_0 (R/getTargetSGP.R line 171)
        "achievement_level_prior": text(labels[np.clip(lag.level0, 0, top)], lag.level0 >= 0),
        f"sgp_target_{y}_year_num_years_to_target": ints(lag.cuk_years - 1, lag_ok),
        f"sgp_target_move_up_stay_up_{y}_year_num_years_to_target": ints(lag.mus_years - 1, mus_ok),
        f"sgp_target_{y}_year_current_num_years_to_target": ints(cur.cuk_years, cur_cuk_ok),
        f"sgp_target_move_up_stay_up_{y}_year_current_num_years_to_target": ints(
            cur.mus_years, cur_mus_ok
        ),
    }
    if projections:
        cols.update(_projection_columns(cur, lag, trajectory_percentiles,
                                        lagged_trajectory_percentiles))  # fmt: skip
    return cols


def _projection_columns(
    cur: _Targets, lag: _Targets, percentiles: tuple[int, ...], lagged: tuple[int, ...]
) -> dict[str, Any]:
    """R's SGProjections columns, lower case: ``p<v>_proj_year_<h>_current`` (the ``v``-th of
    the 100 sorted trajectories, rounded to whole scale scores: DEMO's ``projcuts.digits = 0``),
    ``level_<j>_sgp_target_year_<h>_current`` (the SGP needed to reach cut ``j`` in year
    ``h``), and the lagged ``p<v>_proj_year_<h>`` / ``level_<j>_sgp_target_year_<h>`` with
    ``h`` from 0 (this year) (``R/studentGrowthProjections.R`` lines 471-476 and 505-512)."""
    import pyarrow as pa

    cols: dict[str, Any] = {}
    for part, suffix, first, values in ((cur, "_current", 1, percentiles), (lag, "", 0, lagged)):
        for h, traj in enumerate(part.trajectories):
            present = np.isfinite(traj[:, 0])
            for v in sorted(set(values)):
                cols[f"p{v}_proj_year_{h + first}{suffix}"] = pa.array(
                    np.round(traj[:, v - 1]), pa.float64(), mask=~present
                )
        for h, targets in enumerate(part.per_year):
            for j in range(targets.shape[1]):
                cols[f"level_{j + 1}_sgp_target_year_{h + first}{suffix}"] = pa.array(
                    targets[:, j], pa.int64(), mask=targets[:, j] == 0
                )
    return cols
