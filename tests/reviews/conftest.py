"""Fixtures for the review tests: a grant cycle with applications in review and a panel."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from playbook.accounts.models import User
from playbook.accounts.roles import Role
from playbook.funding.rules import innovation_fund_default
from playbook.organizations.models import Organization
from playbook.programs.models import Application, Cycle, CycleConfiguration, Program
from playbook.reviews.models import ReviewerProfile
from playbook.reviews.services import attestation_sign, reviewer_profile_create

from ..factories import DistrictFactory, SchoolFactory, UserFactory


@pytest.fixture(autouse=True)
def fast_password_hashing(settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def make_cycle(*, fiscal_year: int = 2026, k: int = 2, slug: str = "round-1") -> Cycle:
    program, _ = Program.objects.get_or_create(slug="innovation-fund",
                                               defaults={"name": "Innovation Fund",
                                                         "instrument": "grant"})
    now = timezone.now()
    cycle = Cycle.objects.create(
        program=program, name=f"Round {slug}", slug=slug, opens_at=now - timedelta(days=60),
        closes_at=now - timedelta(days=10), fiscal_year=fiscal_year,
    )
    data = innovation_fund_default()
    data["review"]["reviewers_per_application"] = k
    CycleConfiguration.objects.create(cycle=cycle, version=1, data=data)
    return cycle


def make_application(
    *, cycle: Cycle, applicant: Organization, creator: User, status: str = "in_review",
    title: str = "", partner: Organization | None = None, days_ago: int = 20,
) -> Application:
    return Application.objects.create(
        cycle=cycle, configuration=cycle.configurations.order_by("-version").first(),
        applicant=applicant, partner_district=partner, created_by=creator,
        title=title or f"Personalized learning at {applicant.name}", status=status,
        submitted_at=timezone.now() - timedelta(days=days_ago),
    )


def make_reviewer(username: str, *, role: Role = Role.REVIEWER, external: bool = True,
                  expertise: tuple[str, ...] = (), organization: Organization | None = None,
                  attest_year: int | None = 2026) -> ReviewerProfile:
    user = UserFactory(username=username, role=role, organization=organization,
                       first_name=username.capitalize())
    profile = reviewer_profile_create(user=user, expertise=expertise, external=external)
    if attest_year:
        attestation_sign(reviewer=profile, fiscal_year=attest_year)
    return profile


@dataclass
class Round:
    cycle: Cycle
    app_a: Application  # applicant: district A (rural)
    app_b: Application  # applicant: district B (city)
    app_c: Application  # applicant: a third district
    reviewer: ReviewerProfile  # the `reviewer` persona: external, no ties
    second: ReviewerProfile  # external, rural expertise
    staff_reviewer: ReviewerProfile  # the program officer persona, reviewing as staff
    conflicted: ReviewerProfile  # works for district A


@pytest.fixture
def review_round(personas: Any) -> Round:
    cycle = make_cycle()
    district_c = DistrictFactory(name="Cedar Valley Schools", locale="32")
    SchoolFactory(name="Cedar High", parent=district_c, grade_low=9, grade_high=12)
    app_a = make_application(cycle=cycle, applicant=personas.district_a,
                             creator=personas.leader_a, days_ago=30)
    app_b = make_application(cycle=cycle, applicant=personas.district_b,
                             creator=personas.leader_b, days_ago=20)
    leader_c = UserFactory(username="leader_c", role=Role.DISTRICT_LEADER,
                           organization=district_c)
    app_c = make_application(cycle=cycle, applicant=district_c, creator=leader_c, days_ago=10)
    reviewer = reviewer_profile_create(user=personas.reviewer, expertise=["blended_learning"])
    attestation_sign(reviewer=reviewer, fiscal_year=2026)
    staff = reviewer_profile_create(user=personas.officer, expertise=["school_finance"],
                                    external=False)
    attestation_sign(reviewer=staff, fiscal_year=2026)
    return Round(
        cycle=cycle, app_a=app_a, app_b=app_b, app_c=app_c, reviewer=reviewer,
        second=make_reviewer("second", expertise=("rural",)),
        staff_reviewer=staff,
        conflicted=make_reviewer("conflicted", organization=personas.district_a,
                                 role=Role.REVIEWER),
    )
