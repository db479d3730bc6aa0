"""Normalization at its edges: a review exactly at the outlier threshold is not an outlier
(float noise included), and equal normalized means are broken by the higher raw mean."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from playbook.reviews.normalization import NormalizationConfig, ScoredReview, normalize, rank


def _flags(reviews, **cfg):  # type: ignore[no-untyped-def]
    result = normalize(reviews, NormalizationConfig(**cfg))
    return {r.review: r.outlier for r in result.reviews}


def test_a_difference_of_exactly_the_threshold_is_not_an_outlier():
    # One review each: nothing is adjusted, so the normalized totals are the raw ones.
    at = [ScoredReview("a", "A", "X", 60), ScoredReview("b", "B", "X", 70),
          ScoredReview("c", "C", "Y", 10)]
    assert _flags(at, outlier_points=10) == {"a": False, "b": False, "c": False}
    over = [ScoredReview("a", "A", "X", 60), ScoredReview("b", "B", "X", 70.5),
            ScoredReview("c", "C", "Y", 10)]
    assert _flags(over, outlier_points=10) == {"a": True, "b": True, "c": False}


def test_float_noise_at_the_threshold_does_not_make_an_outlier():
    # 0.4 - 0.1 is 0.30000000000000004 in floating point: still exactly the threshold.
    reviews = [ScoredReview("a", "A", "X", 0.1), ScoredReview("b", "B", "X", 0.4),
               ScoredReview("c", "C", "Y", 50)]
    assert abs(0.4 - 0.1) > 0.3
    assert _flags(reviews, outlier_points=0.3) == {"a": False, "b": False, "c": False}


def test_the_pool_sd_threshold_at_its_edge():
    # Pool of 40, 60, 40, 60: mean 50, SD 10; threshold 2 SD = 20 = the gap on X and Y.
    reviews = [ScoredReview(1, "A", "X", 40), ScoredReview(2, "B", "X", 60),
               ScoredReview(3, "C", "Y", 40), ScoredReview(4, "D", "Y", 60)]
    result = normalize(reviews, NormalizationConfig(outlier_sd=2))
    assert result.threshold == pytest.approx(20)
    assert not any(r.outlier for r in result.reviews)
    result = normalize(reviews, NormalizationConfig(outlier_sd=1.99))
    assert all(r.outlier for r in result.reviews)


def test_equal_normalized_means_rank_the_higher_raw_mean_first():
    """A harsh reviewer's 20 and a lenient one's 55 both normalize to the same total; the
    application the lenient reviewer scored 55 ranks first, although submitted later."""
    reviews = [ScoredReview("h-p", "H", "P", 20), ScoredReview("h-x", "H", "X", 30),
               ScoredReview("l-q", "L", "Q", 55), ScoredReview("l-y", "L", "Y", 65)]
    result = normalize(reviews)
    norm = {r.review: r.normalized for r in result.reviews}
    assert norm["h-p"] == pytest.approx(norm["l-q"])
    t0 = datetime(2026, 3, 1, tzinfo=UTC)
    rows = rank(result, applications=["P", "Q", "X", "Y"],
                submitted_at={"P": t0, "Q": t0 + timedelta(days=1), "X": t0, "Y": t0})
    order = [r.application for r in rows]
    assert order.index("Q") < order.index("P")
    assert [r.rank for r in rows if r.application in ("P", "Q")] == [3, 4]


def test_a_reviewer_below_the_minimum_number_of_reviews_is_not_adjusted():
    reviews = [ScoredReview(1, "A", "X", 20), ScoredReview(2, "A", "Y", 40),
               ScoredReview(3, "B", "X", 80), ScoredReview(4, "B", "Y", 90)]
    two = {s.reviewer: s.adjusted for s in normalize(reviews).reviewers}
    assert two == {"A": True, "B": True}
    three = normalize(reviews, NormalizationConfig(min_reviews=3))
    assert {s.reviewer: s.adjusted for s in three.reviewers} == {"A": False, "B": False}
    assert [r.normalized for r in three.reviews] == [20, 40, 80, 90]
