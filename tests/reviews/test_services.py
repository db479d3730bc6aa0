"""Assignment, scoring, visibility and normalization through the services and selectors."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from playbook.reviews.models import Assignment, AssignmentRun, NormalizedScore, Review
from playbook.reviews.scoring import score_errors, weighted_total
from playbook.reviews.selectors import (
    applications_for_reviewer,
    cycle_ranking,
    ranking_for_cycle,
    reviewer_application_ids,
    reviews_visible_to,
)
from playbook.reviews.services import (
    assignment_add,
    assignment_another_read,
    assignment_auto,
    assignment_remove,
    conflict_declare,
    normalization_run,
    review_round_update,
    review_save,
)

from .conftest import make_reviewer

FULL = {"innovation": 4, "evidence": 3, "capacity": 5, "sustainability": 2}


def _assign(rnd, profile, app, source="manual"):  # type: ignore[no-untyped-def]
    return Assignment.objects.create(cycle=rnd.cycle, application=app, reviewer=profile,
                                     source=source, assigned_at=rnd.cycle.opens_at)


def _submit(assignment, scores=None, comment="Solid plan."):  # type: ignore[no-untyped-def]
    return review_save(assignment=assignment, by=assignment.reviewer.user,
                       scores=scores or FULL, overall_comment=comment, submit=True)


# --- scoring ----------------------------------------------------------------------------------


def test_weighted_total_on_the_innovation_fund_rubric(review_round):
    criteria = review_round.app_a.rules.rubric.criteria
    # 100 * (30*4/5 + 25*3/5 + 20*5/5 + 25*2/5) / 100 = 24 + 15 + 20 + 10 = 69
    assert weighted_total(criteria, FULL) == Decimal("69.00")
    assert score_errors(criteria, {"innovation": 6}, complete=False) == {
        "innovation": "Innovation and personalization: the score must be between 0 and 5."}
    assert "evidence" in score_errors(criteria, {"innovation": 3}, complete=True)
    assert "" in score_errors(criteria, {"bogus": 1}, complete=False)


def test_draft_then_submit_computes_the_total(review_round):
    a = _assign(review_round, review_round.reviewer, review_round.app_b)
    draft = review_save(assignment=a, by=review_round.reviewer.user, scores={"innovation": "3"})
    assert draft.submitted_at is None and draft.total is None
    assert draft.scores == {"innovation": 3}
    with pytest.raises(ValidationError) as exc:
        review_save(assignment=a, by=review_round.reviewer.user, scores={"innovation": 3},
                    submit=True)
    assert {"evidence", "overall_comment"} <= set(exc.value.message_dict)
    review = _submit(a)
    assert review.total == Decimal("69.00") and review.submitted_at is not None
    assert review.configuration == review_round.app_b.configuration
    with pytest.raises(ValidationError, match="submitted"):
        _submit(a)


def test_scores_are_checked_against_the_applications_own_rubric_version(review_round):
    from playbook.programs.models import CycleConfiguration

    data = dict(review_round.cycle.configurations.get().data)
    data["rubric"] = {"criteria": [{"key": "only", "title": "Only", "weight": 1,
                                    "scale_min": 1, "scale_max": 3}]}
    CycleConfiguration.objects.create(cycle=review_round.cycle, version=2, data=data)
    a = _assign(review_round, review_round.reviewer, review_round.app_b)
    review = _submit(a)  # the application was written under version 1
    assert review.configuration.version == 1


def test_must_attest_before_reviewing(review_round):
    late = make_reviewer("late", attest_year=None)
    a = _assign(review_round, late, review_round.app_b)
    with pytest.raises(ValidationError, match="attestation"):
        _submit(a)


def test_scoring_only_while_in_review(review_round, personas):
    from playbook.programs.models import Application

    a = _assign(review_round, review_round.reviewer, review_round.app_b)
    Application.objects.filter(pk=review_round.app_b.pk).update(status="recommended")
    with pytest.raises(ValidationError, match="closed"):
        _submit(a)


def test_someone_else_cannot_write_my_review(review_round):
    a = _assign(review_round, review_round.reviewer, review_round.app_b)
    with pytest.raises(ValidationError, match="not assigned to you"):
        review_save(assignment=a, by=review_round.second.user, scores=FULL,
                    overall_comment="x", submit=True)


# --- visibility -------------------------------------------------------------------------------


def test_conflicted_reviewer_never_sees_the_application(review_round):
    # Even if assigned by a data repair, the conflict hides it.
    _assign(review_round, review_round.conflicted, review_round.app_a)
    _assign(review_round, review_round.conflicted, review_round.app_b)
    user = review_round.conflicted.user
    assert list(applications_for_reviewer(reviewer=user, cycle=review_round.cycle)) == [
        review_round.app_b]
    assert reviewer_application_ids(reviewer=user) == [review_round.app_b.pk]


def test_other_scores_only_after_submitting_and_never_staff_to_externals(review_round):
    mine = _assign(review_round, review_round.reviewer, review_round.app_b)
    theirs = _assign(review_round, review_round.second, review_round.app_b)
    staff = _assign(review_round, review_round.staff_reviewer, review_round.app_b)
    _submit(theirs)
    _submit(staff)
    me = review_round.reviewer.user
    assert reviews_visible_to(user=me, application=review_round.app_b) == []
    _submit(mine)
    visible = reviews_visible_to(user=me, application=review_round.app_b)
    assert [r.assignment for r in visible] == [theirs]  # not the staff review
    # A staff reviewer sees the external ones once theirs is in.
    staff_sees = reviews_visible_to(user=review_round.staff_reviewer.user,
                                    application=review_round.app_b)
    assert {r.assignment for r in staff_sees} == {mine, theirs}


# --- assignment -------------------------------------------------------------------------------


def test_auto_assignment_gives_k_reviewers_without_conflicts(review_round):
    run = assignment_auto(cycle=review_round.cycle)
    assert run.feasible, run.message
    for app in (review_round.app_a, review_round.app_b, review_round.app_c):
        reviewers = set(Assignment.objects.filter(application=app)
                        .values_list("reviewer_id", flat=True))
        assert len(reviewers) == 2
    assert not Assignment.objects.filter(application=review_round.app_a,
                                         reviewer=review_round.conflicted).exists()
    # Expertise: the rural expert reads the rural district's application.
    assert Assignment.objects.filter(application=review_round.app_a,
                                     reviewer=review_round.second).exists()


def test_auto_assignment_keeps_manual_and_started_ones_and_is_repeatable(review_round):
    manual = _assign(review_round, review_round.staff_reviewer, review_round.app_c)
    run = assignment_auto(cycle=review_round.cycle)
    assert run.feasible
    assert Assignment.objects.filter(pk=manual.pk).exists()
    before = set(Assignment.objects.values_list("application_id", "reviewer_id"))
    again = assignment_auto(cycle=review_round.cycle)
    assert again.feasible and again.added == 0 and again.removed == 0
    assert set(Assignment.objects.values_list("application_id", "reviewer_id")) == before


def test_infeasible_assignment_changes_nothing_and_says_what_to_relax(review_round):
    review_round_update(cycle=review_round.cycle, min_load=0, max_load=1,
                        outlier_sd=Decimal("1.5"))
    run = assignment_auto(cycle=review_round.cycle)
    assert not run.feasible
    assert "exceeds total capacity" in run.message
    assert "raise the maximum load to 2" in run.message
    assert not Assignment.objects.exists()
    assert AssignmentRun.objects.filter(feasible=False).count() == 1


def test_manual_assignment_refuses_conflicts(review_round):
    with pytest.raises(ValidationError, match="has a conflict"):
        assignment_add(application=review_round.app_a, reviewer=review_round.conflicted)
    a = assignment_add(application=review_round.app_b, reviewer=review_round.conflicted)
    assert a.source == "manual"
    with pytest.raises(ValidationError, match="already assigned"):
        assignment_add(application=review_round.app_b, reviewer=review_round.conflicted)


def test_manual_assignment_respects_the_maximum_load(review_round):
    review_round_update(cycle=review_round.cycle, min_load=0, max_load=1,
                        outlier_sd=Decimal("1.5"))
    assignment_add(application=review_round.app_b, reviewer=review_round.reviewer)
    with pytest.raises(ValidationError, match="maximum load"):
        assignment_add(application=review_round.app_c, reviewer=review_round.reviewer)


def test_a_submitted_review_cannot_be_removed(review_round):
    a = _assign(review_round, review_round.reviewer, review_round.app_b)
    _submit(a)
    with pytest.raises(ValidationError, match="submitted"):
        assignment_remove(assignment=a)
    b = _assign(review_round, review_round.second, review_round.app_b)
    review_save(assignment=b, by=b.reviewer.user, scores={"innovation": 1})
    assignment_remove(assignment=b)
    assert not Assignment.objects.filter(pk=b.pk).exists()
    assert not Review.objects.filter(assignment_id=b.pk).exists()


def test_another_read_picks_a_free_reviewer_without_a_conflict(review_round):
    _assign(review_round, review_round.reviewer, review_round.app_a)
    _assign(review_round, review_round.second, review_round.app_a)
    extra = assignment_another_read(application=review_round.app_a)
    assert extra.reviewer == review_round.staff_reviewer  # the conflicted one is skipped
    with pytest.raises(ValidationError, match="No reviewer without a conflict"):
        assignment_another_read(application=review_round.app_a)


# --- normalization and ranking ----------------------------------------------------------------


def test_normalization_run_and_ranking(review_round):
    harsh, lenient = review_round.reviewer, review_round.second
    low = {"innovation": 1, "evidence": 1, "capacity": 1, "sustainability": 1}  # 20
    mid = {"innovation": 2, "evidence": 2, "capacity": 2, "sustainability": 2}  # 40
    high = {"innovation": 4, "evidence": 4, "capacity": 4, "sustainability": 4}  # 80
    top = {"innovation": 5, "evidence": 5, "capacity": 5, "sustainability": 5}  # 100
    _submit(_assign(review_round, harsh, review_round.app_a), low)
    _submit(_assign(review_round, harsh, review_round.app_b), mid)
    _submit(_assign(review_round, lenient, review_round.app_a), high)
    _submit(_assign(review_round, lenient, review_round.app_b), top)
    # every submission normalizes again: the ranking already holds all four reviews
    automatic = cycle_ranking(cycle=review_round.cycle)
    assert automatic.run is not None and automatic.stale == 0
    assert NormalizedScore.objects.filter(run=automatic.run).count() == 4
    run = normalization_run(cycle=review_round.cycle)
    # Pool of 20, 40, 80, 100: mean 60, SD sqrt((1600+400+400+1600)/4) = 31.62.
    assert run.pool_mean == Decimal("60.00") and run.pool_sd == Decimal("31.62")
    assert NormalizedScore.objects.filter(run=run).count() == 4
    # Each reviewer's low score -> 60 - 31.62, high -> 60 + 31.62: the harsh/lenient gap goes.
    assert sorted(NormalizedScore.objects.filter(run=run).values_list("normalized",
                                                                       flat=True)) == [
        Decimal("28.38"), Decimal("28.38"), Decimal("91.62"), Decimal("91.62")]
    rows = ranking_for_cycle(cycle=review_round.cycle)
    assert [(r.application, r.rank) for r in rows] == [
        (review_round.app_b, 1), (review_round.app_a, 2), (review_round.app_c, None)]
    assert rows[0].raw_mean == Decimal("70.00") and rows[0].score == Decimal("91.62")
    assert cycle_ranking(cycle=review_round.cycle).stale == 0


def test_a_review_by_a_newly_conflicted_reviewer_leaves_the_results(review_round, personas):
    a = _assign(review_round, review_round.reviewer, review_round.app_b)
    _submit(a)
    conflict_declare(reviewer=review_round.reviewer, organization=personas.district_b,
                     reason="Joined their board")
    run = normalization_run(cycle=review_round.cycle)
    assert run.reviews_included == 0


def test_programs_work_getter_uses_the_review_scope_and_the_read_getter_does_not(review_round):
    """A reviewer's assignment opens only for their work (attachments): the spine's read
    getter, behind every application, award, agreement and report page, refuses it."""
    from django.http import Http404

    from playbook.programs.selectors import application_get_for_user, application_get_for_work

    _assign(review_round, review_round.conflicted, review_round.app_a)
    _assign(review_round, review_round.conflicted, review_round.app_b)
    user = review_round.conflicted.user
    assert application_get_for_work(user=user, pk=review_round.app_b.pk) == review_round.app_b
    with pytest.raises(Http404):
        application_get_for_work(user=user, pk=review_round.app_a.pk)  # conflicted
    with pytest.raises(Http404):
        application_get_for_work(user=user, pk=review_round.app_c.pk)  # not assigned
    with pytest.raises(Http404):
        application_get_for_user(user=user, pk=review_round.app_b.pk)  # assigned: no status
