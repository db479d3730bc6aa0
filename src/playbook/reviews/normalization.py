"""Score normalization for harsh and lenient reviewers, outlier flags and ranking.

Pure: no ORM. ``docs/reviews.md`` shows the method on a worked example; the normalization report
page shows it to staff.

Method (version :data:`METHOD_VERSION`):

1. Each submitted review has a weighted total on the rubric's total scale (``lo``..``hi``).
2. Pool: the mean ``M`` and standard deviation ``S`` of all weighted totals in the cycle.
3. Per reviewer with at least ``min_reviews`` reviews and a standard deviation above zero: their
   mean ``m`` and standard deviation ``s``; each of their totals ``x`` becomes
   ``z = (x - m) / s`` and is mapped back onto the scale as ``M + z * S``, clipped to
   ``lo``..``hi``. Reviewers with fewer reviews, or whose totals are all equal, keep their raw
   totals, and the report says so.
4. A review is an outlier when its normalized total differs from the mean of the other
   reviewers' normalized totals on the same application by more than the threshold
   (``outlier_sd`` pool standard deviations, or ``outlier_points`` when given). An application
   with an outlier review needs another read.
5. Ranking by the normalized mean, ties broken by the raw mean, then by earlier submission.

Standard deviations are population ones (divide by n): the reviews are the whole of what each
reviewer scored in the cycle, not a sample of it.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

METHOD_VERSION = "z-pool-v1"

Key = Any  # any hashable


@dataclass(frozen=True)
class ScoredReview:
    review: Key
    reviewer: Key
    application: Key
    total: float


@dataclass(frozen=True)
class NormalizationConfig:
    lo: float = 0.0
    hi: float = 100.0
    min_reviews: int = 2
    outlier_sd: float = 1.5
    #: When set, the outlier threshold in points on the total scale (instead of pool SDs).
    outlier_points: float | None = None


@dataclass(frozen=True)
class ReviewerStats:
    reviewer: Key
    n: int
    mean: float
    sd: float
    adjusted: bool
    #: Why the reviewer's scores were left as they are ("" when adjusted).
    note: str
    #: The average change normalization made to this reviewer's totals (normalized - raw).
    mean_adjustment: float


@dataclass(frozen=True)
class NormalizedReview:
    review: Key
    reviewer: Key
    application: Key
    raw: float
    normalized: float
    z: float | None
    #: Mean normalized total of the other reviewers of the application (None when alone).
    others_mean: float | None
    outlier: bool


@dataclass(frozen=True)
class Normalization:
    method: str
    config: NormalizationConfig
    pool_mean: float
    pool_sd: float
    threshold: float
    reviewers: tuple[ReviewerStats, ...]
    reviews: tuple[NormalizedReview, ...]
    notes: tuple[str, ...] = ()

    def for_application(self, application: Key) -> list[NormalizedReview]:
        return [r for r in self.reviews if r.application == application]


def _mean(xs: Sequence[float]) -> float:
    return sum(xs) / len(xs)


def _sd(xs: Sequence[float]) -> float:
    m = _mean(xs)
    return math.sqrt(sum((x - m) ** 2 for x in xs) / len(xs))


def _clip(x: float, lo: float, hi: float) -> float:
    return min(hi, max(lo, x))


EPS = 1e-9


def normalize(
    reviews: Sequence[ScoredReview], config: NormalizationConfig | None = None
) -> Normalization:
    cfg = config or NormalizationConfig()
    notes: list[str] = []
    if not reviews:
        return Normalization(METHOD_VERSION, cfg, 0.0, 0.0, 0.0, (), (), ("No submitted "
                                                                          "reviews yet.",))
    totals = [r.total for r in reviews]
    pool_mean, pool_sd = _mean(totals), _sd(totals)
    if pool_sd <= EPS:
        notes.append("Every submitted total is the same, so no reviewer's scores were adjusted.")

    by_reviewer: dict[Key, list[ScoredReview]] = defaultdict(list)
    for r in reviews:
        by_reviewer[r.reviewer].append(r)

    normalized: dict[Key, tuple[float, float | None]] = {}
    stats: list[ReviewerStats] = []
    for reviewer, items in by_reviewer.items():
        xs = [i.total for i in items]
        m, s = _mean(xs), _sd(xs)
        if len(xs) < cfg.min_reviews:
            note = (f"Only {len(xs)} review; left unadjusted (normalization needs at least "
                    f"{cfg.min_reviews}).")
            adjusted = False
        elif s <= EPS:
            note = "All of this reviewer's totals are equal (SD 0); left unadjusted."
            adjusted = False
        elif pool_sd <= EPS:
            note = "The pool's SD is 0; left unadjusted."
            adjusted = False
        else:
            note, adjusted = "", True
        for i in items:
            if adjusted:
                zi = (i.total - m) / s
                normalized[i.review] = (_clip(pool_mean + zi * pool_sd, cfg.lo, cfg.hi), zi)
            else:
                normalized[i.review] = (i.total, None)
        mean_adj = _mean([normalized[i.review][0] - i.total for i in items])
        stats.append(ReviewerStats(reviewer, len(xs), m, s, adjusted, note, mean_adj))

    threshold = cfg.outlier_points if cfg.outlier_points is not None else cfg.outlier_sd * pool_sd
    by_app: dict[Key, list[ScoredReview]] = defaultdict(list)
    for r in reviews:
        by_app[r.application].append(r)
    out: list[NormalizedReview] = []
    for r in reviews:
        others = [normalized[o.review][0] for o in by_app[r.application] if o.review != r.review]
        norm, z = normalized[r.review]
        others_mean = _mean(others) if others else None
        outlier = (
            others_mean is not None and threshold > EPS
            and abs(norm - others_mean) > threshold + EPS
        )
        out.append(NormalizedReview(r.review, r.reviewer, r.application, r.total, norm, z,
                                    others_mean, outlier))
    return Normalization(METHOD_VERSION, cfg, pool_mean, pool_sd, threshold, tuple(stats),
                         tuple(out), tuple(notes))


@dataclass(frozen=True)
class RankedApplication:
    application: Key
    rank: int | None
    completed: int
    assigned: int
    raw_mean: float | None
    normalized_mean: float | None
    needs_another_read: bool
    submitted_at: datetime | None = None
    outlier_reviews: tuple[Key, ...] = field(default_factory=tuple)


def rank(
    normalization: Normalization,
    *,
    applications: Sequence[Key],
    assigned: dict[Key, int] | None = None,
    submitted_at: dict[Key, datetime | None] | None = None,
) -> list[RankedApplication]:
    """Applications by normalized mean total (highest first); ties by raw mean, then earlier
    submission, then the order given. Applications without a completed review come last,
    unranked."""
    assigned = assigned or {}
    submitted_at = submitted_at or {}
    by_app: dict[Key, list[NormalizedReview]] = defaultdict(list)
    for r in normalization.reviews:
        by_app[r.application].append(r)
    rows = []
    for a in applications:
        items = by_app.get(a, [])
        rows.append(RankedApplication(
            application=a,
            rank=None,
            completed=len(items),
            assigned=assigned.get(a, len(items)),
            raw_mean=_mean([i.raw for i in items]) if items else None,
            normalized_mean=_mean([i.normalized for i in items]) if items else None,
            needs_another_read=any(i.outlier for i in items),
            submitted_at=submitted_at.get(a),
            outlier_reviews=tuple(i.review for i in items if i.outlier),
        ))
    order = {a: i for i, a in enumerate(applications)}

    def key(row: RankedApplication) -> tuple[bool, float, float, float, int]:
        when = row.submitted_at
        return (
            row.normalized_mean is None,
            -round(row.normalized_mean or 0.0, 9),
            -round(row.raw_mean or 0.0, 9),
            when.timestamp() if when is not None else math.inf,
            order[row.application],
        )

    ordered = sorted(rows, key=key)
    result = []
    position = 0
    for row in ordered:
        if row.normalized_mean is None:
            result.append(row)
            continue
        position += 1
        result.append(RankedApplication(**{**row.__dict__, "rank": position}))
    return result
