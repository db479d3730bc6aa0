"""Reads of snapshots. Student-level reads go through ``student_records_for_user``, which
checks the role and writes the access log before returning anything."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import duckdb
from django.db.models import QuerySet
from django.http import Http404, HttpRequest

from playbook.accounts.roles import OFFICE_STAFF
from playbook.privacy.services import access_log_record

from .lake import lake_dir
from .models import Snapshot
from .schemas import KINDS

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from playbook.accounts.models import User


def snapshot_current() -> Snapshot | None:
    return Snapshot.objects.order_by("-sequence").first()


def snapshot_list() -> QuerySet[Snapshot]:
    return Snapshot.objects.select_related("created_by", "supersedes").prefetch_related("files")


def snapshot_get(*, pk: int) -> Snapshot:
    snapshot = snapshot_list().filter(pk=pk).first()
    if snapshot is None:
        raise Http404("no such snapshot")
    return snapshot


def snapshot_paths(*, snapshot: Snapshot) -> dict[str, Path]:
    """Kind -> absolute Parquet path, for the evidence engine."""
    root = lake_dir()
    return {f.kind: root / f.path for f in snapshot.files.all()}


def student_records_for_user(
    *, user: User | AnonymousUser, student_key: str, purpose: str,
    request: HttpRequest | None = None, snapshot: Snapshot | None = None,
) -> dict[str, list[dict[str, Any]]]:
    """Every row about one student in a snapshot, for office staff, logged before it is read.

    Raises PermissionError for any other role and ValueError without a stated purpose.
    """
    if not user.is_authenticated or user.role not in OFFICE_STAFF:
        raise PermissionError("only office staff may read student-level records")
    if not purpose.strip():
        raise ValueError("state the purpose of this read; it is written to the access log")
    snapshot = snapshot or snapshot_current()
    if snapshot is None:
        return {}
    paths = snapshot_paths(snapshot=snapshot)
    records: dict[str, list[dict[str, Any]]] = {}
    con = duckdb.connect()
    try:
        for kind in KINDS:
            if kind not in paths or "student_key" not in KINDS[kind].column_names:
                continue
            cursor = con.execute(
                f"SELECT * FROM read_parquet('{paths[kind].as_posix()}') "
                "WHERE student_key = ? ORDER BY school_year",
                [student_key],
            )
            names = [d[0] for d in cursor.description]
            rows = [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
            if rows:
                records[kind] = rows
    finally:
        con.close()
    access_log_record(
        user=user, action="student_record", purpose=purpose, student_keys=[student_key],
        record_count=sum(len(v) for v in records.values()), snapshot_id=snapshot.pk,
        data_kinds=list(records), request=request,
    )
    return records
