"""The demo: a completed past round and an open round, built idempotently, decided by the
governing board's votes."""

from __future__ import annotations

import itertools
from decimal import Decimal

import pytest

from playbook.accounts.roles import Role
from playbook.funding.demo import demo_programs_ensure
from playbook.funding.models import Appropriation, Award
from playbook.funding.selectors import ledger_is_consistent
from playbook.organizations.models import ConsortiumMembership
from playbook.programs.models import (
    IN_FORCE,
    Agreement,
    Application,
    Ballot,
    Cycle,
    MonitoringReport,
    Vote,
)

from ..factories import ConsortiumFactory, DistrictFactory, UserFactory

pytestmark = pytest.mark.django_db


def _past() -> Cycle:
    return Cycle.objects.order_by("opens_at").first()  # type: ignore[return-value]


def _current() -> Cycle:
    return Cycle.objects.order_by("opens_at").last()  # type: ignore[return-value]
DECIDERS = ("decider", "decider2", "decider3")


@pytest.fixture
def demo_state(db):  # type: ignore[no-untyped-def]
    districts = [DistrictFactory(enrollment=50000 - i * 1000,
                                 econ_disadvantaged_share=Decimal("0.3") + Decimal(i) / 50,
                                 locale="43" if i % 2 else "21") for i in range(14)]
    consortium = ConsortiumFactory(name="Ridge Valley Rural Consortium")
    ConsortiumMembership.objects.create(consortium=consortium, member=districts[13],
                                        role="lead")
    ConsortiumMembership.objects.create(consortium=consortium, member=districts[11])
    UserFactory(username="officer", role=Role.PROGRAM_OFFICER)
    for username in DECIDERS:
        UserFactory(username=username, role=Role.DECISION_BODY)
    UserFactory(username="district", role=Role.DISTRICT_LEADER, organization=districts[0])
    return districts


def test_demo_builds_a_past_round_and_an_open_round_and_is_idempotent(demo_state):
    demo_programs_ensure()
    past = _past()
    current = _current()
    assert past.is_closed() and current.is_open()
    # Funded grants are in force: their agreements are active or monitored.
    agreement_statuses = set(Agreement.objects.filter(application__cycle=past)
                             .values_list("status", flat=True))
    assert agreement_statuses & {"active", "monitored"}
    assert agreement_statuses <= set(IN_FORCE)
    # Executed: signed by the office and countersigned by the grantee.
    executed = Agreement.objects.filter(application__cycle=past, signed_at__isnull=False,
                                        countersigned_at__isnull=False)
    assert executed.exists()
    assert Award.objects.filter(application__cycle=past, agreement__in=executed).exists()
    assert MonitoringReport.objects.filter(status="accepted").exists()
    assert MonitoringReport.objects.filter(status="submitted").exists()
    mine = Application.objects.get(cycle=past, applicant=demo_state[0])
    assert mine.agreement is not None and mine.agreement.award is not None
    assert not Application.objects.filter(cycle=current, applicant=demo_state[0]).exists()
    open_statuses = set(Application.objects.filter(cycle=current).values_list("status",
                                                                              flat=True))
    assert {"submitted", "info_requested", "recommended"} <= open_statuses
    for approp in Appropriation.objects.all():
        assert ledger_is_consistent(appropriation=approp)
    counts = (Application.objects.count(), Award.objects.count(), Ballot.objects.count(),
              Vote.objects.count())
    demo_programs_ensure()
    assert (Application.objects.count(), Award.objects.count(), Ballot.objects.count(),
            Vote.objects.count()) == counts


