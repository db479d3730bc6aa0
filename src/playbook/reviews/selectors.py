"""Reads for review, and the access-checking getters every view uses (404 outside scope)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING

from django.db.models import Count, Max, Q, QuerySet
from django.http import Http404

from playbook.organizations.models import OrgKind
from playbook.programs.models import Application, Cycle

from .conflicts import Conflict, conflicts_between
from .models import (
    Assignment,
    AssignmentRun,
    ConflictAttestation,
    NormalizationRun,
    NormalizedScore,
    Review,
    ReviewerProfile,
    ReviewRound,
)
from .permissions import (
    ASSIGNABLE_STATUSES,
    REVIEWER_VISIBLE_STATUSES,
    can_manage_reviews,
    can_see_review,
    can_view_results,
)

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from playbook.accounts.models import User

HIGH_POVERTY_SHARE = Decimal("0.60")


# --- the pool ---------------------------------------------------------------------------------


def reviewer_profile_for(*, user: User | AnonymousUser) -> ReviewerProfile | None:
    if not user.is_authenticated:
        return None
    return ReviewerProfile.objects.filter(user=user).select_related("user").first()


def pool_list(*, active: bool | None = None) -> QuerySet[ReviewerProfile]:
    qs = ReviewerProfile.objects.select_related("user", "user__organization").annotate(
        assignment_count=Count("assignments", distinct=True),
        last_attested=Max("attestations__fiscal_year"),
    )
    if active is not None:
        qs = qs.filter(active=active)
    return qs


def reviewer_profile_get(*, user: User | AnonymousUser, pk: int) -> ReviewerProfile:
    allowed, _ = can_manage_reviews(user=user)
    profile = pool_list().filter(pk=pk).first() if allowed else None
    if profile is None:
        raise Http404("No such reviewer.")
    return profile


def has_attested(*, reviewer: ReviewerProfile, fiscal_year: int) -> bool:
    return ConflictAttestation.objects.filter(reviewer=reviewer, fiscal_year=fiscal_year).exists()


def attestation_for(*, reviewer: ReviewerProfile, fiscal_year: int) -> ConflictAttestation | None:
    return ConflictAttestation.objects.filter(reviewer=reviewer, fiscal_year=fiscal_year).first()


# --- what a reviewer sees ---------------------------------------------------------------------


def _assignment_qs() -> QuerySet[Assignment]:
    return Assignment.objects.select_related(
        "cycle", "cycle__program", "application", "application__cycle",
        "application__cycle__program", "application__applicant", "application__configuration",
        "reviewer", "reviewer__user", "review",
    )


def _without_conflicts(assignments: list[Assignment]) -> list[Assignment]:
    if not assignments:
        return []
    reviewers = list({a.reviewer_id: a.reviewer for a in assignments}.values())
    apps = list({a.application_id: a.application for a in assignments}.values())
    conflicts = conflicts_between(reviewers=reviewers, applications=apps)
    return [a for a in assignments if (a.reviewer_id, a.application_id) not in conflicts]


def assignments_for_reviewer(
    *, reviewer: User | AnonymousUser, cycle: Cycle | None = None
) -> list[Assignment]:
    """The user's assignments they may open: visible status, no conflict."""
    profile = reviewer_profile_for(user=reviewer)
    if profile is None or not profile.active:
        return []
    qs = _assignment_qs().filter(reviewer=profile,
                                 application__status__in=REVIEWER_VISIBLE_STATUSES)
    if cycle is not None:
        qs = qs.filter(cycle=cycle)
    return _without_conflicts(list(qs.order_by("cycle__closes_at", "application_id")))


def reviewer_application_ids(*, reviewer: User | AnonymousUser) -> list[int]:
    """Applications ``reviewer`` may read (assigned, no conflict): the scope
    ``programs.selectors.application_get_for_user`` asks for."""
    return sorted({a.application_id for a in assignments_for_reviewer(reviewer=reviewer)})


def applications_for_reviewer(
    *, reviewer: User | AnonymousUser, cycle: Cycle
) -> QuerySet[Application]:
    """Applications of ``cycle`` assigned to ``reviewer`` without a conflict."""
    ids = [a.application_id for a in assignments_for_reviewer(reviewer=reviewer, cycle=cycle)]
    return Application.objects.filter(pk__in=ids).select_related("applicant", "cycle")


