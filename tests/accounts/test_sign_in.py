from __future__ import annotations

import pytest
from django.contrib.auth.hashers import identify_hasher
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from playbook.accounts.roles import Role
from playbook.accounts.selectors import totp_current_code
from playbook.accounts.services import user_create

from ..factories import PASSWORD, DistrictFactory

pytestmark = pytest.mark.django_db


def sign_in(client, username, password=PASSWORD, next_url=""):  # type: ignore[no-untyped-def]
    data = {"username": username, "password": password}
    if next_url:
        data["next"] = next_url
    return client.post(reverse("accounts:sign_in"), data, REMOTE_ADDR="10.0.0.1")


def test_passwords_are_hashed_with_argon2(settings):
    settings.PASSWORD_HASHERS = settings.PRODUCTION_PASSWORD_HASHERS
    assert settings.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")
    user = user_create(username="newbie", role=Role.PARENT, password="a long enough secret")
    assert identify_hasher(user.password).algorithm == "argon2"
    assert "a long enough secret" not in user.password


def test_org_scoped_role_needs_an_organization():
    with pytest.raises(ValueError, match="belongs to an organization"):
        user_create(username="x", role=Role.DISTRICT_LEADER, password="p" * 12)
    user = user_create(username="y", role=Role.DISTRICT_LEADER, password="p" * 12,
                       organization=DistrictFactory())
    assert user.organization is not None


def test_parent_signs_in_without_second_factor(client, personas):
    response = sign_in(client, "parent")
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:home")
    assert client.get(reverse("accounts:home")).status_code == 200


def test_wrong_password_is_refused_with_a_message(client, personas):
    response = sign_in(client, "parent", password="wrong password!")
    assert response.status_code == 200
    assert b"Please enter a correct username and password" in response.content
    assert "_auth_user_id" not in client.session


def test_staff_must_pass_totp_before_any_staff_page(client, personas):
    response = sign_in(client, "officer", next_url=reverse("organizations:list"))
    assert response["Location"] == reverse("accounts:mfa")
    # Password alone does not open staff pages.
    blocked = client.get(reverse("organizations:list"))
    assert blocked.status_code == 302
    assert blocked["Location"] == reverse("accounts:mfa")
    device = TOTPDevice.objects.get(user=personas.officer)
    wrong = client.post(reverse("accounts:mfa"), {"token": "000000" if totp_current_code(
        device=device) != "000000" else "111111"})
    assert wrong.status_code == 200
    assert b"not right or has expired" in wrong.content
    # Right after a wrong code, django-otp's throttle refuses even the right one ...
    throttled = client.post(reverse("accounts:mfa"), {"token": totp_current_code(device=device)})
    assert b"Too many wrong codes" in throttled.content
    # ... until the back-off has passed.
    device.refresh_from_db()
    device.throttle_reset()
    ok = client.post(reverse("accounts:mfa"), {"token": totp_current_code(device=device)})
    assert ok.status_code == 302
    assert ok["Location"] == reverse("organizations:list")
    assert client.get(reverse("organizations:list")).status_code == 200


def test_staff_without_an_authenticator_enrols_one_first(client, db):
    user_create(username="fresh", role=Role.PROGRAM_OFFICER, password=PASSWORD)
    sign_in(client, "fresh")
    page = client.get(reverse("accounts:mfa"))
    assert page.status_code == 200
    assert b"<svg" in page.content  # the QR code
    device = TOTPDevice.objects.get(user__username="fresh")
    assert device.confirmed is False
    client.post(reverse("accounts:mfa"), {"token": totp_current_code(device=device)})
    device.refresh_from_db()
    assert device.confirmed is True
    assert client.get(reverse("organizations:list")).status_code == 200


def test_malformed_totp_code_gets_a_field_error(client, personas):
    sign_in(client, "officer")
    response = client.post(reverse("accounts:mfa"), {"token": "12ab"})
    assert response.status_code == 200
    assert b"Enter the six digits" in response.content
    assert b'aria-invalid="true"' in response.content


def test_account_locks_after_five_failures_even_with_the_right_password(client, personas):
    for _ in range(5):
        sign_in(client, "parent", password="not the password")
    locked = sign_in(client, "parent")
    assert locked.status_code == 429
    assert b"Too many failed sign-ins" in locked.content
    assert "_auth_user_id" not in client.session


def test_failures_below_the_limit_do_not_lock(client, personas):
    for _ in range(4):
        sign_in(client, "parent", password="not the password")
    response = sign_in(client, "parent")
    assert response.status_code == 302


def test_sign_out_needs_post(client_for, personas):
    client = client_for(personas.parent)
    assert client.get(reverse("accounts:sign_out")).status_code == 405
    assert client.post(reverse("accounts:sign_out")).status_code == 302
    assert client.get(reverse("accounts:home")).status_code == 302


def test_open_redirect_is_not_followed(client, personas):
    response = sign_in(client, "parent", next_url="https://evil.example/")
    assert response["Location"] == reverse("accounts:home")
