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
   determined, so one more cell is suppressed next to it, and the check runs again.

The procedure is deterministic (ties broken by cell order), so equal inputs suppress equally.
"""

from __future__ import annotations

from dataclasses import dataclass

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


def relation_matrix(*, rows: IntArray, cols: IntArray, coefs: NDArray[np.float64],
                    n_relations: int, n_cells: int) -> sp.csr_matrix:
    """The relation matrix from COO triples (one row per relation)."""
    return sp.csr_matrix((coefs, (rows, cols)), shape=(n_relations, n_cells))


def suppress(*, n: IntArray, published: BoolArray, relations: sp.csr_matrix, min_n: int,
             stats: SuppressionStats | None = None) -> BoolArray:
    """Which published cells to suppress. See the module docstring for the guarantee."""
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
    safe: set[bytes] = set()  # groups of unknown cells already checked and found safe
    while True:
        stats.rounds += 1
        added = _local_rule(A_abs, n, published, sup, virtual_unknown, virtual_protected)
        if added:
            stats.local_rule += added
            continue
        added = _rank_rule(A_signed, A_abs, A_csc, n, published, sup, virtual_unknown,
                           virtual_protected, stats, safe)
        if added:
            stats.rank_rule += added
            continue
        return sup


def _candidates(n: IntArray, published: BoolArray, sup: BoolArray) -> BoolArray:
    return published & ~sup & (n > 0)


def _local_rule(A_abs: sp.csr_matrix, n: IntArray, published: BoolArray, sup: BoolArray,
                virtual_unknown: BoolArray, virtual_protected: BoolArray) -> int:
    total = 0
    while True:
        unknown = sup | virtual_unknown
        protected = sup | virtual_protected
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
    protected_mask = sup | virtual_protected
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
