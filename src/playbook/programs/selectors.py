"""Reads of programs, cycles and applications, and the access-checking getters.

``application_get_for_user`` is the only way a view (here or in the reviews and funding apps)
fetches an application: it returns 404 for records outside the user's scope.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.db.models import Count, Q, QuerySet
from django.http import Http404

from playbook.accounts.models import User
from playbook.accounts.roles import READ_ALL, Role

from .eligibility import applicant_profile, eligibility_problems
from .models import (
    DECIDED,
    IN_FORCE,
    REPORT_DUE_DAYS,
    Agreement,
    Application,
    ApplicationStatus,
    Ballot,
    Cycle,
    CycleConfiguration,
    MonitoringReport,
    Program,
    ReportStatus,
)
from .permissions import APPLICANT_ROLES, organizations_user_may_apply_for
from .registry import instrument_for, scope_for, scores_for
from .rules import NON_PUBLIC_TYPES

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


def application_scope_q(*, user: User | AnonymousUser) -> Q:
    """The applications ``user`` may read as office staff, auditor, decider or party, as a
    filter: the scope of the application, agreement, award and report pages.

    A role whose reads an app registered (reviewers: their assignments) gets nothing here: it
    reads those applications only through that app's own pages, which show what its rules allow
    (docs/reviews.md: a reviewer sees the assignment, never the status, decisions, agreements or
    other scores). ``application_work_scope_q`` adds the registered scope where that work needs
    a spine page (an attachment's download)."""
    if not user.is_authenticated:
        return Q(pk__in=[])
    if user.role in READ_ALL:
        return Q()
    if user.role == Role.DECISION_BODY:
        return Q(status__in=DECISION_BODY_STATUSES)
    if scope_for(user.role) is not None:
        return Q(pk__in=[])
    if user.role in APPLICANT_ROLES and user.organization_id:
        q = Q(applicant__in=[o.pk for o in organizations_user_may_apply_for(user=user)])
        if user.role == Role.DISTRICT_LEADER:
            # A district also reads its schools' applications and those naming it as partner.
            q |= Q(applicant__parent_id=user.organization_id)
            q |= Q(partner_district_id=user.organization_id)
        return q
    return Q(pk__in=[])


def application_work_scope_q(*, user: User | AnonymousUser) -> Q:
    """``application_scope_q`` and, for a role whose reads an app registered, that scope
    (reviewers: assigned, without a conflict): what an attachment download may serve."""
    if user.is_authenticated:
        scope = scope_for(user.role)
        if scope is not None:
            return scope(user)
    return application_scope_q(user=user)


def application_get_for_work(*, user: User | AnonymousUser, pk: int) -> Application:
    """The application, if ``user`` may read it or work on it (a reviewer's assignment); 404
    otherwise. Only for pages that show no status or decision (attachment downloads)."""
    app = Application.objects.filter(application_work_scope_q(user=user), pk=pk).first()
    if app is None:
        raise Http404("No such application.")
    return app


def application_get_for_user(*, user: User | AnonymousUser, pk: int) -> Application:
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


def applications_for_user(*, user: User | AnonymousUser) -> QuerySet[Application]:
    return (
        Application.objects.filter(application_scope_q(user=user))
        .select_related("cycle", "cycle__program", "applicant")
        .order_by("-created_at")
    )


def application_list_filtered(
    *, user: User | AnonymousUser, cycle: Cycle | None = None, status: str = "", query: str = "",
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
    """What keeps the application from being submitted, read with its own version's rules:
    the spine's checks, then the instrument's."""
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
        problems.append(f"Partner: non-public applicants apply with a partner "
                        f"({rules.eligibility.partner_words()}).")
    instrument = instrument_for(application)
    if instrument.application_problems is not None:
        problems += instrument.application_problems(application)
    present = set(application.attachments.values_list("slot", flat=True))
    for slot in rules.form.attachments:
        if slot.required and slot.key not in present:
            problems.append(f"{slot.label}: attach a file.")
    return problems


def word_count(text: str) -> int:
    return len(text.split())


def cycle_totals(*, cycle: Cycle) -> dict[str, Any]:
    qs = Application.objects.filter(cycle=cycle, status__in=PUBLIC_STATUSES)
    by_status = dict(qs.values_list("status").annotate(n=Count("id")).order_by())
    return {
        "applications": sum(by_status.values()),
        "agreements": Agreement.objects.filter(application__cycle=cycle).exclude(
            status="cancelled").count(),
        "budget": cycle.budget,
        "by_status": {ApplicationStatus(k).label: v for k, v in by_status.items()},
        "extra": _instrument_totals(cycle),
    }


def _instrument_totals(cycle: Cycle) -> list[tuple[str, str, Any]]:
    from .registry import instrument_get

    fn = instrument_get(cycle.program.instrument).public_totals
    return fn(cycle) if fn is not None else []


#: Scores are published once the review is complete.
SCORED_STATUSES = [S.RECOMMENDED, *DECIDED]


PUBLIC_COLUMNS = ["reference", "applicant", "applicant_type", "status", "purpose"]


def public_vote(*, application: Application) -> str | None:
    """The decision body's vote in words, where the cycle publishes vote records: each closed
    ballot's counts and each member's vote."""
    if application.status not in DECIDED or not application.rules.decision.vote_record_public:
        return None
    parts = []
    for ballot in application.ballots.filter(status="closed").select_related("body"):
        votes = "; ".join(f"{v.member.get_full_name() or v.member.username}: "
                          f"{v.get_choice_display().lower()}"
                          for v in ballot.votes.select_related("member"))
        parts.append(f"{ballot.body.name}, {ballot.get_outcome_display().lower()} ({votes})")
    return " / ".join(parts) or None


def public_columns(*, cycle: Cycle) -> list[tuple[str, str]]:
    """The instrument's own public columns: (key, heading)."""
    from .registry import instrument_get

    return [(k, h) for k, h, _ in instrument_get(cycle.program.instrument).public_columns]


def public_open_data_columns(*, cycle: Cycle) -> list[str]:
    return [*PUBLIC_COLUMNS, *(k for k, _ in public_columns(cycle=cycle)), "score", "raw_score",
            "vote"]


def public_rows(*, cycle: Cycle) -> list[dict[str, Any]]:
    """The public round page and its open data: one row per application submitted, with the
    columns its instrument adds (a grant's amounts)."""
    from .registry import instrument_get

    columns = instrument_get(cycle.program.instrument).public_columns
    apps = (Application.objects.filter(cycle=cycle, status__in=PUBLIC_STATUSES)
            .select_related("applicant", "cycle", "cycle__program")
            .order_by("applicant__name"))
    scores = scores_for(cycle)
    rows = []
    for app in apps:
        score, raw = scores.get(app.pk, (None, None)) if app.status in SCORED_STATUSES else (
            None, None)
        row = {
            "reference": app.reference, "applicant": app.applicant.name,
            "applicant_type": applicant_profile(app.applicant).type,
            "status": app.status_label, "purpose": app.summary or app.title,
            "title": app.title, "score": score, "raw_score": raw,
            "vote": public_vote(application=app),
            "columns": [fn(app) for _, _, fn in columns],
        }
        row.update({key: value for (key, _, _), value in zip(columns, row["columns"],
                                                              strict=True)})
        rows.append(row)
    return rows


def ballots_for_user(*, user: User | AnonymousUser) -> QuerySet[Ballot]:
    """Open votes of the bodies ``user`` sits on."""
    if not user.is_authenticated:
        return Ballot.objects.none()
    return (Ballot.objects.filter(status="open", body__memberships__user_id=user.pk,
                                  body__memberships__active=True)
            .select_related("application", "application__applicant", "body")
            .order_by("opened_at"))


def ballot_get_for_user(*, user: User | AnonymousUser, pk: int) -> Ballot:
    """A ballot, for its body's members, office staff and auditors; 404 for anyone else."""
    ballot = Ballot.objects.filter(pk=pk).select_related(
        "application", "application__cycle", "application__cycle__program",
        "application__applicant", "body").first()
    if ballot is None:
        raise Http404("No such vote.")
    if not user.is_authenticated:
        raise Http404("No such vote.")
    if user.role in READ_ALL:
        return ballot
    if ballot.body.memberships.filter(user_id=user.pk).exists():
        return ballot
    raise Http404("No such vote.")


def agreement_get_for_user(*, user: User | AnonymousUser, pk: int) -> Agreement:
    """An agreement, if ``user`` may read its application; 404 otherwise."""
    agreement = (Agreement.objects.filter(pk=pk)
                 .filter(application__in=Application.objects.filter(
                     application_scope_q(user=user)))
                 .select_related("application", "application__applicant",
                                 "application__cycle", "application__cycle__program")
                 .first())
    if agreement is None or (user.is_authenticated and user.role == Role.REVIEWER):
        raise Http404("No such agreement.")
    return agreement


def agreements_for_user(*, user: User | AnonymousUser) -> QuerySet[Agreement]:
    qs = Agreement.objects.filter(
        application__in=Application.objects.filter(application_scope_q(user=user)))
    if user.is_authenticated and user.role == Role.REVIEWER:
        qs = qs.none()
    return qs.select_related("application", "application__applicant", "application__cycle")


def vote_record(*, ballot: Ballot, user: User | AnonymousUser) -> list[Any] | None:
    """Each member's vote, where the cycle publishes the vote record or ``user`` may see it
    anyway (staff, auditors, the body's members)."""
    public = ballot.application.rules.decision.vote_record_public
    insider = user.is_authenticated and (
        user.role in READ_ALL or ballot.body.memberships.filter(user_id=user.pk).exists())
    if ballot.status != "closed" and not insider:
        return None
    if public or insider:
        return list(ballot.votes.select_related("member"))
    return None


def agreement_for(*, application: Application) -> Agreement | None:
    return Agreement.objects.filter(application=application).first()


TRACE_LABELS = {"eligibility": "Eligibility screening"}


def traces_for(*, obj: Any, applicant_view: bool = False) -> list[dict[str, Any]]:
    """The recorded "why" of automated determinations about ``obj``; for the applicant only the
    steps that concern them."""
    from django.contrib.contenttypes.models import ContentType

    from .models import DeterminationTrace

    out = []
    for trace in DeterminationTrace.objects.filter(
            content_type=ContentType.objects.get_for_model(type(obj)), object_id=obj.pk):
        steps = [s for s in trace.steps if s.get("applicant", True) or not applicant_view]
        if steps:
            out.append({"trace": trace, "steps": steps,
                        "label": TRACE_LABELS.get(trace.kind,
                                                   trace.kind.replace("_", " ").capitalize())})
    return out


def commitment_evidence(*, agreement: Agreement) -> dict[int, Any]:
    """commitment id -> the latest published evidence for the party (report card or growth),
    for commitments whose evidence is published rather than reported."""
    from playbook.evidence.monitoring import published_evidence

    party = agreement.application.applicant
    out: dict[int, Any] = {}
    for c in agreement.commitments.exclude(evidence_source="self_reported"):
        out[c.pk] = published_evidence(source=c.evidence_source, ref=c.evidence_ref,
                                       entity_type=party.kind, entity_id=party.identifier)
    return out


# --- progress reports due ---------------------------------------------------------------------

@dataclass(frozen=True)
class ReportPeriod:
    """One reporting period of an agreement: the report covering it is due ``due``."""

    start: date
    end: date
    due: date
    #: the report on file for it (submitted, accepted or sent back for revision), if any
    report: MonitoringReport | None

    @property
    def delivered(self) -> bool:
        return self.report is not None and self.report.status != ReportStatus.REVISION_REQUESTED

    def late(self, today: date) -> bool:
        """Past its due date without a delivered report."""
        return not self.delivered and self.due < today


def _add_months(day: date, months: int) -> date:
    month0 = day.month - 1 + months
    year, month = day.year + month0 // 12, month0 % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def report_periods(*, agreement: Agreement,
                   reports: list[MonitoringReport] | None = None) -> list[ReportPeriod]:
    """The agreement's reporting periods over its whole term: every ``report_every_months``
    months from the start date, the last one ending with the term. A report belongs to the
    period its ``period_end`` falls in (``reports``: the agreement's, when already read)."""
    ends: list[date] = []
    k = 1
    while (end := _add_months(agreement.start_date, k * agreement.report_every_months)) \
            < agreement.end_date:
        ends.append(end)
        k += 1
    ends.append(agreement.end_date)
    reports = sorted(agreement.reports.all() if reports is None else reports,
                     key=lambda r: r.period_end)
    out: list[ReportPeriod] = []
    start = agreement.start_date
    for end in ends:
        inside = [r for r in reports if start < r.period_end <= end
                  or (start == agreement.start_date and r.period_end == start)]
        out.append(ReportPeriod(start=start, end=end, due=end + timedelta(days=REPORT_DUE_DAYS),
                                report=inside[-1] if inside else None))
        start = end
    return out


def reports_owed(*, agreement: Agreement, today: date) -> list[ReportPeriod]:
    """Periods that have ended without a report delivered, while the agreement is in force (a
    report sent back for revision is owed again)."""
    if agreement.status not in IN_FORCE:
        return []
    return [p for p in report_periods(agreement=agreement) if p.end <= today and not p.delivered]


def agreements_with_report_standing(*, user: User | AnonymousUser, today: date,
                                    status: str = "", reports: str = ""
                                    ) -> list[dict[str, Any]]:
    """The agreements ``user`` may read, each with the reports it owes and those late;
    ``status`` one agreement status, ``reports`` "submitted" (a report waits to be read) or
    "late" (a report is past its due date). Callers check the two values."""
    qs = agreements_for_user(user=user).prefetch_related("reports")
    if status:
        qs = qs.filter(status=status)
    if reports == "submitted":
        qs = qs.filter(reports__status=ReportStatus.SUBMITTED).distinct()
    rows = []
    for agreement in qs:
        owed = reports_owed(agreement=agreement, today=today)
        late = [p for p in owed if p.late(today)]
        if reports == "late" and not late:
            continue
        rows.append({"agreement": agreement, "owed": owed, "late": late})
    return rows

