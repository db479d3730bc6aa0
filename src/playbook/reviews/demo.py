"""The embedded demo's review panel: a few reviewers who attest, are assigned and score a round.

``demo_reviews_ensure(cycle=...)`` is idempotent and deterministic: call it once the cycle's
applications are in review (after ``application_start_review``) and before they are recommended.
It creates the panel (reusing the ``reviewer`` and ``officer`` demo accounts when they exist),
signs their attestations for the cycle's fiscal year, runs automatic assignment, scores every
assignment still open with scores derived from a hash (one reviewer harsh, one lenient, so the
normalization report has something to show) and stores a normalization run.
"""

from __future__ import annotations

import hashlib
import math
import secrets
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.utils import timezone

from playbook.accounts.models import User
from playbook.accounts.roles import Role
from playbook.accounts.services import user_create
from playbook.programs.models import Cycle
from playbook.programs.registry import application_criteria

from .models import Assignment, ReviewerProfile
from .selectors import (
    assignable_applications,
    cycle_k,
    cycle_ranking,
    latest_normalization,
)
from .services import (
    assignment_auto,
    attestation_sign,
    normalization_run,
    review_round_update,
    review_save,
    reviewer_profile_create,
)

#: username, first, last, expertise, external, leniency (points added on a 0-5 criterion scale)
DEMO_REVIEWERS: list[tuple[str, str, str, tuple[str, ...], bool, float]] = [
    ("reviewer", "Ravi", "Raman", ("blended_learning", "technology"), True, 0.0),
    ("rev.okafor", "Ngozi", "Okafor", ("rural", "school_finance", "consortia"), True, -1.0),
    ("rev.lindgren", "Erik", "Lindgren", ("urban", "competency_based", "secondary"), True, 1.0),
    ("rev.castillo", "Marisol", "Castillo", ("english_learners", "early_grades",
                                             "high_poverty"), True, 0.0),
    ("rev.begay", "Tom", "Begay", ("rural", "evaluation", "special_education"), True, -0.5),
]
STAFF_REVIEWER = ("officer", ("school_finance", "evaluation"))


@dataclass(frozen=True)
class DemoReviewSummary:
    reviewers: int
    assignment_message: str
    reviews_submitted: int
    normalized: bool


def _unit(*parts: Any) -> float:
    """A deterministic number in [0, 1) from ``parts``."""
    digest = hashlib.sha256("|".join(str(p) for p in parts).encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


def _panel(password: str | None) -> list[tuple[ReviewerProfile, float]]:
    panel = []
    for username, first, last, tags, external, leniency in DEMO_REVIEWERS:
        user = User.objects.filter(username=username).first()
        if user is None:
            user = user_create(username=username, role=Role.REVIEWER,
                               password=password or secrets.token_urlsafe(24),
                               first_name=first, last_name=last,
                               email=f"{username}@demo.playbook.example")
        profile = ReviewerProfile.objects.filter(user=user).first() or reviewer_profile_create(
            user=user, expertise=tags, external=external)
        panel.append((profile, leniency))
    staff_name, staff_tags = STAFF_REVIEWER
    staff = User.objects.filter(username=staff_name, role=Role.PROGRAM_OFFICER).first()
    if staff is not None:
        profile = ReviewerProfile.objects.filter(user=staff).first() or reviewer_profile_create(
            user=staff, expertise=staff_tags, external=False)
        panel.append((profile, 0.0))
    return panel


def demo_reviews_ensure(*, cycle: Cycle, password: str | None = None,
                        leave_open_for: str | None = None) -> DemoReviewSummary:
    """Assign the demo panel and submit its reviews; ``leave_open_for`` (a reviewer's user
    name) keeps that reviewer's scores unwritten on every in-review application but the first,
    so the demo reviewer has work waiting. The round's reviews are due three weeks after the
    cycle closes."""
    panel = _panel(password)
    for profile, _ in panel:
        attestation_sign(reviewer=profile, fiscal_year=cycle.fiscal_year)
    apps = assignable_applications(cycle=cycle)
    message = "No application awaits review."
    if apps:
        k = min(cycle_k(cycle=cycle), len(panel))
        max_load = max(1, math.ceil(k * len(apps) / len(panel)) + 1)
        review_round_update(cycle=cycle, min_load=0, max_load=max_load,
                            outlier_sd=Decimal("1.50"),
                            panel=[p for p, _ in panel],
                            reviews_due=timezone.localdate(cycle.closes_at) + timedelta(days=21))
        message = assignment_auto(cycle=cycle).message
    leniency = {p.pk: lean for p, lean in panel}
    submitted = 0
    open_assignments = (
        Assignment.objects.filter(cycle=cycle, application__status="in_review")
        .exclude(review__submitted_at__isnull=False)
        .select_related("application", "application__applicant", "application__configuration",
                        "reviewer__user", "cycle")
        .order_by("pk")
    )
    first_in_review = min((a.application_id for a in open_assignments), default=None)
    for a in open_assignments:
        if leave_open_for and a.reviewer.user.username == leave_open_for \
                and a.application_id != first_in_review:
            continue
        criteria = application_criteria(a.application)
        # Stable inputs only (titles and names, never primary keys), so the demo ranks the same
        # way on every database.
        quality = _unit("quality", a.application.title)
        scores = {}
        for c in criteria:
            span = c.scale_max - c.scale_min
            noise = _unit("score", a.application.title, a.reviewer.user.username, c.key) - 0.5
            raw = c.scale_min + span * (0.25 + 0.6 * quality) + leniency.get(a.reviewer_id, 0.0) \
                * span / 5 + noise * span * 0.3
            scores[c.key] = int(min(c.scale_max, max(c.scale_min, round(raw))))
        review_save(assignment=a, by=a.reviewer.user, scores=scores,
                    comments={c.key: f"{c.title}: scored {scores[c.key]} against the guidance."
                              for c in criteria},
                    overall_comment=("A credible plan with clear student outcomes."
                                     if quality > 0.5 else
                                     "Promising, but the sustainability plan is thin."),
                    submit=True)
        submitted += 1
    normalized = False
    if latest_normalization(cycle=cycle) is None or cycle_ranking(cycle=cycle).stale:
        normalization_run(cycle=cycle)
        normalized = True
    return DemoReviewSummary(reviewers=len(panel), assignment_message=message,
                             reviews_submitted=submitted, normalized=normalized)
