"""Each role's home is its work (issue 11, item 6): a task list with counts and due dates, from
every app through ``core.tasks``; never another organization's work; no empty headings; the
progress-report schedule behind "reports due and late"."""

from __future__ import annotations

import calendar
import re
from datetime import date, timedelta
from decimal import Decimal as D

import pytest
from django.urls import reverse
from django.utils import timezone

from playbook.core.tasks import Task, task_provider_register, task_provider_unregister, tasks_for
from playbook.evidence.models import GrowthPublication, GrowthRun
from playbook.programs.models import Agreement, MonitoringReport
from playbook.programs.selectors import report_periods, reports_owed
from playbook.programs.services import agreements, lifecycle
from playbook.reviews.models import ReviewRound
from playbook.reviews.services import assignment_add, reviewer_profile_create
from playbook.studentdata.models import Snapshot

from ..conftest import signed_in_client
from ..funding.helpers import approved_award, board, funded_cycle, put_in_force
from ..programs.helpers import complete_draft

pytestmark = pytest.mark.django_db


def _home(user) -> str:
    r = signed_in_client(user).get(reverse("accounts:home"))
    assert r.status_code == 200
    return r.content.decode()


def _tasks(page: str) -> list[str]:
    """The titles of the task list, in order."""
    section = page.split('id="tasks-heading"', 1)[1].split('id="pages-heading"', 1)[0]
    return [re.sub(r"\s+", " ", t).strip()
            for t in re.findall(r'usa-collection__heading"><a[^>]*>(.*?)</a>', section, re.S)]


def _agreement(start: date, end: date, every: int = 6, status: str = "active") -> Agreement:
    return Agreement(start_date=start, end_date=end, report_every_months=every, status=status)


# --- the report schedule ----------------------------------------------------------------------

def test_report_periods_run_every_n_months_and_the_last_ends_with_the_term(db):
    a = _agreement(date(2026, 1, 15), date(2027, 1, 15), every=5)
    periods = [(p.start, p.end, p.due) for p in report_periods(agreement=a, reports=[])]
    assert periods == [
        (date(2026, 1, 15), date(2026, 6, 15), date(2026, 7, 15)),
        (date(2026, 6, 15), date(2026, 11, 15), date(2026, 12, 15)),
        (date(2026, 11, 15), date(2027, 1, 15), date(2027, 2, 14)),
    ]


def test_a_period_from_a_month_end_ends_on_the_shorter_months_last_day(db):
    a = _agreement(date(2025, 8, 31), date(2026, 8, 31))
    assert [p.end for p in report_periods(agreement=a, reports=[])] == [date(2026, 2, 28),
                                                                        date(2026, 8, 31)]


def test_a_report_is_owed_once_its_period_ends_and_late_after_thirty_days(personas):
    cycle, _ = funded_cycle(personas.officer)
    board(personas)
    agreement = put_in_force(approved_award(personas, cycle), officer=personas.officer,
                             grantee=personas.leader_a)
    start = agreement.start_date
    first_end = report_periods(agreement=agreement)[0].end
    assert first_end == _months(start, 6)
    assert reports_owed(agreement=agreement, today=first_end - timedelta(days=1)) == []
    owed = reports_owed(agreement=agreement, today=first_end)
    assert [p.end for p in owed] == [first_end] and owed[0].due == first_end + timedelta(days=30)
    assert not owed[0].late(owed[0].due) and owed[0].late(owed[0].due + timedelta(days=1))
    report = agreements.report_submit(
        agreement=agreement, by=personas.leader_a, period_end=first_end,
        narrative="On track.", values={c.pk: (D("50"), "") for c in agreement.commitments.all()})
    assert reports_owed(agreement=Agreement.objects.get(pk=agreement.pk),
                        today=first_end + timedelta(days=40)) == []
    agreements.report_review(report=report, by=personas.officer, accept=False,
                             note="Add the spring results.")
    again = reports_owed(agreement=Agreement.objects.get(pk=agreement.pk), today=first_end)
    assert [p.end for p in again] == [first_end], "a report sent back is owed again"
    Agreement.objects.filter(pk=agreement.pk).update(status="closed")
    assert reports_owed(agreement=Agreement.objects.get(pk=agreement.pk),
                        today=first_end) == [], "only in force"


