from __future__ import annotations

from typing import TYPE_CHECKING

from auditlog.registry import auditlog
from django.contrib.auth.models import AbstractUser
from django.db import models

from .roles import MFA_REQUIRED, OFFICE_STAFF, ORG_SCOPED, READ_ALL, Role

if TYPE_CHECKING:
    from playbook.organizations.models import Organization


class User(AbstractUser):
    """A person who signs in. One role; org-scoped roles belong to one organization."""

    role = models.CharField(max_length=32, choices=Role.choices, default=Role.PARENT)
    organization: models.ForeignKey[Organization | None, Organization | None] = (
        models.ForeignKey(
            "organizations.Organization",
            null=True,
            blank=True,
            on_delete=models.PROTECT,
            related_name="accounts",
            help_text="The district, school or provider this account acts for.",
        )
    )
    title = models.CharField(max_length=120, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                name="org_scoped_role_has_organization",
                condition=~models.Q(
                    role__in=sorted(r.value for r in ORG_SCOPED), organization__isnull=True
                ),
            ),
        ]

    @property
    def role_label(self) -> str:
        return Role(self.role).label

    @property
    def is_office_staff(self) -> bool:
        return self.role in OFFICE_STAFF

    @property
    def reads_everything(self) -> bool:
        return self.role in READ_ALL

    @property
    def needs_mfa(self) -> bool:
        return self.role in MFA_REQUIRED


auditlog.register(User, exclude_fields=["password", "last_login"])
