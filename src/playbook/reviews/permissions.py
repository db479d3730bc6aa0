"""Who may do what in review. Each rule answers ``(allowed, reason)``.

- Office staff manage the pool, the panel, assignments and normalization, and read everything.
- Auditors and decision-body members read the ranked results and the normalization report.
- A reviewer sees only the applications assigned to them with which they have no conflict; they
  score only after attesting for the fiscal year, and only while the application is in review.
- A reviewer sees other reviewers' scores on an application only once their own is submitted;
  an external reviewer never sees staff reviews or decisions.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from playbook.accounts.permissions import office_staff_only
from playbook.accounts.roles import OFFICE_STAFF, Role
from playbook.core.access import Decision

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from playbook.accounts.models import User

    from .models import Assignment, Review

#: Application statuses (programs.ApplicationStatus values) in which assignment may change.
ASSIGNABLE_STATUSES = ("screened", "in_review")
#: Statuses in which a reviewer may score.
SCORABLE_STATUSES = ("in_review",)


def scoring_state(status: str) -> tuple[str, str]:
    """Whether an application of ``status`` may be scored, as (key, words): every page says
    the same thing for the same state."""
    if status in SCORABLE_STATUSES:
        return "open", "Open"
    if status == "screened":
        return "not_yet", "Not open yet: it opens when the office starts the review"
    return "closed", "Closed: the review of this application is over"
#: Statuses in which an assigned reviewer may still open the application (read-only after
#: review). Draft, submitted, withdrawn and ineligible applications are never shown.
REVIEWER_VISIBLE_STATUSES = ("screened", "in_review", "recommended", "approved", "conditional",
                             "denied", "appealed")
#: Roles that read ranked results and the normalization report.
RESULTS_READERS = frozenset({*OFFICE_STAFF, Role.AUDITOR, Role.DECISION_BODY})
#: Roles that may hold a reviewer profile.
REVIEWER_ROLES = frozenset({Role.REVIEWER, *OFFICE_STAFF})


def can_manage_reviews(*, user: User | AnonymousUser) -> Decision:
    return office_staff_only(user=user,
                             refusal="Only office staff manage reviewers and assignments.")


def can_view_results(*, user: User | AnonymousUser) -> Decision:
    if user.is_authenticated and user.role in RESULTS_READERS:
        return True, ""
    return False, "Ranked results are for office staff, the decision body and auditors."


def can_score(*, user: User | AnonymousUser, assignment: Assignment, attested: bool,
              conflicted: bool) -> Decision:
    """Whether ``user`` may write scores on ``assignment`` now."""
    profile = getattr(user, "reviewer_profile", None)
    if profile is None or assignment.reviewer_id != profile.pk:
        return False, "This application is not assigned to you."
    if not profile.active:
        return False, "Your reviewer profile is inactive; contact the program officer."
    if conflicted:
        return False, "You have a conflict of interest with this application."
    if not attested:
        return False, (f"Sign the conflict-of-interest attestation for fiscal year "
                       f"{assignment.cycle.fiscal_year} before reviewing.")
    state, words = scoring_state(assignment.application.status)
    if state != "open":
        return False, f"Scoring is {words[0].lower()}{words[1:]}."
    review = getattr(assignment, "review", None)
    if review is not None and review.submitted_at is not None:
        return False, "Your review is submitted."
    return True, ""


def can_see_review(*, user: User | AnonymousUser, review: Review,
                   own_submitted: bool) -> Decision:
    """Whether ``user`` may read another reviewer's ``review``."""
    if user.is_authenticated and user.is_office_staff:
        return True, ""
    profile = getattr(user, "reviewer_profile", None)
    if profile is None:
        return False, "Reviews are for the review panel and office staff."
    if review.assignment.reviewer_id == profile.pk:
        return True, ""
    if review.submitted_at is None:
        return False, "Drafts are private to their reviewer."
    if not own_submitted:
        return False, "Other reviewers' scores appear once your own review is submitted."
    if profile.external and not review.assignment.reviewer.external:
        return False, "External reviewers do not see staff reviews."
    return True, ""


def can_see_decisions(*, user: User | AnonymousUser) -> Decision:
    profile = getattr(user, "reviewer_profile", None)
    if user.is_authenticated and user.role in RESULTS_READERS:
        return True, ""
    if profile is not None and not profile.external:
        return True, ""
    return False, "External reviewers do not see decisions."