def _months(day: date, n: int) -> date:
    m = day.month - 1 + n
    y, m = day.year + m // 12, m % 12 + 1
    return date(y, m, min(day.day, calendar.monthrange(y, m)[1]))


# --- homes -------------------------------------------------------------------------------------

def test_a_district_leader_sees_their_draft_with_its_closing_date_and_no_one_elses(personas):
    cycle, _ = funded_cycle(personas.officer)
    complete_draft(cycle=cycle, applicant=personas.district_a, by=personas.leader_a,
                   title="Alder math lab")
    page = _home(personas.leader_a)
    assert "Finish and submit Alder math lab" in _tasks(page)
    assert f"Due {timezone.localtime(cycle.closes_at):%B %-d, %Y}" in page
    assert "Finish it and submit it before the round closes." in page
    assert _tasks(_home(personas.leader_b)) == []
    assert "Alder math lab" not in _home(personas.leader_b)


def test_the_officer_screens_and_the_applicant_waits(personas):
    cycle, _ = funded_cycle(personas.officer)
    app = complete_draft(cycle=cycle, applicant=personas.district_a, by=personas.leader_a)
    lifecycle.application_submit(application=app, by=personas.leader_a)
    page = _home(personas.officer)
    assert "Screen 1 submitted application" in _tasks(page)
    assert reverse("programs:screening") in page
    assert _tasks(_home(personas.leader_a)) == [], "nothing to do while the office screens"


def test_the_decider_has_a_vote_to_cast_until_they_have_cast_it(personas):
    from playbook.programs.services import decisions

    from ..funding.helpers import recommended_application

    cycle, _ = funded_cycle(personas.officer)
    board(personas)
    app = recommended_application(personas, cycle, district=personas.district_a,
                                  leader=personas.leader_a)
    assert "Open the vote on 1 recommended application" in _tasks(_home(personas.officer))
    ballot = decisions.ballot_open(application=app, by=personas.officer,
                                   terms={"amount": "300000.00"})
    assert _tasks(_home(personas.decider)) == [f"Vote on {app.title}"]
    decisions.vote_cast(ballot=ballot, by=personas.decider, choice="approve", reason="Good.")
    assert _tasks(_home(personas.decider)) == []


def test_a_reviewer_sees_each_assignment_with_the_rounds_due_date(personas):
    cycle, _ = funded_cycle(personas.officer)
    app = complete_draft(cycle=cycle, applicant=personas.district_a, by=personas.leader_a,
                         title="Alder math lab")
    lifecycle.application_submit(application=app, by=personas.leader_a)
    lifecycle.application_screen(application=app, by=personas.officer, eligible=True)
    app = lifecycle.application_start_review(application=app, by=personas.officer)
    profile = reviewer_profile_create(user=personas.reviewer, expertise=[])
    assignment_add(application=app, reviewer=profile)
    due = timezone.localdate() + timedelta(days=5)
    ReviewRound.objects.update_or_create(cycle=cycle, defaults={"reviews_due": due})
    page = _home(personas.reviewer)
    assert _tasks(page) == [f"Sign the conflict-of-interest attestation for fiscal year "
                            f"{cycle.fiscal_year}", "Score Alder math lab"]
    assert f"Due {due:%B %-d, %Y}" in page and "Due soon" in page
    officer = _tasks(_home(personas.officer))
    assert f"1 review outstanding in {cycle}" in officer


def test_late_reports_are_chased_by_the_office_and_owed_by_the_party(personas):
    cycle, _ = funded_cycle(personas.officer)
    board(personas)
    agreement = put_in_force(approved_award(personas, cycle), officer=personas.officer,
                             grantee=personas.leader_a)
    # the term began eight months ago: the first six-month report was due a month and a half ago
    start = timezone.localdate() - timedelta(days=243)
    Agreement.objects.filter(pk=agreement.pk).update(start_date=start,
                                                     end_date=start + timedelta(days=730))
    leader = _home(personas.leader_a)
    assert f"Progress report for {agreement.title}" in _tasks(leader)
    assert "Late" in leader
    officer = _home(personas.officer)
    assert "Chase 1 late progress report" in _tasks(officer)
    assert _tasks(officer)[0] == "Chase 1 late progress report", "late work comes first"
    assert f"Progress report for {agreement.title}" not in _tasks(_home(personas.leader_b))
    lst = signed_in_client(personas.officer).get(
        reverse("programs:agreement_list") + "?reports=late").content.decode()
    assert agreement.title in lst and "1 late" in lst


