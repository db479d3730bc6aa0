"""Writes for review: the pool, attestations, declared conflicts, round settings, automatic and
manual assignment, scoring and normalization. Keyword-only, one thing each."""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Mapping
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from playbook.core.access import signed_in_or_none
from playbook.organizations.models import Organization
from playbook.programs.models import Application, Cycle
from playbook.programs.registry import application_criteria

from . import assignment as solver
from . import normalization as norm
from .conflicts import conflicts_between, conflicts_for
from .models import (
    ATTESTATION_TEXTS,
    CURRENT_ATTESTATION_VERSION,
    EXPERTISE_TAGS,
    Assignment,
    AssignmentRun,
    ConflictAttestation,
    DeclaredConflict,
    NormalizationRun,
    NormalizedScore,
    Review,
    ReviewerAffiliation,
    ReviewerProfile,
    ReviewRound,
)
from .permissions import ASSIGNABLE_STATUSES, REVIEWER_ROLES, can_score
from .scoring import score_errors, weighted_total
from .selectors import (
    application_expertise_tags,
    assignable_applications,
    cycle_k,
    cycle_panel,
    has_attested,
    review_round_for,
    submitted_reviews,
)

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from playbook.accounts.models import User

# --- the pool ---------------------------------------------------------------------------------


def _check_tags(tags: Iterable[str]) -> list[str]:
    tags = list(dict.fromkeys(tags))
    unknown = [t for t in tags if t not in EXPERTISE_TAGS]
    if unknown:
        raise ValidationError({"expertise": f"Unknown expertise tags: {', '.join(unknown)}."})
    return tags


def reviewer_profile_create(
    *, user: User, expertise: Iterable[str] = (), external: bool = True, notes: str = "",
    by: User | AnonymousUser | None = None,
) -> ReviewerProfile:
    if user.role not in REVIEWER_ROLES:
        raise ValidationError({"user": "Only reviewer and office-staff accounts can join the "
                                       "reviewer pool."})
    if ReviewerProfile.objects.filter(user=user).exists():
        raise ValidationError({"user": f"{user.get_full_name() or user.username} is already in "
                                       "the pool."})
    return ReviewerProfile.objects.create(
        user=user, expertise=_check_tags(expertise), external=external, notes=notes
    )


def reviewer_profile_update(
    *, profile: ReviewerProfile, expertise: Iterable[str], external: bool, active: bool,
    notes: str = "", by: User | AnonymousUser | None = None,
) -> ReviewerProfile:
    profile.expertise = _check_tags(expertise)
    profile.external = external
    profile.active = active
    profile.notes = notes
    profile.save(update_fields=["expertise", "external", "active", "notes"])
    return profile


def affiliation_add(
    *, reviewer: ReviewerProfile, organization: Organization, kind: str,
    start_year: int | None = None, end_year: int | None = None,
    by: User | AnonymousUser | None = None,
) -> ReviewerAffiliation:
    if start_year and end_year and end_year < start_year:
        raise ValidationError({"end_year": "The end year is before the start year."})
    try:
        with transaction.atomic():
            return ReviewerAffiliation.objects.create(
                reviewer=reviewer, organization=organization, kind=kind,
                start_year=start_year, end_year=end_year,
            )
    except IntegrityError as exc:
        raise ValidationError("That affiliation is already recorded.") from exc


def affiliation_remove(
    *, affiliation: ReviewerAffiliation, by: User | AnonymousUser | None = None
) -> None:
    affiliation.delete()


#: The fiscal years an attestation may name: none before this, none more than two years ahead.
ATTESTATION_FIRST_YEAR = 2000
ATTESTATION_YEARS_AHEAD = 2


def attestation_years() -> range:
    """The fiscal years a reviewer may attest for: from 2000 to two years past this one."""
    return range(ATTESTATION_FIRST_YEAR, timezone.localdate().year + ATTESTATION_YEARS_AHEAD + 1)


def attestation_sign(
    *, reviewer: ReviewerProfile, fiscal_year: int,
    text_version: str = CURRENT_ATTESTATION_VERSION, by: User | AnonymousUser | None = None,
) -> ConflictAttestation:
    """Sign the year's conflict-of-interest statement (once a year; signing again is a no-op)."""
    if text_version not in ATTESTATION_TEXTS:
        raise ValidationError(f"Unknown attestation text version {text_version!r}.")
    years = attestation_years()
    if fiscal_year not in years:
        raise ValidationError({"fiscal_year": [
            f"An attestation is for a fiscal year from {years.start} to {years.stop - 1}; "
            f"{fiscal_year} is not one."]})
    existing = ConflictAttestation.objects.filter(reviewer=reviewer,
                                                  fiscal_year=fiscal_year).first()
    if existing is not None:
        return existing
    return ConflictAttestation.objects.create(
        reviewer=reviewer, fiscal_year=fiscal_year, text_version=text_version,
        signed_at=timezone.now(),
    )


