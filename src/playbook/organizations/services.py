from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db import transaction

from playbook.core.access import require

from .models import Organization
from .selectors import organization_can_edit

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from playbook.accounts.models import User


@transaction.atomic
def organization_update(
    *, organization: Organization, by: User | AnonymousUser, data: dict[str, Any]
) -> Organization:
    """Change registry fields; only office staff may. Every change is kept by the audit log."""
    require(organization_can_edit(user=by, organization=organization))
    for field, value in data.items():
        setattr(organization, field, value)
    organization.full_clean()
    organization.save()
    return organization
