"""Who may do what with programs, cycles and applications. Each answers ``(allowed, reason)``.

Applicants are district leaders, school leaders and providers acting for their organization, or
for a consortium their organization leads. Office staff configure, screen and monitor; the
decision body decides; auditors read everything and change nothing.
"""

from __future__ import annotations

from typing import Any

from playbook.accounts.roles import OFFICE_STAFF, Role
from playbook.organizations.models import ConsortiumMembership, Organization

from .models import EDITABLE, WITHDRAWABLE, Application, ApplicationStatus, Cycle

Decision = tuple[bool, str]
APPLICANT_ROLES = frozenset({Role.DISTRICT_LEADER, Role.SCHOOL_LEADER, Role.PROVIDER})
READ_ONLY = "Auditors have read-only access."


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
    if user.role in OFFICE_STAFF:
        return True, ""
    if user.role == Role.AUDITOR:
        return False, READ_ONLY
    return False, f"Only office staff {what}."


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


def application_can_decide(*, user: Any) -> Decision:
    if user.role == Role.DECISION_BODY:
        return True, ""
    if user.role == Role.AUDITOR:
        return False, READ_ONLY
    return False, "Only members of the decision body decide."