def assignment_get_for_reviewer(*, user: User | AnonymousUser, pk: int) -> Assignment:
    """The user's own assignment; 404 if it is someone else's, conflicted or not visible."""
    profile = reviewer_profile_for(user=user)
    assignment = (
        _assignment_qs().filter(pk=pk, reviewer=profile,
                                application__status__in=REVIEWER_VISIBLE_STATUSES).first()
        if profile is not None and profile.active else None
    )
    if assignment is None or not _without_conflicts([assignment]):
        raise Http404("No such assignment.")
    return assignment


def review_for(*, assignment: Assignment) -> Review | None:
    return Review.objects.filter(assignment=assignment).first()


def reviews_visible_to(
    *, user: User | AnonymousUser, application: Application
) -> list[Review]:
    """The submitted reviews of ``application`` that ``user`` may read, besides their own."""
    reviews = list(
        Review.objects.filter(assignment__application=application, submitted_at__isnull=False)
        .select_related("assignment", "assignment__reviewer", "assignment__reviewer__user")
        .order_by("submitted_at", "pk")
    )
    profile = reviewer_profile_for(user=user)
    own_submitted = profile is not None and any(
        r.assignment.reviewer_id == profile.pk for r in reviews
    )
    # Reviews by a reviewer who now has a conflict are not shown to other reviewers.
    if not (user.is_authenticated and user.is_office_staff):
        conflicts = conflicts_between(
            reviewers=[r.assignment.reviewer for r in reviews], applications=[application]
        )
        reviews = [r for r in reviews
                   if (r.assignment.reviewer_id, application.pk) not in conflicts]
    return [
        r for r in reviews
        if (profile is None or r.assignment.reviewer_id != profile.pk)
        and can_see_review(user=user, review=r, own_submitted=own_submitted)[0]
    ]


# --- staff: cycles, panels, assignment boards -------------------------------------------------


def review_cycles() -> QuerySet[Cycle]:
    """Cycles with applications in screening-done or review, or with assignments."""
    return (
        Cycle.objects.select_related("program")
        .annotate(
            reviewable=Count("applications", filter=Q(
                applications__status__in=ASSIGNABLE_STATUSES), distinct=True),
            assigned=Count("review_assignments", distinct=True),
        )
        .filter(Q(reviewable__gt=0) | Q(assigned__gt=0))
        .order_by("-closes_at")
    )


def cycle_get_for_reviews(
    *, user: User | AnonymousUser, pk: int, manage: bool = False
) -> Cycle:
    """A cycle, for staff (``manage``) or result readers; 404 for anyone else."""
    allowed, _ = (can_manage_reviews if manage else can_view_results)(user=user)
    cycle = Cycle.objects.select_related("program").filter(pk=pk).first() if allowed else None
    if cycle is None:
        raise Http404("No such cycle.")
    return cycle


def application_get_for_staff(*, user: User | AnonymousUser, pk: int) -> Application:
    allowed, _ = can_manage_reviews(user=user)
    app = (Application.objects.select_related("cycle", "cycle__program", "applicant",
                                              "configuration").filter(pk=pk).first()
           if allowed else None)
    if app is None:
        raise Http404("No such application.")
    return app


def review_round_for(*, cycle: Cycle) -> ReviewRound:
    """The cycle's review settings (unsaved defaults when none are stored yet)."""
    found = ReviewRound.objects.filter(cycle=cycle).first()
    return found if found is not None else ReviewRound(cycle=cycle)


def cycle_k(*, cycle: Cycle) -> int:
    """Reviewers per application, from the configuration the cycle's applications use (the
    latest version when they differ or there are none)."""
    apps = Application.objects.filter(cycle=cycle, status__in=ASSIGNABLE_STATUSES)
    config_ids = set(apps.values_list("configuration_id", flat=True))
    configs = cycle.configurations.order_by("-version")
    if config_ids:
        configs = configs.filter(pk__in=config_ids)
    config = configs.first()
    return config.rules.review.reviewers_per_application if config else 1


def cycle_panel(*, cycle: Cycle) -> list[ReviewerProfile]:
    """The reviewers who may be assigned in ``cycle``: the round's panel, or every active
    reviewer when the panel is empty."""
    rnd = ReviewRound.objects.filter(cycle=cycle).first()
    qs = ReviewerProfile.objects.filter(active=True).select_related("user")
    if rnd is not None and rnd.panel.exists():
        qs = qs.filter(pk__in=rnd.panel.values("pk"))
    return list(qs.order_by("user__last_name", "user__first_name", "user__username"))


def assignable_applications(*, cycle: Cycle) -> list[Application]:
    return list(
        Application.objects.filter(cycle=cycle, status__in=ASSIGNABLE_STATUSES)
        .select_related("applicant", "cycle", "configuration")
        .order_by("pk")
    )


