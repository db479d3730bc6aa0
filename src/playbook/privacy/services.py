from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from django.http import HttpRequest

from playbook.core.access import signed_in_or_none

from .models import AccessLogEntry

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from playbook.accounts.models import User


def access_log_record(
    *,
    user: User | AnonymousUser | None,
    action: str,
    purpose: str,
    student_keys: Sequence[str],
    record_count: int,
    snapshot_id: int | None = None,
    data_kinds: Sequence[str] = (),
    request: HttpRequest | None = None,
) -> AccessLogEntry:
    """Write one entry of the append-only access log (call it before returning the data)."""
    reader = signed_in_or_none(user)
    return AccessLogEntry.objects.create(
        user=reader,
        role=reader.role if reader else "",
        organization_id=reader.organization_id if reader else None,
        action=action,
        purpose=purpose[:300],
        snapshot_id=snapshot_id,
        data_kinds=",".join(data_kinds),
        student_keys=list(student_keys)[:1000],
        record_count=record_count,
        path=request.get_full_path()[:300] if request else "",
        ip_address=request.META.get("REMOTE_ADDR") if request else None,
    )
