"""Builders for the funding tests: an appropriation, a funded cycle, recommended applications,
an approved award and its agreement put in force."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.utils import timezone

from playbook.funding.models import Appropriation, Award
from playbook.funding.services import appropriation_create, cycle_funding_set
from playbook.programs.models import Agreement, Application, Cycle
from playbook.programs.services import agreements

from ..factories import DistrictFactory, UserFactory
from ..programs.helpers import advance_to, board, complete_draft, decide, make_cycle

__all__ = ["approved_award", "board", "decide", "funded_cycle", "put_in_force",
           "recommended_application"]


def funded_cycle(officer: Any, *, appropriation: str = "1000000.00",
                 budget: str = "1000000.00", slug: str = "fy26") -> tuple[Cycle, Appropriation]:
    cycle = make_cycle(officer, budget=budget, slug=slug)
    approp = appropriation_create(by=officer, fund="Innovation Fund", code=f"if-{slug}",
                                  fiscal_year=2026, amount=Decimal(appropriation),
                                  program=cycle.program)
    cycle_funding_set(cycle=cycle, appropriation=approp, by=officer)
    return cycle, approp


def recommended_application(personas: Any, cycle: Cycle, *, amount: str = "400000.00",
                            district: Any = None, leader: Any = None,
                            **kw: Any) -> Application:
    from playbook.accounts.roles import Role

    if district is None:
        district = DistrictFactory(**kw)
        leader = UserFactory(role=Role.DISTRICT_LEADER, organization=district)
    app = complete_draft(cycle=cycle, applicant=district, by=leader, amount=amount)
    return advance_to(app, "recommended", officer=personas.officer, decider=personas.decider,
                      applicant_user=leader)


def approved_award(personas: Any, cycle: Cycle, *, amount: str = "300000.00",
                   requested: str | None = None) -> Award:
    """District A's application (its leader, ``leader_a``, is the grantee), approved by the
    board (which ``board(personas)`` must have created) for ``amount``."""
    app = recommended_application(personas, cycle, amount=requested or amount,
                                  district=personas.district_a, leader=personas.leader_a)
    decide(app, officer=personas.officer, outcome="approved", amount=amount)
    return Award.objects.select_related("agreement", "appropriation").get(application=app)


def ready_to_sign(award: Award, *, officer: Any) -> Agreement:
    """Give the drafted agreement the commitment the office needs before it signs."""
    agreement = Agreement.objects.get(pk=award.agreement_id)
    agreements.commitment_add(agreement=agreement, by=officer,
                              measure="Students on track in math", unit="percent",
                              baseline=Decimal("41"), target=Decimal("60"),
                              due_date=timezone.localdate() + timedelta(days=365))
    return agreement


def put_in_force(award: Award, *, officer: Any, grantee: Any) -> Agreement:
    """Commitment, the office's signature and the grantee's countersignature: active."""
    agreement = ready_to_sign(award, officer=officer)
    agreement = agreements.agreement_step(agreement=agreement, name="sign", by=officer)
    return agreements.agreement_step(agreement=agreement, name="countersign", by=grantee)
