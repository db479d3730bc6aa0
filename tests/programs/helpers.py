"""Builders shared by the programs and funding tests."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.utils import timezone

from playbook.accounts.roles import Role
from playbook.funding.rules import innovation_fund_default
from playbook.funding.services import application_budget_save
from playbook.organizations.models import ConsortiumMembership, Organization
from playbook.programs.models import Application, Ballot, Cycle, DecisionBody, Program
from playbook.programs.registry import application_criteria
from playbook.programs.services import decisions, lifecycle
from playbook.programs.services.applications import application_start, application_update_draft
from playbook.programs.services.setup import cycle_create, decision_body_ensure, program_create
from playbook.reviews.models import Assignment
from playbook.reviews.services import (
    assignment_add,
    attestation_sign,
    review_save,
    reviewer_profile_create,
)

from ..factories import ConsortiumFactory, DistrictFactory, UserFactory

ANSWERS = {
    "need": "Students in grades six to eight are two years behind in math.",
    "model": "A station-rotation model with small-group instruction and adaptive software.",
    "students_served": 480,
    "sustainability": "Licenses move into the general fund in year three.",
}


def make_program(officer: Any, slug: str = "innovation-fund") -> Program:
    return program_create(by=officer, name="Innovation Fund", slug=slug, instrument="grant")


def make_cycle(officer: Any, *, program: Program | None = None, slug: str = "fy26",
               budget: str = "5000000.00", opened_days_ago: int = 1, closes_in_days: int = 30,
               data: dict[str, Any] | None = None) -> Cycle:
    program = program or Program.objects.filter(slug="innovation-fund").first() or make_program(
        officer)
    now = timezone.now()
    return cycle_create(
        by=officer, program=program, name=f"Round {slug}", slug=slug,
        opens_at=now - timedelta(days=opened_days_ago),
        closes_at=now + timedelta(days=closes_in_days), fiscal_year=2026,
        budget=Decimal(budget), data=data or innovation_fund_default(),
    )


def budget_for(amount: Decimal, match_cash: Decimal | None = None) -> list[dict[str, Any]]:
    cash = match_cash if match_cash is not None else (amount * Decimal("0.15")).quantize(
        Decimal("0.01"))
    return [
        {"category": "Technology", "description": "Devices and licenses",
         "state_amount": amount, "match_cash": cash, "match_in_kind": Decimal("0")},
    ]


def complete_draft(*, cycle: Cycle, applicant: Organization, by: Any,
                   amount: str = "400000.00", title: str = "Personalized math",
                   partner: Organization | None = None, **answers: Any) -> Application:
    app = application_start(cycle=cycle, applicant=applicant, by=by, title=title,
                            partner_district=partner)
    app = application_update_draft(application=app, by=by, title=title,
                                   summary="Blended math in the middle grades.",
                                   answers={**ANSWERS, **answers}, partner_district=partner)
    application_budget_save(application=app, by=by, lines=budget_for(Decimal(amount)))
    return Application.objects.get(pk=app.pk)


BOARD = "innovation-fund-governing-board"


def board(personas: Any, *, size: int = 3, slug: str = BOARD) -> list[Any]:
    """The cycle's decision body: the ``decider`` persona (chair) and ``size - 1`` more."""
    members = [personas.decider] + [
        UserFactory(username=f"{slug[:20]}-member-{i}", role=Role.DECISION_BODY)
        for i in range(2, size + 1)]
    decision_body_ensure(by=personas.officer, slug=slug, name="Innovation Fund Governing Board",
                         members=members, chair=personas.decider)
    return list(DecisionBody.objects.get(slug=slug).members.order_by("pk"))


def complete_reviews(app: Application, *, n: int | None = None, score: int = 4) -> None:
    """Assign ``n`` (the cycle's number) independent reviewers and submit their reviews."""
    app = Application.objects.get(pk=app.pk)
    n = n or app.rules.review.reviewers_per_application
    have = Assignment.objects.filter(application=app).count()
    for i in range(have, n):
        user = UserFactory(username=f"rev-{app.pk}-{i}", role=Role.REVIEWER)
        profile = reviewer_profile_create(user=user, expertise=[])
        attestation_sign(reviewer=profile, fiscal_year=app.cycle.fiscal_year)
        assignment_add(application=app, reviewer=profile)
    for assignment in (Assignment.objects.filter(application=app)
                       .exclude(review__submitted_at__isnull=False)
                       .select_related("reviewer__user")):
        review_save(assignment=assignment, by=assignment.reviewer.user,
                    scores={c.key: score for c in application_criteria(app)},
                    overall_comment="A credible plan.", submit=True)


def decide(app: Application, *, officer: Any, outcome: str = "approved",
           amount: str | Decimal | None = None, conditions: str = "",
           reason: str = "Strong plan.") -> Ballot:
    """The board (see ``board``) votes ``outcome`` unanimously; the officer opens and closes."""
    terms = {"amount": str(amount)} if amount is not None else None
    ballot = decisions.ballot_open(application=app, by=officer, terms=terms)
    choice = {"approved": "approve", "conditional": "conditional", "denied": "deny"}[outcome]
    for member in ballot.body.members.order_by("pk"):
        decisions.vote_cast(ballot=ballot, by=member, choice=choice, conditions=conditions,
                            reason=reason)
    return decisions.ballot_close(ballot=ballot, by=officer)


def advance_to(app: Application, status: str, *, officer: Any, decider: Any,
               applicant_user: Any) -> Application:
    """Walk ``app`` through the lifecycle up to ``status`` (recommended at most)."""
    path = ["submitted", "screened", "in_review", "recommended"]
    steps = {
        "submitted": lambda a: lifecycle.application_submit(application=a, by=applicant_user),
        "screened": lambda a: lifecycle.application_screen(application=a, by=officer,
                                                            eligible=True),
        "in_review": lambda a: lifecycle.application_start_review(application=a, by=officer),
        "recommended": lambda a: (complete_reviews(a), lifecycle.application_recommend(
            application=a, by=officer))[1],
    }
    for s in path:
        app = steps[s](app)
        if s == status:
            break
    return app


def make_consortium(*, lead: Organization, members: int = 2, rural: bool = True,
                    name: str = "Ridge Valley Consortium") -> Organization:
    consortium = ConsortiumFactory(name=name)
    ConsortiumMembership.objects.create(consortium=consortium, member=lead,
                                        role=ConsortiumMembership.MemberRole.LEAD)
    for _ in range(members - 1):
        ConsortiumMembership.objects.create(
            consortium=consortium, member=DistrictFactory(locale="43" if rural else "11"))
    return consortium


__all__ = ["UserFactory"]
