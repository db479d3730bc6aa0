"""The spine's tasks for each role's home (registered from ``ProgramsConfig.ready``; see
``playbook.core.tasks``): the office's screening, votes to open, agreements to sign and
reports to read or chase; a decision-body member's votes; an applicant's drafts, requests for
information, agreements to countersign and reports owed, each with what happens next."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from django.db.models import Min, Prefetch
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from playbook.accounts.roles import OFFICE_STAFF, Role
from playbook.core.tasks import Task, task_provider_register

from .models import (
    IN_FORCE,
    Agreement,
    AgreementStatus,
    Application,
    ApplicationStatus,
    Ballot,
    MonitoringReport,
    ReportStatus,
)
from .permissions import APPLICANT_ROLES
from .registry import application_workflow, instrument_get
from .selectors import agreements_for_user, applications_for_user, reports_owed

S = ApplicationStatus
A = AgreementStatus


def _plural(n: int, one: str, many: str | None = None) -> str:
    return f"{n} {one if n == 1 else (many or one + 's')}"


def _report_url(agreement: Agreement) -> str:
    name = instrument_get(agreement.instrument).report_url_name or "programs:report_new"
    try:
        return reverse(name, args=[agreement.pk])
    except NoReverseMatch:
        return reverse("programs:agreement_detail", args=[agreement.pk])


def _in_force_with_reports(qs: Any) -> list[Agreement]:
    return list(qs.filter(status__in=IN_FORCE).prefetch_related(
        Prefetch("reports", queryset=MonitoringReport.objects.order_by("period_end"))))


def office_tasks(user: Any, today: date) -> Iterable[Task]:
    if user.role not in OFFICE_STAFF:
        return
    submitted = Application.objects.filter(status=S.SUBMITTED)
    n = submitted.count()
    if n:
        oldest = submitted.aggregate(first=Min("submitted_at"))["first"]
        yield Task(f"Screen {_plural(n, 'submitted application')}",
                   reverse("programs:screening"), n, group="Applications",
                   detail=(f"The oldest was submitted {oldest:%B %-d, %Y}." if oldest else ""))
    n = Application.objects.filter(status=S.APPEALED).count()
    if n:
        yield Task(f"Reconsider {_plural(n, 'appeal')}",
                   reverse("programs:application_list") + "?status=appealed", n,
                   group="Applications")
    waiting = Application.objects.filter(status=S.RECOMMENDED).exclude(ballots__status="open")
    n = waiting.count()
    if n:
        yield Task(f"Open the vote on {_plural(n, 'recommended application')}",
                   reverse("programs:application_list") + "?status=recommended", n,
                   group="Decisions",
                   detail="Recommended applications wait for the decision body's vote.")
    n = Ballot.objects.filter(status="open").count()
    if n:
        yield Task(f"Close {_plural(n, 'vote')} once members have voted",
                   reverse("programs:application_list") + "?status=recommended", n,
                   group="Decisions")
    n = Agreement.objects.filter(status=A.DRAFTED).count()
    if n:
        yield Task(f"Finish and sign {_plural(n, 'drafted agreement')}",
                   reverse("programs:agreement_list") + "?status=drafted", n, group="Agreements")
    signed = Agreement.objects.filter(status=A.SIGNED)
    n = signed.count()
    if n:
        yield Task(f"{_plural(n, 'agreement')} awaiting the other party's countersignature",
                   reverse("programs:agreement_list") + "?status=signed", n, group="Agreements",
                   detail="Nothing to do until the party countersigns; follow up if it is slow.")
    to_read = MonitoringReport.objects.filter(status=ReportStatus.SUBMITTED)
    n = to_read.count()
    if n:
        yield Task(f"Read and accept {_plural(n, 'progress report')}",
                   reverse("programs:agreement_list") + "?reports=submitted", n,
                   group="Agreements")
    owed = [(a, p) for a in _in_force_with_reports(Agreement.objects.all())
            for p in reports_owed(agreement=a, today=today)]
    late = [(a, p) for a, p in owed if p.late(today)]
    if late:
        yield Task(f"Chase {_plural(len(late), 'late progress report')}",
                   reverse("programs:agreement_list") + "?reports=late", len(late),
                   due=min(p.due for _, p in late), late=True, group="Agreements",
                   detail=", ".join(sorted({a.application.applicant.name for a, _ in late})))


def decider_tasks(user: Any, today: date) -> Iterable[Task]:
    if user.role != Role.DECISION_BODY:
        return
    ballots = (Ballot.objects.filter(status="open", body__memberships__user_id=user.pk,
                                     body__memberships__active=True)
               .exclude(votes__member_id=user.pk)
               .select_related("application", "application__applicant", "body")
               .order_by("opened_at"))
    for ballot in ballots:
        yield Task(f"Vote on {ballot.application.title}",
                   reverse("programs:ballot_detail", args=[ballot.pk]), group="Votes",
                   detail=f"{ballot.body.name}; applicant {ballot.application.applicant.name}; "
                          f"open since {ballot.opened_at:%B %-d, %Y}.")


def applicant_tasks(user: Any, today: date) -> Iterable[Task]:
    if user.role not in APPLICANT_ROLES:
        return
    apps = (applications_for_user(user=user)
            .filter(status__in=[S.DRAFT, S.INFO_REQUESTED, S.DENIED, S.INELIGIBLE])
            .select_related("cycle", "cycle__program", "applicant"))
    for app in apps:
        phase = application_workflow(app).phase(app.status)
        url = reverse("programs:application_detail", args=[app.pk])
        if app.status == S.DRAFT:
            if app.cycle.is_closed():
                continue
            closes = timezone.localtime(app.cycle.closes_at)
            yield Task(f"Finish and submit {app.title}", url, due=closes.date(),
                       group="Applications",
                       detail=f"{app.cycle}. {phase.next} The round closes "
                              f"{closes:%B %-d, %Y at %-I:%M %p %Z}.")
        elif app.status == S.INFO_REQUESTED:
            yield Task(f"Answer the office about {app.title}", url, group="Applications",
                       detail=phase.next)
    agreements = agreements_for_user(user=user)
    for agreement in agreements.filter(status=A.SIGNED):
        yield Task(f"Countersign {agreement.title}",
                   reverse("programs:agreement_detail", args=[agreement.pk]),
                   group="Agreements",
                   detail="The office has signed; your countersignature puts it in force.")
    for agreement in _in_force_with_reports(agreements):
        for period in reports_owed(agreement=agreement, today=today):
            yield Task(f"Progress report for {agreement.title}", _report_url(agreement),
                       due=period.due, late=period.late(today), group="Agreements",
                       detail=(f"Covers {period.start:%B %-d, %Y} to {period.end:%B %-d, %Y}"
                               + ("; sent back for revision." if period.report else ".")))


def register() -> None:
    task_provider_register("programs.office", office_tasks, order=10)
    task_provider_register("programs.decider", decider_tasks, order=10)
    task_provider_register("programs.applicant", applicant_tasks, order=10)
