"""Exact linear quantile regression at many quantiles at once.

For each ``tau`` the fit minimises the check loss ``sum_i u_i * rho_tau(y_i - x_i b)``, a linear
program whose optimum is attained at a vertex: ``p`` observations fitted exactly. The SGP package
solves it with the Barrodale-Roberts simplex (quantreg's ``"br"``). Here the vertex is found by

1. a primal-dual interior-point method (Mehrotra predictor-corrector on the bounded dual, as
   quantreg's ``"fn"``), vectorised over a batch of quantiles;
2. solving the quantiles in levels: a few quantiles on all observations, then the quantiles between
   already solved ones on the observations that lie between their neighbours' fitted planes (the
   others sit at a bound of the dual, so they are fixed and folded into the right-hand side);
3. an exact *basis polish*: the ``p`` observations with the smallest residuals are taken as the
   basis and ``X_B b = y_B`` is solved;
4. a *certificate*: with residual signs on **all** observations the dual is completed and checked
   for feasibility (``0 <= a <= u``). A vertex with a feasible dual is an optimal LP solution, so a
   certified fit is exact (up to the floating-point solve of the p x p system). Quantiles that fail
   are solved again with the offending observations kept, and as a last resort by HiGHS.

Duplicate observations (same design row, same response) are merged into weights first, which
gives the same optimum and avoids singular bases.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.intp]

STEP_FACTOR = 0.99995


@dataclass(slots=True)
class SolveStats:
    """Counters describing how a batch of quantile fits was obtained."""

    n_obs: int = 0
    n_unique: int = 0
    ip_iterations: int = 0
    certified_first_pass: int = 0
    refits: int = 0
    highs_fallbacks: int = 0
    degenerate_checks: int = 0
    uncertified: int = 0
    level_sizes: list[int] = field(default_factory=list)


class QuantileFitError(RuntimeError):
    """A quantile fit could not be certified optimal."""


# ----------------------------------------------------------------------------------------------
# batched interior point on gathered data


def _step(v: FloatArray, dv: FloatArray, w: FloatArray, dw: FloatArray) -> FloatArray:
    """Largest step keeping ``v + step * dv >= 0`` and ``w + step * dw >= 0``, per row."""
    tiny = 1e-30
    return np.minimum(
        (v / np.maximum(-dv, tiny)).min(axis=1), (w / np.maximum(-dw, tiny)).min(axis=1)
    )


def _ipm(
    xg: FloatArray,
    y: FloatArray,
    u: FloatArray,
    b: FloatArray,
    beta: FloatArray,
    a: FloatArray,
    *,
    tol: float,
    max_iter: int,
) -> tuple[FloatArray, int, NDArray[np.bool_], FloatArray]:
    """Mehrotra predictor-corrector: ``max y'a  s.t.  X'a = b, 0 <= a <= u``, per batch row.

    ``xg`` is ``(T, m, p)``, ``y``, ``u``, ``a`` are ``(T, m)``, ``b`` and ``beta`` ``(T, p)``.
    The equality multipliers are the regression coefficients. Returns the coefficients (an
    interior approximation of an optimal face), the number of iterations run, which rows
    converged, and the final duals' distance from their bounds ``min(a, u - a) / u``. Rows
    whose primal infeasibility stalls (an infeasible restricted problem) are dropped early as
    not converged.
    """
    n_batch = y.shape[0]
    out = beta.copy()
    inner = np.zeros_like(a)
    converged = np.zeros(n_batch, dtype=bool)
    active = np.arange(n_batch)
    hist: list[FloatArray] = []
    s = u - a
    r = y - np.matmul(xg, beta[:, :, None])[:, :, 0]
    scale = np.maximum(np.abs(r).mean(axis=1, keepdims=True), 1e-3)
    w = np.maximum(r, 0.0) + 0.1 * scale
    z = np.maximum(-r, 0.0) + 0.1 * scale
    r_d = y - np.matmul(xg, beta[:, :, None])[:, :, 0] - w + z
    bscale = 1.0 + np.abs(b).max(axis=1)
    yscale = 1.0 + np.abs(y).max(axis=1)
    m2 = 2.0 * a.shape[1]
    eye = np.arange(beta.shape[1])
    it = 0
    while it < max_iter and active.size:
        it += 1
        r_p = b - np.matmul(a[:, None, :], xg)[:, 0, :]
        az = a * z
        sw = s * w
        gap = az.sum(axis=1) + sw.sum(axis=1)
        obj = np.abs((y * a).sum(axis=1)) + 1.0
        pinf = np.abs(r_p).max(axis=1) / bscale
        dinf = np.abs(r_d).max(axis=1) / yscale
        done = (gap / obj < tol) & (pinf < 1e-9) & (dinf < 1e-9)
        converged[active[done]] = True
        hist.append(pinf)
        if it > 12:
            # primal infeasibility that stopped falling: the restricted LP is infeasible
            done |= (pinf > 1e-7) & (pinf > 0.1 * hist[-8])
        if done.any():
            out[active[done]] = beta[done]
            inner[active[done]] = np.minimum(a[done], s[done]) / u[done]
            keep = ~done
            hist = [h[keep] for h in hist[-8:]]
            active = active[keep]
            if not active.size:
                break
            xg, y, u, b, beta, a, s, w, z, r_p, r_d, az, sw, gap, bscale, yscale = (
                arr[keep]
                for arr in (xg, y, u, b, beta, a, s, w, z, r_p, r_d, az, sw, gap, bscale, yscale)
            )
        ia = 1.0 / a
        is_ = 1.0 / s
        za = z * ia
        ws = w * is_
        q = 1.0 / (za + ws)
        normal = np.matmul((xg * q[:, :, None]).transpose(0, 2, 1), xg)
        normal[:, eye, eye] += 1e-14 * normal[:, eye, eye].max(axis=1, keepdims=True)
        try:
            inv = np.linalg.inv(normal)
        except np.linalg.LinAlgError:
            inv = np.linalg.pinv(normal)

        def direction(
            r_az: FloatArray,
            r_sw: FloatArray,
            q: FloatArray = q,
            inv: FloatArray = inv,
            r_p: FloatArray = r_p,
            r_d: FloatArray = r_d,
            xg: FloatArray = xg,
            ia: FloatArray = ia,
            is_: FloatArray = is_,
            za: FloatArray = za,
            ws: FloatArray = ws,
        ) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray]:
            g = r_d - r_sw * is_ + r_az * ia
            rhs = np.matmul((q * g)[:, None, :], xg)[:, 0, :] - r_p
            dbeta = np.matmul(inv, rhs[:, :, None])[:, :, 0]
            da = q * (g - np.matmul(xg, dbeta[:, :, None])[:, :, 0])
            dz = r_az * ia - za * da
            dw = r_sw * is_ + ws * da
            return dbeta, da, dz, dw

        dbeta, da, dz, dw = direction(-az, -sw)
        ap = np.minimum(1.0, _step(a, da, s, -da))[:, None]
        ad = np.minimum(1.0, _step(z, dz, w, dw))[:, None]
        mu_now = gap / m2
        mu_aff = (
            ((a + ap * da) * (z + ad * dz)).sum(axis=1)
            + ((s - ap * da) * (w + ad * dw)).sum(axis=1)
        ) / m2
        sigma = np.clip(mu_aff / np.maximum(mu_now, 1e-300), 0.0, 1.0) ** 3
        target = (sigma * mu_now)[:, None]
        dbeta, da, dz, dw = direction(target - az - da * dz, target - sw + da * dw)
        ap = np.minimum(1.0, STEP_FACTOR * _step(a, da, s, -da))[:, None]
        ad = np.minimum(1.0, STEP_FACTOR * _step(z, dz, w, dw))[:, None]
        a = a + ap * da
        s = s - ap * da
        beta = beta + ad * dbeta
        z = z + ad * dz
        w = w + ad * dw
        r_d = (1.0 - ad) * r_d
    if active.size:
        out[active] = beta
        inner[active] = np.minimum(a, s) / u
    return out, it, converged, inner


# ----------------------------------------------------------------------------------------------
# levels


def solve_order(n_taus: int) -> list[list[int]]:
    """Group quantile indices into levels so that each level is bracketed by earlier ones.

    The middle quantile comes first (fitted on all observations), then the two ends (each on the
    observations on its side of the middle fit), then the midpoints of the remaining gaps, level
    by level (bisection), so every level costs about one pass over the data.
    """
    if n_taus <= 0:
        return []
    mid = n_taus // 2
    levels = [[mid]]
    ends = sorted({0, n_taus - 1} - {mid})
    if ends:
        levels.append(ends)
    gaps = [(lo, hi) for lo, hi in ((0, mid), (mid, n_taus - 1)) if hi - lo > 1]
    while gaps:
        level: list[int] = []
        nxt: list[tuple[int, int]] = []
        for lo, hi in gaps:
            m = (lo + hi) // 2
            level.append(m)
            nxt.extend(g for g in ((lo, m), (m, hi)) if g[1] - g[0] > 1)
        levels.append(level)
        gaps = nxt
    return levels


# ----------------------------------------------------------------------------------------------
# certificate and exact vertices


def _certify(
    x: FloatArray,
    y: FloatArray,
    u: FloatArray,
    b: FloatArray,
    beta: FloatArray,
    basis: IntArray,
    tol_r: float,
) -> tuple[NDArray[np.bool_], NDArray[np.bool_], FloatArray]:
    """Check that each vertex ``beta[t]`` (fitting ``basis[t]`` exactly) is an optimal solution.

    The dual of observation i is ``u_i`` above the fit, ``0`` below and solved from the basis
    equations for the basic ones; the vertex is optimal iff those lie in ``[0, u_i]``. Returns
    ``(ok, degenerate, residuals)``; ``degenerate`` marks fits with extra zero residuals, which
    need :func:`_certify_degenerate`.
    """
    n_b, p = beta.shape
    r = y[None, :] - beta @ x.T
    zero = np.abs(r) <= tol_r
    rows = np.arange(n_b)[:, None]
    zero[rows, basis] = True
    n_zero = zero.sum(axis=1)
    a_n = np.where((r > tol_r) & ~zero, u[None, :], 0.0)
    rhs = b - a_n @ x
    xb = x[basis]  # (T, p, p)
    try:
        a_b = np.linalg.solve(xb.transpose(0, 2, 1), rhs[:, :, None])[:, :, 0]
    except np.linalg.LinAlgError:
        a_b = np.full((n_b, p), np.nan)
        for t in range(n_b):
            try:
                a_b[t] = np.linalg.solve(xb[t].T, rhs[t])
            except np.linalg.LinAlgError:
                continue
    ub = u[basis]
    # the basic duals come from differences of sums over all observations: allow for rounding
    tol_a = max(1e-9, 1e-12 * float(u.sum())) * np.maximum(ub, 1.0)
    feasible = np.all((a_b >= -tol_a) & (a_b <= ub + tol_a), axis=1)
    ok = feasible & (n_zero == p)
    degenerate = n_zero > p
    return ok, degenerate, r


def _certify_degenerate(
    x: FloatArray, u: FloatArray, b: FloatArray, r: FloatArray, tol_r: float
) -> bool:
    """Optimality check for a vertex with more than p zero residuals (a small feasibility LP)."""
    from scipy.optimize import linprog

    zero = np.abs(r) <= tol_r
    rhs = b - np.where(r > tol_r, u, 0.0) @ x
    xz = x[zero]
    res = linprog(
        np.zeros(xz.shape[0]),
        A_eq=xz.T,
        b_eq=rhs,
        bounds=np.column_stack([np.zeros(xz.shape[0]), u[zero]]),
        method="highs",
    )
    return bool(res.status == 0)


def _independent_rows(rows: FloatArray, order: IntArray, p: int) -> list[int]:
    """Pick, in the given order, rows that are linearly independent (at most ``p``)."""
    chosen: list[int] = []
    basis: list[FloatArray] = []
    for i in order:
        v = rows[i].copy()
        for e in basis:
            v -= (v @ e) * e
        norm = float(np.linalg.norm(v))
        if norm > 1e-9 * max(1.0, float(np.linalg.norm(rows[i]))):
            basis.append(v / norm)
            chosen.append(int(i))
            if len(chosen) == p:
                break
    return chosen


def _swap_basis(
    x: FloatArray, y: FloatArray, u: FloatArray, b: FloatArray, beta: FloatArray, tol_r: float
) -> tuple[FloatArray, FloatArray] | None:
    """Near-degenerate fits: try the vertices through ``p`` of the ``p + 1`` observations
    closest to the interior-point fit; return the first certified one as ``(coef, residuals)``.
    """
    p = x.shape[1]
    near = np.argsort(np.abs(y - x @ beta), kind="stable")[: p + 1]
    if near.size < p + 1:
        return None
    bases = np.array([np.delete(near, k) for k in range(p + 1)], dtype=np.intp)
    coefs = np.full((p + 1, p), np.nan)
    for k in range(p + 1):
        try:
            coefs[k] = np.linalg.solve(x[bases[k]], y[bases[k]])
        except np.linalg.LinAlgError:
            continue
    usable = ~np.isnan(coefs).any(axis=1)
    if not usable.any():
        return None
    ok, degen, r = _certify(
        x, y, u, np.broadcast_to(b, (int(usable.sum()), p)), coefs[usable], bases[usable], tol_r
    )
    if ok.any():
        k = int(np.argmax(ok))
        return coefs[usable][k], r[k]
    # a degenerate vertex (more than p observations on the fit): one feasibility LP decides
    for k in np.flatnonzero(degen)[:2].tolist():
        if _certify_degenerate(x, u, b, r[k], tol_r):
            return coefs[usable][k], r[k]
    return None


def _crossover(
    x: FloatArray, y: FloatArray, u: FloatArray, tau: float, beta: FloatArray, tol_r: float
) -> tuple[IntArray, FloatArray] | None:
    """Move from a point on (or near) the optimal face to a vertex without raising the loss.

    Observations with near-zero residual form the active set; while it has fewer than ``p``
    independent rows, step along a null direction of the active rows (the descent sense of the
    check loss) until another residual reaches zero. Returns ``(basis, beta)`` or ``None``.
    """
    p = x.shape[1]
    r = y - x @ beta
    order = np.argsort(np.abs(r), kind="stable")
    near = order[np.abs(r[order]) <= max(tol_r, 1e-7 * (1.0 + float(np.abs(y).max())))]
    active = _independent_rows(x, near, p)
    if active:
        sol, *_ = np.linalg.lstsq(x[active], y[active] - x[active] @ beta, rcond=None)
        beta = beta + sol
    r = y - x @ beta
    for _ in range(p + 1):
        if len(active) >= p:
            break
        xa = x[active] if active else np.zeros((0, p))
        _, _, vt = np.linalg.svd(np.vstack([xa, np.zeros((1, p))]) if xa.size else np.eye(p))
        d = vt[-1] if active else np.eye(p)[0]
        pos = r > tol_r
        neg = r < -tol_r
        grad = -(tau * (u[pos] @ x[pos]) - (1.0 - tau) * (u[neg] @ x[neg]))
        if grad @ d > 0:
            d = -d
        xd = x @ d
        with np.errstate(divide="ignore", invalid="ignore"):
            steps = np.where(np.abs(xd) > 1e-12, r / xd, np.inf)
        steps[active] = np.inf
        steps[steps <= 0] = np.inf
        k = int(np.argmin(steps))
        if not np.isfinite(steps[k]):
            return None
        beta = beta + steps[k] * d
        r = y - x @ beta
        active.append(k)
    if len(active) < p:
        return None
    basis = np.asarray(active[:p], dtype=np.intp)
    try:
        beta = np.asarray(np.linalg.solve(x[basis], y[basis]), dtype=np.float64)
    except np.linalg.LinAlgError:
        return None
    return basis, beta


def highs_quantile_fit(
    *,
    x: FloatArray,
    y: FloatArray,
    tau: float,
    weights: FloatArray | None = None,
    linear: FloatArray | None = None,
) -> FloatArray:
    """Coefficients minimising ``sum w_i rho_tau(y_i - x_i b) + linear'b`` by HiGHS.

    The LP: ``min linear'b + tau w'r+ + (1 - tau) w'r-  s.t.  X b + r+ - r- = y``,
    ``r+, r- >= 0`` (``linear`` carries observations fixed on one side of the fit).
    """
    from scipy import sparse
    from scipy.optimize import linprog

    n, p = x.shape
    w = np.ones(n) if weights is None else np.asarray(weights, dtype=np.float64)
    eye = sparse.identity(n, format="csr")
    a_eq = sparse.hstack([sparse.csr_matrix(x), eye, -eye], format="csr")
    lin = np.zeros(p) if linear is None else np.asarray(linear, dtype=np.float64)
    c = np.concatenate([lin, tau * w, (1.0 - tau) * w])
    bounds = [(None, None)] * p + [(0.0, None)] * (2 * n)
    res = linprog(c, A_eq=a_eq, b_eq=y, bounds=bounds, method="highs")
    if res.status != 0:
        raise QuantileFitError(f"HiGHS failed at tau={tau}: {res.message}")
    return np.asarray(res.x[:p], dtype=np.float64)


# ----------------------------------------------------------------------------------------------
# the driver


def fit_quantiles(
    *,
    x: FloatArray,
    y: FloatArray,
    taus: FloatArray,
    weights: FloatArray | None = None,
    **options: Any,
) -> tuple[FloatArray, SolveStats]:
    """Exact check-loss fits of ``y`` on ``x`` at every ``tau``; returns ``(coef (T, p), stats)``.

    Every returned row is a vertex of the LP certified optimal on all observations (see the
    module docstring). ``weights`` are observation multiplicities (merged duplicates).
    ``options`` go to :func:`fit_quantiles_many`.
    """
    u = np.ones(len(y)) if weights is None else np.asarray(weights, dtype=np.float64)
    return fit_quantiles_many(problems=[(x, y, u)], taus=taus, **options)[0]


@dataclass(slots=True)
class _Problem:
    x: FloatArray
    y: FloatArray
    u: FloatArray
    offset: int
    tol_r: float
    b_all: FloatArray
    coef: FloatArray
    resid: FloatArray
    solved: NDArray[np.bool_]
    ls: FloatArray
    ls_resid: FloatArray
    has_intercept: bool
    stats: SolveStats


def fit_quantiles_many(
    *,
    problems: Sequence[tuple[FloatArray, FloatArray, FloatArray]],
    taus: FloatArray,
    tol: float = 1e-10,
    max_iter: int = 50,
    max_refits: int = 4,
    margin: float = 1.0,
    end_share: float = 0.08,
) -> list[tuple[FloatArray, SolveStats]]:
    """Fit several independent problems ``(x, y, weights)`` with the same number of columns at
    all ``taus``, sharing the batched interior-point iterations (one call per level for all).

    Each tau is fitted on the observations between its nearest solved neighbours' fits (widened
    by ``margin`` quantile steps; the extreme quantiles keep ``end_share`` beyond their
    neighbour). A fit is accepted only with an optimality certificate on all observations;
    fixed observations on the wrong side are released and the fit repeated, up to
    ``max_refits`` times, then HiGHS solves it.
    """
    taus = np.asarray(taus, dtype=np.float64)
    n_t = taus.size
    p = problems[0][0].shape[1]
    probs: list[_Problem] = []
    offset = 0
    for xq, yq, uq in problems:
        xq = np.ascontiguousarray(xq, dtype=np.float64)
        yq = np.ascontiguousarray(yq, dtype=np.float64)
        uq = np.asarray(uq, dtype=np.float64)
        nq = xq.shape[0]
        if xq.shape[1] != p:
            raise ValueError("all problems need the same number of columns")
        if nq < p:
            raise QuantileFitError(f"{nq} observations cannot fit {p} coefficients")
        sw = np.sqrt(uq)
        ls, *_ = np.linalg.lstsq(xq * sw[:, None], yq * sw, rcond=None)
        probs.append(
            _Problem(
                x=xq,
                y=yq,
                u=uq,
                offset=offset,
                tol_r=1e-9 * (1.0 + float(np.abs(yq).max())),
                b_all=(1.0 - taus)[:, None] * (uq @ xq)[None, :],
                coef=np.zeros((n_t, p)),
                resid=np.zeros((n_t, nq)),
                solved=np.zeros(n_t, dtype=bool),
                ls=np.asarray(ls, dtype=np.float64),
                ls_resid=yq - xq @ ls,
                has_intercept=bool(np.all(xq[:, 0] == 1.0)),
                stats=SolveStats(n_obs=int(uq.sum()), n_unique=nq),
            )
        )
        offset += nq
    xe = np.vstack([pr.x for pr in probs] + [np.zeros((1, p))])
    ye = np.concatenate([pr.y for pr in probs] + [np.zeros(1)])
    ue = np.concatenate([pr.u for pr in probs] + [np.ones(1)])
    pad = offset
    min_keep = 6 * p

    def globs(
        pr: _Problem, t: int, lo: int, hi: int, mult: float
    ) -> tuple[NDArray[np.bool_], NDArray[np.bool_]]:
        """Observations fixed below / above the fit of quantile ``t`` given its neighbours."""
        nq = pr.y.size
        below = np.zeros(nq, dtype=bool)
        above = np.zeros(nq, dtype=bool)
        if mult == np.inf:
            return below, above
        if lo >= 0 and hi >= 0:
            width = np.abs(pr.resid[lo] - pr.resid[hi])
            # margin in quantile steps: the neighbours' gap per step, locally and typically
            step = (width + np.median(width)) / (2.0 * (hi - lo))
            delta = pr.tol_r + mult * margin * step
            below = (pr.resid[lo] < -delta) & (pr.resid[hi] < -delta)
            above = (pr.resid[lo] > delta) & (pr.resid[hi] > delta)
            return below, above
        # one neighbour only (the extreme quantiles): keep the observations beyond the
        # neighbour's fit and a share of those inside, from the residual quantile
        if lo >= 0:
            share = min(1.0, mult * (end_share + 1.0 - taus[t]))
            below = pr.resid[lo] < float(np.quantile(pr.resid[lo], 1.0 - share)) - pr.tol_r
        if hi >= 0:
            share = min(1.0, mult * (end_share + taus[t]))
            above = pr.resid[hi] > float(np.quantile(pr.resid[hi], share)) + pr.tol_r
        return below, above

    # Task state, one entry per (problem, tau). A task that fails its certificate is retried
    # (with a wider band or released observations) together with the next level's tasks.
    tasks: list[tuple[int, int]] = []
    lo: list[int] = []
    hi: list[int] = []
    mult: list[float] = []
    below: list[NDArray[np.bool_]] = []
    above: list[NDArray[np.bool_]] = []
    beta0: list[FloatArray] = []
    frac: list[float] = []
    tries: list[int] = []
    levels = solve_order(n_t)
    pending: list[int] = []
    next_level = 0
    while next_level < len(levels) or pending:
        if next_level < len(levels):
            level = levels[next_level]
            next_level += 1
            for q, pr in enumerate(probs):
                pr.stats.level_sizes.append(len(level))
                nq = pr.y.size
                for t in level:
                    j = len(tasks)
                    tasks.append((q, t))
                    lo.append(_nearest(pr.solved, t, -1))
                    hi.append(_nearest(pr.solved, t, +1))
                    m = 1.0
                    while True:
                        bl, ab = globs(pr, t, lo[j], hi[j], m)
                        if nq - bl.sum() - ab.sum() >= min(min_keep, nq) or m > 64:
                            break
                        m *= 4.0
                    mult.append(m)
                    below.append(bl)
                    above.append(ab)
                    tries.append(0)
                    if lo[j] >= 0 and hi[j] >= 0:
                        wgt = (taus[t] - taus[lo[j]]) / (taus[hi[j]] - taus[lo[j]])
                        beta0.append((1.0 - wgt) * pr.coef[lo[j]] + wgt * pr.coef[hi[j]])
                        frac.append(1.0 - wgt)
                    else:
                        start = pr.ls.copy()
                        if pr.has_intercept:
                            start[0] += np.quantile(pr.ls_resid, taus[t])
                        beta0.append(start)
                        frac.append(1.0 - taus[t])
                    pending.append(j)
        batch = np.asarray(pending, dtype=np.intp)
        n_pend = batch.size
        sizes = np.array([probs[tasks[j][0]].y.size for j in pending], dtype=np.int64)
        counts = np.array(
            [sizes[i] - below[j].sum() - above[j].sum() for i, j in enumerate(pending)],
            dtype=np.int64,
        )
        full = counts == sizes
        b = np.empty((n_pend, p))
        for i, j in enumerate(pending):
            q, t = tasks[j]
            pr = probs[q]
            b[i] = pr.b_all[t] - (above[j] * pr.u) @ pr.x
        tau_p = np.array([taus[tasks[j][1]] for j in pending])
        fr = np.where(full, 1.0 - tau_p, np.clip([frac[j] for j in pending], 0.02, 0.98))
        start_beta = np.array([beta0[j] for j in pending])
        beta_ip = np.empty((n_pend, p))
        conv = np.zeros(n_pend, dtype=bool)
        basis = np.zeros((n_pend, p), dtype=np.intp)
        beta_v = np.empty((n_pend, p))
        good = np.zeros(n_pend, dtype=bool)
        for grp in _split_by_size(counts, p):
            width = max(int(counts[grp].max()), p)
            gidx = np.full((grp.size, width), pad, dtype=np.intp)
            for r_i, i in enumerate(grp.tolist()):
                j = pending[i]
                pr = probs[tasks[j][0]]
                kept = np.flatnonzero(~(below[j] | above[j])) + pr.offset
                gidx[r_i, : kept.size] = kept
            xg = xe[gidx]
            yg = ye[gidx]
            ug = ue[gidx]
            a0 = fr[grp][:, None] * ug
            bi, its, cv, inner = _ipm(
                xg, yg, ug, b[grp], start_beta[grp], a0, tol=tol, max_iter=max_iter
            )
            for i in grp.tolist():
                probs[tasks[pending[i]][0]].stats.ip_iterations += its
            beta_ip[grp], conv[grp] = bi, cv
            beta_v[grp], basis[grp], good[grp] = _polish(xe, ye, xg, yg, gidx, bi, inner, pad)
        ok = np.zeros(n_pend, dtype=bool)
        degen = np.zeros(n_pend, dtype=bool)
        r_of: dict[int, FloatArray] = {}
        owner = np.array([tasks[j][0] for j in pending], dtype=np.intp)
        for q, pr in enumerate(probs):
            mine = np.flatnonzero(owner == q)
            if not mine.size:
                continue
            ts = np.array([tasks[pending[i]][1] for i in mine.tolist()], dtype=np.intp)
            local = basis[mine] - pr.offset
            # A fit whose band kept fewer than p observations has no vertex (``good`` is
            # false): its basis holds padding, not observations of this problem. Give it a
            # stand-in basis of this problem's own rows; it fails the certificate anyway
            # (``ok &= good``) and is refitted with a wider band.
            no_vertex = ~good[mine]
            if no_vertex.any():
                local[no_vertex] = np.arange(p)
            ok_q, dg_q, r_q = _certify(
                pr.x, pr.y, pr.u, pr.b_all[ts], beta_v[mine], local, pr.tol_r
            )
            ok[mine], degen[mine] = ok_q, dg_q
            for k, i in enumerate(mine.tolist()):
                r_of[i] = r_q[k]
        ok &= good
        for i in np.flatnonzero(~ok).tolist():
            j = pending[i]
            q, t = tasks[j]
            pr = probs[q]
            r = r_of[i]
            wrong = (below[j] & (r > -pr.tol_r)) | (above[j] & (r < pr.tol_r))
            if conv[i] and wrong.any():
                below[j] &= ~wrong
                above[j] &= ~wrong
                continue
            if conv[i] and good[i] and degen[i]:
                pr.stats.degenerate_checks += 1
                if _certify_degenerate(pr.x, pr.u, pr.b_all[t], r, pr.tol_r):
                    ok[i] = True
                    continue
            if conv[i]:
                swap = _swap_basis(pr.x, pr.y, pr.u, pr.b_all[t], beta_ip[i], pr.tol_r)
                if swap is not None:
                    beta_v[i], r_of[i] = swap
                    ok[i] = True
                    continue
                cross = _crossover(pr.x, pr.y, pr.u, float(taus[t]), beta_ip[i], pr.tol_r)
                if cross is not None:
                    cb, cbeta = cross
                    ok1, degen1, r1 = _certify(
                        pr.x, pr.y, pr.u, pr.b_all[t : t + 1], cbeta[None], cb[None], pr.tol_r
                    )
                    if ok1[0] or (
                        degen1[0] and _certify_degenerate(pr.x, pr.u, pr.b_all[t], r1[0], pr.tol_r)
                    ):
                        beta_v[i], r_of[i], ok[i] = cbeta, r1[0], True
                        continue
            # the band was too thin (or the fit did not settle): widen it
            mult[j] = mult[j] * 4.0 if tries[j] < max_refits - 1 else np.inf
            wb, wa = globs(pr, t, lo[j], hi[j], mult[j])
            below[j] &= wb
            above[j] &= wa
            if conv[i]:
                beta0[j] = beta_ip[i]
        still: list[int] = []
        for i, j in enumerate(pending):
            q, t = tasks[j]
            pr = probs[q]
            if ok[i]:
                pr.coef[t], pr.resid[t], pr.solved[t] = beta_v[i], r_of[i], True
                below[j] = above[j] = np.zeros(0, dtype=bool)  # no longer needed
                if tries[j] == 0:
                    pr.stats.certified_first_pass += 1
                continue
            tries[j] += 1
            pr.stats.refits += 1
            if tries[j] <= max_refits:
                still.append(j)
                continue
            pr.stats.highs_fallbacks += 1
            band_lo, band_hi = globs(pr, t, lo[j], hi[j], 1.0)  # the first, narrow band
            beta_h, r_h = _highs_fallback(pr, float(taus[t]), t, band_lo, band_hi)
            pr.coef[t], pr.resid[t], pr.solved[t] = beta_h, r_h, True
        pending = still
    return [(pr.coef, pr.stats) for pr in probs]


def _highs_fallback(
    pr: _Problem, tau: float, t: int, below: NDArray[np.bool_], above: NDArray[np.bool_]
) -> tuple[FloatArray, FloatArray]:
    """Last resort for one quantile: HiGHS on the band (fixed observations enter the objective
    linearly), then the exact vertex near its solution, certified on all observations; fixed
    observations on the wrong side are released and it repeats. Falls back to HiGHS on all
    observations when the band keeps failing."""
    x, y, u = pr.x, pr.y, pr.u
    below = below.copy() if below.size else np.zeros(y.size, dtype=bool)
    above = above.copy() if above.size else np.zeros(y.size, dtype=bool)
    for _ in range(6):
        keep = ~(below | above)
        if keep.all():
            break
        lin = (1.0 - tau) * (u[below] @ x[below]) - tau * (u[above] @ x[above])
        try:
            beta = highs_quantile_fit(x=x[keep], y=y[keep], tau=tau, weights=u[keep], linear=lin)
        except QuantileFitError:  # the band alone is unbounded: use all observations
            break
        found = _swap_basis(x, y, u, pr.b_all[t], beta, pr.tol_r)
        if found is not None:
            return found
        r = y - x @ beta
        wrong = (below & (r > -pr.tol_r)) | (above & (r < pr.tol_r))
        if not wrong.any():
            # HiGHS's optimum of the band with every fixed observation on its side is an optimum
            # of the whole problem; only the certificate's vertex search failed (a vertex with
            # many observations on the fit). Keep HiGHS's vertex (within its 1e-7 tolerances).
            pr.stats.uncertified += 1
            return beta, r
        below &= ~wrong
        above &= ~wrong
    beta = highs_quantile_fit(x=x, y=y, tau=tau, weights=u)
    found = _swap_basis(x, y, u, pr.b_all[t], beta, pr.tol_r)
    return found if found is not None else (beta, y - x @ beta)


def _split_by_size(counts: NDArray[np.int64], p: int) -> list[IntArray]:
    """Split a batch (by kept-observation count) into groups that waste little padding.

    Dynamic programming over the sorted counts minimises ``sum(len(group) * max(group))`` plus
    a fixed cost per group (the per-call overhead, in observation units).
    """
    order = np.argsort(counts, kind="stable")
    c = counts[order].astype(np.float64)
    k = c.size
    overhead = 400.0 + 40.0 * p
    best = np.full(k + 1, np.inf)
    best[0] = 0.0
    cut = np.zeros(k + 1, dtype=np.intp)
    for end in range(1, k + 1):
        starts = np.arange(end)
        costs = best[:end] + (end - starts) * c[end - 1] + overhead
        i = int(np.argmin(costs))
        best[end], cut[end] = costs[i], i
    groups: list[IntArray] = []
    end = k
    while end > 0:
        groups.append(order[cut[end] : end])
        end = int(cut[end])
    return groups[::-1]


def _gather_index(keep: NDArray[np.bool_], counts: NDArray[np.int64], pad: int, p: int) -> IntArray:
    """``(T, width)`` indices of the kept observations per row, padded with ``pad``."""
    width = max(int(counts.max()), p)
    rows, cols = np.nonzero(keep)
    gidx = np.full((keep.shape[0], width), pad, dtype=np.intp)
    starts = np.concatenate([[0], np.cumsum(counts)[:-1]])
    gidx[rows, np.arange(rows.size) - starts[rows]] = cols
    return gidx


def _polish(
    x: FloatArray,
    y: FloatArray,
    xg: FloatArray,
    yg: FloatArray,
    gidx: IntArray,
    beta_ip: FloatArray,
    inner: FloatArray,
    pad: int,
) -> tuple[FloatArray, IntArray, NDArray[np.bool_]]:
    """Exact vertices through the ``p`` observations most likely basic at each interior point:
    smallest residual relative to how far the observation's dual is from its bounds (basic
    observations have interior duals; a non-basic one that happens to lie close to the fit has
    its dual near a bound).

    Returns ``(coef, basis (T, p) observation indices, solvable)``.
    """
    n_b, p = beta_ip.shape
    rg = np.abs(yg - np.matmul(xg, beta_ip[:, :, None])[:, :, 0]) / (inner + 1e-12)
    rg[gidx == pad] = np.inf
    part = np.argpartition(rg, p - 1, axis=1)[:, :p]
    basis = np.take_along_axis(gidx, part, axis=1)
    good = ~np.any(basis == pad, axis=1)
    basis = np.where(basis == pad, 0, basis)
    xb = x[basis]
    try:
        beta_v = np.linalg.solve(xb, y[basis][:, :, None])[:, :, 0]
    except np.linalg.LinAlgError:
        beta_v = beta_ip.copy()
        for j in range(n_b):
            try:
                beta_v[j] = np.linalg.solve(xb[j], y[basis[j]])
            except np.linalg.LinAlgError:
                good[j] = False
    # without a full basis there is no vertex: keep the interior point (its residuals decide
    # which fixed observations to release)
    beta_v[~good] = beta_ip[~good]
    return np.asarray(beta_v, dtype=np.float64), basis, good


def _nearest(solved: NDArray[np.bool_], i: int, direction: int) -> int:
    """Index of the nearest solved quantile below (``-1``) or above (``+1``) ``i``, or -1."""
    j = i + direction
    while 0 <= j < solved.size:
        if solved[j]:
            return j
        j += direction
    return -1
