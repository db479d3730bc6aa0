"""Reads of programs, cycles and applications, and the access-checking getters.

``application_get_for_user`` is the only way a view (here or in the reviews and funding apps)
fetches an application: it returns 404 for records outside the user's scope.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum
from django.http import Http404

from playbook.accounts.roles import READ_ALL, Role

from .config import NON_PUBLIC_TYPES
from .eligibility import applicant_profile, eligibility_problems
from .models import (
    DECIDED,
    Application,
    ApplicationStatus,
    Cycle,
    CycleConfiguration,
    Program,
)
from .permissions import APPLICANT_ROLES, organizations_user_may_apply_for

S = ApplicationStatus
#: What the decision body sees: recommended and everything decided.
DECISION_BODY_STATUSES = [S.RECOMMENDED, *DECIDED]
#: Applications that appear on the public round page (submitted at some point, not withdrawn).
PUBLIC_STATUSES = [s for s in ApplicationStatus if s not in (S.DRAFT, S.WITHDRAWN)]


def program_list() -> QuerySet[Program]:
    return Program.objects.annotate(cycle_count=Count("cycles"))


def program_get(*, slug: str) -> Program:
    program = Program.objects.filter(slug=slug).first()
    if program is None:
        raise Http404("No such program.")
    return program


def cycle_get(*, pk: int) -> Cycle:
    cycle = Cycle.objects.select_related("program").filter(pk=pk).first()
    if cycle is None:
        raise Http404("No such cycle.")
    return cycle


def cycle_list_open() -> QuerySet[Cycle]:
    from django.utils import timezone

    now = timezone.now()
    return Cycle.objects.filter(opens_at__lte=now, closes_at__gt=now).select_related("program")


def cycle_list_public() -> QuerySet[Cycle]:
    return Cycle.objects.filter(results_public=True).select_related("program")


def cycle_configuration_current(*, cycle: Cycle) -> CycleConfiguration:
    config = cycle.configurations.order_by("-version").first()
    if config is None:
        raise Http404("This cycle has no configuration yet.")
    return config


def _reviewer_application_ids(user: Any) -> Iterable[int] | None:
    """Applications a reviewer may read, as decided by the reviews app (assigned, no conflict).

    The reviews app provides ``reviews.selectors.reviewer_application_ids(reviewer=...)``; until
    it does, reviewers see none here.
    """
    try:
        from playbook.reviews import selectors as review_selectors
    except ImportError:
        return None
    fn = getattr(review_selectors, "reviewer_application_ids", None)
    return fn(reviewer=user) if fn else None


def application_scope_q(*, user: Any) -> Q:
    """The applications ``user`` may read, as a filter."""
    if not getattr(user, "is_authenticated", False):
        return Q(pk__in=[])
    if user.role in READ_ALL:
        return Q()
    if user.role == Role.DECISION_BODY:
        return Q(status__in=DECISION_BODY_STATUSES)
    if user.role == Role.REVIEWER:
        ids = _reviewer_application_ids(user)
        return Q(pk__in=list(ids)) if ids is not None else Q(pk__in=[])
    if user.role in APPLICANT_ROLES and user.organization_id:
        q = Q(applicant__in=[o.pk for o in organizations_user_may_apply_for(user=user)])
        if user.role == Role.DISTRICT_LEADER:
            # A district also reads its schools' applications and those naming it as partner.
            q |= Q(applicant__parent_id=user.organization_id)
            q |= Q(partner_district_id=user.organization_id)
        return q
    return Q(pk__in=[])


def application_get_for_user(*, user: Any, pk: int) -> Application:
    """The application, if ``user`` may read it; 404 otherwise (never reveals it exists)."""
    app = (
        Application.objects.filter(application_scope_q(user=user), pk=pk)
        .select_related("cycle", "cycle__program", "configuration", "applicant",
                        "partner_district", "created_by")
        .first()
    )
    if app is None:
        raise Http404("No such application.")
    return app


def applications_for_user(*, user: Any) -> QuerySet[Application]:
    return (
        Application.objects.filter(application_scope_q(user=user))
        .select_related("cycle", "cycle__program", "applicant")
        .order_by("-created_at")
    )


def application_list_filtered(
    *, user: Any, cycle: Cycle | None = None, status: str = "", query: str = "",
    applicant_type: str = "",
) -> QuerySet[Application]:
    """Staff lists and exports: every filter optional."""
    qs = Application.objects.filter(application_scope_q(user=user)).select_related(
        "cycle", "cycle__program", "applicant", "partner_district"
    )
    if cycle is not None:
        qs = qs.filter(cycle=cycle)
    if status:
        qs = qs.filter(status=status)
    if query:
        qs = qs.filter(Q(title__icontains=query) | Q(applicant__name__icontains=query))
    if applicant_type == "consortium":
        qs = qs.filter(applicant__kind="consortium")
    elif applicant_type == "single":
        qs = qs.exclude(applicant__kind="consortium")
    return qs.order_by("cycle", "id")


def screening_queue(*, cycle: Cycle | None = None) -> QuerySet[Application]:
    qs = Application.objects.filter(
        status__in=[S.SUBMITTED, S.INFO_REQUESTED, S.SCREENED]
    ).select_related("cycle", "cycle__program", "applicant")
    if cycle is not None:
        qs = qs.filter(cycle=cycle)
    return qs.order_by("submitted_at")


def application_eligibility(*, application: Application) -> list[str]:
    return eligibility_problems(
        rules=application.rules.eligibility, applicant=application.applicant,
        partner=application.partner_district,
    )


def application_problems(*, application: Application) -> list[str]:
    """What keeps the application from being submitted, read with its own version's rules."""
    from playbook.funding.match import match_counted, match_rate_for, match_required

    rules = application.rules
    problems: list[str] = []
    profile = applicant_profile(application.applicant)
    consortium = profile.type == "consortium"
    if not application.title.strip():
        problems.append("Title: required.")
    if not application.summary.strip():
        problems.append("Purpose: required.")
    answers = application.answers or {}
    for field in rules.form.all_fields(consortium=consortium):
        value = answers.get(field.key)
        if field.required and (value is None or str(value).strip() == ""):
            problems.append(f"{field.label}: required.")
        if field.word_limit and isinstance(value, str) and word_count(value) > field.word_limit:
            problems.append(f"{field.label}: {word_count(value)} words; the limit is "
                            f"{field.word_limit}.")
    if consortium:
        plan = str(answers.get("collaboration_plan", "")).strip()
        limit = rules.form.collaboration_plan_word_limit
        if not plan:
            problems.append("Collaboration plan: required of consortium applicants.")
        elif word_count(plan) > limit:
            problems.append(f"Collaboration plan: {word_count(plan)} words; the limit is {limit}.")
    if (
        profile.type in NON_PUBLIC_TYPES
        and rules.eligibility.non_public_requires_district_partner
        and application.partner_district_id is None
    ):
        problems.append("District partner: required of non-public applicants.")
    if not application.budget_lines.exists():
        problems.append("Budget: add at least one budget line.")
    if application.amount_requested <= 0:
        problems.append("Budget: the state funds requested must be more than $0.")
    funding = rules.funding
    if funding is not None:
        cap = funding.cap_for(profile.type)
        if cap is not None and application.amount_requested > cap:
            problems.append(f"Budget: ${application.amount_requested:,} requested is over the "
                            f"${cap:,} cap for {profile.type_label.lower()} applicants.")
        rate = match_rate_for(rules=funding.match, poverty_share=profile.econ_disadvantaged_share)
        required = match_required(amount=application.amount_requested, rate=rate)
        counted = match_counted(cash=application.match_cash, in_kind=application.match_in_kind,
                                required=required,
                                in_kind_max_share=funding.match.in_kind_max_share)
        if counted < required:
            problems.append(
                f"Match: ${required:,} ({rate:.0%} of the request) is required; the budget "
                f"pledges ${counted:,} that counts (in-kind counts up to "
                f"{funding.match.in_kind_max_share:.0%} of the match)."
            )
    present = set(application.attachments.values_list("slot", flat=True))
    for slot in rules.form.attachments:
        if slot.required and slot.key not in present:
            problems.append(f"{slot.label}: attach a file.")
    return problems