def application_expertise_tags(*, application: Application) -> list[str]:
    """The expertise an application calls for, derived from the registry: rural or urban
    applicant, consortium, high poverty, early grades or secondary."""
    org = application.applicant
    tags = []
    if org.locale_group == "rural":
        tags.append("rural")
    elif org.locale_group == "city":
        tags.append("urban")
    if org.kind == OrgKind.CONSORTIUM:
        tags.append("consortia")
    share = org.econ_disadvantaged_share
    if share is not None and share >= HIGH_POVERTY_SHARE:
        tags.append("high_poverty")
    if org.grade_low is not None and org.grade_low <= 3:
        tags.append("early_grades")
    if org.grade_high is not None and org.grade_high >= 9:
        tags.append("secondary")
    return tags


@dataclass
class BoardRow:
    application: Application
    tags: list[str]
    assignments: list[Assignment]
    conflicted_reviewers: list[tuple[ReviewerProfile, list[Conflict]]]
    #: Assignments whose reviewer has since acquired a conflict.
    conflicted_assignments: list[tuple[Assignment, list[Conflict]]] = field(default_factory=list)

    @property
    def submitted(self) -> int:
        return sum(1 for a in self.assignments if _submitted(a))


def _submitted(a: Assignment) -> bool:
    review = getattr(a, "review", None)
    return review is not None and review.submitted_at is not None


def cycle_assignment_board(*, cycle: Cycle) -> list[BoardRow]:
    """For the staff page: every assignable or assigned application with its reviewers, and
    the panel members who have a conflict with it (and why)."""
    apps = {a.pk: a for a in assignable_applications(cycle=cycle)}
    assignments = list(_assignment_qs().filter(cycle=cycle).order_by("reviewer__user__username"))
    for a in assignments:
        apps.setdefault(a.application_id, a.application)
    panel = cycle_panel(cycle=cycle)
    reviewers = list({r.pk: r for r in [*panel, *(a.reviewer for a in assignments)]}.values())
    conflicts = conflicts_between(reviewers=reviewers, applications=list(apps.values()))
    by_app: dict[int, list[Assignment]] = defaultdict(list)
    for a in assignments:
        by_app[a.application_id].append(a)
    rows = []
    for app in sorted(apps.values(), key=lambda x: x.pk):
        rows.append(BoardRow(
            application=app,
            tags=application_expertise_tags(application=app),
            assignments=[a for a in by_app[app.pk] if (a.reviewer_id, app.pk) not in conflicts],
            conflicted_reviewers=[(r, conflicts[(r.pk, app.pk)]) for r in panel
                                  if (r.pk, app.pk) in conflicts],
            conflicted_assignments=[(a, conflicts[(a.reviewer_id, app.pk)])
                                    for a in by_app[app.pk]
                                    if (a.reviewer_id, app.pk) in conflicts],
        ))
    return rows


def reviewer_loads(*, cycle: Cycle) -> dict[int, int]:
    return dict(
        Assignment.objects.filter(cycle=cycle).values("reviewer").annotate(n=Count("pk"))
        .values_list("reviewer", "n")
    )


def latest_assignment_run(*, cycle: Cycle) -> AssignmentRun | None:
    return AssignmentRun.objects.filter(cycle=cycle).order_by("-at", "-pk").first()


def submitted_reviews(*, cycle: Cycle) -> list[Review]:
    """The cycle's submitted reviews whose reviewer has no conflict with the application."""
    reviews = list(
        Review.objects.filter(assignment__cycle=cycle, submitted_at__isnull=False)
        .select_related("assignment", "assignment__reviewer", "assignment__reviewer__user",
                        "assignment__application", "assignment__application__cycle")
        .order_by("submitted_at", "pk")
    )
    kept = {a.pk for a in _without_conflicts([r.assignment for r in reviews])}
    return [r for r in reviews if r.assignment_id in kept]


# --- results ----------------------------------------------------------------------------------


def latest_normalization(*, cycle: Cycle) -> NormalizationRun | None:
    return NormalizationRun.objects.filter(cycle=cycle).order_by("-created_at", "-pk").first()


@dataclass
class RankingRow:
    application: Application
    rank: int | None
    completed: int
    assigned: int
    raw_mean: Decimal | None
    normalized_mean: Decimal | None
    needs_another_read: bool

    @property
    def score(self) -> Decimal | None:
        """The score funding ranks by: the normalized mean total (0-100)."""
        return self.normalized_mean


