"""The runner every background evidence job uses: growth runs, report-card runs, and the runs
instruments add (loans, attribution, data access).

A job is a database row (a model with ``JobFields``) and a function that does the work. The row
keeps status, progress and message, so a page that shows it survives a reload; ``job_dispatch``
runs the job here and now (``wait``) or hands it to the queue seam (``config.tasks.enqueue``);
``job_execute`` marks it running, runs the work, and on any error marks it failed with the
error's message before re-raising, so nothing is left "running".
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol, TypeVar

from django.db import models
from django.utils import timezone


class JobStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    SUCCEEDED = "succeeded", "Succeeded"
    FAILED = "failed", "Failed"


class JobFields(models.Model):
    """Status and progress of a background job, as columns of the job's own row."""

    status = models.CharField(max_length=12, choices=JobStatus.choices, default=JobStatus.QUEUED)
    progress = models.PositiveSmallIntegerField(default=0)
    message = models.TextField(blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        abstract = True

    @property
    def in_progress(self) -> bool:
        """Queued or running: its page shows the progress bar (``ui/_job_progress.html``)."""
        return self.status in (JobStatus.QUEUED, JobStatus.RUNNING)


class _JobRow(Protocol):
    pk: Any
    status: Any
    progress: Any
    message: Any
    started_at: Any
    finished_at: Any

    def save(self, *args: Any, **kwargs: Any) -> None: ...


J = TypeVar("J", bound=_JobRow)


def job_progress(run: _JobRow, percent: int, message: str = "") -> None:
    """Record how far ``run`` has got (0-100) and what it is doing."""
    run.progress = max(0, min(100, int(percent)))
    run.message = message
    run.save(update_fields=["progress", "message"])


def job_execute(run: J, work: Callable[[J], None]) -> J:
    """Run ``work(run)``: running, then succeeded by the work itself or failed with the error."""
    run.status = JobStatus.RUNNING
    run.started_at = timezone.now()
    run.save(update_fields=["status", "started_at"])
    try:
        work(run)
    except Exception as exc:
        run.status = JobStatus.FAILED
        run.message = f"{type(exc).__name__}: {exc}"[:2000]
        run.finished_at = timezone.now()
        run.save(update_fields=["status", "message", "finished_at"])
        raise
    return run


def job_dispatch(path: str, *, run_id: int, wait: bool) -> None:
    """Run the job function ``path`` (dotted) for ``run_id`` now (``wait``) or in the background
    through the queue seam."""
    from playbook.config import tasks

    if wait:
        tasks.call(path, run_id=run_id)
    else:
        tasks.enqueue(path, run_id=run_id)
