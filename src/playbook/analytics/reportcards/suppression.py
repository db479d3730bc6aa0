"""Small-cell suppression with complementary suppression that survives linear arithmetic.

The problem is stated on *cells* (a count ``n`` of students, with additive amounts such as the
number proficient or days present that follow the same structure) and *relations*: exact linear
equations between cells that a reader of the published file knows, ``parent - sum(children) =
0`` (all students = the race groups + those with no race on file; a district = its schools; a
provider = its models when no student uses two of them). Some cells are *virtual*: never
published (the students with no demographics on file, a subgroup the framework does not
report) but still part of a relation.

A cell is *known* to the reader when it is published and not suppressed, or when it is zero (a
conservative assumption: the reader may know a group is empty). Everything else is unknown.

Guarantee: no suppressed cell, and no virtual cell under the minimum n, is determined by the
published cells and the relations, i.e. its unit vector is not in the row space of the relation
matrix restricted to the unknown cells. The same holds for every additive amount (numerators),
because they share the cells and the relations. Method:

1. primary suppression: published cells with ``0 < n < min_n``;
2. the local rule, to a fixed point: a relation with exactly one unknown cell, which needs
   protecting, gets a second one: its smallest known non-zero published cell is suppressed;
3. the exact check: for each connected group of unknown cells the null space of its relation
   matrix is computed (SVD); a protected cell whose row of the null-space basis is zero is
   determined, so one more cell is suppressed next to it, and the check runs again;
4. the bound check (decision 0008): equations are not all a reader knows. Counts are
   non-negative integers, and a suppressed cell the policy never hides as a zero holds at
   least one student. For each connected group of unknown cells, integer programs (HiGHS,
   through ``scipy.optimize.milp``) give each protected cell's smallest and largest value
   consistent with everything published; a cell whose range holds fewer than ``min_range``
   integers gets one more cell suppressed next to it, and the checks run again.

Zeros (decision 0008): in a relation marked ``zero_follow`` (a page's subgroup partitions) that
holds an unknown cell, the published zero cells are suppressed too, so that a suppressed cell
may hold no student at all and the reader cannot assume one. A suppressed zero that the bounds
pin at zero anyway (the group is empty whatever is hidden) is published as 0 again: that
changes nothing a reader can derive.

The procedure is deterministic (ties broken by cell order), so equal inputs suppress equally.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import scipy.sparse as sp
from numpy.typing import NDArray
from scipy.sparse.csgraph import connected_components

BoolArray = NDArray[np.bool_]
IntArray = NDArray[np.int64]


@dataclass
class SuppressionStats:
    primary: int = 0
    local_rule: int = 0
    rank_rule: int = 0
    rounds: int = 0
    groups_checked: int = 0
    zeros: int = 0
    bound_rule: int = 0
    bound_groups: int = 0
    bound_programs: int = 0
    #: protected cells whose range stayed too narrow because no cell was left to suppress
    unresolved: int = 0


def relation_matrix(*, rows: IntArray, cols: IntArray, coefs: NDArray[np.float64],
                    n_relations: int, n_cells: int) -> sp.csr_matrix:
    """The relation matrix from COO triples (one row per relation)."""
    return sp.csr_matrix((coefs, (rows, cols)), shape=(n_relations, n_cells))


def suppress(*, n: IntArray, published: BoolArray, relations: sp.csr_matrix, min_n: int,
             stats: SuppressionStats | None = None, zero_follow: BoolArray | None = None,
             min_range: int = 3, bounds: bool = True) -> BoolArray:
    """Which published cells to suppress. See the module docstring for the guarantee.

    ``zero_follow``: per relation, whether its published zeros are suppressed with its other
    unknown cells (a page's subgroup partitions; None: none). ``min_range``: how many integer
    values each protected cell's feasible range must hold (the bound check; ``bounds=False``
    leaves it out, giving the equation-only guarantee).
    """
    stats = stats if stats is not None else SuppressionStats()
    n = np.asarray(n, dtype=np.int64)
    published = np.asarray(published, dtype=bool)
    nonzero = n > 0
    sup = published & nonzero & (n < min_n)
    stats.primary = int(sup.sum())
    virtual_unknown = ~published & nonzero
    virtual_protected = virtual_unknown & (n < min_n)
    A_signed = relations.tocsc()
    A_abs = abs(relations).astype(bool).astype(np.int32).tocsr()
    A_csc = A_abs.tocsc()
    follow = (np.zeros(relations.shape[0], dtype=bool) if zero_follow is None
              else np.asarray(zero_follow, dtype=bool))
    F = relations.tocsr()[follow]
    # a reader's lower bound for a hidden cell: 0 where the policy may hide a zero (a child of
    # a zero-following relation) and for cells never published, else 1 (at least one student)
    may_be_zero = np.zeros(n.size, dtype=bool)
    if F.nnz:
        may_be_zero[np.unique(F.tocoo().col[F.tocoo().data < 0])] = True
    lower = np.where(~published | may_be_zero, 0, np.minimum(n, 1)).astype(np.int64)
    F_abs = abs(F).astype(bool).astype(np.int32).tocsr()
    F_parent_nonzero = (F.multiply(F > 0) @ n.astype(float)) > 0
    kept_zero = np.zeros(n.size, dtype=bool)  # zeros published again: pinned at 0 anyway
    gave_up = np.zeros(n.size, dtype=bool)
    certified = np.zeros(n.size, dtype=bool)  # cells shown to have a wide enough range
    safe: set[bytes] = set()  # groups of unknown cells already checked and found safe
    while True:
        stats.rounds += 1
        added = _zero_rule(F_abs, F_parent_nonzero, n, published, sup, virtual_unknown,
                           kept_zero, may_be_zero)
        if added:
            stats.zeros += added
        added = _local_rule(A_abs, n, published, sup, virtual_unknown, virtual_protected)
        if added:
            stats.local_rule += added
            continue
        added = _rank_rule(A_signed, A_abs, A_csc, n, published, sup, virtual_unknown,
                           virtual_protected, stats, safe)
        if added:
            stats.rank_rule += added
            continue
        if bounds:
            added = _bound_rule(A_signed, A_abs, A_csc, n, published, sup, virtual_unknown,
                                virtual_protected, lower, kept_zero, gave_up, certified,
                                min_range, stats)
            if added:
                stats.bound_rule += added
                continue
        stats.zeros = int((sup & ~nonzero).sum())
        return sup


def _zero_rule(F_abs: sp.csr_matrix, parent_nonzero: BoolArray, n: IntArray,
               published: BoolArray, sup: BoolArray, virtual_unknown: BoolArray,
               kept_zero: BoolArray, may_be_zero: BoolArray) -> int:
    """Suppress the published zeros of every zero-following relation that holds an unknown
    cell and has students (its parent is not empty); to a fixed point."""
    if F_abs.shape[0] == 0:
        return 0
    total = 0
    zeros = published & (n == 0) & may_be_zero & ~kept_zero
    while True:
        unknown = (sup | virtual_unknown).astype(np.int32)
        rows = ((F_abs @ unknown) > 0) & parent_nonzero
        if not rows.any():
            return total
        touched = (F_abs[rows].T @ np.ones(int(rows.sum()), dtype=np.int32)) > 0
        new = touched & zeros & ~sup
        if not new.any():
            return total
        sup[new] = True
        total += int(new.sum())


def _candidates(n: IntArray, published: BoolArray, sup: BoolArray) -> BoolArray:
    return published & ~sup & (n > 0)


def _local_rule(A_abs: sp.csr_matrix, n: IntArray, published: BoolArray, sup: BoolArray,
                virtual_unknown: BoolArray, virtual_protected: BoolArray) -> int:
    total = 0
    while True:
        unknown = sup | virtual_unknown
        protected = (sup & (n > 0)) | virtual_protected  # a hidden zero is cover, not a secret
        cnt_u = A_abs @ unknown.astype(np.int32)
        cnt_p = A_abs @ protected.astype(np.int32)
        need = np.flatnonzero((cnt_u == 1) & (cnt_p == 1))
        if need.size == 0:
            return total
        sub = A_abs[need].tocoo()
        cand = _candidates(n, published, sup)
        keep = cand[sub.col]
        rel = sub.row[keep]
        cell = sub.col[keep]
        if rel.size == 0:
            return total
        order = np.lexsort((cell, n[cell], rel))
        rel, cell = rel[order], cell[order]
        first = np.ones(rel.size, dtype=bool)
        first[1:] = rel[1:] != rel[:-1]
        picks = np.unique(cell[first])
        picks = picks[~sup[picks]]
        if picks.size == 0:
            return total
        sup[picks] = True
        total += int(picks.size)


def _rank_rule(A: sp.csc_matrix, A_abs: sp.csr_matrix, A_csc: sp.csc_matrix, n: IntArray,
               published: BoolArray, sup: BoolArray, virtual_unknown: BoolArray,
               virtual_protected: BoolArray, stats: SuppressionStats, safe: set[bytes]
               ) -> int:
    unknown = np.flatnonzero(sup | virtual_unknown)
    if unknown.size == 0:
        return 0
    protected_mask = (sup & (n > 0)) | virtual_protected
    coo = A[:, unknown].tocoo()  # A is CSC: cheap column selection
    rows_used, row_local = np.unique(coo.row, return_inverse=True)
    if rows_used.size == 0:
        return 0
    n_r, n_u = rows_used.size, unknown.size
    # bipartite graph: relations (0..n_r-1) and unknown cells (n_r..)
    graph = sp.coo_matrix((np.ones(coo.nnz), (row_local, coo.col + n_r)),
                          shape=(n_r + n_u, n_r + n_u))
    n_comp, labels = connected_components(graph, directed=False)
    cell_label = labels[n_r:]
    row_label = labels[:n_r]
    prot_u = protected_mask[unknown]
    comps_with_prot = np.zeros(n_comp, dtype=bool)
    comps_with_prot[cell_label[prot_u]] = True
    row_counts = np.bincount(row_label, minlength=n_comp)
    cell_counts = np.bincount(cell_label, minlength=n_comp)
    edge_comp = row_label[row_local]
    edges = np.bincount(edge_comp, minlength=n_comp)
    unknowns_in_row = np.bincount(row_local, minlength=n_r)
    min_row = np.full(n_comp, np.iinfo(np.int64).max)
    np.minimum.at(min_row, row_label, unknowns_in_row)
    # A group whose relations and cells form a tree, with two or more unknown cells in every
    # relation, determines none of them (each can move, its neighbours compensating).
    tree_safe = (edges == row_counts + cell_counts - 1) & (min_row >= 2)
    todo = np.flatnonzero(comps_with_prot & (row_counts > 0) & ~tree_safe)
    if todo.size == 0:
        return 0
    # local positions of rows and cells inside their group, and the entries by group
    row_pos = _positions(row_label)
    cell_pos = _positions(cell_label)
    order = np.argsort(edge_comp, kind="stable")
    bounds = np.searchsorted(edge_comp[order], np.arange(n_comp + 1))
    cells_by = _group(cell_label, n_comp)
    determined: list[tuple[int, int]] = []
    for c in todo.tolist():
        c_idx = cells_by[c]
        key = np.sort(unknown[c_idx]).tobytes()
        if key in safe:
            continue  # same unknown cells as a group found safe before: same equations
        stats.groups_checked += 1
        e = order[bounds[c]:bounds[c + 1]]
        M = np.zeros((row_counts[c], cell_counts[c]))
        M[row_pos[row_local[e]], cell_pos[coo.col[e]]] = coo.data[e]
        det = _determined(M)[cell_pos[c_idx]]
        bad = np.flatnonzero(det & prot_u[c_idx])
        if bad.size == 0:
            safe.add(key)
        for j in bad:
            determined.append((int(unknown[c_idx[j]]), int(c)))
    if not determined:
        return 0
    added = 0
    cand = _candidates(n, published, sup)
    done_comps: set[int] = set()
    for cell, comp in determined:
        # first the relations of the determined cell, then those of its whole group
        best = _smallest_candidate(A_abs, A_csc, n, cand, [cell])
        if best is None:
            if comp in done_comps:
                continue
            best = _smallest_candidate(A_abs, A_csc, n, cand,
                                       unknown[cells_by[comp]].tolist())
        if best is None:
            raise RuntimeError("complementary suppression found no cell to suppress next to "
                               "a determined cell")
        sup[best] = True
        cand[best] = False
        done_comps.add(comp)
        added += 1
    return added


def _bound_rule(A: sp.csc_matrix, A_abs: sp.csr_matrix, A_csc: sp.csc_matrix, n: IntArray,
                published: BoolArray, sup: BoolArray, virtual_unknown: BoolArray,
                virtual_protected: BoolArray, lower: IntArray, kept_zero: BoolArray,
                gave_up: BoolArray, certified: BoolArray, min_range: int,
                stats: SuppressionStats) -> int:
    """The bound check: every hidden cell (and every virtual cell under the minimum) must have
    ``min_range`` integer values consistent with the published cells, the relations, counts
    being non-negative integers and the reader's lower bounds. A hidden zero pinned at 0 is
    published again; any other narrow cell gets one more cell suppressed next to it.

    A cell is first tried on its neighbourhood (the unknown cells of its relations, every other
    cell held at its true value): values found there are values of the whole system, so a wide
    range there is a wide range. Only the cells that stay narrow are tried on their whole group
    of unknown cells. Suppressing more only widens ranges, so a cell once shown wide stays so
    (``certified``)."""
    unknown_mask = sup | virtual_unknown
    todo = np.flatnonzero((sup | virtual_protected) & ~certified & ~gave_up)
    if todo.size == 0:
        return 0
    A_rows = A.tocsr()
    need = min_range - 1
    still = todo.tolist()
    unknown = np.flatnonzero(unknown_mask)
    coo = A[:, unknown].tocoo()
    rows_used, row_local = np.unique(coo.row, return_inverse=True)
    n_r, n_u = rows_used.size, unknown.size
    if n_r:
        graph = sp.coo_matrix((np.ones(coo.nnz), (row_local, coo.col + n_r)),
                              shape=(n_r + n_u, n_r + n_u))
        n_comp, labels = connected_components(graph, directed=False)
        cell_label = labels[n_r:]
    else:
        n_comp, cell_label = n_u, np.arange(n_u)
    cells_by = _group(cell_label, n_comp)
    pos = np.full(n.size, -1, dtype=np.int64)
    pos[unknown] = np.arange(unknown.size)
    by_comp: dict[int, list[int]] = {}
    for cell in still:
        by_comp.setdefault(int(cell_label[pos[cell]]), []).append(cell)
    narrow: list[tuple[int, int, int]] = []  # (cell, group, largest value)
    for comp, mine in sorted(by_comp.items()):
        cells = unknown[cells_by[comp]]
        stats.bound_groups += 1
        lo, hi = _ranges(A_rows, A_csc, cells, np.isin(cells, mine), n, lower, min_range,
                         stats)
        for j in np.flatnonzero(np.isin(cells, mine)).tolist():
            if hi[j] - lo[j] >= need:
                certified[cells[j]] = True
            else:
                narrow.append((int(cells[j]), comp, int(hi[j])))
    if not narrow:
        return 0
    added = 0
    cand = _candidates(n, published, sup)
    done_comps: set[int] = set()
    for cell, comp, hi_ in narrow:
        if n[cell] == 0 and published[cell] and hi_ == 0:
            sup[cell] = False  # an empty group whatever is hidden: publish its 0
            kept_zero[cell] = True
            added += 1
            continue
        if comp in done_comps:
            continue  # one more cell per group and round: the bounds move with it
        best = _smallest_candidate(A_abs, A_csc, n, cand, [cell])
        if best is None:
            best = _smallest_candidate(A_abs, A_csc, n, cand,
                                       unknown[cells_by[comp]].tolist())
        if best is None:
            gave_up[cell] = True
            stats.unresolved += 1
            continue
        sup[best] = True
        cand[best] = False
        done_comps.add(comp)
        added += 1
    return added


#: how many pairs of random objectives a group gets before one program per cell
_SPREAD = 6
#: the upper bound given to every unknown count (a count this large is "unbounded")
_BIG = 10**7


class _Program:
    """``min c.x`` over integers ``x`` with ``M x = b`` and ``lb <= x <= ub``, for many ``c``.

    The linear relaxation is solved first with HiGHS (the copy scipy ships), keeping the model
    between objectives; its optimal vertex is used when it is integral (the relations are sums,
    so it mostly is), and ``scipy.optimize.milp`` (HiGHS's branch and bound) is asked otherwise.
    """

    def __init__(self, M: NDArray[np.float64], b: NDArray[np.float64], lb: NDArray[np.float64],
                 ub: NDArray[np.float64], stats: SuppressionStats) -> None:
        self.M, self.b, self.lb, self.ub, self.stats = M, b, lb, ub, stats
        self.k = M.shape[1]
        self.highs = _highs_model(M, b, lb, ub)

    def solve(self, c: NDArray[np.float64]) -> NDArray[np.int64] | None:
        self.stats.bound_programs += 1
        if self.highs is not None:
            h, core = self.highs
            h.changeColsCost(self.k, np.arange(self.k, dtype=np.int32), c)
            h.run()
            if h.getModelStatus() == core.HighsModelStatus.kOptimal:
                x = np.asarray(h.getSolution().col_value, dtype=float)
                r = np.rint(x)
                if np.abs(x - r).max(initial=0.0) < 1e-7:
                    return r.astype(np.int64)
        return _milp(c, self.M, self.b, self.lb, self.ub)


def _milp(c: NDArray[np.float64], M: NDArray[np.float64], b: NDArray[np.float64],
          lb: NDArray[np.float64], ub: NDArray[np.float64],
          options: dict[str, Any] | None = None) -> NDArray[np.int64] | None:
    """``min c.x`` over integers with ``M x = b``, ``lb <= x <= ub`` (``scipy.optimize.milp``).

    HiGHS's MIP presolve (scipy 1.17) calls some feasible programs infeasible (on the
    50,000-student demo's numerator programs); a program it gives up on is asked again
    without presolve."""
    from scipy.optimize import Bounds, LinearConstraint, milp

    cons = LinearConstraint(M, b, b) if M.shape[0] else ()
    res = milp(c, integrality=np.ones(M.shape[1]), bounds=Bounds(lb, ub), constraints=cons,
               options=options)
    if res.x is None:
        res = milp(c, integrality=np.ones(M.shape[1]), bounds=Bounds(lb, ub), constraints=cons,
                   options={**(options or {}), "presolve": False})
    return None if res.x is None else np.rint(res.x).astype(np.int64)


def _highs_model(M: NDArray[np.float64], b: NDArray[np.float64], lb: NDArray[np.float64],
                 ub: NDArray[np.float64]) -> tuple[Any, Any] | None:
    """A HiGHS model of the relaxation through the bindings scipy ships (private to scipy, so
    any failure falls back to ``milp``, the public interface, for every program)."""
    try:
        from scipy.optimize._highspy import _core as core

        h = core._Highs()
        h.setOptionValue("output_flag", False)
        lp = core.HighsLp()
        m, k = M.shape
        A = sp.csc_matrix(M)
        lp.num_col_, lp.num_row_ = k, m
        lp.col_cost_ = np.zeros(k)
        lp.col_lower_, lp.col_upper_ = lb, ub
        lp.row_lower_, lp.row_upper_ = b, b
        lp.a_matrix_.format_ = core.MatrixFormat.kColwise
        lp.a_matrix_.start_ = A.indptr
        lp.a_matrix_.index_ = A.indices
        lp.a_matrix_.value_ = A.data
        lp.a_matrix_.num_col_, lp.a_matrix_.num_row_ = k, m
        h.passModel(lp)
        return h, core
    except Exception:  # scipy's private bindings changed: use milp
        return None


def _ranges(A_rows: sp.csr_matrix, A_csc: sp.csc_matrix, cells: IntArray, prot: BoolArray,
            n: IntArray, lower: IntArray, min_range: int, stats: SuppressionStats,
            spread: bool = True) -> tuple[IntArray, IntArray]:
    """Smallest and largest integer value of each of ``cells`` (the others held at their true
    values), as far as needed to tell whether a ``prot`` cell's range holds ``min_range``
    values (a range already wide enough is not narrowed further). Integer programs (HiGHS)
    over the relations that touch the cells, the known cells moved to the right-hand side.
    ``spread``: two programs over all ``prot`` cells first (they settle many at once)."""
    local = {int(c): j for j, c in enumerate(cells.tolist())}
    rels = sorted({int(r) for c in cells.tolist()
                   for r in A_csc.indices[A_csc.indptr[c]:A_csc.indptr[c + 1]]})
    M = np.zeros((len(rels), cells.size))
    for i, r in enumerate(rels):
        idx = A_rows.indices[A_rows.indptr[r]:A_rows.indptr[r + 1]]
        val = A_rows.data[A_rows.indptr[r]:A_rows.indptr[r + 1]]
        for c, v in zip(idx.tolist(), val.tolist(), strict=True):
            j = local.get(c)
            if j is not None:
                M[i, j] = v
    # right-hand side: the true values satisfy every relation: M x = (M x*) for the cells,
    # the rest held where they are
    b = M @ n[cells].astype(float)
    lo = n[cells].astype(np.int64).copy()
    hi = lo.copy()
    program = _Program(M, b, lower[cells].astype(float), np.full(cells.size, float(_BIG)),
                       stats)
    need = min_range - 1

    def note(c: NDArray[np.float64]) -> None:
        x = program.solve(c)
        if x is not None:
            np.minimum(lo, x, out=lo)
            np.maximum(hi, x, out=hi)

    if spread and int(prot.sum()) > 1:
        # objectives with random signs push many cells up and others down at once
        rng = np.random.default_rng(cells.size)
        for _ in range(_SPREAD):
            open_ = prot & (hi - lo < need)
            if int(open_.sum()) <= 1:
                break
            w = np.where(open_, rng.choice([-1.0, 1.0], cells.size)
                         * rng.uniform(0.5, 1.5, cells.size), 0.0)
            note(w)
            note(-w)
    for j in np.flatnonzero(prot).tolist():
        for sign in (-1.0, 1.0):
            if hi[j] - lo[j] >= need:
                break
            e = np.zeros(cells.size)
            e[j] = sign
            note(e)
    return lo, hi


def _smallest_candidate(A_abs: sp.csr_matrix, A_csc: sp.csc_matrix, n: IntArray,
                        cand: BoolArray, cells: list[int]) -> int | None:
    best: tuple[int, int] | None = None
    for cell in cells:
        rels = A_csc.indices[A_csc.indptr[cell]:A_csc.indptr[cell + 1]]
        for r in rels:
            cols = A_abs.indices[A_abs.indptr[r]:A_abs.indptr[r + 1]]
            for col in cols[cand[cols]]:
                key = (int(n[col]), int(col))
                if best is None or key < best:
                    best = key
    return None if best is None else best[1]


def _positions(labels: IntArray) -> IntArray:
    """Each element's position among the elements with the same label (in index order)."""
    order = np.argsort(labels, kind="stable")
    sorted_labels = labels[order]
    starts = np.searchsorted(sorted_labels, sorted_labels, side="left")
    pos = np.empty(labels.size, dtype=np.int64)
    pos[order] = np.arange(labels.size) - starts
    return pos


def _group(labels: IntArray, n: int) -> list[IntArray]:
    order = np.argsort(labels, kind="stable")
    bounds = np.searchsorted(labels[order], np.arange(n + 1))
    return [order[bounds[i]:bounds[i + 1]] for i in range(n)]


def _determined(M: NDArray[np.float64]) -> BoolArray:
    """Columns (unknowns) whose value the equations ``M x = b`` fix.

    Gauss-Jordan elimination with partial pivoting (the coefficients are small integers, so
    this is exact up to rounding far below the tolerance): in the reduced row echelon form an
    unknown is fixed iff its column is a pivot column and its row has no entry in a free
    column. Plain NumPy row operations: small matrices, no multi-threaded LAPACK call.
    """
    R = np.array(M, dtype=float)
    m, k = R.shape
    tol = 1e-9
    pivots: list[int] = []
    row = 0
    for col in range(k):
        if row == m:
            break
        p = row + int(np.argmax(np.abs(R[row:, col])))
        if abs(R[p, col]) < tol:
            continue
        if p != row:
            R[[row, p]] = R[[p, row]]
        R[row] /= R[row, col]
        factors = R[:, col].copy()
        factors[row] = 0.0
        nz = np.flatnonzero(np.abs(factors) > 0.0)
        if nz.size:
            R[nz] -= np.outer(factors[nz], R[row])
        pivots.append(col)
        row += 1
    det = np.zeros(k, dtype=bool)
    if not pivots:
        return det
    free = np.ones(k, dtype=bool)
    free[pivots] = False
    det[pivots] = ~(np.abs(R[: len(pivots)][:, free]) > tol).any(axis=1)
    return det


def recoverable(*, relations: NDArray[np.float64], unknown: BoolArray) -> BoolArray:
    """For a dense relation matrix, which unknown cells the known ones determine.

    Returns a mask over all cells (False for known cells). Used by tests as the attacker.
    """
    A = np.asarray(relations, dtype=float)
    idx = np.flatnonzero(unknown)
    out = np.zeros(A.shape[1], dtype=bool)
    if idx.size == 0:
        return out
    M = A[:, idx]
    M = M[np.abs(M).sum(axis=1) > 0]
    if M.shape[0] == 0:
        return out
    out[idx] = _determined(M)
    return out
