"""Who may do what with programs, cycles and applications. Each answers ``(allowed, reason)``.

Applicants are district leaders, school leaders and providers acting for their organization, or
for a consortium their organization leads. Office staff configure, screen and monitor; the
decision body decides; auditors read everything and change nothing.
"""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser
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


def organizations_user_may_apply_for(*, user: User | AnonymousUser) -> list[Organization]:
    """The user's own organization, and the consortia it leads."""
    if not user.is_authenticated or user.role not in APPLICANT_ROLES:
        return []
    org = user.organization
    if org is None:
        return []
    led = Organization.objects.filter(
        memberships__member=org, memberships__role=ConsortiumMembership.MemberRole.LEAD
    ).order_by("name")
    return [org, *led]


def application_is_own(*, user: User | AnonymousUser, application: Application) -> bool:
    return application.applicant_id in {
        o.pk for o in organizations_user_may_apply_for(user=user)
    }


def _staff(user: User | AnonymousUser, what: str) -> Decision:
    return office_staff_only(user=user, refusal=f"Only office staff {what}.")


def program_can_configure(*, user: User | AnonymousUser) -> Decision:
    return _staff(user, "set up programs and cycles")


def application_can_start(*, user: User | AnonymousUser, cycle: Cycle) -> Decision:
    if user.is_authenticated and user.role == Role.AUDITOR:
        return False, READ_ONLY
    if (not user.is_authenticated or user.role not in APPLICANT_ROLES
            or user.organization_id is None):
        return False, "Applications are made by district, school and provider leaders."
    if not cycle.is_open():
        return False, f"{cycle.name} is not open for applications."
    return True, ""


def application_can_edit(*, user: User | AnonymousUser, application: Application) -> Decision:
    if user.is_authenticated and user.role == Role.AUDITOR:
        return False, READ_ONLY
    if not application_is_own(user=user, application=application):
        return False, "Only the applicant edits an application."
    if application.status not in EDITABLE:
        return False, f"The application is {application.status_label.lower()}; it can no " \
                      "longer be edited."
    if application.status == ApplicationStatus.DRAFT and application.cycle.is_closed():
        return False, f"The deadline for {application.cycle.name} has passed."
    return True, ""


def application_can_submit(*, user: User | AnonymousUser, application: Application) -> Decision:
    allowed, reason = application_can_edit(user=user, application=application)
    if not allowed:
        return allowed, reason
    return True, ""


def application_can_withdraw(*, user: User | AnonymousUser, application: Application) -> Decision:
    if user.is_authenticated and user.role == Role.AUDITOR:
        return False, READ_ONLY
    if not application_is_own(user=user, application=application):
        return False, "Only the applicant withdraws an application."
    if application.status not in WITHDRAWABLE:
        return False, f"An application that is {application.status_label.lower()} cannot " \
                      "be withdrawn."
    return True, ""


def application_can_screen(*, user: User | AnonymousUser) -> Decision:
    return _staff(user, "screen applications")


def application_can_manage(*, user: User | AnonymousUser) -> Decision:
    """Move applications into review and on through monitoring and close."""
    return _staff(user, "manage the application lifecycle")


def signed_in_user(user: User | AnonymousUser | None) -> User:
    """``user`` as a signed-in account, or ``PermissionDenied`` (for writes that record who)."""
    if user is None or not user.is_authenticated:
        raise PermissionDenied("Sign in first.")
    return user


def is_body_member(*, user: User | AnonymousUser, body_id: int) -> bool:
    return user.is_authenticated and DecisionBodyMember.objects.filter(
        body_id=body_id, user_id=user.pk, active=True).exists()


def ballot_can_vote(*, user: User | AnonymousUser, ballot: Ballot) -> Decision:
    if user.is_authenticated and user.role == Role.AUDITOR:
        return False, READ_ONLY
    if ballot.status != BallotStatus.OPEN:
        return False, "The vote has closed."
    if not is_body_member(user=user, body_id=ballot.body_id):
        return False, f"Only members of {ballot.body.name} vote on this application."
    if ballot.votes.filter(member_id=user.pk).exists():
        return False, "You have voted; every vote is kept as cast."
    return ALLOWED


def ballot_can_open(*, user: User | AnonymousUser, body_id: int) -> Decision:
    """Office staff open a vote (the clerk's role), and so does the body's chair."""
    if user.is_authenticated and user.role in OFFICE_STAFF:
        return ALLOWED
    if user.is_authenticated and user.role == Role.AUDITOR:
        return False, READ_ONLY
    if user.is_authenticated and DecisionBodyMember.objects.filter(
            body_id=body_id, user_id=user.pk, active=True, chair=True).exists():
        return ALLOWED
    return False, "Office staff or the body's chair open and close a vote."


def ballot_can_close(*, user: User | AnonymousUser, ballot: Ballot) -> Decision:
    if ballot.status != BallotStatus.OPEN:
        return False, "The vote has closed."
    return ballot_can_open(user=user, body_id=ballot.body_id)


def agreement_is_party(*, user: User | AnonymousUser, agreement: Agreement) -> bool:
    return application_is_own(user=user, application=agreement.application)


def may_act_as(*, user: User | AnonymousUser | None, who: str, application: Application,
               agreement: Agreement | None = None) -> Decision:
    """Whether ``user`` is the audience ``who`` of a workflow step."""
    if who == wf.SYSTEM:
        return False, "The system records this step."
    if user is None or not user.is_authenticated:
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