@transaction.atomic
def conflict_declare(
    *, reviewer: ReviewerProfile, reason: str, organization: Organization | None = None,
    application: Application | None = None, by: User | AnonymousUser | None = None,
) -> DeclaredConflict:
    """Declare a conflict with an organization or one application. Unsubmitted assignments it
    touches are withdrawn at once (their drafts discarded); submitted reviews stay on record but
    leave the results."""
    if (organization is None) == (application is None):
        raise ValidationError("Declare a conflict with an organization or with an application.")
    if not reason.strip():
        raise ValidationError({"reason": "Say briefly what the conflict is."})
    found = DeclaredConflict.objects.filter(
        reviewer=reviewer, organization=organization, application=application
    ).first()
    declared = found or DeclaredConflict.objects.create(
        reviewer=reviewer, organization=organization, application=application,
        reason=reason.strip(), declared_at=timezone.now(),
    )
    pending = Assignment.objects.filter(reviewer=reviewer).exclude(
        review__submitted_at__isnull=False
    ).select_related("application", "application__cycle")
    for a in pending:
        if conflicts_for(reviewer=reviewer, application=a.application):
            Review.objects.filter(assignment=a).delete()
            a.delete()
    return declared


def declared_conflict_remove(
    *, conflict: DeclaredConflict, by: User | AnonymousUser | None = None
) -> None:
    conflict.delete()


# --- rounds and assignment --------------------------------------------------------------------


@transaction.atomic
def review_round_update(
    *, cycle: Cycle, min_load: int, max_load: int, outlier_sd: Decimal,
    outlier_points: Decimal | None = None, panel: Iterable[ReviewerProfile] | None = None,
    by: User | AnonymousUser | None = None, reviews_due: date | None = None,
) -> ReviewRound:
    if max_load < 1:
        raise ValidationError({"max_load": "The maximum load must be at least 1."})
    if min_load > max_load:
        raise ValidationError({"min_load": "The minimum load cannot be above the maximum."})
    rnd, _ = ReviewRound.objects.get_or_create(cycle=cycle)
    rnd.min_load, rnd.max_load = min_load, max_load
    rnd.outlier_sd, rnd.outlier_points = outlier_sd, outlier_points
    rnd.reviews_due = reviews_due
    rnd.save()
    if panel is not None:
        rnd.panel.set(list(panel))
    return rnd


def _round_locked(cycle: Cycle) -> ReviewRound:
    ReviewRound.objects.get_or_create(cycle=cycle)
    return ReviewRound.objects.select_for_update().get(cycle=cycle)


@transaction.atomic
def assignment_auto(*, cycle: Cycle, by: User | AnonymousUser | None = None) -> AssignmentRun:
    """Assign k reviewers to every assignable application of ``cycle`` optimally.

    Manual assignments and any assignment with a review begun are kept; other automatic
    assignments are replaced by the solver's. Returns the recorded run: its ``message`` says
    what to relax when no assignment exists (nothing is changed then)."""
    rnd = _round_locked(cycle)
    k = cycle_k(cycle=cycle)
    apps = assignable_applications(cycle=cycle)
    panel = cycle_panel(cycle=cycle)
    panel_ids = {r.pk for r in panel}
    app_ids = {a.pk for a in apps}
    existing = list(Assignment.objects.filter(cycle=cycle, application_id__in=app_ids)
                    .select_related("review"))
    kept = [a for a in existing
            if a.source == Assignment.Source.MANUAL or getattr(a, "review", None) is not None]
    conflicts = conflicts_between(reviewers=panel, applications=apps)
    match = {}
    tags = {a.pk: application_expertise_tags(application=a) for a in apps}
    for r in panel:
        for app in apps:
            match[(r.pk, app.pk)] = solver.expertise_match(r.expertise, tags[app.pk])
    elsewhere: dict[int, int] = {}
    for k_a in kept:
        if k_a.reviewer_id not in panel_ids:
            elsewhere[k_a.application_id] = elsewhere.get(k_a.application_id, 0) + 1
    problem = solver.AssignmentProblem(
        reviewers=[solver.Reviewer(r.pk, r.name) for r in panel],
        applications=[solver.Application(app.pk, f"{app.reference} ({app.applicant.name})")
                      for app in apps],
        k=k, min_load=rnd.min_load, max_load=rnd.max_load,
        conflicts=frozenset(conflicts),
        match=match,
        fixed=frozenset((a.reviewer_id, a.application_id) for a in kept
                        if a.reviewer_id in panel_ids),
        kept_elsewhere=elsewhere,
    )
    result = solver.solve(problem)
    now = timezone.now()
    run = AssignmentRun(
        cycle=cycle, by=signed_in_or_none(by), at=now, k=k,
        min_load=rnd.min_load, max_load=rnd.max_load, reviewers=len(panel),
        applications=len(apps), feasible=result.feasible,
        total_match=Decimal(str(round(result.total_match, 2))), message=result.message,
    )
    if result.feasible:
        wanted = set(result.pairs)
        kept_pairs = {(a.reviewer_id, a.application_id) for a in kept}
        replace = [a for a in existing if (a.reviewer_id, a.application_id) not in kept_pairs
                   and (a.reviewer_id, a.application_id) not in wanted]
        have = {(a.reviewer_id, a.application_id) for a in existing}
        new = [Assignment(cycle=cycle, application_id=a, reviewer_id=r,
                          source=Assignment.Source.AUTO,
                          assigned_by=signed_in_or_none(by),
                          assigned_at=now, match=Decimal(str(match.get((r, a), 0.0))))
               for r, a in result.added if (r, a) not in have]
        Assignment.objects.filter(pk__in=[a.pk for a in replace]).delete()
        Assignment.objects.bulk_create(new)
        run.added, run.removed = len(new), len(replace)
        run.message = (f"Assigned {k} reviewers to each of {len(apps)} applications: "
                       f"{len(new)} new, {len(replace)} replaced, {len(kept)} kept.")
    run.save()
    return run


