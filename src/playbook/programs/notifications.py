"""Emails for every lifecycle step, to the people each step concerns (Django's email backend)."""

from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.mail import send_mail

from playbook.accounts.models import User
from playbook.accounts.roles import Role
from playbook.core.mail import mail_subject
from playbook.organizations.models import ConsortiumMembership

from .models import Application

APPLICANT = "applicant"
STAFF = "staff"
DECISION_BODY = "decision_body"

#: transition name -> (past-tense verb, who is told)
MESSAGES: dict[str, tuple[str, tuple[str, ...]]] = {
    "submit": ("submitted", (APPLICANT, STAFF)),
    "request_info": ("needs more information", (APPLICANT,)),
    "provide_info": ("resubmitted with more information", (APPLICANT, STAFF)),
    "screen_eligible": ("screened eligible", (APPLICANT,)),
    "screen_ineligible": ("screened ineligible", (APPLICANT, STAFF)),
    "start_review": ("is in independent review", (APPLICANT,)),
    "recommend": ("recommended to the decision body", (APPLICANT, DECISION_BODY)),
    "approve": ("approved", (APPLICANT, STAFF)),
    "approve_with_conditions": ("approved with conditions", (APPLICANT, STAFF)),
    "deny": ("denied", (APPLICANT, STAFF)),
    "conditions_met": ("conditions met: approved", (APPLICANT, STAFF)),
    "conditions_unmet": ("conditions not met: denied", (APPLICANT, STAFF)),
    "withdraw": ("withdrawn", (APPLICANT, STAFF)),
    "appeal": ("appealed", (APPLICANT, STAFF)),
    "appeal_grant": ("appeal granted: screened again", (APPLICANT, STAFF)),
    "appeal_dismiss": ("appeal dismissed", (APPLICANT, STAFF)),
}


def applicant_contacts(application: Application) -> list[str]:
    org_ids = {application.applicant_id}
    org_ids |= set(
        ConsortiumMembership.objects.filter(
            consortium_id=application.applicant_id, role=ConsortiumMembership.MemberRole.LEAD
        ).values_list("member_id", flat=True)
    )
    users = User.objects.filter(organization_id__in=org_ids, is_active=True,
                                role__in=[Role.DISTRICT_LEADER, Role.SCHOOL_LEADER,
                                          Role.PROVIDER])
    emails = {u.email for u in users if u.email}
    if application.created_by.email:
        emails.add(application.created_by.email)
    return sorted(emails)


def _role_emails(roles: Iterable[str]) -> list[str]:
    return sorted(
        {e for e in User.objects.filter(role__in=list(roles), is_active=True)
         .values_list("email", flat=True) if e}
    )


def recipients_for(application: Application, audiences: Iterable[str]) -> list[str]:
    out: set[str] = set()
    for audience in audiences:
        if audience == APPLICANT:
            out |= set(applicant_contacts(application))
        elif audience == STAFF:
            out |= set(_role_emails([Role.PROGRAM_OFFICER]))
        elif audience == DECISION_BODY:
            out |= set(_role_emails([Role.DECISION_BODY]))
    return sorted(out)


def notify_transition(*, application: Application, name: str,
                      by: User | AnonymousUser | None, reason: str,
                      verb: str | None = None) -> None:
    default_verb, audiences = MESSAGES.get(name, (name.replace("_", " "), (APPLICANT, STAFF)))
    verb = verb or default_verb
    to = recipients_for(application, audiences)
    if not to:
        return
    subject = mail_subject(f"{application.reference} {verb}: {application.title}")
    who = ((by.get_full_name() or by.username) if by is not None and by.is_authenticated and by.pk
           else "the system")
    body = "\n".join(filter(None, [
        f"{application.cycle}",
        f"Application {application.reference}, {application.title}, from "
        f"{application.applicant.name}, is now: {application.status_label}.",
        f"Recorded by {who}.",
        f"Reason: {reason}" if reason else "",
        "",
        "Sign in to Playbook to see the application and its history.",
    ]))
    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, to, fail_silently=False)
