"""The rule every app's staff-only actions share (``(allowed, reason)``, as ``core.access``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from playbook.core.access import ALLOWED, READ_ONLY, Decision

from .roles import OFFICE_STAFF, Role

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from .models import User


def office_staff_only(*, user: User | AnonymousUser, refusal: str) -> Decision:
    """Allowed for office staff; an auditor is told they only read; anyone else (signed in or
    not) is told ``refusal``, e.g. "Only office staff edit the registry."."""
    if not user.is_authenticated:
        return False, refusal
    if user.role in OFFICE_STAFF:
        return ALLOWED
    if user.role == Role.AUDITOR:
        return False, READ_ONLY
    return False, refusal
