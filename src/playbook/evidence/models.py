"""Runs of the evidence engine, stored with their provenance.

Each run names the snapshot it read, the configuration it used (and its fingerprint) and the
code version that computed it, so a published number can be reproduced. Student-level results
stay in the lake (Parquet beside the snapshot), never in these tables; the tables hold only
aggregates, each with its count and suppression flag.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q


class RunStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    SUCCEEDED = "succeeded", "Succeeded"
    FAILED = "failed", "Failed"


class GrowthRun(models.Model):
    snapshot = models.ForeignKey(
        "studentdata.Snapshot", on_delete=models.PROTECT, related_name="growth_runs"
    )
    subject = models.CharField(max_length=20)
    school_year = models.PositiveSmallIntegerField()
    configuration = models.JSONField(help_text="Knots, cut scores, orders: all the engine used.")
    configuration_fingerprint = models.CharField(max_length=64)
    code_version = models.CharField(max_length=80)
    status = models.CharField(max_length=12, choices=RunStatus.choices, default=RunStatus.QUEUED)
    progress = models.PositiveSmallIntegerField(default=0)
    message = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    students = models.PositiveIntegerField(null=True, blank=True)
    results_path = models.CharField(max_length=300, blank=True,
                                    help_text="Student-level results, relative to the lake.")
    results_sha256 = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(name="growth_progress_is_percent",
                                   condition=Q(progress__lte=100)),
            models.UniqueConstraint(
                fields=["snapshot", "subject", "school_year", "configuration_fingerprint",
                        "code_version"],
                condition=Q(status="succeeded"),
                name="one_succeeded_growth_run_per_inputs",
            ),
        ]

    def __str__(self) -> str:
        return f"Growth {self.subject} {self.school_year} on snapshot {self.snapshot_id}"


class GrowthAggregate(models.Model):
    """Median SGP and percent making adequate growth for one group of students."""

    run = models.ForeignKey(GrowthRun, on_delete=models.CASCADE, related_name="aggregates")
    entity_type = models.CharField(max_length=20)
    entity_id = models.CharField(max_length=40)
    subgroup = models.CharField(max_length=40)
    n = models.PositiveIntegerField(null=True, blank=True)
    median_sgp = models.DecimalField(max_digits=5, decimal_places=1, null=True, blank=True)
    n_adequate_known = models.PositiveIntegerField(null=True, blank=True)
    pct_adequate = models.DecimalField(max_digits=5, decimal_places=1, null=True, blank=True)
    suppressed = models.BooleanField(default=False)

    class Meta:
        ordering = ["entity_type", "entity_id", "subgroup"]
        constraints = [
            models.UniqueConstraint(fields=["run", "entity_type", "entity_id", "subgroup"],
                                    name="one_growth_cell"),
            models.CheckConstraint(
                name="suppressed_cells_hold_no_numbers",
                condition=Q(suppressed=False)
                | (Q(n__isnull=True) & Q(median_sgp__isnull=True) & Q(pct_adequate__isnull=True)),
            ),
        ]
        indexes = [models.Index(fields=["run", "entity_type", "entity_id"])]

    def __str__(self) -> str:
        return f"{self.entity_type} {self.entity_id} {self.subgroup}"


class AchievementStandard(models.Model):
    """The state's achievement cut scores for one subject (versioned data, DEMO format)."""

    subject = models.CharField(max_length=20)
    version = models.PositiveSmallIntegerField()
    content_area = models.CharField(
        max_length=40, help_text="The subject's name inside the definition, e.g. MATHEMATICS."
    )
    definition = models.JSONField(help_text="Cutscores in the SGP DEMO_cutscores.json format.")
    source = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["subject", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["subject", "version"], name="one_standard_version"),
        ]

    def __str__(self) -> str:
        return f"{self.subject} v{self.version}"