def test_the_party_countersigns_from_its_home(personas):
    from ..funding.helpers import ready_to_sign

    cycle, _ = funded_cycle(personas.officer)
    board(personas)
    agreement = ready_to_sign(approved_award(personas, cycle), officer=personas.officer)
    assert "Finish and sign 1 drafted agreement" in _tasks(_home(personas.officer))
    agreements.agreement_step(agreement=agreement, name="sign", by=personas.officer)
    assert f"Countersign {agreement.title}" in _tasks(_home(personas.leader_a))
    assert _tasks(_home(personas.leader_b)) == []


def test_the_office_publishes_the_latest_unpublished_growth_run(personas):
    snapshot = Snapshot.objects.create(created_via="test", directory="snapshots/t", sequence=1)

    def run(fingerprint: str) -> GrowthRun:
        return GrowthRun.objects.create(snapshot=snapshot, subject="math", school_year=2025,
                                        configuration={}, configuration_fingerprint=fingerprint,
                                        code_version="test", status="succeeded", min_n=10)
    old, new = run("a" * 16), run("b" * 16)
    assert [t for t in _tasks(_home(personas.officer)) if "growth run" in t] == [
        f"Check and publish growth run #{new.pk} (math, 2024-25)"]
    GrowthPublication.objects.create(subject="math", school_year=2025, run=new)
    assert not [t for t in _tasks(_home(personas.officer)) if "growth run" in t]
    assert old.pk < new.pk
    # an earlier year's run is history once a later year of the subject is public
    GrowthRun.objects.create(snapshot=snapshot, subject="math", school_year=2023,
                             configuration={}, configuration_fingerprint="c" * 16,
                             code_version="test", status="succeeded", min_n=10)
    assert not [t for t in _tasks(_home(personas.officer)) if "growth run" in t]


@pytest.mark.parametrize("role", ["auditor", "decider", "parent", "educator_a", "provider_user",
                                  "school_leader_a", "reviewer"])
def test_no_home_shows_an_empty_heading_or_a_dead_end(personas, role):
    page = _home(getattr(personas, role))
    for heading, body in re.findall(r"<h3[^>]*>([^<]*)</h3>\s*<ul[^>]*>(.*?)</ul>", page, re.S):
        assert "<li" in body, f"{role}: empty heading {heading!r}"
    assert "Independent review" not in page or role == "reviewer"
    assert "Nothing is waiting for you today" in page
    assert reverse("evidence:rc_public_index") in page  # somewhere to go


def test_the_agreement_list_refuses_a_filter_it_does_not_know(personas):
    client = signed_in_client(personas.officer)
    assert client.get(reverse("programs:agreement_list") + "?status=nope").status_code == 400
    assert client.get(reverse("programs:agreement_list") + "?reports=%3D1").status_code == 400
    assert client.get(reverse("programs:agreement_list") + "?status=active").status_code == 200


def test_tasks_come_late_first_then_by_due_date_and_need_a_signed_in_user(personas):
    today = date(2026, 12, 1)

    def provider(user, today):
        yield Task("undated", "/a")
        yield Task("later", "/b", due=today + timedelta(days=60))
        yield Task("soon", "/c", due=today + timedelta(days=3))
        yield Task("late", "/d", due=today - timedelta(days=1))
        yield Task("none waiting", "/e", count=0)
    task_provider_register("test.order", provider, order=99)
    try:
        titles = [t.title for t in tasks_for(personas.parent, today=today)]
        assert titles == ["late", "soon", "later", "undated"]
        from django.contrib.auth.models import AnonymousUser
        assert tasks_for(AnonymousUser(), today=today) == []
    finally:
        task_provider_unregister("test.order")
    assert MonitoringReport.objects.count() == 0
