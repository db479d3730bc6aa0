"""``core.jobs``: a job row ends failed with the error's message, or as the work left it."""

from __future__ import annotations

import pytest
from django.utils import timezone

from playbook.core.jobs import JobStatus, job_dispatch, job_execute, job_progress
from playbook.evidence.models import GrowthRun
from playbook.studentdata.models import Snapshot

pytestmark = pytest.mark.django_db

CALLS: list[int] = []


def record_call(*, run_id: int) -> None:
    """A job function for ``job_dispatch`` to find by its dotted path."""
    CALLS.append(run_id)


@pytest.fixture
def run() -> GrowthRun:
    snapshot = Snapshot.objects.create(created_via="test", directory="snapshots/test", sequence=1)
    return GrowthRun.objects.create(snapshot=snapshot, subject="math", school_year=2025,
                                    configuration={}, configuration_fingerprint="f" * 16,
                                    code_version="test")


def test_a_new_job_is_queued_with_no_progress(run):
    stored = GrowthRun.objects.get(pk=run.pk)
    assert (stored.status, stored.progress, stored.message) == (JobStatus.QUEUED, 0, "")
    assert stored.started_at is None and stored.finished_at is None


def test_a_failing_job_is_marked_failed_with_its_message_and_the_error_is_raised(run):
    def work(job: GrowthRun) -> None:
        job_progress(job, 30, "reading scores")
        raise ValueError("snapshot 7 holds no assessments")

    with pytest.raises(ValueError, match="snapshot 7 holds no assessments"):
        job_execute(run, work)
    stored = GrowthRun.objects.get(pk=run.pk)
    assert stored.status == JobStatus.FAILED
    assert stored.message == "ValueError: snapshot 7 holds no assessments"
    assert stored.progress == 30
    assert stored.started_at is not None and stored.finished_at is not None
    assert stored.started_at <= stored.finished_at


def test_a_failure_message_is_cut_to_2000_characters(run):
    def work(job: GrowthRun) -> None:
        raise RuntimeError("x" * 5000)

    with pytest.raises(RuntimeError):
        job_execute(run, work)
    stored = GrowthRun.objects.get(pk=run.pk)
    assert stored.message.startswith("RuntimeError: xxx") and len(stored.message) == 2000


def test_a_working_job_ends_as_the_work_left_it(run):
    def work(job: GrowthRun) -> None:
        assert GrowthRun.objects.get(pk=job.pk).status == JobStatus.RUNNING
        job.status = JobStatus.SUCCEEDED
        job.progress = 100
        job.message = "12 students"
        job.finished_at = timezone.now()
        job.save()

    assert job_execute(run, work) is run
    stored = GrowthRun.objects.get(pk=run.pk)
    assert (stored.status, stored.progress, stored.message) == (
        JobStatus.SUCCEEDED, 100, "12 students")
    assert stored.started_at is not None and stored.finished_at is not None


def test_work_that_sets_no_outcome_leaves_the_job_running(run):
    job_execute(run, lambda job: job_progress(job, 50, "half way"))
    stored = GrowthRun.objects.get(pk=run.pk)
    assert (stored.status, stored.progress, stored.message) == (
        JobStatus.RUNNING, 50, "half way")
    assert stored.finished_at is None


def test_progress_is_kept_between_0_and_100(run):
    job_progress(run, 140, "over")
    assert GrowthRun.objects.get(pk=run.pk).progress == 100
    job_progress(run, -5)
    stored = GrowthRun.objects.get(pk=run.pk)
    assert (stored.progress, stored.message) == (0, "")


def test_dispatch_runs_the_job_now_when_waiting(settings):
    settings.PLAYBOOK_TASKS = "no-such-queue"  # proves the queue is not asked
    CALLS.clear()
    job_dispatch("tests.core.test_jobs.record_call", run_id=41, wait=True)
    assert CALLS == [41]


def test_dispatch_hands_the_job_to_the_queue_otherwise(settings):
    CALLS.clear()
    settings.PLAYBOOK_TASKS = "eager"
    job_dispatch("tests.core.test_jobs.record_call", run_id=42, wait=False)
    assert CALLS == [42]
    settings.PLAYBOOK_TASKS = "no-such-queue"
    with pytest.raises(RuntimeError, match="unknown PLAYBOOK_TASKS mode"):
        job_dispatch("tests.core.test_jobs.record_call", run_id=43, wait=False)
    assert CALLS == [42]


def test_a_job_is_in_progress_while_queued_or_running(run):
    assert run.in_progress
    for status, shown in ((JobStatus.RUNNING, True), (JobStatus.SUCCEEDED, False),
                          (JobStatus.FAILED, False)):
        run.status = status
        assert run.in_progress is shown
