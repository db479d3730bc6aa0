"""The access log: every read of student-level data, by whom, why and what.

Append-only (``core.append_only``): the model refuses updates and deletes, and a trigger
refuses them in the database too (migration 0002: UPDATE and DELETE on PostgreSQL, UPDATE on
SQLite).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from playbook.accounts.roles import Role
from playbook.core.append_only import AppendOnlyError, AppendOnlyModel

__all__ = ["AccessLogEntry", "AppendOnlyError"]


#: What each logged read was, in words (the ``action`` codes the apps write).
ACCESS_ACTIONS = {
    "student_record": "A student's record looked up",
    "growth_results": "Student-level growth results read",
    "access_log_export": "The access log downloaded",
}


class AccessLogEntry(AppendOnlyModel):
    append_only_label = "the access log"

    at = models.DateTimeField(auto_now_add=True, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    role = models.CharField(max_length=32)
    organization = models.ForeignKey(
        "organizations.Organization", null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )
    action = models.CharField(max_length=60, help_text="What was read, e.g. student_record.")
    purpose = models.CharField(max_length=300)
    snapshot_id = models.PositiveIntegerField(null=True, blank=True)
    data_kinds = models.CharField(max_length=200, blank=True)
    student_keys = models.JSONField(default=list, help_text="Pseudonymous keys read.")
    record_count = models.PositiveIntegerField(default=0)
    path = models.CharField(max_length=300, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.role} {self.action}"

    @property
    def role_label(self) -> str:
        """The role in words (a role no longer defined reads as recorded)."""
        return Role(self.role).label if self.role in Role.values else self.role

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = "access log entry"
        verbose_name_plural = "access log"
