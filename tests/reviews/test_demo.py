"""The demo panel: deterministic and idempotent."""

from __future__ import annotations

from playbook.reviews.demo import demo_reviews_ensure
from playbook.reviews.models import Assignment, NormalizationRun, Review
from playbook.reviews.selectors import cycle_ranking, ranking_for_cycle


def test_demo_reviews_are_idempotent(review_round):
    first = demo_reviews_ensure(cycle=review_round.cycle, password="demo password 12345")
    assert first.reviews_submitted == Assignment.objects.filter(
        cycle=review_round.cycle, application__status="in_review").count() > 0
    # each submission normalized the round again, so the ranking is current already
    assert cycle_ranking(cycle=review_round.cycle).stale == 0
    runs = NormalizationRun.objects.count()
    assert runs == first.reviews_submitted
    totals = sorted(Review.objects.values_list("assignment_id", "total"))
    again = demo_reviews_ensure(cycle=review_round.cycle)
    assert again.reviews_submitted == 0 and not again.normalized
    assert sorted(Review.objects.values_list("assignment_id", "total")) == totals
    assert NormalizationRun.objects.count() == runs
    rows = ranking_for_cycle(cycle=review_round.cycle)
    assert all(r.rank is not None for r in rows)
    # No conflicted pair was assigned.
    assert not Assignment.objects.filter(reviewer=review_round.conflicted,
                                         application=review_round.app_a).exists()
