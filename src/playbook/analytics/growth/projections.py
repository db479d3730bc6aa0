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
    cut_index: NDArray[np.int64],
    use_min: NDArray[np.bool_],
    cutscores: Cutscores,
) -> NDArray[np.int64]:
    """Min (or max, per student) over the projected years of the SGP needed to reach the cut
    with index ``cut_index``; 0 where no year has a cut."""
    n = cut_index.size
    best = np.zeros(n, dtype=np.int64)
    have = np.zeros(n, dtype=bool)
    for t, g in zip(traj, grades_ahead, strict=True):
        cuts = cutscores.cuts.get(g)
        if cuts is None:
            continue
        cut = np.asarray(cuts)[np.clip(cut_index, 0, len(cuts) - 1)]
        tgt = sgp_targets(t, cut)
        merged = np.where(use_min, np.minimum(best, tgt), np.maximum(best, tgt))
        best = np.where(have, merged, tgt)
        have[:] = True
    return np.where(cut_index >= 0, best, 0)


def _targets(
    *,
    panel: Panel,
    rows: NDArray[np.intp],
    back: int,
    models: Mapping[int, Mapping[int, FittedModel]],
    knots: Mapping[int, GradeKnots],
    cutscores: Cutscores,
    years: int,
) -> tuple[NDArray[np.int64], NDArray[np.int64], NDArray[np.int64], NDArray[np.int64]]:
    """Targets starting ``back`` years before the current year (0: current, 1: lagged).

    Returns ``(level at start, catch-up/keep-up target, move-up/stay-up target, horizon)``;
    targets are 0 where none applies.
    """
    n = rows.size
    cy = panel.current - back
    level0 = np.full(n, -1, dtype=np.int64)
    cuk = np.zeros(n, dtype=np.int64)
    mus = np.zeros(n, dtype=np.int64)
    horizon = np.zeros(n, dtype=np.int64)
    if cy < 0:
        return level0, cuk, mus, horizon
    depth = panel.history(rows, back_from=back)
    prof = cutscores.proficient_level
    top = len(cutscores.labels) - 1
    start_grade = np.where(depth > 0, panel.grade[rows, cy], -1)
    start_score = panel.score[rows, cy]
    ok = depth > 0
    level0[ok] = achievement_levels(start_score[ok], start_grade[ok], cutscores)
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
        horizon[sel] = len(traj)
        lv = level0[sel]
        known = lv >= 0
        catching = lv < prof
        cuk[sel] = np.where(
            known,
            _targets_for_group(traj, ahead, np.where(known, prof - 1, -1), catching, cutscores),
            0,
        )
        mu_cut = np.where(known & (lv >= prof), np.minimum(lv, top) - (lv >= top), -1)
        moving = lv < top
        mus[sel] = _targets_for_group(traj, ahead, mu_cut, moving, cutscores)
    return level0, cuk, mus, horizon


def growth_targets(
    *,
    panel: Panel,
    rows: NDArray[np.intp],
    sgp: NDArray[np.int64],
    models: list[FittedModel],
    knots: Mapping[int, GradeKnots],
    cutscores: Cutscores,
    years: int,
) -> dict[str, Any]:
    """Columns for the result table: current level, lagged targets with statuses and adequate
    growth (compared with this year's ``sgp``, 0 = none), and the current targets."""
    import pyarrow as pa

    by_grade: dict[int, dict[int, FittedModel]] = {}
    for m in models:
        by_grade.setdefault(m.grade, {})[m.order] = m
    cy = panel.current
    labels = np.asarray(cutscores.labels, dtype=object)
    prof = cutscores.proficient_level
    top = len(cutscores.labels) - 1
    level_now = achievement_levels(panel.score[rows, cy], panel.grade[rows, cy], cutscores)

    lv_c, cuk_c, mus_c, _ = _targets(
        panel=panel,
        rows=rows,
        back=0,
        models=by_grade,
        knots=knots,
        cutscores=cutscores,
        years=years,
    )
    lv_l, cuk_l, mus_l, hz_l = _targets(
        panel=panel,
        rows=rows,
        back=1,
        models=by_grade,
        knots=knots,
        cutscores=cutscores,
        years=years,
    )
    has_sgp = sgp > 0

    def text(values: NDArray[np.str_], valid: NDArray[np.bool_]) -> pa.Array:
        return pa.array(values.astype(str), pa.string(), mask=~valid)

    def ints(v: NDArray[np.int64], valid: NDArray[np.bool_]) -> pa.Array:
        return pa.array(v, pa.int64(), mask=~valid)

    # lagged statuses, judged on this year's SGP (SGP's combineSGP conventions)
    lag_ok = has_sgp & (cuk_l > 0)
    met = sgp >= cuk_l
    catching = lv_l < prof
    now_prof = level_now >= prof
    last = hz_l <= 1
    cuk_yes = np.where(catching, met | now_prof, met & now_prof)
    cuk_yes = np.where(catching & last & ~now_prof, False, cuk_yes)
    cuk_status = np.where(
        catching,
        np.where(cuk_yes, "Catch Up: Yes", "Catch Up: No"),
        np.where(cuk_yes, "Keep Up: Yes", "Keep Up: No"),
    )
    mus_ok = has_sgp & (mus_l > 0) & (lv_l >= prof)
    moving = lv_l < top
    mus_met = sgp >= mus_l
    mus_yes = np.where(
        moving,
        (mus_met & ~(last & (level_now <= lv_l))) | (level_now > lv_l),
        mus_met & (level_now >= top),
    )
    mus_status = np.where(
        moving,
        np.where(mus_yes, "Move Up: Yes", "Move Up: No"),
        np.where(mus_yes, "Stay Up: Yes", "Stay Up: No"),
    )
    cur_cuk_ok = cuk_c > 0
    cur_mus_ok = (mus_c > 0) & (lv_c >= prof)
    y = years
    return {
        "achievement_level": text(labels[np.clip(level_now, 0, top)], level_now >= 0),
        f"sgp_target_{y}_year": ints(cuk_l, lag_ok),
        "catch_up_keep_up_status_initial": text(
            np.where(catching, "Catching Up", "Keeping Up"), lag_ok
        ),
        "catch_up_keep_up_status": text(cuk_status, lag_ok),
        "adequate_growth": pa.array(cuk_yes, pa.bool_(), mask=~lag_ok),
        f"sgp_target_move_up_stay_up_{y}_year": ints(mus_l, mus_ok),
        "move_up_stay_up_status_initial": text(np.where(moving, "Moving Up", "Staying Up"), mus_ok),
        "move_up_stay_up_status": text(mus_status, mus_ok),
        f"sgp_target_{y}_year_current": ints(cuk_c, cur_cuk_ok),
        "catch_up_keep_up_status_initial_current": text(
            np.where(lv_c < prof, "Catching Up", "Keeping Up"), cur_cuk_ok
        ),
        f"sgp_target_move_up_stay_up_{y}_year_current": ints(mus_c, cur_mus_ok),
        "move_up_stay_up_status_initial_current": text(
            np.where(lv_c < top, "Moving Up", "Staying Up"), cur_mus_ok
        ),
    }
