"""Numerator cover: hidden cells' numerators against a reader who uses rounding intervals.

Decision 0009. ``suppression.suppress`` protects the *counts*. A published percent is exact
enough to give its numerator away: 8.0% of 25 students is 2 students and nothing else, and
through a page's partition (all students = the race groups + those with no race on file) or a
district = its schools, published numerators pin the hidden groups' numerators ("none of the
hidden students is proficient"). This module decides which published percents to hide (the
count stays published) so that every hidden cell's numerator keeps at least ``min(3, n + 1)``
possible integer values, ``n`` its true count.

The reader's knowledge of one numerator family (one metric's ``x`` over its population's
cells), the counts held at their true values (a subset of what the reader must consider, so
ranges found here are ranges of the reader's whole system):

* ``0 <= x <= n`` for every cell;
* a published percent ``v`` of ``n``: the integers ``x`` with ``round1(100 x / n) == v``;
* a hidden percent whose level (rating) stays published: the integers whose value falls in
  that level's band;
* the relations of the counts, ``x_parent = sum(x_children)``.

Method, per round: interval propagation over the relations to a fixed point (outer bounds:
a target narrower than required there is narrow); a connected group of free cells whose
relations form a tree has exact bounds from propagation (relations are sums with
coefficients +-1), so its targets are settled without a solver; only the targets of groups
with cycles that propagation leaves wide are certified with HiGHS (the relaxation kept warm,
integral vertices; ``milp`` otherwise). Each group with a narrow target gets one more percent
hidden next to it (unrated cells first, then the smallest count) and the round repeats.
Hiding more only widens ranges, so a certified target is never checked again.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from numpy.typing import NDArray
from scipy.sparse.csgraph import connected_components

from .suppression import BoolArray, IntArray, SuppressionStats, _group, _Program


@dataclass
class NumeratorStats:
    targets: int = 0
    hidden: int = 0
    hidden_rated: int = 0
    rounds: int = 0
    propagation_passes: int = 0
    tree_groups: int = 0
    solver_groups: int = 0
    programs: int = 0
    #: targets left narrow because no percent was left to hide next to them
    unresolved: int = 0
    #: targets that published levels pin whatever percents are hidden (decision 0009)
    pinned_by_levels: int = 0


def round1(v: NDArray[np.float64]) -> NDArray[np.float64]:
    """Round half away from zero to one decimal (as ``compute._round1``)."""
    out = np.sign(v) * np.floor(np.abs(v) * 10.0 + 0.5 + 1e-9) / 10.0
    return out + 0.0


def _percent(x: IntArray, n: IntArray) -> NDArray[np.float64]:
    with np.errstate(divide="ignore", invalid="ignore"):
        return round1(100.0 * x / np.maximum(n, 1))


def rounding_box(n: IntArray, value: NDArray[np.float64]) -> tuple[IntArray, IntArray]:
    """The integers ``x`` in ``[0, n]`` whose percent of ``n`` rounds to ``value`` (one
    decimal), as ``[lo, hi]``; where ``value`` is NaN, ``[0, n]``."""
    n = np.asarray(n, dtype=np.int64)
    ok = ~np.isnan(value)
    v = np.where(ok, value, 0.0)
    lo = np.floor((v - 0.05) * n / 100.0).astype(np.int64) - 1
    hi = np.ceil((v + 0.05) * n / 100.0).astype(np.int64) + 1
    lo, hi = np.clip(lo, 0, n), np.clip(hi, 0, n)
    for _ in range(4):  # move each end inside: at most a few steps from the estimate
        bad = ok & (lo < hi) & (_percent(lo, n) < v)
        lo = np.where(bad, lo + 1, lo)
        bad = ok & (hi > lo) & (_percent(hi, n) > v)
        hi = np.where(bad, hi - 1, hi)
    return np.where(ok, lo, 0), np.where(ok, hi, n)


def band_box(n: IntArray, low_cut: NDArray[np.float64], high_cut: NDArray[np.float64]
             ) -> tuple[IntArray, IntArray]:
    """The integers ``x`` in ``[0, n]`` whose rounded percent ``v`` has ``low_cut <= v <
    high_cut`` (a level's band; NaN: no such end), as ``[lo, hi]``."""
    n = np.asarray(n, dtype=np.int64)
    lo = np.zeros(n.size, dtype=np.int64)
    hi = n.copy()
    has_lo = ~np.isnan(low_cut)
    if has_lo.any():
        c = np.where(has_lo, low_cut, 0.0)
        est = np.clip(np.floor((c - 0.05) * n / 100.0).astype(np.int64) - 1, 0, n)
        for _ in range(4):
            est = np.where(has_lo & (est < n) & (_percent(est, n) < c), est + 1, est)
        lo = np.where(has_lo, est, lo)
    has_hi = ~np.isnan(high_cut)
    if has_hi.any():
        c = np.where(has_hi, high_cut, np.inf)
        est = np.clip(np.ceil((np.where(has_hi, c, 0.0) - 0.05) * n / 100.0).astype(np.int64)
                      + 1, 0, n)
        for _ in range(4):
            est = np.where(has_hi & (est > 0) & (_percent(est, n) >= c), est - 1, est)
        hi = np.where(has_hi, est, hi)
    return lo, hi


def protect_numerators(*, n: IntArray, x: IntArray, relations: sp.csr_matrix,
                       lo: IntArray, hi: IntArray, hidden_lo: IntArray, hidden_hi: IntArray,
                       targets: BoolArray, coverable: BoolArray, rated: BoolArray,
                       min_range: int = 3, stats: NumeratorStats | None = None) -> BoolArray:
    """Which published percents to hide, for one numerator family.

    ``n``, ``x``: true counts and numerators per cell. ``relations``: the count relations over
    these cells (``x`` satisfies them). ``lo``, ``hi``: what the reader knows of each ``x`` as
    published now (a published percent: its rounding interval; else ``[0, n]``);
    ``hidden_lo``, ``hidden_hi``: what the reader would know were the cell's percent hidden
    (``[0, n]``, or its level's band where its level stays published). ``targets``: the hidden
    cells whose numerator must keep ``min(min_range, n + 1)`` values. ``coverable``: the cells
    whose percent may be hidden; ``rated``: those whose percent carries a published level
    (hidden only where no unrated cell can give the cover).
    """
    stats = stats if stats is not None else NumeratorStats()
    n = np.asarray(n, dtype=np.int64)
    x = np.asarray(x, dtype=np.int64)
    lo = np.minimum(np.asarray(lo, dtype=np.int64), x)
    hi = np.maximum(np.asarray(hi, dtype=np.int64), x)
    hidden_lo = np.minimum(np.asarray(hidden_lo, dtype=np.int64), x)
    hidden_hi = np.maximum(np.asarray(hidden_hi, dtype=np.int64), x)
    targets = np.asarray(targets, dtype=bool) & (n > 0)
    cand = np.asarray(coverable, dtype=bool) & ((hidden_lo < lo) | (hidden_hi > hi))
    rated = np.asarray(rated, dtype=bool)
    hide = np.zeros(n.size, dtype=bool)
    stats.targets += int(targets.sum())
    need = np.minimum(min_range - 1, n)
    R = relations.tocsr()
    R.eliminate_zeros()
    unit = bool(R.nnz == 0 or np.all(np.abs(R.data) == 1.0))
    R_csc = R.tocsc()
    certified = np.zeros(n.size, dtype=bool)
    # targets narrow even with every coverable percent hidden (a published level pins them:
    # all students 0.0% suspended, "exemplary", leaves every group at 0): no cover can help,
    # and the policy keeps levels published, so they are counted, not covered
    # (the hidden cells' numerators unbounded above: the reader does not know their counts,
    # and a target this check leaves narrow with counts at their true values may still be
    # covered for a reader who must allow other counts)
    a_hi0 = np.where(cand, hidden_hi, hi)
    a_hi0 = np.where(targets, max(int(n.sum()), 1), a_hi0)
    a_lo, a_hi = _propagate(R, np.where(cand, hidden_lo, lo), a_hi0, stats)
    gave_up = targets & (a_hi - a_lo < need)
    stats.pinned_by_levels += int(gave_up.sum())
    while True:
        stats.rounds += 1
        open_ = targets & ~certified & ~gave_up
        if not open_.any():
            break
        p_lo, p_hi = _propagate(R, lo, hi, stats)
        narrow = open_ & (p_hi - p_lo < need)
        wide = open_ & ~narrow
        if wide.any():
            ok, bad = _check(R, R_csc, x, p_lo, p_hi, wide, need, unit, stats)
            certified |= ok
            narrow |= bad
        if not narrow.any():
            break
        # one more hidden percent per narrow cell and round, for narrow cells whose relations
        # no cover of this round touched yet (a cover moves the bounds around it); groups on
        # the boxes, not the propagated bounds: a cell whose percent is hidden but that the
        # relations pin (all students, fixed by a flag pair) still leads to the percents that
        # pin it
        label = _labels(R, (lo < hi) | narrow)
        members_of: dict[int, IntArray] | None = None
        avail = cand & ~hide
        touched = np.zeros(R.shape[0], dtype=bool)
        added = 0
        for j in np.flatnonzero(narrow).tolist():
            rels_j = R_csc.indices[R_csc.indptr[j]:R_csc.indptr[j + 1]]
            if touched[rels_j].any():
                continue
            # the way x_j lacks room: up (it is below its count) or down (above 0)
            up = bool(p_hi[j] - x[j] < need[j] and x[j] < n[j])
            down = bool(x[j] - p_lo[j] < need[j] and x[j] > 0)
            best = _cover(R, R_csc, n, avail, rated, [j],
                          direction=(j, up, down, x, hidden_lo, hidden_hi))
            if best is None:
                if members_of is None:
                    order = np.argsort(label, kind="stable")
                    keys, starts = np.unique(label[order], return_index=True)
                    ends = np.append(starts[1:], order.size)
                    members_of = {int(k): order[a:b] for k, a, b in zip(
                        keys.tolist(), starts.tolist(), ends.tolist(), strict=True)}
                best = _cover_group(R, R_csc, n, avail, rated, members_of[int(label[j])])
            if best is None:
                gave_up[j] = True
                stats.unresolved += 1
                continue
            hide[best] = True
            avail[best] = False
            lo[best], hi[best] = hidden_lo[best], hidden_hi[best]
            touched[rels_j] = True
            touched[R_csc.indices[R_csc.indptr[best]:R_csc.indptr[best + 1]]] = True
            added += 1
            stats.hidden += 1
            stats.hidden_rated += int(rated[best])
        if not added and not (targets & ~certified & ~gave_up & ~narrow).any():
            break
    return hide


def _propagate(R: sp.csr_matrix, lo: IntArray, hi: IntArray, stats: NumeratorStats,
               max_passes: int = 200) -> tuple[IntArray, IntArray]:
    """Bounds consistency of ``R x = 0`` with ``lo <= x <= hi`` (outer bounds of each ``x``).

    Every relation moves each of its cells into what the others allow; to a fixed point."""
    lo, hi = lo.copy(), hi.copy()
    coo = R.tocoo()
    rows, cols, c = coo.row, coo.col, coo.data
    if rows.size == 0:
        return lo, hi
    pos = c > 0
    active = np.ones(R.shape[0], dtype=bool)
    for _ in range(max_passes):
        stats.propagation_passes += 1
        e = active[rows]
        r, k, cc, pp = rows[e], cols[e], c[e], pos[e]
        t_lo = np.where(pp, cc * lo[k], cc * hi[k])
        t_hi = np.where(pp, cc * hi[k], cc * lo[k])
        s_lo = np.bincount(r, weights=t_lo, minlength=R.shape[0])
        s_hi = np.bincount(r, weights=t_hi, minlength=R.shape[0])
        # c_k x_k in [-(s_hi - t_hi), -(s_lo - t_lo)]
        a = -(s_hi[r] - t_hi)
        b = -(s_lo[r] - t_lo)
        new_lo = np.where(pp, np.ceil(a / cc - 1e-9), np.ceil(b / cc - 1e-9)).astype(np.int64)
        new_hi = np.where(pp, np.floor(b / cc + 1e-9), np.floor(a / cc + 1e-9)).astype(np.int64)
        cand_lo = lo.copy()
        np.maximum.at(cand_lo, k, new_lo)
        cand_hi = hi.copy()
        np.minimum.at(cand_hi, k, new_hi)
        changed = (cand_lo != lo) | (cand_hi != hi)
        if not changed.any():
            break
        lo, hi = cand_lo, cand_hi
        # next pass: only the relations of the cells that moved
        moved = np.flatnonzero(changed)
        active = np.zeros(R.shape[0], dtype=bool)
        active[np.unique(rows[np.isin(cols, moved)])] = True
    return lo, hi


def _labels(R: sp.csr_matrix, free: BoolArray) -> IntArray:
    """Connected groups of the ``free`` cells through relations (other cells: own labels)."""
    k = R.shape[1]
    coo = R.tocoo()
    keep = free[coo.col]
    r, c = coo.row[keep], coo.col[keep]
    m = R.shape[0]
    graph = sp.coo_matrix((np.ones(r.size), (r, c + m)), shape=(m + k, m + k))
    _, labels = connected_components(graph, directed=False)
    return np.asarray(labels[m:], dtype=np.int64)


def _check(R: sp.csr_matrix, R_csc: sp.csc_matrix, x: IntArray, lo: IntArray, hi: IntArray,
           wide: BoolArray, need: IntArray, unit: bool, stats: NumeratorStats
           ) -> tuple[BoolArray, BoolArray]:
    """Targets in ``wide`` (wide enough on propagated bounds) that are wide indeed (certified)
    and those that are narrow. Tree-shaped groups: the propagated bounds are exact. Others:
    HiGHS on the group."""
    ok = np.zeros(x.size, dtype=bool)
    bad = np.zeros(x.size, dtype=bool)
    free = lo < hi
    fidx = np.flatnonzero(free)
    coo = R[:, fidx].tocoo()
    rows_used, row_local = np.unique(coo.row, return_inverse=True)
    n_r, n_f = rows_used.size, fidx.size
    if n_f == 0:
        return ok, wide.copy()
    graph = sp.coo_matrix((np.ones(coo.nnz), (row_local, coo.col + n_r)),
                          shape=(n_r + n_f, n_r + n_f))
    n_comp, labels = connected_components(graph, directed=False)
    cell_label = labels[n_r:]
    row_label = labels[:n_r]
    rows_n = np.bincount(row_label, minlength=n_comp)
    cells_n = np.bincount(cell_label, minlength=n_comp)
    edges = np.bincount(row_label[row_local], minlength=n_comp)
    tree = (edges == rows_n + cells_n - 1) & unit
    wide_f = wide[fidx]
    has = np.zeros(n_comp, dtype=bool)
    has[cell_label[wide_f]] = True
    # tree groups: exact
    in_tree = wide_f & tree[cell_label]
    ok[fidx[in_tree]] = True
    stats.tree_groups += int((has & tree).sum())
    todo = np.flatnonzero(has & ~tree)
    if todo.size == 0:
        return ok, bad
    cells_by = _group(cell_label, n_comp)
    rows_by = _group(row_label, n_comp)
    R_rows = R.tocsr()
    sstats = SuppressionStats()
    for comp in todo.tolist():
        stats.solver_groups += 1
        cells = fidx[cells_by[comp]]
        rels = rows_used[rows_by[comp]]
        M = R_rows[rels][:, cells].toarray()
        b = M @ x[cells].astype(float)
        program = _Program(M, b, lo[cells].astype(float), hi[cells].astype(float), sstats)
        mine = wide[cells]
        lo_v = x[cells].copy()
        hi_v = x[cells].copy()
        nd = need[cells]

        def note(c: NDArray[np.float64], program: _Program = program, lo_v: IntArray = lo_v,
                 hi_v: IntArray = hi_v) -> None:
            sol = program.solve(c)
            if sol is not None:
                np.minimum(lo_v, sol, out=lo_v)
                np.maximum(hi_v, sol, out=hi_v)

        rng = np.random.default_rng(cells.size)
        for _ in range(4):
            open_ = mine & (hi_v - lo_v < nd)
            if int(open_.sum()) <= 1:
                break
            w = np.where(open_, rng.choice([-1.0, 1.0], cells.size)
                         * rng.uniform(0.5, 1.5, cells.size), 0.0)
            note(w)
            note(-w)
        for j in np.flatnonzero(mine).tolist():
            for sign in (-1.0, 1.0):
                if hi_v[j] - lo_v[j] >= nd[j]:
                    break
                e = np.zeros(cells.size)
                e[j] = sign
                note(e)
            if hi_v[j] - lo_v[j] >= nd[j]:
                ok[cells[j]] = True
            else:
                bad[cells[j]] = True
    stats.programs += sstats.bound_programs
    return ok, bad


def _cover_group(R: sp.csr_matrix, R_csc: sp.csc_matrix, n: IntArray, avail: BoolArray,
                 rated: BoolArray, members: IntArray) -> int | None:
    """The cell whose percent to hide in the relations of a whole group (``members``): an
    unrated one before a rated one, then the smallest count, then the first."""
    rows = np.unique(R_csc[:, members].tocoo().row)
    if rows.size == 0:
        return None
    cols = np.unique(R[rows].indices)
    cols = cols[avail[cols]]
    if cols.size == 0:
        return None
    best = np.lexsort((cols, n[cols], rated[cols].astype(np.int64)))[0]
    return int(cols[best])


def _cover(R: sp.csr_matrix, R_csc: sp.csc_matrix, n: IntArray, cand: BoolArray,
           rated: BoolArray, cells: list[int],
           direction: tuple[int, bool, bool, IntArray, IntArray, IntArray] | None = None
           ) -> int | None:
    """The cell whose percent to hide next to ``cells``: in their relations, one that would
    give the narrow cell room in the way it lacks (``direction``: the cell, whether it must
    rise, fall, and the numerators' values and hidden boxes), an unrated one before a rated
    one, then the smallest count (ties: the first cell)."""
    best: tuple[int, int, int, int] | None = None
    for cell in cells:
        for r in R_csc.indices[R_csc.indptr[cell]:R_csc.indptr[cell + 1]].tolist():
            lo_, hi_ = R.indptr[r], R.indptr[r + 1]
            cols, coef = R.indices[lo_:hi_], R.data[lo_:hi_]
            keep = cand[cols]
            for col, ck in zip(cols[keep].tolist(), coef[keep].tolist(), strict=True):
                useless = 0
                if direction is not None:
                    j, up, down, x, h_lo, h_hi = direction
                    cj = float(R.data[lo_:hi_][cols == j][0]) if (cols == j).any() else 1.0
                    same = cj * ck > 0  # x_j up moves x_col down
                    room_down, room_up = x[col] - h_lo[col], h_hi[col] - x[col]
                    helps = ((up and (room_down if same else room_up) > 0)
                             or (down and (room_up if same else room_down) > 0))
                    useless = int(not helps)
                key = (useless, int(rated[col]), int(n[col]), int(col))
                if best is None or key < best:
                    best = key
    return None if best is None else best[3]
