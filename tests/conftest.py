"""Shared fixtures: the personas every permission test uses.

Like healthchecks' alice/bob/charlie: a program officer, an office admin, an auditor, a reviewer,
a decision-body member, the leader of district A, the leader of district B, a school leader in
district A, an educator, a provider, a parent, and the anonymous public.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY

from playbook.accounts.models import User
from playbook.accounts.roles import Role
from playbook.accounts.services import totp_device_create_confirmed
from playbook.organizations.models import Organization

from .factories import (
    PASSWORD,
    DistrictFactory,
    LearningModelFactory,
    ProviderFactory,
    SchoolFactory,
    UserFactory,
)


@pytest.fixture(autouse=True)
def isolated_lake(settings, tmp_path_factory):  # type: ignore[no-untyped-def]
    """Each test gets its own empty student-data lake."""
    settings.LAKE_DIR = tmp_path_factory.mktemp("lake")
    return settings.LAKE_DIR


@dataclass
class Personas:
    district_a: Organization
    district_b: Organization
    school_a: Organization
    school_b: Organization
    provider: Organization
    officer: User
    admin: User
    auditor: User
    reviewer: User
    decider: User
    leader_a: User
    leader_b: User
    school_leader_a: User
    educator_a: User
    provider_user: User
    parent: User

    def all_users(self) -> dict[str, User]:
        return {
            name: value for name, value in vars(self).items() if isinstance(value, User)
        }


@pytest.fixture
def personas(db: Any) -> Personas:
    district_a = DistrictFactory(name="Alder County Schools", locale="42")
    district_b = DistrictFactory(name="Birch City Schools", locale="11", enrollment=48000)
    school_a = SchoolFactory(name="Alder Elementary", parent=district_a)
    school_b = SchoolFactory(name="Birch Middle", parent=district_b, grade_low=6, grade_high=8)
    provider = ProviderFactory(name="Summit Learning Partners")
    LearningModelFactory(provider=provider, name="Summit Whole-School", code="summit-ws")
    p = Personas(
        district_a=district_a,
        district_b=district_b,
        school_a=school_a,
        school_b=school_b,
        provider=provider,
        officer=UserFactory(username="officer", role=Role.PROGRAM_OFFICER),
        admin=UserFactory(username="admin", role=Role.OFFICE_ADMIN),
        auditor=UserFactory(username="auditor", role=Role.AUDITOR),
        reviewer=UserFactory(username="reviewer", role=Role.REVIEWER),
        decider=UserFactory(username="decider", role=Role.DECISION_BODY),
        leader_a=UserFactory(username="leader_a", role=Role.DISTRICT_LEADER,
                             organization=district_a),
        leader_b=UserFactory(username="leader_b", role=Role.DISTRICT_LEADER,
                             organization=district_b),
        school_leader_a=UserFactory(username="principal_a", role=Role.SCHOOL_LEADER,
                                    organization=school_a),
        educator_a=UserFactory(username="teacher_a", role=Role.EDUCATOR, organization=school_a),
        provider_user=UserFactory(username="vendor", role=Role.PROVIDER, organization=provider),
        parent=UserFactory(username="parent", role=Role.PARENT),
    )
    for user in (p.officer, p.admin, p.auditor):
        totp_device_create_confirmed(user=user)
    return p


def signed_in_client(user: User, *, verified: bool = True) -> Client:
    """A test client signed in as ``user``; staff also pass the second factor unless told not."""
    client = Client()
    client.force_login(user)
    if verified and user.needs_mfa:
        device = user.totpdevice_set.filter(confirmed=True).first()
        assert device is not None, "staff personas have a confirmed TOTP device"
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
    return client


@pytest.fixture
def client_for():
    """``client_for(user)``: a signed-in (and second-factor-verified) client."""
    return signed_in_client


__all__ = ["PASSWORD", "Personas"]