@dataclass
class CycleResults:
    cycle: Cycle
    run: NormalizationRun | None
    rows: list[RankingRow]
    #: Submitted reviews the stored run does not include (submitted or changed after it).
    stale: int


def _dec(x: float | None) -> Decimal | None:
    return None if x is None else Decimal(str(round(x, 2))).quantize(Decimal("0.01"))


def cycle_ranking(*, cycle: Cycle) -> CycleResults:
    """Applications ranked by normalized mean total (latest stored normalization run), with raw
    means, counts and the needs-another-read flag. What the decision body and funding read."""
    from .normalization import Normalization as PureNormalization
    from .normalization import NormalizationConfig, NormalizedReview, rank

    run = latest_normalization(cycle=cycle)
    current = submitted_reviews(cycle=cycle)
    assigned = dict(
        Assignment.objects.filter(cycle=cycle).values("application")
        .annotate(n=Count("pk")).values_list("application", "n")
    )
    app_ids = set(assigned) | {
        a.pk for a in Application.objects.filter(cycle=cycle, status__in=ASSIGNABLE_STATUSES)
    }
    apps = {a.pk: a for a in Application.objects.filter(pk__in=app_ids)
            .select_related("applicant", "cycle", "cycle__program")}
    stored: list[NormalizedScore] = list(run.scores.select_related(
        "review", "review__assignment")) if run else []
    stored_ids = {s.review_id: s.review.updated_at for s in stored}
    stale = sum(1 for r in current if r.pk not in stored_ids or r.updated_at > run.created_at
                ) if run else len(current)
    pure = PureNormalization(
        method=run.method if run else "", config=NormalizationConfig(),
        pool_mean=float(run.pool_mean) if run else 0.0,
        pool_sd=float(run.pool_sd) if run else 0.0,
        threshold=float(run.threshold) if run else 0.0, reviewers=(),
        reviews=tuple(
            NormalizedReview(s.review_id, s.review.assignment.reviewer_id,
                             s.review.assignment.application_id, float(s.raw),
                             float(s.normalized), None, None, s.outlier)
            for s in stored if s.review.assignment.application_id in apps
        ),
    )
    ordered = rank(
        pure, applications=sorted(apps), assigned=assigned,
        submitted_at={pk: a.submitted_at for pk, a in apps.items()},
    )
    rows = [RankingRow(apps[r.application], r.rank, r.completed, r.assigned,
                       _dec(r.raw_mean), _dec(r.normalized_mean), r.needs_another_read)
            for r in ordered]
    return CycleResults(cycle=cycle, run=run, rows=rows, stale=stale)


def ranking_for_cycle(*, cycle: Cycle) -> list[RankingRow]:
    """The ranked list funding consumes: ``row.application``, ``row.score`` (normalized mean),
    ``row.raw_mean``, ``row.rank`` (None without a completed review)."""
    return cycle_ranking(cycle=cycle).rows


def application_review_summary(*, application: Application) -> RankingRow | None:
    """One application's row of its cycle's ranking (for programs and funding pages)."""
    for row in cycle_ranking(cycle=application.cycle).rows:
        if row.application.pk == application.pk:
            return row
    return None


@dataclass
class ReviewerReportRow:
    reviewer: ReviewerProfile | None
    name: str
    n: int
    mean: float
    sd: float
    adjusted: bool
    note: str
    mean_adjustment: float


def normalization_report(*, cycle: Cycle) -> tuple[NormalizationRun | None,
                                                     list[ReviewerReportRow]]:
    run = latest_normalization(cycle=cycle)
    if run is None:
        return None, []
    profiles = {p.pk: p for p in ReviewerProfile.objects.filter(
        pk__in=[s["reviewer"] for s in run.reviewer_stats]).select_related("user")}
    rows = []
    for s in run.reviewer_stats:
        p = profiles.get(s["reviewer"])
        rows.append(ReviewerReportRow(
            reviewer=p, name=p.name if p else f"Reviewer {s['reviewer']}", n=s["n"],
            mean=s["mean"], sd=s["sd"], adjusted=s["adjusted"], note=s["note"],
            mean_adjustment=s["mean_adjustment"],
        ))
    rows.sort(key=lambda r: r.name)
    return run, rows


def normalized_scores(*, run: NormalizationRun) -> QuerySet[NormalizedScore]:
    return run.scores.select_related(
        "review", "review__assignment", "review__assignment__reviewer",
        "review__assignment__reviewer__user", "review__assignment__application",
    ).order_by("review__assignment__application_id", "review__assignment__reviewer_id")
