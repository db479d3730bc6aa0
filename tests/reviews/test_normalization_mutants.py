"""Normalization and ranking rules that survived mutation testing (bin/mutation,
docs/testing.md): what staff are told about each reviewer and about a cycle with no reviews,
that ranks are not decided by whole points or by a missing mean, and that every unranked
application is still listed."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from playbook.reviews.normalization import (
    METHOD_VERSION,
    Normalization,
    NormalizationConfig,
    NormalizedReview,
    ReviewerStats,
    ScoredReview,
    normalize,
    rank,
)

T0 = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)


def test_a_cycle_without_reviews_says_so_and_has_nothing_to_adjust():
    cfg = NormalizationConfig(lo=1, hi=5)
    assert normalize([], cfg) == Normalization(METHOD_VERSION, cfg, 0.0, 0.0, 0.0, (), (),
                                               ("No submitted reviews yet.",))


def test_each_reviewer_is_reported_with_count_mean_sd_and_why_they_were_left_alone():
    cfg = NormalizationConfig(min_reviews=2)
    result = normalize([
        ScoredReview("h1", "harsh", "A", 40), ScoredReview("h2", "harsh", "B", 60),
        ScoredReview("f1", "flat", "A", 70), ScoredReview("f2", "flat", "B", 70),
        ScoredReview("o1", "once", "A", 90),
    ], cfg)
    assert result.config is cfg and result.notes == ()
    harsh, flat, once = result.reviewers
    assert (harsh.reviewer, harsh.n, harsh.mean, harsh.sd, harsh.adjusted, harsh.note) == (
        "harsh", 2, 50.0, 10.0, True, "")
    assert (flat.n, flat.adjusted, flat.note, flat.mean_adjustment) == (
        2, False, "All of this reviewer's totals are equal (SD 0); left unadjusted.", 0.0)
    assert (once.n, once.adjusted) == (1, False)
    assert once.note == ("Only 1 review; left unadjusted (normalization needs at least 2).")
    assert [(r.review, r.reviewer, r.application) for r in result.reviews] == [
        ("h1", "harsh", "A"), ("h2", "harsh", "B"), ("f1", "flat", "A"), ("f2", "flat", "B"),
        ("o1", "once", "A")]
    assert [r.review for r in result.for_application("B")] == ["h2", "f2"]


def test_a_cycle_where_every_total_is_the_same_says_why_nothing_moved():
    result = normalize([ScoredReview("a", "A", "X", 70), ScoredReview("b", "A", "Y", 70)])
    assert result.notes == ("Every submitted total is the same, so no reviewer's scores were "
                            "adjusted.",)


def test_a_reviewer_who_varies_only_by_float_noise_is_not_stretched_to_the_pool():
    # The reviewer's own SD (1.5e-9) is above the tolerance, the pool's is not: without the
    # pool check, z-scores of +-1 would be mapped with a pool SD of ~0 and reported as adjusted.
    reviews = [ScoredReview("n1", "noisy", "A", 50.0),
               ScoredReview("n2", "noisy", "B", 50.000000003)]
    reviews += [ScoredReview(f"f{i}", f"flat{i // 2}", "C", 50.0) for i in range(8)]
    result = normalize(reviews)
    noisy = result.reviewers[0]
    assert (noisy.reviewer, noisy.adjusted, noisy.note) == (
        "noisy", False, "The pool's SD is 0; left unadjusted.")
    assert [(r.normalized, r.z) for r in result.reviews[:2]] == [(50.0, None),
                                                                 (50.000000003, None)]


# --- ranking ----------------------------------------------------------------------------------

def _norm(*rows: tuple[str, str, float, float]) -> Normalization:
    """A normalization with given (review, application, raw, normalized) rows."""
    reviews = tuple(NormalizedReview(rev, "R", app, raw, norm, None, None, False)
                    for rev, app, raw, norm in rows)
    return Normalization(METHOD_VERSION, NormalizationConfig(), 0.0, 0.0, 0.0,
                         (ReviewerStats("R", len(rows), 0.0, 0.0, False, "", 0.0),), reviews)


def _order(normalization: Normalization, apps: list[str]) -> list[tuple[str, int | None]]:
    when = {a: T0 + timedelta(minutes=i) for i, a in enumerate(apps)}
    return [(r.application, r.rank)
            for r in rank(normalization, applications=apps, submitted_at=when)]


def test_fractions_of_a_point_in_the_normalized_mean_decide_the_rank():
    result = _norm(("x", "first-submitted", 90.0, 80.1), ("y", "later", 10.0, 80.4))
    assert _order(result, ["first-submitted", "later"]) == [("later", 1),
                                                            ("first-submitted", 2)]


def test_fractions_of_a_point_in_the_raw_mean_break_a_tie():
    result = _norm(("x", "first-submitted", 70.1, 80.0), ("y", "later", 70.4, 80.0))
    assert _order(result, ["first-submitted", "later"]) == [("later", 1),
                                                            ("first-submitted", 2)]


def test_a_mean_of_zero_ranks_below_any_positive_mean():
    by_normalized = _norm(("x", "zero", 50.0, 0.0), ("y", "half", 50.0, 0.5))
    assert _order(by_normalized, ["zero", "half"]) == [("half", 1), ("zero", 2)]
    by_raw = _norm(("x", "zero", 0.0, 40.0), ("y", "half", 0.5, 40.0))
    assert _order(by_raw, ["zero", "half"]) == [("half", 1), ("zero", 2)]


def test_float_noise_below_a_billionth_never_decides_a_rank_the_earlier_submission_does():
    noisy_normalized = _norm(("x", "early", 60.0, 80.0), ("y", "late", 60.0, 80.0000000003))
    assert _order(noisy_normalized, ["early", "late"]) == [("early", 1), ("late", 2)]
    noisy_raw = _norm(("x", "early", 60.0, 80.0), ("y", "late", 60.0000000003, 80.0))
    assert _order(noisy_raw, ["early", "late"]) == [("early", 1), ("late", 2)]


def test_every_unranked_application_is_listed_last_and_assigned_defaults_to_completed():
    result = _norm(("x", "A", 60.0, 60.0), ("y", "A", 70.0, 70.0))
    rows = rank(result, applications=["none1", "A", "none2"])
    assert [(r.application, r.rank, r.completed, r.assigned) for r in rows] == [
        ("A", 1, 2, 2), ("none1", None, 0, 0), ("none2", None, 0, 0)]
    rows = rank(result, applications=["A"], assigned={"A": 3})
    assert (rows[0].completed, rows[0].assigned) == (2, 3)
