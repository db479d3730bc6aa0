"""Normalization on the hand-computed case of docs/reviews.md, outlier flags and ranking."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from playbook.reviews.normalization import (
    METHOD_VERSION,
    NormalizationConfig,
    ScoredReview,
    normalize,
    rank,
)

# The worked example of docs/reviews.md: harsh H, lenient L, flat F, single S and T.
EXAMPLE = [
    ScoredReview("h-a", "H", "A", 20), ScoredReview("h-b", "H", "B", 30),
    ScoredReview("l-a", "L", "A", 55), ScoredReview("l-b", "L", "B", 65),
    ScoredReview("f-c", "F", "C", 45), ScoredReview("f-d", "F", "D", 45),
    ScoredReview("s-c", "S", "C", 90),
    ScoredReview("t-d", "T", "D", 50),
]


def _by_review(result):  # type: ignore[no-untyped-def]
    return {r.review: r for r in result.reviews}


def test_hand_computed_case():
    result = normalize(EXAMPLE)
    assert result.method == METHOD_VERSION
    # Pool: mean 400 / 8 = 50; squared deviations 900+400+25+225+25+25+1600+0 = 3200,
    # / 8 = 400, SD 20.
    assert result.pool_mean == pytest.approx(50)
    assert result.pool_sd == pytest.approx(20)
    stats = {s.reviewer: s for s in result.reviewers}
    assert (stats["H"].mean, stats["H"].sd, stats["H"].adjusted) == (25, 5, True)
    assert (stats["L"].mean, stats["L"].sd, stats["L"].adjusted) == (60, 5, True)
    # H: 20 -> z = -1 -> 50 - 20 = 30; 30 -> z = +1 -> 70. Mean adjustment +25.
    assert stats["H"].mean_adjustment == pytest.approx(25)
    assert stats["L"].mean_adjustment == pytest.approx(-10)
    assert not stats["F"].adjusted and "SD 0" in stats["F"].note
    assert not stats["S"].adjusted and "Only 1 review" in stats["S"].note
    norm = {k: v.normalized for k, v in _by_review(result).items()}
    assert norm == pytest.approx({"h-a": 30, "h-b": 70, "l-a": 30, "l-b": 70, "f-c": 45,
                                  "f-d": 45, "s-c": 90, "t-d": 50})
    assert _by_review(result)["h-a"].z == pytest.approx(-1)
    assert _by_review(result)["s-c"].z is None
    # Outliers: threshold 1.5 x 20 = 30. On C, 45 vs 90 differ by 45: both reviews flagged.
    assert result.threshold == pytest.approx(30)
    flagged = {r.review for r in result.reviews if r.outlier}
    assert flagged == {"f-c", "s-c"}
    assert _by_review(result)["s-c"].others_mean == pytest.approx(45)


def test_ranking_uses_normalized_then_raw_means():
    result = normalize(EXAMPLE)
    rows = rank(result, applications=["A", "B", "C", "D"], assigned={"A": 2, "B": 2, "C": 3})
    assert [(r.application, r.rank) for r in rows] == [("B", 1), ("C", 2), ("D", 3), ("A", 4)]
    b = rows[0]
    assert (b.raw_mean, b.normalized_mean, b.completed) == (47.5, 70, 2)
    c = rows[1]
    assert (c.raw_mean, c.normalized_mean, c.needs_another_read) == (67.5, 67.5, True)
    assert c.assigned == 3 and c.completed == 2
    assert set(c.outlier_reviews) == {"f-c", "s-c"}


def test_ties_break_by_raw_then_by_earlier_submission_and_unreviewed_come_last():
    reviews = [ScoredReview(1, "R", "X", 60), ScoredReview(2, "R", "Y", 60),
               ScoredReview(3, "Q", "Z", 60)]
    result = normalize(reviews)  # every total equal: nothing adjusted
    assert result.notes
    t0 = datetime(2025, 3, 1, tzinfo=UTC)
    rows = rank(result, applications=["X", "Y", "Z", "W"],
                submitted_at={"X": t0 + timedelta(days=2), "Y": t0, "Z": t0 + timedelta(days=1)})
    assert [(r.application, r.rank) for r in rows] == [("Y", 1), ("Z", 2), ("X", 3),
                                                         ("W", None)]


def test_normalized_scores_stay_on_the_scale():
    reviews = [ScoredReview(1, "R", "X", 0), ScoredReview(2, "R", "Y", 2),
               ScoredReview(3, "Q", "X", 98), ScoredReview(4, "Q", "Y", 100),
               ScoredReview(5, "P", "X", 100), ScoredReview(6, "P", "Y", 100)]
    result = normalize(reviews)
    assert all(0 <= r.normalized <= 100 for r in result.reviews)


def test_outlier_threshold_in_points():
    result = normalize(EXAMPLE, NormalizationConfig(outlier_points=4))
    flagged = {r.review for r in result.reviews if r.outlier}
    assert flagged == {"f-c", "s-c", "f-d", "t-d"}


def test_no_reviews():
    result = normalize([])
    assert result.reviews == () and result.notes
