"""The data-repair admin is for office administrators only: Django's ``is_staff`` flag alone
(set by a mistake in the admin, or left on an account whose role changed) does not open it."""

from __future__ import annotations

import pytest
from django.urls import reverse

from playbook.accounts.access import ADMIN_RULE
from playbook.accounts.roles import Role
from playbook.accounts.services import totp_device_create_confirmed

from ..conftest import signed_in_client
from ..factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("role", [Role.PROGRAM_OFFICER, Role.AUDITOR, Role.REVIEWER,
                                  Role.DECISION_BODY, Role.PARENT])
def test_is_staff_without_the_office_admin_role_does_not_open_the_admin(role):
    user = UserFactory(username=f"flagged-{role}", role=role)
    user.is_staff = True
    user.save(update_fields=["is_staff"])
    if user.needs_mfa:
        totp_device_create_confirmed(user=user)
    assert ADMIN_RULE.allow(user) == (False, "The data-repair admin is for office administrators.")
    response = signed_in_client(user).get(reverse("admin:index"))
    assert response.status_code == 403
    assert "The data-repair admin is for office administrators." in response.content.decode()


def test_the_office_admin_opens_the_admin_but_not_without_is_staff(personas):
    assert personas.admin.is_staff and ADMIN_RULE.allow(personas.admin) == (True, "")
    assert signed_in_client(personas.admin).get(reverse("admin:index")).status_code == 200
    personas.admin.is_staff = False
    personas.admin.save(update_fields=["is_staff"])
    assert ADMIN_RULE.allow(personas.admin)[0] is False
