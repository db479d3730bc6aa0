"""Who may do what with programs, cycles and applications. Each answers ``(allowed, reason)``.

Applicants are district leaders, school leaders and providers acting for their organization, or
for a consortium their organization leads. Office staff configure, screen and monitor; the
decision body decides; auditors read everything and change nothing.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied

from playbook.accounts.models import User
from playbook.accounts.permissions import office_staff_only
from playbook.accounts.roles import OFFICE_STAFF, Role
from playbook.core.access import ALLOWED, READ_ONLY, Decision
from playbook.organizations.models import ConsortiumMembership, Organization

from . import workflow as wf
from .models import (
    EDITABLE,
    WITHDRAWABLE,
    Agreement,
    Application,
    ApplicationStatus,
    Ballot,
    BallotStatus,
    Cycle,
    DecisionBodyMember,
)

__all__ = ["READ_ONLY", "Decision"]
APPLICANT_ROLES = frozenset({Role.DISTRICT_LEADER, Role.SCHOOL_LEADER, Role.PROVIDER})


def organizations_user_may_apply_for(*, user: Any) -> list[Organization]:
    """The user's own organization, and the consortia it leads."""
    if not getattr(user, "is_authenticated", False) or user.role not in APPLICANT_ROLES:
        return []
    org = user.organization
    if org is None:
        return []
    led = Organization.objects.filter(
        memberships__member=org, memberships__role=ConsortiumMembership.MemberRole.LEAD
    ).order_by("name")
    return [org, *led]


def application_is_own(*, user: Any, application: Application) -> bool:
    return application.applicant_id in {
        o.pk for o in organizations_user_may_apply_for(user=user)
    }


def _staff(user: Any, what: str) -> Decision:
    return office_staff_only(user=user, refusal=f"Only office staff {what}.")


def program_can_configure(*, user: Any) -> Decision:
    return _staff(user, "set up programs and cycles")


def application_can_start(*, user: Any, cycle: Cycle) -> Decision:
    if user.role == Role.AUDITOR:
        return False, READ_ONLY
    if user.role not in APPLICANT_ROLES or user.organization_id is None:
        return False, "Applications are made by district, school and provider leaders."
    if not cycle.is_open():
        return False, f"{cycle.name} is not open for applications."
    return True, ""


def application_can_edit(*, user: Any, application: Application) -> Decision:
    if user.role == Role.AUDITOR:
        return False, READ_ONLY
    if not application_is_own(user=user, application=application):
        return False, "Only the applicant edits an application."
    if application.status not in EDITABLE:
        return False, f"The application is {application.status_label.lower()}; it can no " \
                      "longer be edited."
    if application.status == ApplicationStatus.DRAFT and application.cycle.is_closed():
        return False, f"The deadline for {application.cycle.name} has passed."
    return True, ""


def application_can_submit(*, user: Any, application: Application) -> Decision:
    allowed, reason = application_can_edit(user=user, application=application)
    if not allowed:
        return allowed, reason
    return True, ""


def application_can_withdraw(*, user: Any, application: Application) -> Decision:
    if user.role == Role.AUDITOR:
        return False, READ_ONLY
    if not application_is_own(user=user, application=application):
        return False, "Only the applicant withdraws an application."
    if application.status not in WITHDRAWABLE:
        return False, f"An application that is {application.status_label.lower()} cannot " \
                      "be withdrawn."
    return True, ""


def application_can_screen(*, user: Any) -> Decision:
    return _staff(user, "screen applications")


def application_can_manage(*, user: Any) -> Decision:
    """Move applications into review and on through monitoring and close."""
    return _staff(user, "manage the application lifecycle")


def signed_in_user(user: Any) -> User:
    """``user`` as a signed-in account, or ``PermissionDenied`` (for writes that record who)."""
    if not getattr(user, "is_authenticated", False):
        raise PermissionDenied("Sign in first.")
    return user


def is_body_member(*, user: Any, body_id: int) -> bool:
    return bool(getattr(user, "pk", None)) and DecisionBodyMember.objects.filter(
        body_id=body_id, user_id=user.pk, active=True).exists()


def ballot_can_vote(*, user: Any, ballot: Ballot) -> Decision:
    if user.role == Role.AUDITOR:
        return False, READ_ONLY
    if ballot.status != BallotStatus.OPEN:
        return False, "The vote has closed."
    if not is_body_member(user=user, body_id=ballot.body_id):
        return False, f"Only members of {ballot.body.name} vote on this application."
    if ballot.votes.filter(member_id=user.pk).exists():
        return False, "You have voted; every vote is kept as cast."
    return ALLOWED


def ballot_can_open(*, user: Any, body_id: int) -> Decision:
    """Office staff open a vote (the clerk's role), and so does the body's chair."""
    if user.role in OFFICE_STAFF:
        return ALLOWED
    if user.role == Role.AUDITOR:
        return False, READ_ONLY
    if getattr(user, "pk", None) and DecisionBodyMember.objects.filter(
            body_id=body_id, user_id=user.pk, active=True, chair=True).exists():
        return ALLOWED
    return False, "Office staff or the body's chair open and close a vote."


def ballot_can_close(*, user: Any, ballot: Ballot) -> Decision:
    if ballot.status != BallotStatus.OPEN:
        return False, "The vote has closed."
    return ballot_can_open(user=user, body_id=ballot.body_id)


def agreement_is_party(*, user: Any, agreement: Agreement) -> bool:
    return application_is_own(user=user, application=agreement.application)


def may_act_as(*, user: Any, who: str, application: Application,
               agreement: Agreement | None = None) -> Decision:
    """Whether ``user`` is the audience ``who`` of a workflow step."""
    if who == wf.SYSTEM:
        return False, "The system records this step."
    if user is None or not getattr(user, "is_authenticated", False):
        return False, "Sign in first."
    if user.role == Role.AUDITOR:
        return False, READ_ONLY
    if who == wf.STAFF:
        return _staff(user, "take this step")
    if who in (wf.APPLICANT, wf.PARTY):
        if application_is_own(user=user, application=application):
            return ALLOWED
        return False, ("Only the other party countersigns." if who == wf.PARTY
                       else "Only the applicant takes this step.")
    if who == wf.DECISION_BODY:
        if user.role == Role.DECISION_BODY:
            return ALLOWED
        return False, "Only members of the decision body take this step."
    return False, f"Only {wf.audiences_label([who])} take this step."
