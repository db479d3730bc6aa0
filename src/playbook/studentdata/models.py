"""Snapshots of the student-data lake.

A snapshot is an immutable, complete version of the lake: for each kind of data, one Parquet file.
An import writes new files for the kinds it brings and shares the unchanged files of the snapshot
it supersedes (files are never rewritten, so sharing is safe). Every computed result names the
snapshot it read, so any published number can be reproduced.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q


class Snapshot(models.Model):
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
        related_name="+", help_text="Empty when a command-line job made it.",
    )
    created_via = models.CharField(max_length=40, help_text="import, synth, ...")
    supersedes = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="superseded_by",
    )
    directory = models.CharField(max_length=200, unique=True,
                                 help_text="Folder under the lake holding this snapshot's files.")
    note = models.CharField(max_length=300, blank=True)

    #: 1 for the first snapshot, predecessor's + 1 after: unique, so two imports racing from the
    #: same predecessor cannot both land (the chain of snapshots stays linear).
    sequence = models.PositiveIntegerField(unique=True)

    class Meta:
        ordering = ["-sequence"]
        constraints = [
            models.CheckConstraint(
                name="first_snapshot_has_no_predecessor",
                condition=Q(sequence=1, supersedes__isnull=True)
                | Q(sequence__gt=1, supersedes__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"Snapshot {self.pk}"

    @property
    def label(self) -> str:
        return f"#{self.pk} ({self.created_at:%Y-%m-%d %H:%M})"


class SnapshotFile(models.Model):
    """One kind of data inside a snapshot: where its Parquet file is and where it came from."""

    snapshot = models.ForeignKey(Snapshot, on_delete=models.PROTECT, related_name="files")
    kind = models.CharField(max_length=40)
    path = models.CharField(max_length=300, help_text="Relative to the lake folder.")
    rows = models.PositiveBigIntegerField()
    parquet_sha256 = models.CharField(max_length=64)
    school_years = models.JSONField(default=list)
    #: True when this snapshot's import brought this file; False when shared from its predecessor.
    imported_here = models.BooleanField(default=False)
    source_file = models.CharField(max_length=260, blank=True)
    source_sha256 = models.CharField(max_length=64, blank=True)
    source_rows = models.PositiveBigIntegerField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.kind} in snapshot {self.snapshot_id}"

    class Meta:
        ordering = ["kind"]
        constraints = [
            models.UniqueConstraint(fields=["snapshot", "kind"], name="one_file_per_kind"),
        ]
