"""The evidence app's tasks for the office's home (registered from ``EvidenceConfig.ready``;
see ``playbook.core.tasks``): growth and report-card runs that finished and wait to be checked
and published (the latest run of a subject and year, or of a framework, when nothing newer is
public), and runs that failed."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta
from typing import Any

from django.db.models import Exists, OuterRef
from django.urls import reverse

from playbook.accounts.roles import OFFICE_STAFF
from playbook.core.jobs import JobStatus
from playbook.core.tasks import Task, task_provider_register

from .models import GrowthPublication, GrowthRun, ReportCardPublication, ReportCardRun

#: Failed runs are listed for this many days after they stopped.
FAILED_RUNS_DAYS = 30


def office_evidence_tasks(user: Any, today: date) -> Iterable[Task]:
    if user.role not in OFFICE_STAFF:
        return
    growth_public = GrowthPublication.objects.filter(
        subject=OuterRef("subject"), school_year=OuterRef("school_year"), current=True,
        run__created_at__gte=OuterRef("created_at"))
    # a subject's earlier years are history once a later year is public: not work
    newest_public: dict[str, int] = {}
    for subject, year in GrowthPublication.objects.filter(current=True).values_list(
            "subject", "school_year"):
        newest_public[subject] = max(year, newest_public.get(subject, year))
    latest: dict[tuple[str, int], GrowthRun] = {}
    for run in (GrowthRun.objects.filter(status=JobStatus.SUCCEEDED, min_n__isnull=False)
                .filter(~Exists(growth_public))
                .order_by("-created_at", "-id")):
        if run.school_year < newest_public.get(run.subject, run.school_year):
            continue
        latest.setdefault((run.subject, run.school_year), run)
    for run in latest.values():
        yield Task(f"Check and publish growth run #{run.pk} ({run.subject}, "
                   f"{run.school_year - 1}-{str(run.school_year)[-2:]})",
                   reverse("evidence:growth_run", args=[run.pk]), group="Evidence",
                   detail="Nothing newer is public for this subject and year.")
    rc_public = ReportCardPublication.objects.filter(
        framework_slug=OuterRef("framework__slug"), current=True,
        run__created_at__gte=OuterRef("created_at"))
    latest_rc: dict[str, ReportCardRun] = {}
    for rc in (ReportCardRun.objects.filter(status=JobStatus.SUCCEEDED)
               .filter(~Exists(rc_public))
               .select_related("framework").order_by("-created_at", "-id")):
        latest_rc.setdefault(rc.framework.slug, rc)
    for rc in latest_rc.values():
        yield Task(f"Check and publish report-card run #{rc.pk} ({rc.framework.name})",
                   reverse("evidence:rc_run", args=[rc.pk]), group="Evidence",
                   detail="Nothing newer is public for this framework.")
    since = today - timedelta(days=FAILED_RUNS_DAYS)
    failed = (GrowthRun.objects.filter(status=JobStatus.FAILED, finished_at__date__gte=since)
              .count()
              + ReportCardRun.objects.filter(status=JobStatus.FAILED,
                                             finished_at__date__gte=since).count())
    if failed:
        yield Task(f"Look at {failed} failed run{'s' if failed != 1 else ''}",
                   reverse("evidence:growth_runs"), failed, group="Evidence",
                   detail=f"In the last {FAILED_RUNS_DAYS} days; each failed run's page says "
                          "what stopped it.")


def register() -> None:
    task_provider_register("evidence.office", office_evidence_tasks, order=30)
