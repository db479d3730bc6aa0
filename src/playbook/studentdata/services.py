"""Imports: validate every file of a batch, then write one new immutable snapshot."""

from __future__ import annotations

import os
import shutil
import stat
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import duckdb
import pyarrow.parquet as pq
from django.db import IntegrityError, transaction

from playbook.core.access import signed_in_or_none
from playbook.organizations.selectors import model_codes, school_nces_ids

from .lake import lake_dir, write_parquet
from .models import Snapshot, SnapshotFile
from .schemas import KINDS
from .selectors import snapshot_current
from .validation import ImportRefused, ValidationResult, file_sha256, validate_file

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from playbook.accounts.models import User


@dataclass(frozen=True)
class ImportItem:
    kind: str
    path: Path


class ImportConflict(Exception):
    """Another import landed first; nothing was written by this one."""


def snapshot_import(
    *,
    items: Sequence[ImportItem],
    by: User | AnonymousUser | None = None,
    via: str = "import",
    note: str = "",
    replace_all: bool = False,
) -> Snapshot:
    """Validate every file, then write a new snapshot that supersedes the current one.

    For each kind imported, the new snapshot's table is the file's rows plus the previous
    snapshot's rows for the school years the file does not cover (``replace_all`` drops those
    too). Kinds not imported are shared from the previous snapshot. If any file has any problem,
    :class:`ImportRefused` is raised and nothing is written.
    """
    if not items:
        raise ValueError("nothing to import")
    kinds_seen = [i.kind for i in items]
    for kind in kinds_seen:
        if kind not in KINDS:
            raise ValueError(f"unknown kind {kind!r}; expected one of {', '.join(KINDS)}")
    if len(set(kinds_seen)) != len(kinds_seen):
        raise ValueError("a batch may hold each kind once")

    schools = school_nces_ids()
    models_ = model_codes()
    previous = snapshot_current()
    lake = lake_dir()
    directory = f"snapshots/{uuid.uuid4().hex}"
    staging = lake / "staging" / uuid.uuid4().hex
    (staging / "validated").mkdir(parents=True)
    written: dict[str, tuple[str, int, list[int], ValidationResult, int]] = {}
    try:
        # Validate every file (all problems of all files are reported); each valid table goes
        # to a staging file at once, so memory holds one file's table at a time.
        results: list[ValidationResult] = []
        for item in items:
            result = validate_file(item.path, item.kind, school_ids=schools, model_ids=models_)
            if result.ok and not any(not r.ok for r in results):
                assert result.table is not None
                write_parquet(result.table, staging / "validated" / f"{item.kind}.parquet")
            result.table = None
            results.append(result)
        if any(not r.ok for r in results):
            raise ImportRefused(results)

        for item, result in zip(items, results, strict=True):
            validated = staging / "validated" / f"{item.kind}.parquet"
            target = staging / f"{item.kind}.parquet"
            source_rows = pq.ParquetFile(validated).metadata.num_rows
            _merge_with_previous(validated, target, kind=item.kind, previous=previous,
                                 replace_all=replace_all)
            sha = file_sha256(target)
            con = duckdb.connect()
            try:
                rows, years_list = con.execute(
                    f"SELECT count(*), list(DISTINCT school_year ORDER BY school_year) "
                    f"FROM read_parquet('{target.as_posix()}')"
                ).fetchall()[0]
            finally:
                con.close()
            years = [int(y) for y in years_list]
            written[item.kind] = (sha, int(rows), years, result, source_rows)
        shutil.rmtree(staging / "validated")

        final = lake / directory
        with transaction.atomic():
            sequence = previous.sequence + 1 if previous else 1
            snapshot = Snapshot.objects.create(
                created_by=signed_in_or_none(by),
                created_via=via,
                supersedes=previous,
                directory=directory,
                note=note[:300],
                sequence=sequence,
            )
            files = []
            for kind, (sha, rows, years, result, source_rows) in written.items():
                files.append(SnapshotFile(
                    snapshot=snapshot, kind=kind, path=f"{directory}/{kind}.parquet", rows=rows,
                    parquet_sha256=sha, school_years=years, imported_here=True,
                    source_file=result.file, source_sha256=result.sha256,
                    source_rows=source_rows,
                ))
            if previous is not None:
                for old in previous.files.exclude(kind__in=list(written)):
                    files.append(SnapshotFile(
                        snapshot=snapshot, kind=old.kind, path=old.path, rows=old.rows,
                        parquet_sha256=old.parquet_sha256, school_years=old.school_years,
                        imported_here=False, source_file=old.source_file,
                        source_sha256=old.source_sha256, source_rows=old.source_rows,
                    ))
            SnapshotFile.objects.bulk_create(files)
            final.parent.mkdir(parents=True, exist_ok=True)
            staging.rename(final)
    except IntegrityError as exc:
        shutil.rmtree(staging, ignore_errors=True)
        raise ImportConflict(
            "another import finished while this one was running; nothing was written, "
            "run the import again"
        ) from exc
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        if "final" in locals() and final.exists() and not Snapshot.objects.filter(
            directory=directory
        ).exists():
            shutil.rmtree(final, ignore_errors=True)
        raise
    return snapshot


def _merge_with_previous(
    validated: Path, target: Path, *, kind: str, previous: Snapshot | None, replace_all: bool
) -> None:
    """Write ``target``: the validated rows, plus the previous snapshot's rows of this kind for
    the school years the file does not hold (none with ``replace_all``)."""
    old = None if previous is None or replace_all else previous.files.filter(kind=kind).first()
    if old is None:
        shutil.copyfile(validated, target)
        os.chmod(target, stat.S_IRUSR | stat.S_IRGRP | stat.S_IROTH)
        return
    old_path = lake_dir() / old.path
    order = ", ".join(f'"{k}"' for k in ("school_year", *KINDS[kind].unique))
    new_sql = f"read_parquet('{validated.as_posix()}')"
    con = duckdb.connect()
    try:
        con.execute(
            f"COPY (SELECT * FROM read_parquet('{old_path.as_posix()}') "
            f"WHERE school_year NOT IN (SELECT DISTINCT school_year FROM {new_sql}) "
            f"UNION ALL BY NAME SELECT * FROM {new_sql} ORDER BY {order}) "
            f"TO '{target.as_posix()}' (FORMAT parquet, COMPRESSION zstd)"
        ).fetchall()
    finally:
        con.close()
    os.chmod(target, stat.S_IRUSR | stat.S_IRGRP | stat.S_IROTH)