def test_demo_decisions_are_the_boards_votes(demo_state):
    demo_programs_ensure()
    past = _past()
    decided = Application.objects.filter(cycle=past, status__in=["approved", "conditional",
                                                                 "denied"])
    assert decided.exists()
    assert not Application.objects.filter(cycle=past, status="recommended").exists()
    for app in decided:
        ballot = Ballot.objects.get(application=app)
        assert ballot.status == "closed" and ballot.quorum == 3
        voters = sorted(ballot.votes.values_list("member__username", flat=True))
        assert voters == list(DECIDERS), app.reference
    # An award follows an approving vote only, for the amount the vote was on.
    for award in Award.objects.filter(application__cycle=past).select_related("application"):
        ballot = Ballot.objects.get(application=award.application)
        assert ballot.outcome in ("approved", "conditional")
        assert Decimal(ballot.terms["amount"]) == award.amount


def test_demo_past_round_is_reviewed_and_scored_when_the_reviews_app_is_there(demo_state):
    pytest.importorskip("playbook.reviews.demo")
    from playbook.funding.selectors import award_plan_for_cycle

    demo_programs_ensure()
    plan = award_plan_for_cycle(cycle=_past()).plan
    assert any(line.candidate.score is not None for line in plan.lines)


def test_the_demo_gives_each_working_role_a_task_list(demo_state):
    """The demo reviewer has a review to write (with the round's due date), a grantee owes a
    late progress report, the officer has screening, reports to read and late ones to chase."""
    from django.utils import timezone

    from playbook.accounts.models import User
    from playbook.core.tasks import tasks_for
    from playbook.reviews.models import ReviewRound

    demo_programs_ensure()
    today = timezone.localdate()
    current = _current()
    due = ReviewRound.objects.get(cycle=current).reviews_due
    assert due == timezone.localdate(current.closes_at) + timezone.timedelta(days=21)
    reviewer = [t for t in tasks_for(User.objects.get(username="reviewer"), today=today)
                if t.title.startswith(("Score", "Finish"))]
    assert reviewer and all(t.due == due for t in reviewer)
    officer = {t.title for t in tasks_for(User.objects.get(username="officer"), today=today)}
    assert "Screen 1 submitted application" in officer
    assert any(t.startswith("Chase ") and "late progress report" in t for t in officer)
    assert any(t.startswith("Read and accept ") for t in officer)
    owed = [t for u in User.objects.filter(role=Role.DISTRICT_LEADER)
            for t in tasks_for(u, today=today) if t.title.startswith("Progress report")]
    assert owed, "every other grantee has not sent its latest quarterly report"
    late = [t for t in owed if t.status(today) == "late"]
    assert bool(late) == any(t.startswith("Chase ") for t in officer)


def test_the_past_rounds_story_is_spread_over_its_fiscal_year(demo_state):
    """Issue 11, item 9: applications submitted before the round closed, reviews before the
    vote, reports a quarter apart, the fiscal year named by its dates (July to June)."""
    from playbook.core.dates import fiscal_year_of
    from playbook.programs.models import LifecycleTransition
    from playbook.reviews.models import Review

    demo_programs_ensure()
    past, current = _past(), _current()
    assert past.fiscal_year == fiscal_year_of(past.opens_at) == fiscal_year_of(past.closes_at)
    assert past.name == f"FY{past.fiscal_year} round" and current.fiscal_year == \
        fiscal_year_of(current.opens_at)
    apps = Application.objects.filter(cycle=past)
    assert all(past.opens_at < a.submitted_at < past.closes_at for a in apps)
    assert len({a.submitted_at.date() for a in apps}) == apps.count(), "on different days"
    reviews = Review.objects.filter(assignment__cycle=past)
    votes = Vote.objects.filter(ballot__application__cycle=past)
    assert max(r.submitted_at for r in reviews) < min(v.at for v in votes)
    submits = LifecycleTransition.objects.filter(name="submit", object_id__in=apps.values("pk"))
    assert all(t.at < past.closes_at for t in submits)
    for agreement in Agreement.objects.filter(application__cycle=past):
        ends = sorted(r.period_end for r in agreement.reports.all())
        gaps = {(b - a).days for a, b in itertools.pairwise(ends)}
        assert gaps <= {90, 91, 92}, f"reports a quarter apart: {ends}"
        for r in agreement.reports.all():
            assert r.submitted_at.date() > r.period_end