def word_count(text: str) -> int:
    return len(text.split())


def _cents(value: Decimal | None) -> Decimal:
    """Sums come back without their scale on SQLite; money always has two places."""
    return (value or Decimal("0")).quantize(Decimal("0.01"))


def cycle_totals(*, cycle: Cycle) -> dict[str, Any]:
    qs = Application.objects.filter(cycle=cycle, status__in=PUBLIC_STATUSES)
    agg = qs.aggregate(n=Count("id"), requested=Sum("amount_requested"))
    awarded = qs.filter(award__isnull=False).exclude(award__status="cancelled").aggregate(
        n=Count("id"), amount=Sum("award__amount"))
    by_status = dict(qs.values_list("status").annotate(n=Count("id")).order_by())
    return {
        "applications": agg["n"] or 0,
        "requested": _cents(agg["requested"]),
        "awards": awarded["n"] or 0,
        "awarded": _cents(awarded["amount"]),
        "budget": cycle.budget,
        "by_status": {ApplicationStatus(k).label: v for k, v in by_status.items()},
    }


def _scores_for(cycle: Cycle) -> dict[int, tuple[Decimal | None, Decimal | None]]:
    """application id -> (normalized, raw) score, from the reviews app when it has them."""
    try:
        from playbook.reviews.selectors import (
            ranking_for_cycle,
        )

        rows = ranking_for_cycle(cycle=cycle)
    except Exception:
        return {}
    out = {}
    for row in rows:
        app = getattr(row, "application", None)
        if app is not None:
            out[app.pk] = (getattr(row, "score", None), getattr(row, "raw_mean", None))
    return out


#: Scores are published once the review is complete.
SCORED_STATUSES = [S.RECOMMENDED, *DECIDED]


def public_rows(*, cycle: Cycle) -> list[dict[str, Any]]:
    """The public round page and its open data: one row per application submitted."""
    apps = (Application.objects.filter(cycle=cycle, status__in=PUBLIC_STATUSES)
            .select_related("applicant", "cycle", "cycle__program", "award")
            .order_by("applicant__name"))
    scores = _scores_for(cycle)
    rows = []
    for app in apps:
        award = getattr(app, "award", None) if hasattr(app, "award") else None
        awarded = award.amount if award is not None and award.status != "cancelled" else None
        score, raw = scores.get(app.pk, (None, None)) if app.status in SCORED_STATUSES else (
            None, None)
        rows.append({
            "reference": app.reference, "applicant": app.applicant.name,
            "applicant_type": applicant_profile(app.applicant).type,
            "status": app.status_label, "purpose": app.summary or app.title,
            "title": app.title, "amount_requested": app.amount_requested,
            "amount_awarded": awarded, "score": score, "raw_score": raw,
        })
    return rows