@transaction.atomic
def assignment_add(*, application: Application, reviewer: ReviewerProfile,
                   by: User | AnonymousUser | None = None) -> Assignment:
    """Assign one reviewer by hand. Refuses conflicts, inactive reviewers, duplicates, and
    loads above the round's maximum."""
    rnd = _round_locked(application.cycle)
    if application.status not in ASSIGNABLE_STATUSES:
        raise ValidationError(f"{application.reference} is not awaiting review.")
    if not reviewer.active:
        raise ValidationError(f"{reviewer.name} is inactive.")
    found = conflicts_for(reviewer=reviewer, application=application)
    if found:
        raise ValidationError(
            f"{reviewer.name} has a conflict with {application.reference}: "
            + " ".join(c.reason for c in found)
        )
    if Assignment.objects.filter(application=application, reviewer=reviewer).exists():
        raise ValidationError(f"{reviewer.name} is already assigned to {application.reference}.")
    load = Assignment.objects.filter(cycle=application.cycle, reviewer=reviewer).count()
    if load >= rnd.max_load:
        raise ValidationError(
            f"{reviewer.name} already has {load} applications, the maximum load: raise the "
            "maximum load first or remove one of their assignments."
        )
    tags = application_expertise_tags(application=application)
    return Assignment.objects.create(
        cycle=application.cycle, application=application, reviewer=reviewer,
        source=Assignment.Source.MANUAL, assigned_by=signed_in_or_none(by),
        assigned_at=timezone.now(),
        match=Decimal(str(solver.expertise_match(reviewer.expertise, tags))),
    )


@transaction.atomic
def assignment_remove(*, assignment: Assignment, by: User | AnonymousUser | None = None) -> None:
    """Take a reviewer off an application; a submitted review cannot be taken off."""
    review = Review.objects.filter(assignment=assignment).first()
    if review is not None and review.submitted_at is not None:
        raise ValidationError(
            f"{assignment.reviewer.name} has submitted a review of this application; a "
            "submitted review stays on record."
        )
    if review is not None:
        review.delete()
    assignment.delete()


def assignment_another_read(
    *, application: Application, by: User | AnonymousUser | None = None
) -> Assignment:
    """Add one more reader to an application (for an outlier): the panel member without a
    conflict, not yet assigned and under the maximum load, with the best expertise match, then
    the lightest load."""
    rnd = review_round_for(cycle=application.cycle)
    assigned = set(Assignment.objects.filter(application=application)
                   .values_list("reviewer_id", flat=True))
    loads: dict[int, int] = {}
    for rid in Assignment.objects.filter(cycle=application.cycle).values_list("reviewer_id",
                                                                              flat=True):
        loads[rid] = loads.get(rid, 0) + 1
    candidates = [r for r in cycle_panel(cycle=application.cycle)
                  if r.pk not in assigned and loads.get(r.pk, 0) < rnd.max_load]
    conflicts = conflicts_between(reviewers=candidates, applications=[application])
    tags = application_expertise_tags(application=application)
    free = [r for r in candidates if (r.pk, application.pk) not in conflicts]
    if not free:
        raise ValidationError(
            f"No reviewer without a conflict has room for {application.reference}: add a "
            "reviewer to the panel or raise the maximum load."
        )
    best = min(free, key=lambda r: (-solver.expertise_match(r.expertise, tags),
                                    loads.get(r.pk, 0), r.name, r.pk))
    return assignment_add(application=application, reviewer=best, by=by)


