"""The application lifecycle: every declared transition, every forbidden one, who/when/why, mail,
the gates on a recommendation, appeals, and what a user may do next and why not."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from playbook.accounts.roles import Role
from playbook.core.access import READ_ONLY
from playbook.funding.rules import innovation_fund_default
from playbook.programs.models import (
    AppendOnlyError,
    Application,
    ApplicationStatus,
    Cycle,
    LifecycleTransition,
)
from playbook.programs.services import decisions, lifecycle
from playbook.programs.transitions import TransitionRefused, transition_apply, transitions_for
from playbook.programs.workflow import APPLICATION_WORKFLOW, fsm_steps
from playbook.reviews.models import Assignment
from playbook.reviews.services import (
    assignment_add,
    attestation_sign,
    review_save,
    reviewer_profile_create,
)

from ..conftest import signed_in_client
from ..factories import UserFactory
from ..funding.helpers import funded_cycle
from .helpers import advance_to, board, complete_draft, complete_reviews, decide, make_cycle

pytestmark = pytest.mark.django_db
S = ApplicationStatus

# The declared machine, written out independently of the model: (transition, sources, target).
MACHINE = {
    "submit": ({S.DRAFT}, S.SUBMITTED),
    "request_info": ({S.SUBMITTED, S.SCREENED}, S.INFO_REQUESTED),
    "provide_info": ({S.INFO_REQUESTED}, S.SUBMITTED),
    "screen_eligible": ({S.SUBMITTED}, S.SCREENED),
    "screen_ineligible": ({S.SUBMITTED}, S.INELIGIBLE),
    "start_review": ({S.SCREENED}, S.IN_REVIEW),
    # Straight from screening only where the cycle requires no review (a gate, tested below).
    "recommend": ({S.IN_REVIEW, S.SCREENED}, S.RECOMMENDED),
    "approve": ({S.RECOMMENDED}, S.APPROVED),
    "approve_with_conditions": ({S.RECOMMENDED}, S.CONDITIONAL),
    "deny": ({S.RECOMMENDED}, S.DENIED),
    "conditions_met": ({S.CONDITIONAL}, S.APPROVED),
    "conditions_unmet": ({S.CONDITIONAL}, S.DENIED),
    "withdraw": ({S.DRAFT, S.SUBMITTED, S.INFO_REQUESTED, S.SCREENED, S.IN_REVIEW,
                  S.RECOMMENDED}, S.WITHDRAWN),
    "appeal": ({S.DENIED, S.INELIGIBLE}, S.APPEALED),
    "appeal_grant": ({S.APPEALED}, S.SUBMITTED),
    # Back to the refusal that was appealed; with no appeal on record (a forced status), denied.
    "appeal_dismiss": ({S.APPEALED}, S.DENIED),
}
STATUSES = ["draft", "submitted", "info_requested", "screened", "ineligible", "in_review",
            "recommended", "approved", "conditional", "denied", "withdrawn", "appealed"]


@pytest.fixture
def cycle(personas) -> Cycle:
    cycle, _ = funded_cycle(personas.officer)
    return cycle


@pytest.fixture
def draft(personas, cycle) -> Application:
    return complete_draft(cycle=cycle, applicant=personas.district_a, by=personas.leader_a)


def _force(app: Application, status: str) -> Application:
    """Put an application in ``status`` for the machine test (never done by the product)."""
    Application.objects.filter(pk=app.pk).update(
        status=status, submitted_at=timezone.now(), conditions="Hire a project manager.")
    return Application.objects.get(pk=app.pk)


def _walk(app: Application, status: str, personas) -> Application:  # type: ignore[no-untyped-def]
    return advance_to(app, status, officer=personas.officer, decider=personas.decider,
                      applicant_user=personas.leader_a)


def _reviewers(app: Application, n: int) -> list[Assignment]:
    """Assign ``n`` attested reviewers to ``app`` (nothing submitted yet)."""
    for i in range(n):
        user = UserFactory(username=f"lc-rev-{app.pk}-{i}", role=Role.REVIEWER)
        profile = reviewer_profile_create(user=user, expertise=[])
        attestation_sign(reviewer=profile, fiscal_year=app.cycle.fiscal_year)
        assignment_add(application=app, reviewer=profile)
    return list(Assignment.objects.filter(application=app).select_related("reviewer__user")
                .order_by("pk"))


def _submit_review(app: Application, assignment: Assignment) -> None:
    review_save(assignment=assignment, by=assignment.reviewer.user,
                scores={c.key: 4 for c in app.rules.rubric.criteria},
                overall_comment="A credible plan.", submit=True)


def _actions(app: Application, user) -> dict[str, tuple[bool, str]]:  # type: ignore[no-untyped-def]
    return {a.step.name: (a.allowed, a.reason)
            for a in lifecycle.application_actions(application=app, user=user)}


# --- the machine ------------------------------------------------------------------------------

def test_the_statuses_and_the_steps_are_the_ones_written_here():
    assert [s.value for s in ApplicationStatus] == STATUSES
    declared = fsm_steps(Application)
    assert set(declared) == set(MACHINE)
    for name, (sources, target) in MACHINE.items():
        got_sources, got_target = declared[name]
        assert got_sources == {str(s) for s in sources}, name
        if name != "appeal_dismiss":  # its target is decided at run time (see below)
            assert got_target == target, name
    assert {s.name for s in APPLICATION_WORKFLOW.steps} == set(MACHINE)
    assert {p.key for p in APPLICATION_WORKFLOW.phases} == set(STATUSES)


def test_every_declared_transition_runs_and_every_other_is_refused(personas, draft):
    checked = 0
    for name, (sources, target) in MACHINE.items():
        for status in ApplicationStatus:
            app = _force(draft, status)
            if status in sources:
                with transaction.atomic():
                    done = transition_apply(obj=app, name=name, by=personas.officer)
                    assert done.status == target, (name, status)
                    transaction.set_rollback(True)
            else:
                with pytest.raises(TransitionRefused, match="Cannot"):
                    transition_apply(obj=app, name=name, by=personas.officer)
                assert Application.objects.get(pk=app.pk).status == status
            checked += 1
    assert checked == len(MACHINE) * len(ApplicationStatus) == 16 * 12


def test_status_cannot_be_assigned_directly(draft):
    with pytest.raises(AttributeError):
        draft.status = S.APPROVED


def test_the_walk_from_draft_to_recommended_is_recorded_with_who_and_why(personas, draft):
    app = _walk(draft, "recommended", personas)
    assert app.status == S.RECOMMENDED
    log = list(transitions_for(app))
    assert [(t.name, t.source, t.target) for t in log] == [
        ("submit", "draft", "submitted"),
        ("screen_eligible", "submitted", "screened"),
        ("start_review", "screened", "in_review"),
        ("recommend", "in_review", "recommended"),
    ]
    assert log[0].by == personas.leader_a
    assert log[1].by == personas.officer
    assert all(t.at is not None for t in log)


def test_an_unknown_step_is_refused(personas, draft):
    with pytest.raises(TransitionRefused, match="no step 'publish'"):
        lifecycle.application_step(application=draft, name="publish", by=personas.officer)


# --- submission -------------------------------------------------------------------------------

def test_submit_sets_submitted_at_and_mails_applicant_and_officers(personas, draft):
    mail.outbox.clear()
    app = lifecycle.application_submit(application=draft, by=personas.leader_a)
    assert app.submitted_at is not None
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert "submitted" in message.subject
    assert set(message.to) == {"leader_a@example.org", "officer@example.org"}


def test_submit_after_the_deadline_is_refused_on_the_server(personas, draft):
    Cycle.objects.filter(pk=draft.cycle_id).update(closes_at=timezone.now() - timedelta(minutes=1))
    draft.refresh_from_db()
    draft.cycle.refresh_from_db()
    with pytest.raises((TransitionRefused, PermissionDenied)):
        lifecycle.application_submit(application=draft, by=personas.leader_a)
    assert Application.objects.get(pk=draft.pk).status == S.DRAFT


def test_deadline_checked_under_the_lock_even_if_the_page_was_loaded_before(personas, draft):
    stale = Application.objects.get(pk=draft.pk)  # loaded while open
    Cycle.objects.filter(pk=draft.cycle_id).update(closes_at=timezone.now() - timedelta(seconds=1))
    stale.cycle = Cycle.objects.get(pk=draft.cycle_id)
    stale.cycle.closes_at = timezone.now() + timedelta(days=1)  # what the stale page believed
    with pytest.raises((TransitionRefused, PermissionDenied), match="deadline"):
        lifecycle.application_submit(application=stale, by=personas.leader_a)
    assert Application.objects.get(pk=draft.pk).status == S.DRAFT


def test_incomplete_application_cannot_be_submitted_and_says_what_is_missing(personas, cycle):
    from playbook.programs.services.applications import application_start

    app = application_start(cycle=cycle, applicant=personas.district_a, by=personas.leader_a,
                            title="Half done")
    with pytest.raises(TransitionRefused) as exc:
        lifecycle.application_submit(application=app, by=personas.leader_a)
    text = str(exc.value)
    assert "Purpose: required." in text
    assert "Budget: add at least one budget line." in text
    assert "Need: the students and the problem: required." in text


def test_more_information_loop_reopens_editing_and_returns_to_submitted(personas, draft):
    app = lifecycle.application_submit(application=draft, by=personas.leader_a)
    mail.outbox.clear()
    app = lifecycle.application_request_info(application=app, by=personas.officer,
                                             reason="Add the sustainability figures.")
    assert app.status == S.INFO_REQUESTED
    assert mail.outbox[0].to == ["leader_a@example.org"]
    assert "Add the sustainability figures." in mail.outbox[0].body
    app = lifecycle.application_provide_info(application=app, by=personas.leader_a,
                                             reason="Added.")
    assert app.status == S.SUBMITTED


def test_request_info_needs_a_reason(personas, draft):
    app = lifecycle.application_submit(application=draft, by=personas.leader_a)
    with pytest.raises(TransitionRefused, match="reason"):
        lifecycle.application_request_info(application=app, by=personas.officer, reason=" ")


def test_screening_out_needs_a_reason_and_is_recorded(personas, draft):
    app = lifecycle.application_submit(application=draft, by=personas.leader_a)
    with pytest.raises(TransitionRefused):
        lifecycle.application_screen(application=app, by=personas.officer, eligible=False)
    app = lifecycle.application_screen(application=app, by=personas.officer, eligible=False,
                                       reason="Applicant type not eligible.")
    assert app.status == S.INELIGIBLE
    assert transitions_for(app).last().reason == "Applicant type not eligible."


# --- recommending: the review gate ------------------------------------------------------------

def test_recommend_is_refused_until_the_required_reviews_are_complete(personas, draft):
    app = _walk(draft, "in_review", personas)
    assert app.rules.review.required and app.rules.review.reviewers_per_application == 3
    with pytest.raises(TransitionRefused, match=r"no reviewer is assigned yet \(3 needed\)"):
        lifecycle.application_recommend(application=app, by=personas.officer)
    assignments = _reviewers(app, 3)
    _submit_review(app, assignments[0])
    with pytest.raises(TransitionRefused, match="1 of 3 reviews are complete"):
        lifecycle.application_recommend(application=app, by=personas.officer)
    # The reviews app's automation (no user) meets the same gate.
    with pytest.raises(TransitionRefused, match="1 of 3 reviews are complete"):
        lifecycle.application_recommend(application=app, by=None)
    allowed, reason = _actions(app, personas.officer)["recommend"]
    assert not allowed and "1 of 3 reviews are complete" in reason
    _submit_review(app, assignments[1])
    with pytest.raises(TransitionRefused, match="2 of 3 reviews are complete"):
        lifecycle.application_recommend(application=app, by=personas.officer)
    assert Application.objects.get(pk=app.pk).status == S.IN_REVIEW
    _submit_review(app, assignments[2])
    assert _actions(app, personas.officer)["recommend"] == (True, "")
    app = lifecycle.application_recommend(application=app, by=personas.officer)
    assert app.status == S.RECOMMENDED


def test_fewer_reviewers_than_the_cycle_asks_for_is_not_complete(personas, draft):
    app = _walk(draft, "in_review", personas)
    for assignment in _reviewers(app, 2):
        _submit_review(app, assignment)
    with pytest.raises(TransitionRefused, match="2 of 3 reviews are complete"):
        lifecycle.application_recommend(application=app, by=personas.officer)


def test_no_recommendation_straight_from_screening_where_review_is_required(personas, draft):
    app = _walk(draft, "screened", personas)
    with pytest.raises(TransitionRefused, match="requires independent review"):
        lifecycle.application_recommend(application=app, by=personas.officer)
    allowed, reason = _actions(app, personas.officer)["recommend"]
    assert not allowed and "requires independent review" in reason
    assert Application.objects.get(pk=app.pk).status == S.SCREENED


def test_straight_from_screening_to_the_board_where_the_rules_require_no_review(personas):
    data = innovation_fund_default()
    data["review"]["required"] = False
    del data["rubric"]  # may be left out when applications are not reviewed
    cycle = make_cycle(personas.officer, slug="no-review", data=data)
    app = complete_draft(cycle=cycle, applicant=personas.district_a, by=personas.leader_a)
    app = _walk(app, "screened", personas)
    assert _actions(app, personas.officer)["recommend"] == (True, "")
    app = lifecycle.application_recommend(application=app, by=personas.officer)
    assert app.status == S.RECOMMENDED
    assert transitions_for(app).last().source == "screened"


def test_recommend_mails_the_decision_body(personas, draft):
    app = _walk(draft, "in_review", personas)
    complete_reviews(app)
    mail.outbox.clear()
    lifecycle.application_recommend(application=app, by=None)
    assert "decider@example.org" in mail.outbox[0].to
    assert transitions_for(app).last().by is None  # the system (reviews automation)


# --- decisions, by the board's vote -----------------------------------------------------------

def test_decision_body_decides_and_conditions_are_stated(personas, draft):
    members = board(personas)
    app = _walk(draft, "recommended", personas)
    ballot = decisions.ballot_open(application=app, by=personas.officer,
                                   terms={"amount": "400000.00"})
    with pytest.raises(ValidationError) as info:
        decisions.vote_cast(ballot=ballot, by=members[0], choice="conditional")
    assert "conditions" in info.value.message_dict
    decisions.vote_cast(ballot=ballot, by=members[0], choice="conditional",
                        conditions="Name a project lead.")
    decisions.vote_cast(ballot=ballot, by=members[1], choice="approve")
    decisions.vote_cast(ballot=ballot, by=members[2], choice="abstain")
    mail.outbox.clear()
    decisions.ballot_close(ballot=ballot, by=personas.officer)
    app = Application.objects.get(pk=app.pk)
    assert app.status == S.CONDITIONAL
    assert app.conditions == "Name a project lead."
    assert app.decided_at is not None
    assert any("approved with conditions" in m.subject for m in mail.outbox)
    app = lifecycle.application_conditions_resolve(application=app, by=personas.officer,
                                                   met=True, reason="Lead named.")
    assert app.status == S.APPROVED


def test_a_denial_is_recorded_with_the_vote_as_its_reason(personas, draft):
    board(personas)
    app = _walk(draft, "recommended", personas)
    decide(app, officer=personas.officer, outcome="denied", reason="Below the funding line.")
    app = Application.objects.get(pk=app.pk)
    assert app.status == S.DENIED and app.decided_at is not None
    last = transitions_for(app).last()
    assert (last.name, last.by) == ("deny", personas.officer)
    assert "0 approve" in last.reason and "3 deny" in last.reason


@pytest.mark.parametrize("who", ["officer", "admin", "auditor", "leader_a", "reviewer"])
def test_only_the_decision_body_decides(personas, draft, who):
    board(personas)
    app = _walk(draft, "recommended", personas)
    user = getattr(personas, who)
    for name in ("approve", "approve_with_conditions", "deny"):
        with pytest.raises(PermissionDenied):
            lifecycle.application_step(application=app, name=name, by=user)
    ballot = decisions.ballot_open(application=app, by=personas.officer,
                                   terms={"amount": "400000.00"})
    with pytest.raises(PermissionDenied):
        decisions.vote_cast(ballot=ballot, by=user, choice="approve")
    assert Application.objects.get(pk=app.pk).status == S.RECOMMENDED


# --- withdrawal, uniqueness, the log ----------------------------------------------------------

def test_withdraw_by_applicant_and_a_new_application_may_follow(personas, draft, cycle):
    app = lifecycle.application_withdraw(application=draft, by=personas.leader_a,
                                         reason="Reapplying with a partner.")
    assert app.status == S.WITHDRAWN
    again = complete_draft(cycle=cycle, applicant=personas.district_a, by=personas.leader_a)
    assert again.pk != app.pk


def test_one_live_application_per_applicant_per_cycle(personas, draft, cycle):
    with pytest.raises(ValidationError, match="already has an application"):
        complete_draft(cycle=cycle, applicant=personas.district_a, by=personas.leader_a)


def test_the_lifecycle_log_is_append_only(personas, draft):
    app = lifecycle.application_submit(application=draft, by=personas.leader_a)
    entry = transitions_for(app).get()
    with pytest.raises(AppendOnlyError):
        entry.save()
    with pytest.raises(AppendOnlyError):
        entry.delete()
    with pytest.raises(IntegrityError), transaction.atomic():
        LifecycleTransition.objects.filter(pk=entry.pk).update(reason="rewritten")


@pytest.mark.parametrize("who", ["leader_b", "reviewer", "decider", "auditor", "parent",
                                 "provider_user"])
def test_others_cannot_submit_or_withdraw(personas, draft, who):
    user = getattr(personas, who)
    with pytest.raises(PermissionDenied):
        lifecycle.application_submit(application=draft, by=user)
    with pytest.raises(PermissionDenied):
        lifecycle.application_withdraw(application=draft, by=user)
    assert Application.objects.get(pk=draft.pk).status == S.DRAFT


@pytest.mark.parametrize("who", ["leader_a", "reviewer", "decider", "auditor", "parent"])
def test_only_staff_screen(personas, draft, who):
    app = lifecycle.application_submit(application=draft, by=personas.leader_a)
    with pytest.raises(PermissionDenied):
        lifecycle.application_screen(application=app, by=getattr(personas, who), eligible=True)


# --- appeals ----------------------------------------------------------------------------------

def _ineligible(draft: Application, personas) -> Application:  # type: ignore[no-untyped-def]
    app = lifecycle.application_submit(application=draft, by=personas.leader_a)
    return lifecycle.application_screen(application=app, by=personas.officer, eligible=False,
                                        reason="Applicant type not eligible.")


@pytest.mark.parametrize("who", ["officer", "admin", "auditor", "leader_b", "decider",
                                 "reviewer"])
def test_only_the_applicant_appeals(personas, draft, who):
    app = _ineligible(draft, personas)
    with pytest.raises(PermissionDenied):
        lifecycle.application_appeal(application=app, by=getattr(personas, who),
                                     reason="We are eligible.")
    assert Application.objects.get(pk=app.pk).status == S.INELIGIBLE


def test_an_appeal_needs_a_reason_and_is_recorded_and_mailed(personas, draft):
    app = _ineligible(draft, personas)
    with pytest.raises(TransitionRefused, match="reason"):
        lifecycle.application_appeal(application=app, by=personas.leader_a, reason="  ")
    mail.outbox.clear()
    app = lifecycle.application_appeal(application=app, by=personas.leader_a,
                                       reason="We are a district, not a company.")
    assert app.status == S.APPEALED
    last = transitions_for(app).last()
    assert (last.name, last.source, last.by) == ("appeal", "ineligible", personas.leader_a)
    assert last.reason == "We are a district, not a company."
    assert set(mail.outbox[0].to) >= {"leader_a@example.org", "officer@example.org"}


def test_a_denial_may_be_appealed(personas, draft):
    board(personas)
    app = _walk(draft, "recommended", personas)
    decide(app, officer=personas.officer, outcome="denied")
    app = lifecycle.application_appeal(application=Application.objects.get(pk=app.pk),
                                       by=personas.leader_a, reason="The scores were misread.")
    assert app.status == S.APPEALED


@pytest.mark.parametrize("status", ["submitted", "screened", "in_review", "recommended",
                                    "approved", "conditional", "withdrawn", "appealed"])
def test_only_a_refusal_is_appealed(personas, draft, status):
    app = _force(draft, status)
    with pytest.raises(TransitionRefused, match="Cannot appeal"):
        lifecycle.application_appeal(application=app, by=personas.leader_a, reason="Please.")
    assert Application.objects.get(pk=app.pk).status == status


def test_a_granted_appeal_goes_back_to_screening(personas, draft):
    app = _ineligible(draft, personas)
    app = lifecycle.application_appeal(application=app, by=personas.leader_a,
                                       reason="We are eligible.")
    with pytest.raises(PermissionDenied):
        lifecycle.application_step(application=app, name="appeal_grant", by=personas.leader_a,
                                   reason="Granting my own appeal.")
    with pytest.raises(TransitionRefused, match="reason"):
        lifecycle.application_step(application=app, name="appeal_grant", by=personas.officer)
    app = lifecycle.application_step(application=app, name="appeal_grant", by=personas.officer,
                                     reason="The registry had the wrong type.")
    assert app.status == S.SUBMITTED
    app = lifecycle.application_screen(application=app, by=personas.officer, eligible=True)
    assert app.status == S.SCREENED


def test_a_dismissed_appeal_returns_to_the_refusal_that_was_appealed(personas, draft):
    app = _ineligible(draft, personas)
    app = lifecycle.application_appeal(application=app, by=personas.leader_a,
                                       reason="We are eligible.")
    with pytest.raises(PermissionDenied):
        lifecycle.application_step(application=app, name="appeal_dismiss", by=personas.auditor,
                                   reason="x")
    with pytest.raises(TransitionRefused, match="reason"):
        lifecycle.application_step(application=app, name="appeal_dismiss", by=personas.officer)
    app = lifecycle.application_step(application=app, name="appeal_dismiss", by=personas.officer,
                                     reason="The type is right.")
    assert app.status == S.INELIGIBLE


def test_a_dismissed_appeal_of_a_denial_returns_to_denied_even_after_an_earlier_appeal(
        personas, draft):
    board(personas)
    app = _ineligible(draft, personas)
    app = lifecycle.application_appeal(application=app, by=personas.leader_a,
                                       reason="We are eligible.")
    app = lifecycle.application_step(application=app, name="appeal_grant", by=personas.officer,
                                     reason="The registry had the wrong type.")
    app = lifecycle.application_screen(application=app, by=personas.officer, eligible=True)
    app = lifecycle.application_start_review(application=app, by=personas.officer)
    complete_reviews(app)
    app = lifecycle.application_recommend(application=app, by=personas.officer)
    decide(app, officer=personas.officer, outcome="denied")
    app = lifecycle.application_appeal(application=Application.objects.get(pk=app.pk),
                                       by=personas.leader_a, reason="The scores were misread.")
    app = lifecycle.application_step(application=app, name="appeal_dismiss", by=personas.officer,
                                     reason="The scores stand.")
    assert app.status == S.DENIED


# --- what may be done next, and why not -------------------------------------------------------

def test_actions_list_only_the_steps_possible_now(personas, draft):
    assert list(_actions(draft, personas.leader_a)) == ["submit", "withdraw"]
    app = lifecycle.application_submit(application=draft, by=personas.leader_a)
    assert list(_actions(app, personas.officer)) == [
        "request_info", "screen_eligible", "screen_ineligible", "withdraw"]
    app = _force(app, "recommended")
    assert list(_actions(app, personas.officer)) == [
        "approve", "approve_with_conditions", "deny", "withdraw"]
    app = _force(app, "approved")
    assert _actions(app, personas.officer) == {}
    app = _force(app, "denied")
    assert list(_actions(app, personas.leader_a)) == ["appeal"]
    app = _force(app, "appealed")
    assert list(_actions(app, personas.officer)) == ["appeal_grant", "appeal_dismiss"]


def test_actions_say_who_may_take_each_step_and_why_not(personas, draft):
    mine = _actions(draft, personas.leader_a)
    assert mine == {"submit": (True, ""), "withdraw": (True, "")}
    other = _actions(draft, personas.leader_b)
    assert other["submit"] == (False, "Only the applicant takes this step.")
    assert other["withdraw"] == (False, "Only the applicant takes this step.")
    audit = _actions(draft, personas.auditor)
    assert audit == {"submit": (False, READ_ONLY), "withdraw": (False, READ_ONLY)}
    app = lifecycle.application_submit(application=draft, by=personas.leader_a)
    staff = _actions(app, personas.officer)
    assert staff["screen_eligible"] == (True, "")
    assert staff["withdraw"] == (False, "Only the applicant takes this step.")
    applicant = _actions(app, personas.leader_a)
    assert applicant["screen_eligible"] == (False, "Only office staff take this step.")
    assert applicant["withdraw"] == (True, "")
    assert _actions(app, personas.auditor)["screen_eligible"] == (False, READ_ONLY)


def test_actions_say_why_a_step_is_not_possible_yet(personas, draft):
    Cycle.objects.filter(pk=draft.cycle_id).update(closes_at=timezone.now() - timedelta(minutes=1))
    late = Application.objects.get(pk=draft.pk)
    allowed, reason = _actions(late, personas.leader_a)["submit"]
    assert not allowed and "deadline" in reason
    app = _force(late, "recommended")
    for name in ("approve", "approve_with_conditions", "deny"):
        allowed, reason = _actions(app, personas.officer)[name]
        assert not allowed and "vote closes" in reason


def test_a_step_taken_from_the_lifecycle_page(personas, draft):
    client = signed_in_client(personas.leader_a)
    url = reverse("programs:application_step", args=[draft.pk])
    refused = client.post(url, {"step": "submit"}, follow=True).content.decode()
    assert "Confirm the certification to submit the application." in refused
    assert Application.objects.get(pk=draft.pk).status == S.DRAFT
    page = client.get(reverse("programs:application_detail", args=[draft.pk])).content.decode()
    assert f"on behalf of {draft.applicant.name}" in page and 'name="certify"' in page
    response = client.post(url, {"step": "submit", "certify": "yes"})
    assert response.status_code == 302
    assert Application.objects.get(pk=draft.pk).status == S.SUBMITTED
    kept = LifecycleTransition.objects.filter(name="submit").get()
    assert kept.by == personas.leader_a and kept.reason.startswith("Certified: I certify that")
    assert draft.applicant.name in kept.reason
    officer = signed_in_client(personas.officer)
    page = officer.post(url, {"step": "screen_ineligible", "reason": ""}, follow=True)
    assert "Give a reason" in page.content.decode()
    assert Application.objects.get(pk=draft.pk).status == S.SUBMITTED
