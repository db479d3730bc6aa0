"""Who may do what with appropriations, awards, agreements and progress reports."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser

from playbook.accounts.models import User
from playbook.accounts.permissions import office_staff_only
from playbook.accounts.roles import OFFICE_STAFF, Role
from playbook.core.access import READ_ONLY, Decision
from playbook.programs.models import Agreement
from playbook.programs.permissions import application_is_own

from .models import Award, MatchContribution, MatchStatusChoice


def funding_can_manage(*, user: User | AnonymousUser) -> Decision:
    return office_staff_only(user=user,
                             refusal="Only office staff manage appropriations and agreements.")


def award_is_grantee(*, user: User | AnonymousUser, award: Award) -> bool:
    return application_is_own(user=user, application=award.application)


def award_can_report(*, user: User | AnonymousUser, award: Award) -> Decision:
    if user.is_authenticated and user.role == Role.AUDITOR:
        return False, READ_ONLY
    if not award_is_grantee(user=user, award=award):
        return False, "Only the grantee reports progress."
    if not Agreement.objects.get(pk=award.agreement_id).in_force:
        return False, "Progress is reported on an agreement in force."
    return True, ""


def award_can_record_match(*, user: User | AnonymousUser, award: Award) -> Decision:
    if user.is_authenticated and user.role in OFFICE_STAFF:
        return True, ""
    return award_can_report(user=user, award=award)


def match_can_check(*, user: User | AnonymousUser, contribution: MatchContribution) -> Decision:
    """Office staff check a match contribution before it counts (verify it, or refuse it with a
    reason); never the person who recorded it, and only while it waits."""
    allowed, reason = office_staff_only(
        user=user, refusal="Only office staff check match contributions.")
    if not allowed:
        return False, reason
    if contribution.recorded_by_id == user.pk:
        return False, "Someone other than the person who recorded it checks a contribution."
    if contribution.status != MatchStatusChoice.PENDING:
        return False, f"This contribution is already {contribution.status_label.lower()}."
    return True, ""
