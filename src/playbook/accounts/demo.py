"""The embedded demo's accounts: one per role, tied to organizations of the synthetic state."""

from __future__ import annotations

from django_otp.plugins.otp_totp.models import TOTPDevice

from playbook.organizations.models import Organization, OrgKind

from .models import User
from .roles import MFA_REQUIRED, Role
from .services import totp_device_create_confirmed, user_create

DEMO_USERS: list[tuple[str, Role, str, str]] = [
    # username, role, first name, last name
    ("officer", Role.PROGRAM_OFFICER, "Olivia", "Ortega"),
    ("officeadmin", Role.OFFICE_ADMIN, "Adam", "Adeyemi"),
    ("auditor", Role.AUDITOR, "Audrey", "Lindqvist"),
    ("reviewer", Role.REVIEWER, "Ravi", "Raman"),
    ("decider", Role.DECISION_BODY, "Dana", "Delgado"),
    ("decider2", Role.DECISION_BODY, "Elliot", "Brandt"),
    ("decider3", Role.DECISION_BODY, "Farah", "Nasser"),
    ("district", Role.DISTRICT_LEADER, "Darius", "Stone"),
    ("principal", Role.SCHOOL_LEADER, "Priya", "Patel"),
    ("teacher", Role.EDUCATOR, "Tomás", "Reyes"),
    ("vendor", Role.PROVIDER, "Vera", "Nakamura"),
    ("parent", Role.PARENT, "Pat", "Morgan"),
]


def _organization_for(role: Role) -> Organization | None:
    if role == Role.DISTRICT_LEADER:
        return Organization.objects.filter(kind=OrgKind.DISTRICT).order_by("-enrollment").first()
    if role in (Role.SCHOOL_LEADER, Role.EDUCATOR):
        district = _organization_for(Role.DISTRICT_LEADER)
        return district.children.order_by("nces_id").first() if district else None
    if role == Role.PROVIDER:
        return Organization.objects.filter(kind=OrgKind.PROVIDER).order_by("name").first()
    return None


def demo_accounts_ensure(*, password: str) -> list[User]:
    """Create (or reset the password of) one demo account per role."""
    users = []
    for username, role, first, last in DEMO_USERS:
        user = User.objects.filter(username=username).first()
        if user is None:
            org = _organization_for(role)
            if org is None and role in (Role.DISTRICT_LEADER, Role.SCHOOL_LEADER, Role.EDUCATOR,
                                        Role.PROVIDER):
                continue
            user = user_create(
                username=username, role=role, password=password, organization=org,
                first_name=first, last_name=last, email=f"{username}@demo.playbook.example",
            )
        else:
            user.set_password(password)
            user.save(update_fields=["password"])
        if role in MFA_REQUIRED and not TOTPDevice.objects.filter(
            user=user, confirmed=True
        ).exists():
            totp_device_create_confirmed(user=user)
        users.append(user)
    return users


def demo_accounts_table() -> list[tuple[str, str, str]]:
    rows = []
    for username, role, _, _ in DEMO_USERS:
        user = User.objects.filter(username=username).select_related("organization").first()
        if user:
            rows.append((role.label, username, user.organization.name if user.organization else ""))
    return rows
