from __future__ import annotations

from typing import Any

from django.db import transaction
from django_otp.plugins.otp_totp.models import TOTPDevice

from playbook.organizations.models import Organization

from .models import User
from .roles import ORG_SCOPED, Role


def user_create(
    *,
    username: str,
    role: Role | str,
    password: str,
    organization: Organization | None = None,
    first_name: str = "",
    last_name: str = "",
    email: str = "",
    title: str = "",
) -> User:
    """Create an account. Org-scoped roles need their organization; office admins get the
    data-repair admin (``is_staff``) but are never superusers."""
    role = Role(role)
    if role in ORG_SCOPED and organization is None:
        raise ValueError(f"a {role.label} account belongs to an organization")
    user = User(
        username=username, role=role, organization=organization, first_name=first_name,
        last_name=last_name, email=email, title=title, is_staff=role == Role.OFFICE_ADMIN,
    )
    user.set_password(password)
    user.full_clean(exclude=["password"])
    user.save()
    return user


def totp_device_for(*, user: User, confirmed: bool | None = None) -> TOTPDevice | None:
    qs = TOTPDevice.objects.devices_for_user(user, confirmed=confirmed)
    return qs.first()


def totp_enrol_start(*, user: User) -> TOTPDevice:
    """An unconfirmed TOTP device for the user (reused until confirmed)."""
    device = totp_device_for(user=user, confirmed=False)
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=False)
    return device


@transaction.atomic
def totp_confirm(*, device: TOTPDevice, token: str) -> bool:
    """Confirm an enrolment with a first valid code; other devices of the user are removed."""
    if not device.verify_token(token):
        return False
    TOTPDevice.objects.filter(user=device.user).exclude(pk=device.pk).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    return True


def totp_device_create_confirmed(*, user: User, key_hex: str | None = None) -> TOTPDevice:
    """For the demo and tests: a confirmed device with a known key."""
    kwargs: dict[str, Any] = {"user": user, "name": "Authenticator app", "confirmed": True}
    if key_hex:
        kwargs["key"] = key_hex
    return TOTPDevice.objects.create(**kwargs)
