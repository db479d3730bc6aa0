"""The application lifecycle: every declared transition, every forbidden one, who/when/why, mail."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone

from playbook.programs.models import (
    AppendOnlyError,
    Application,
    ApplicationStatus,
    Cycle,
    LifecycleTransition,
)
from playbook.programs.services import lifecycle
from playbook.programs.transitions import TransitionRefused, transition_apply, transitions_for

from .helpers import advance_to, complete_draft, make_cycle

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
    "recommend": ({S.IN_REVIEW}, S.RECOMMENDED),
    "approve": ({S.RECOMMENDED}, S.APPROVED),
    "approve_with_conditions": ({S.RECOMMENDED}, S.CONDITIONAL),
    "deny": ({S.RECOMMENDED}, S.DENIED),
    "conditions_met": ({S.CONDITIONAL}, S.APPROVED),
    "conditions_unmet": ({S.CONDITIONAL}, S.DENIED),
    "activate": ({S.APPROVED}, S.ACTIVE),
    "monitor": ({S.ACTIVE}, S.MONITORED),
    "close": ({S.ACTIVE, S.MONITORED}, S.CLOSED),
    "withdraw": ({S.DRAFT, S.SUBMITTED, S.INFO_REQUESTED, S.SCREENED, S.IN_REVIEW,
                  S.RECOMMENDED}, S.WITHDRAWN),
}


@pytest.fixture
def cycle(personas) -> Cycle:
    return make_cycle(personas.officer)


@pytest.fixture
def draft(personas, cycle) -> Application:
    return complete_draft(cycle=cycle, applicant=personas.district_a, by=personas.leader_a)


def _force(app: Application, status: str) -> Application:
    """Put an application in ``status`` for the machine test (never done by the product)."""
    Application.objects.filter(pk=app.pk).update(
        status=status, submitted_at=timezone.now(), conditions="Hire a project manager.")
    return Application.objects.get(pk=app.pk)


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
    assert checked == len(MACHINE) * len(ApplicationStatus)


def test_status_cannot_be_assigned_directly(draft):
    with pytest.raises(AttributeError):
        draft.status = S.APPROVED


def test_the_walk_from_draft_to_recommended_is_recorded_with_who_and_why(personas, draft):
    app = advance_to(draft, "recommended", officer=personas.officer, decider=personas.decider,
                     applicant_user=personas.leader_a)
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


def test_decision_body_decides_and_conditions_are_stated(personas, draft):
    app = advance_to(draft, "recommended", officer=personas.officer, decider=personas.decider,
                     applicant_user=personas.leader_a)
    with pytest.raises(TransitionRefused, match="conditions"):
        lifecycle.application_decide(application=app, by=personas.decider, outcome="conditional")
    mail.outbox.clear()
    app = lifecycle.application_decide(application=app, by=personas.decider,
                                       outcome="conditional", conditions="Name a project lead.")
    assert app.status == S.CONDITIONAL
    assert app.conditions == "Name a project lead."
    assert app.decided_at is not None
    assert "approved with conditions" in mail.outbox[0].subject
    app = lifecycle.application_conditions_resolve(application=app, by=personas.officer,
                                                   met=True, reason="Lead named.")
    assert app.status == S.APPROVED


def test_deny_needs_a_reason(personas, draft):
    app = advance_to(draft, "recommended", officer=personas.officer, decider=personas.decider,
                     applicant_user=personas.leader_a)
    with pytest.raises(TransitionRefused):
        lifecycle.application_decide(application=app, by=personas.decider, outcome="denied")
    app = lifecycle.application_decide(application=app, by=personas.decider, outcome="denied",
                                       reason="Below the funding line.")
    assert app.status == S.DENIED


def test_recommend_mails_the_decision_body(personas, draft):
    app = advance_to(draft, "in_review", officer=personas.officer, decider=personas.decider,
                     applicant_user=personas.leader_a)
    mail.outbox.clear()
    lifecycle.application_recommend(application=app, by=None)
    assert "decider@example.org" in mail.outbox[0].to
    assert transitions_for(app).last().by is None  # the system (reviews automation)


def test_withdraw_by_applicant_and_a_new_application_may_follow(personas, draft, cycle):
    app = lifecycle.application_withdraw(application=draft, by=personas.leader_a,
                                         reason="Reapplying with a partner.")
    assert app.status == S.WITHDRAWN
    again = complete_draft(cycle=cycle, applicant=personas.district_a, by=personas.leader_a)
    assert again.pk != app.pk


def test_one_live_application_per_applicant_per_cycle(personas, draft, cycle):
    from django.core.exceptions import ValidationError

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


@pytest.mark.parametrize("who", ["leader_a", "reviewer", "decider", "auditor", "parent"])
def test_only_staff_screen(personas, draft, who):
    app = lifecycle.application_submit(application=draft, by=personas.leader_a)
    with pytest.raises(PermissionDenied):
        lifecycle.application_screen(application=app, by=getattr(personas, who), eligible=True)


@pytest.mark.parametrize("who", ["officer", "admin", "auditor", "leader_a", "reviewer"])
def test_only_the_decision_body_decides(personas, draft, who):
    app = advance_to(draft, "recommended", officer=personas.officer, decider=personas.decider,
                     applicant_user=personas.leader_a)
    with pytest.raises(PermissionDenied):
        lifecycle.application_decide(application=app, by=getattr(personas, who),
                                     outcome="approved")
