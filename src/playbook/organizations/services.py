from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction

from .models import Organization
from .selectors import organization_can_edit


@transaction.atomic
def organization_update(
    *, organization: Organization, by: Any, data: dict[str, Any]
) -> Organization:
    """Change registry fields; only office staff may. Every change is kept by the audit log."""
    allowed, reason = organization_can_edit(user=by, organization=organization)
    if not allowed:
        raise PermissionDenied(reason)
    for field, value in data.items():
        setattr(organization, field, value)
    organization.full_clean()
    organization.save()
    return organization
