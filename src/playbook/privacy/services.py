from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.http import HttpRequest

from .models import AccessLogEntry


def access_log_record(
    *,
    user: Any,
    action: str,
    purpose: str,
    student_keys: Sequence[str],
    record_count: int,
    snapshot_id: int | None = None,
    data_kinds: Sequence[str] = (),
    request: HttpRequest | None = None,
) -> AccessLogEntry:
    """Write one entry of the append-only access log (call it before returning the data)."""
    return AccessLogEntry.objects.create(
        user=user if getattr(user, "is_authenticated", False) else None,
        role=getattr(user, "role", ""),
        organization_id=getattr(user, "organization_id", None),
        action=action,
        purpose=purpose[:300],
        snapshot_id=snapshot_id,
        data_kinds=",".join(data_kinds),
        student_keys=list(student_keys)[:1000],
        record_count=record_count,
        path=request.get_full_path()[:300] if request else "",
        ip_address=request.META.get("REMOTE_ADDR") if request else None,
    )