# --- scoring ----------------------------------------------------------------------------------


def _clean_scores(raw: Mapping[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in raw.items():
        if value is None or value == "":
            continue
        if isinstance(value, str):
            with contextlib.suppress(ValueError):
                value = int(value)
        out[key] = value
    return out


@transaction.atomic
def review_save(
    *, assignment: Assignment, by: User | AnonymousUser, scores: Mapping[str, Any],
    comments: Mapping[str, str] | None = None, overall_comment: str = "", submit: bool = False,
) -> Review:
    """Save a draft, or submit: scores checked against the application's own rubric version;
    on submission every criterion is scored, an overall comment given and the weighted total
    computed. Raises ``ValidationError`` (by criterion key) when not allowed or not valid."""
    assignment = (Assignment.objects.select_for_update()
                  .select_related("application", "application__configuration", "cycle",
                                  "reviewer").get(pk=assignment.pk))
    reviewer = assignment.reviewer
    conflicted = bool(conflicts_for(reviewer=reviewer, application=assignment.application))
    attested = has_attested(reviewer=reviewer, fiscal_year=assignment.cycle.fiscal_year)
    allowed, why = can_score(user=by, assignment=assignment, attested=attested,
                             conflicted=conflicted)
    if not allowed:
        raise ValidationError(why)
    configuration = assignment.application.configuration
    criteria = application_criteria(assignment.application)
    clean = _clean_scores(scores)
    keys = {c.key for c in criteria}
    notes = {k: v.strip() for k, v in (comments or {}).items() if k in keys and v and v.strip()}
    errors = score_errors(criteria, clean, complete=submit)
    if submit and not overall_comment.strip():
        errors["overall_comment"] = "Write an overall comment before submitting."
    if errors:
        raise ValidationError({(k or "__all__"): v for k, v in errors.items()})
    now = timezone.now()
    review, _ = Review.objects.get_or_create(
        assignment=assignment,
        defaults={"configuration": configuration, "started_at": now, "updated_at": now},
    )
    review.configuration = configuration
    review.scores = clean
    review.comments = notes
    review.overall_comment = overall_comment.strip()
    review.updated_at = now
    if submit:
        review.total = weighted_total(criteria, clean)
        review.submitted_at = now
    review.save()
    if submit:
        # the ranking follows the reviews: normalized again on every submission, so the
        # decision body never reads a ranking that leaves a submitted review out
        normalization_run(cycle=assignment.cycle, by=None)
    return review


# --- normalization ----------------------------------------------------------------------------


@transaction.atomic
def normalization_run(*, cycle: Cycle, by: User | AnonymousUser | None = None) -> NormalizationRun:
    """Normalize the cycle's submitted reviews (reviews whose reviewer now has a conflict are
    left out) and store the result with the method and settings used."""
    rnd = _round_locked(cycle)
    reviews = submitted_reviews(cycle=cycle)
    config = norm.NormalizationConfig(
        lo=0.0, hi=100.0, min_reviews=2, outlier_sd=float(rnd.outlier_sd),
        outlier_points=float(rnd.outlier_points) if rnd.outlier_points is not None else None,
    )
    assert all(r.total is not None for r in reviews)
    result = norm.normalize(
        [norm.ScoredReview(r.pk, r.assignment.reviewer_id, r.assignment.application_id,
                           float(r.total or 0)) for r in reviews],
        config,
    )

    def d(x: float, places: str = "0.01") -> Decimal:
        return Decimal(str(x)).quantize(Decimal(places))

    def dn(x: float | None, places: str = "0.01") -> Decimal | None:
        return None if x is None else d(x, places)

    run = NormalizationRun.objects.create(
        cycle=cycle, method=result.method,
        parameters={"scale": [config.lo, config.hi], "min_reviews": config.min_reviews,
                  "outlier_sd": config.outlier_sd, "outlier_points": config.outlier_points,
                  "sd": "population"},
        pool_mean=d(result.pool_mean), pool_sd=d(result.pool_sd), threshold=d(result.threshold),
        reviewer_stats=[
            {"reviewer": s.reviewer, "n": s.n, "mean": round(s.mean, 4), "sd": round(s.sd, 4),
             "adjusted": s.adjusted, "note": s.note,
             "mean_adjustment": round(s.mean_adjustment, 4)}
            for s in result.reviewers
        ],
        notes=list(result.notes), reviews_included=len(reviews), created_at=timezone.now(),
        created_by=signed_in_or_none(by),
    )
    NormalizedScore.objects.bulk_create([
        NormalizedScore(run=run, review_id=r.review, raw=d(r.raw), normalized=d(r.normalized),
                        z=dn(r.z, "0.0001"), others_mean=dn(r.others_mean),
                        outlier=r.outlier)
        for r in result.reviews
    ])
    return run
