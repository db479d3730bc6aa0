"""Builders for the funding tests: an appropriation, a funded cycle, recommended applications."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from playbook.funding.models import Appropriation
from playbook.funding.services import appropriation_create, cycle_funding_set
from playbook.programs.models import Application, Cycle

from ..factories import DistrictFactory, UserFactory
from ..programs.helpers import advance_to, complete_draft, make_cycle


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
