"""What the reviews app gives the spine (registered from ``ReviewsConfig.ready``; ``programs``
never imports reviews):

- the gate on ``recommend``: where a cycle requires independent review, no recommendation until
  every assigned review is submitted and at least the cycle's number of reviewers have scored;
- the applications a reviewer may read (assigned, without a conflict);
- the scores the public round page and rankings show;
- the review panel on the application page (staff, and the applicant once decided when the
  cycle releases comments) and on the ballot page (deciders read every score and comment before
  they vote).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db.models import Q

from playbook.accounts.roles import OFFICE_STAFF, READ_ALL, Role
from playbook.core.access import ALLOWED, Decision
from playbook.programs.models import DECIDED, Application, Cycle
from playbook.programs.permissions import application_is_own
from playbook.programs.registry import (
    Panel,
    application_panel_register,
    ballot_panel_register,
    gate_register,
    scope_register,
    scores_register,
)

from .models import Assignment, Review

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from playbook.accounts.models import User


def reviews_complete(application: Application) -> Decision:
    """Every assigned review submitted, and at least the cycle's number of reviewers."""
    if not application.rules.review.required:
        return ALLOWED
    wanted = application.rules.review.reviewers_per_application
    assigned = Assignment.objects.filter(application=application)
    submitted = Review.objects.filter(assignment__in=assigned, submitted_at__isnull=False).count()
    total = assigned.count()
    if total == 0:
        return False, ("Independent review is required: no reviewer is assigned yet "
                       f"({wanted} needed).")
    if submitted < total or submitted < wanted:
        return False, (f"Independent review is required: {submitted} of "
                       f"{max(total, wanted)} reviews are complete.")
    return ALLOWED


def _reviewer_scope(user: User) -> Q:
    from .selectors import reviewer_application_ids

    return Q(pk__in=reviewer_application_ids(reviewer=user))


def _scores(cycle: Cycle) -> dict[int, tuple[Any, Any]]:
    from .selectors import ranking_for_cycle

    return {row.application.pk: (row.score, row.raw_mean) for row in ranking_for_cycle(cycle=cycle)}


def _submitted_reviews(application: Application) -> list[Review]:
    return list(Review.objects.filter(assignment__application=application,
                                      submitted_at__isnull=False)
                .select_related("assignment__reviewer__user").order_by("submitted_at", "pk"))


def _application_panel(application: Application,
                       user: User | AnonymousUser) -> dict[str, Any] | None:
    from .selectors import application_review_summary

    if application.status in ("draft", "submitted", "info_requested", "withdrawn"):
        return None
    if not user.is_authenticated:
        return None
    if user.role in READ_ALL or user.role == Role.DECISION_BODY:
        return {"summary": application_review_summary(application=application),
                "reviews": _submitted_reviews(application) if user.role in OFFICE_STAFF
                or user.role in (Role.AUDITOR, Role.DECISION_BODY) else [],
                "names": True}
    if (application_is_own(user=user, application=application)
            and application.status in DECIDED
            and application.rules.review.release_comments_to_applicant):
        return {"summary": None, "reviews": _submitted_reviews(application), "names": False,
                "released": True}
    return None


def _ballot_panel(application: Application,
                  user: User | AnonymousUser) -> dict[str, Any] | None:
    from .selectors import application_review_summary

    return {"summary": application_review_summary(application=application),
            "reviews": _submitted_reviews(application), "names": True}


def register() -> None:
    gate_register(transition="recommend", key="reviews_complete", check=reviews_complete)
    scope_register(role=Role.REVIEWER, scope=_reviewer_scope)
    scores_register(_scores)
    application_panel_register(Panel("reviews", "Independent review",
                                     "reviews/_application_panel.html", _application_panel,
                                     order=10))
    ballot_panel_register(Panel("reviews", "What the reviewers said",
                                "reviews/_application_panel.html", _ballot_panel, order=10))
