"""The demo: a completed past round and an open round, built idempotently."""

from __future__ import annotations

from decimal import Decimal

import pytest

from playbook.accounts.roles import Role
from playbook.funding.models import Appropriation, Award, ProgressReport
from playbook.funding.selectors import ledger_is_consistent
from playbook.organizations.models import ConsortiumMembership
from playbook.programs.demo import demo_programs_ensure
from playbook.programs.models import Application, Cycle

from ..factories import ConsortiumFactory, DistrictFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo_state(db):  # type: ignore[no-untyped-def]
    districts = [DistrictFactory(enrollment=50000 - i * 1000,
                                 econ_disadvantaged_share=Decimal("0.3") + Decimal(i) / 50,
                                 locale="43" if i % 2 else "21") for i in range(14)]
    consortium = ConsortiumFactory(name="Ridge Valley Rural Consortium")
    ConsortiumMembership.objects.create(consortium=consortium, member=districts[13],
                                        role="lead")
    ConsortiumMembership.objects.create(consortium=consortium, member=districts[11])
    for username, role in (("officer", Role.PROGRAM_OFFICER), ("decider", Role.DECISION_BODY)):
        UserFactory(username=username, role=role)
    UserFactory(username="district", role=Role.DISTRICT_LEADER, organization=districts[0])
    return districts


def test_demo_builds_a_past_round_and_an_open_round_and_is_idempotent(demo_state):
    demo_programs_ensure()
    past = Cycle.objects.get(slug="fy2025")
    current = Cycle.objects.get(slug="fy2026")
    assert past.is_closed() and current.is_open()
    statuses = set(Application.objects.filter(cycle=past).values_list("status", flat=True))
    assert statuses & {"active", "monitored"}
    assert Award.objects.filter(application__cycle=past, status="executed").exists()
    assert ProgressReport.objects.filter(status="accepted").exists()
    assert ProgressReport.objects.filter(status="submitted").exists()
    mine = Application.objects.get(cycle=past, applicant=demo_state[0])
    assert hasattr(mine, "award")
    assert not Application.objects.filter(cycle=current, applicant=demo_state[0]).exists()
    open_statuses = set(Application.objects.filter(cycle=current).values_list("status",
                                                                              flat=True))
    assert {"submitted", "info_requested", "recommended"} <= open_statuses
    for approp in Appropriation.objects.all():
        assert ledger_is_consistent(appropriation=approp)
    counts = (Application.objects.count(), Award.objects.count())
    demo_programs_ensure()
    assert (Application.objects.count(), Award.objects.count()) == counts


def test_demo_past_round_is_reviewed_and_scored_when_the_reviews_app_is_there(demo_state):
    pytest.importorskip("playbook.reviews.demo")
    from playbook.funding.selectors import award_plan_for_cycle

    demo_programs_ensure()
    plan = award_plan_for_cycle(cycle=Cycle.objects.get(slug="fy2025")).plan
    assert any(line.candidate.score is not None for line in plan.lines)
