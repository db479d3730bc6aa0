"""Cubic B-spline bases as R's ``splines::bs`` builds them, and knot derivation.

The SGP package models each prior score with ``bs(x, knots=knots, Boundary.knots=boundaries)``:
a cubic B-spline basis without its intercept column. With four interior knots that is seven
columns. Outside the boundary knots R extends the first and last polynomial pieces (its Taylor
expansion around a pivot inside the end interval is exact for a cubic), which is what evaluating
the end span's polynomial does here.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

DEGREE = 3
KNOT_PROBS = (0.2, 0.4, 0.6, 0.8)
BOUNDARY_EXTENSION = 0.1

FloatArray = NDArray[np.float64]


@dataclass(frozen=True, slots=True)
class GradeKnots:
    """Spline settings for prior scores from one grade.

    ``knots`` are the interior knots, ``boundaries`` the two boundary knots and ``loss_hoss``
    the lowest and highest obtainable scale score of the grade.
    """

    knots: tuple[float, ...]
    boundaries: tuple[float, float]
    loss_hoss: tuple[float, float]

    def to_json(self) -> dict[str, list[float]]:
        """Return the settings as JSON-ready lists (the DEMO file's value shapes)."""
        return {
            "knots": list(self.knots),
            "boundaries": list(self.boundaries),
            "loss.hoss": list(self.loss_hoss),
        }


KNOT_DIGITS = 3


def r_round(x: NDArray[np.floating] | float, digits: int) -> FloatArray:
    """R's ``round(x, digits)`` for ``digits > 0`` (R >= 4.0.0, ``src/nmath/fround.c``): of the
    two neighbours ``floor(x * 10^d) / 10^d`` and ``ceil(x * 10^d) / 10^d`` the one nearer to
    ``x`` in double arithmetic, and on a tie the one with an even last digit. (numpy's
    ``round`` scales and rounds ``x * 10^d`` instead, which differs for values such as 0.15.)
    """
    v = np.asarray(x, dtype=np.float64)
    sign = np.where(v < 0, -1.0, 1.0)
    a = np.abs(v)
    pow10 = np.longdouble(10.0) ** digits
    x10 = np.asarray(pow10 * a.astype(np.longdouble), dtype=np.float64)
    i10 = np.floor(x10)
    down = np.asarray(np.longdouble(1) * i10 / pow10, dtype=np.float64)
    up = np.asarray(np.longdouble(1) * np.ceil(x10) / pow10, dtype=np.float64)
    du, dd = up - a, a - down
    pick_up = (du < dd) | ((du == dd) & (np.fmod(i10, 2.0) == 1.0))
    out = sign * np.where(pick_up, up, down)
    with np.errstate(invalid="ignore", divide="ignore"):
        too_fine = (a == 0) | ~np.isfinite(a) | (np.log10(np.where(a > 0, a, 1.0)) + digits > 15)
    return np.asarray(np.where(too_fine, v, out), dtype=np.float64)


def derive_grade_knots(
    scores: NDArray[np.floating], *, digits: int | None = KNOT_DIGITS
) -> GradeKnots:
    """Derive one grade's knots from the scores recorded in that grade, as the SGP package's
    ``createKnotsBoundaries`` does (``R/createKnotsBoundaries.R``, lines 14-20).

    Interior knots are the 20/40/60/80th percentiles (``quantile``, R's type 7: linear
    interpolation), boundary knots the score range widened by 10% of its width on each side
    (``extendrange(x, f = 0.1)``), the obtainable range (``loss.hoss``) the score range itself
    (``extendrange(x, f = 0.0)``); each rounded to ``digits`` decimals with R's ``round``
    (``None``: not rounded).
    """
    x = np.asarray(scores, dtype=np.float64)
    x = x[np.isfinite(x)]
    if x.size == 0:
        raise ValueError("cannot derive knots from no scores")
    lo, hi = float(x.min()), float(x.max())
    width = hi - lo
    knots = np.quantile(x, KNOT_PROBS, method="linear")
    bounds = np.array([lo - BOUNDARY_EXTENSION * width, hi + BOUNDARY_EXTENSION * width])
    loss_hoss = np.array([lo, hi])
    if digits is not None:
        knots, bounds, loss_hoss = (r_round(v, digits) for v in (knots, bounds, loss_hoss))
    return GradeKnots(
        knots=tuple(float(v) for v in knots),
        boundaries=(float(bounds[0]), float(bounds[1])),
        loss_hoss=(float(loss_hoss[0]), float(loss_hoss[1])),
    )


def bs_basis(
    x: NDArray[np.floating], *, knots: tuple[float, ...], boundaries: tuple[float, float]
) -> FloatArray:
    """Evaluate R's ``bs(x, knots, Boundary.knots, degree = 3, intercept = FALSE)``.

    Returns an ``(len(x), len(knots) + 3)`` matrix. Values outside the boundary knots follow the
    polynomial of the nearest end interval, as R does.
    """
    xv = np.asarray(x, dtype=np.float64).ravel()
    lo, hi = sorted(boundaries)
    inner = np.sort(np.asarray(knots, dtype=np.float64))
    t = np.concatenate([np.full(DEGREE + 1, lo), inner, np.full(DEGREE + 1, hi)])
    n_basis = t.size - DEGREE - 1
    # span index i with t[i] <= x < t[i+1], restricted to the non-empty spans DEGREE..n_basis-1;
    # x == hi and x beyond the ends use the end spans (their polynomials extended).
    span = np.searchsorted(t, xv, side="right") - 1
    span = np.clip(span, DEGREE, n_basis - 1)
    # Cox-de Boor on the span (The NURBS Book, A2.2), vectorised over x.
    n = xv.size
    vals = np.zeros((DEGREE + 1, n))
    vals[0] = 1.0
    left = np.empty((DEGREE + 1, n))
    right = np.empty((DEGREE + 1, n))
    for j in range(1, DEGREE + 1):
        left[j] = xv - t[span + 1 - j]
        right[j] = t[span + j] - xv
        saved = np.zeros(n)
        for r in range(j):
            den = right[r + 1] + left[j - r]
            with np.errstate(divide="ignore", invalid="ignore"):
                temp = np.where(den != 0.0, vals[r] / den, 0.0)
            vals[r] = saved + right[r + 1] * temp
            saved = left[j - r] * temp
        vals[j] = saved
    full = np.zeros((n, n_basis))
    rows = np.arange(n)
    for r in range(DEGREE + 1):
        full[rows, span - DEGREE + r] = vals[r]
    return full[:, 1:]
