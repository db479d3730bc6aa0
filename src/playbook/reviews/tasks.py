"""The reviews app's tasks for each role's home (registered from ``ReviewsConfig.ready``; see
``playbook.core.tasks``): a reviewer's assignments with their due dates and the attestations
to sign first; the office's reviews outstanding and applications without their reviewers."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from django.db.models import Count, Q
from django.urls import reverse

from playbook.accounts.roles import OFFICE_STAFF, Role
from playbook.core.tasks import Task, task_provider_register
from playbook.programs.models import Application

from .models import Assignment, ConflictAttestation
from .permissions import SCORABLE_STATUSES


def _due(assignment: Assignment) -> date | None:
    rnd = getattr(assignment.cycle, "review_round", None)
    return rnd.reviews_due if rnd is not None else None


def reviewer_tasks(user: Any, today: date) -> Iterable[Task]:
    profile = getattr(user, "reviewer_profile", None) if user.role == Role.REVIEWER else None
    if profile is None or not profile.active:
        return
    open_ = (Assignment.objects.filter(reviewer=profile,
                                       application__status__in=SCORABLE_STATUSES)
             .filter(Q(review__isnull=True) | Q(review__submitted_at__isnull=True))
             .select_related("application", "cycle", "cycle__review_round")
             .order_by("cycle", "application"))
    attested = set(ConflictAttestation.objects.filter(reviewer=profile)
                   .values_list("fiscal_year", flat=True))
    years = sorted({a.cycle.fiscal_year for a in open_} - attested)
    for year in years:
        dues = [d for a in open_ if a.cycle.fiscal_year == year and (d := _due(a))]
        yield Task(f"Sign the conflict-of-interest attestation for fiscal year {year}",
                   reverse("reviews:attest", args=[year]), due=min(dues) if dues else None,
                   group="Reviews",
                   detail="You can score your fiscal-year assignments once it is signed.")
    for a in open_:
        started = hasattr(a, "review")
        yield Task(f"{'Finish' if started else 'Score'} {a.application.title}",
                   reverse("reviews:review", args=[a.pk]), due=_due(a), group="Reviews",
                   detail=f"{a.cycle}; {'a draft is saved' if started else 'not started'}.")


def office_review_tasks(user: Any, today: date) -> Iterable[Task]:
    if user.role not in OFFICE_STAFF:
        return
    outstanding = (Assignment.objects.filter(application__status__in=SCORABLE_STATUSES)
                   .filter(Q(review__isnull=True) | Q(review__submitted_at__isnull=True))
                   .select_related("cycle", "cycle__review_round"))
    by_cycle: dict[int, list[Assignment]] = {}
    for a in outstanding:
        by_cycle.setdefault(a.cycle_id, []).append(a)
    for items in by_cycle.values():
        cycle = items[0].cycle
        due = _due(items[0])
        yield Task(f"{len(items)} review{'s' if len(items) != 1 else ''} outstanding in {cycle}",
                   reverse("reviews:cycle", args=[cycle.pk]), len(items), due=due,
                   group="Reviews", detail="Follow up with the reviewers before the due date."
                   if due else "No due date is set for this round's reviews.")
    unassigned = (Application.objects.filter(status__in=["screened", "in_review"])
                  .annotate(n=Count("review_assignments")).filter(n=0)
                  .values("cycle_id", "cycle__name", "cycle__program__name")
                  .annotate(apps=Count("id")))
    for row in unassigned:
        yield Task(f"Assign reviewers to {row['apps']} application"
                   f"{'s' if row['apps'] != 1 else ''} in {row['cycle__program__name']}: "
                   f"{row['cycle__name']}",
                   reverse("reviews:cycle", args=[row["cycle_id"]]), row["apps"],
                   group="Reviews")


def register() -> None:
    task_provider_register("reviews.reviewer", reviewer_tasks, order=20)
    task_provider_register("reviews.office", office_review_tasks, order=20)
