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
    A = relations.tocsr()
    A_abs = abs(A).astype(bool).astype(np.int32).tocsr()
    A_csc = A_abs.tocsc()
    safe: set[bytes] = set()  # groups of unknown cells already checked and found safe
    while True:
        stats.rounds += 1
        added = _local_rule(A_abs, n, published, sup, virtual_unknown, virtual_protected)
        if added:
            stats.local_rule += added
            continue
        added = _rank_rule(A, A_abs, A_csc, n, published, sup, virtual_unknown,
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


def _rank_rule(A: sp.csr_matrix, A_abs: sp.csr_matrix, A_csc: sp.csc_matrix, n: IntArray,
               published: BoolArray, sup: BoolArray, virtual_unknown: BoolArray,
               virtual_protected: BoolArray, stats: SuppressionStats, safe: set[bytes]
               ) -> int:
    unknown = np.flatnonzero(sup | virtual_unknown)
    if unknown.size == 0:
        return 0
    protected_mask = sup | virtual_protected
    sub = A[:, unknown].tocsr()
    row_has = np.flatnonzero(np.diff(sub.indptr) > 0)
    if row_has.size == 0:
        return 0
    sub = sub[row_has]
    n_r, n_u = sub.shape
    # bipartite graph: relations (0..n_r-1) and unknown cells (n_r..)
    coo = sub.tocoo()
    graph = sp.coo_matrix((np.ones(coo.nnz), (coo.row, coo.col + n_r)),
                          shape=(n_r + n_u, n_r + n_u))
    n_comp, labels = connected_components(graph, directed=False)
    cell_label = labels[n_r:]
    row_label = labels[:n_r]
    prot_u = protected_mask[unknown]
    comps_with_prot = np.unique(cell_label[prot_u])
    rows_by = _group(row_label, n_comp)
    cells_by = _group(cell_label, n_comp)
    row_counts = np.bincount(row_label, minlength=n_comp)
    determined: list[tuple[int, int]] = []
    for c in comps_with_prot:
        r_idx = rows_by[c]
        if row_counts[c] == 0:
            continue  # unknown cells in no relation are free
        c_idx = cells_by[c]
        if row_counts[c] == 1 and c_idx.size >= 2:
            continue  # one equation, two or more unknowns: nothing is determined
        key = np.sort(unknown[c_idx]).tobytes()
        if key in safe:
            continue  # same unknown cells as a group found safe before: same equations
        stats.groups_checked += 1
        M = sub[r_idx][:, c_idx].toarray()
        bad = np.flatnonzero(_determined(M) & prot_u[c_idx])
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


def _group(labels: IntArray, n: int) -> list[IntArray]:
    order = np.argsort(labels, kind="stable")
    bounds = np.searchsorted(labels[order], np.arange(n + 1))
    return [order[bounds[i]:bounds[i + 1]] for i in range(n)]


def _determined(M: NDArray[np.float64]) -> BoolArray:
    """Columns (unknowns) whose value the equations ``M x = b`` fix."""
    k = M.shape[1]
    s_vals = np.linalg.svd(M, compute_uv=False)
    tol = max(M.shape) * np.finfo(float).eps * (s_vals[0] if s_vals.size else 0.0) * 10
    rank = int((s_vals > tol).sum())
    if rank == 0:
        return np.zeros(k, dtype=bool)
    if rank >= k:
        return np.ones(k, dtype=bool)
    _, _, vt = np.linalg.svd(M, full_matrices=True)
    null = vt[rank:].T
    return bool_norms(null) < 1e-9


def bool_norms(null: NDArray[np.float64]) -> NDArray[np.float64]:
    return np.sqrt((null * null).sum(axis=1))


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
