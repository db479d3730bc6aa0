"""Runs of the evidence engine, stored with their provenance.

Each run names the snapshot it read, the configuration it used (and its fingerprint) and the
code version that computed it, so a published number can be reproduced. Student-level results
stay in the lake (Parquet beside the snapshot), never in these tables; the tables hold only
aggregates, each with its count and suppression flag.
"""

from __future__ import annotations

from auditlog.registry import auditlog
from django.conf import settings
from django.db import models
from django.db.models import Q

from playbook.core.jobs import JobFields
from playbook.studentdata.schemas import RACE_ETHNICITY

#: Growth subgroups in words (the downloads keep the codes beside the words).
GROWTH_SUBGROUP_LABELS = {
    "all": "All students", **RACE_ETHNICITY,
    "econ_disadvantaged": "Economically disadvantaged",
    "disability": "Students with disabilities",
    "english_learner": "English learners",
}
GROWTH_ENTITY_LABELS = {"school": "School", "district": "District", "consortium": "Consortium",
                        "model": "Learning model", "provider": "Provider"}


class GrowthRun(JobFields):
    """One run of the growth engine (status, progress and message from ``JobFields``)."""

    snapshot = models.ForeignKey(
        "studentdata.Snapshot", on_delete=models.PROTECT, related_name="growth_runs"
    )
    subject = models.CharField(max_length=20)
    school_year = models.PositiveSmallIntegerField()
    configuration = models.JSONField(help_text="Knots, cut scores, orders: all the engine used.")
    configuration_fingerprint = models.CharField(max_length=64)
    code_version = models.CharField(max_length=80)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    students = models.PositiveIntegerField(null=True, blank=True)
    results_path = models.CharField(max_length=300, blank=True,
                                    help_text="Student-level results, relative to the lake.")
    results_sha256 = models.CharField(max_length=64, blank=True)
    min_n = models.PositiveSmallIntegerField(
        null=True, blank=True,
        help_text="The minimum n its cells were suppressed with, each statistic on its own "
                  "count; empty for runs stored before that rule (they cannot be published).",
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(name="growth_progress_is_percent",
                                   condition=Q(progress__lte=100)),
            models.UniqueConstraint(
                fields=["snapshot", "subject", "school_year", "configuration_fingerprint",
                        "code_version", "min_n"],
                condition=Q(status="succeeded"),
                name="one_succeeded_growth_run_per_inputs",
            ),
        ]

    def __str__(self) -> str:
        return f"Growth {self.subject} {self.school_year} on snapshot {self.snapshot_id}"


class GrowthAggregate(models.Model):
    """Median SGP and percent making adequate growth for one group of students.

    Each statistic is published with the count it rests on and is suppressed on that count:
    ``n`` (students tested; ``suppressed`` hides the whole cell), ``n_sgp`` (students with a
    growth percentile: the median's count; ``sgp_suppressed``) and ``n_adequate_known``
    (students with an adequate-growth status: the percent's count; ``adequate_suppressed``).
    """

    run = models.ForeignKey(GrowthRun, on_delete=models.CASCADE, related_name="aggregates")
    entity_type = models.CharField(max_length=20)
    entity_id = models.CharField(max_length=40)
    entity_name = models.CharField(max_length=200, blank=True)
    subgroup = models.CharField(max_length=40)
    n = models.PositiveIntegerField(null=True, blank=True)
    n_sgp = models.PositiveIntegerField(null=True, blank=True)
    median_sgp = models.DecimalField(max_digits=5, decimal_places=1, null=True, blank=True)
    n_adequate_known = models.PositiveIntegerField(null=True, blank=True)
    pct_adequate = models.DecimalField(max_digits=5, decimal_places=1, null=True, blank=True)
    suppressed = models.BooleanField(default=False, help_text="The student count is hidden "
                                     "(and with it every statistic of the cell).")
    sgp_suppressed = models.BooleanField(default=False)
    adequate_suppressed = models.BooleanField(default=False)
    pct_adequate_suppressed = models.BooleanField(
        default=False, help_text="The percent making adequate growth is hidden to protect a "
        "small group beside it (decision 0009); its count stays published.")

    class Meta:
        ordering = ["entity_type", "entity_id", "subgroup"]
        constraints = [
            models.UniqueConstraint(fields=["run", "entity_type", "entity_id", "subgroup"],
                                    name="one_growth_cell"),
            models.CheckConstraint(
                name="suppressed_cells_hold_no_numbers",
                condition=Q(suppressed=False)
                | (Q(n__isnull=True) & Q(sgp_suppressed=True) & Q(adequate_suppressed=True)),
            ),
            models.CheckConstraint(
                name="suppressed_median_holds_no_numbers",
                condition=Q(sgp_suppressed=False)
                | (Q(n_sgp__isnull=True) & Q(median_sgp__isnull=True)),
            ),
            models.CheckConstraint(
                name="suppressed_adequate_growth_holds_no_numbers",
                condition=Q(adequate_suppressed=False)
                | (Q(n_adequate_known__isnull=True) & Q(pct_adequate__isnull=True)),
            ),
            models.CheckConstraint(
                name="hidden_adequate_percent_holds_no_value",
                condition=Q(pct_adequate_suppressed=False) | Q(pct_adequate__isnull=True),
            ),
        ]
        indexes = [models.Index(fields=["run", "entity_type", "entity_id"])]

    def __str__(self) -> str:
        return f"{self.entity_type} {self.entity_id} {self.subgroup}"

    @property
    def subgroup_label(self) -> str:
        return GROWTH_SUBGROUP_LABELS.get(self.subgroup, self.subgroup)

    @property
    def entity_type_label(self) -> str:
        return GROWTH_ENTITY_LABELS.get(self.entity_type, self.entity_type)


class GrowthPublication(models.Model):
    """A subject and year of growth results made public from one run by office staff (the
    current one per subject and year; earlier publications stay as history)."""

    subject = models.CharField(max_length=20)
    school_year = models.PositiveSmallIntegerField()
    run = models.ForeignKey(GrowthRun, on_delete=models.PROTECT, related_name="publications")
    current = models.BooleanField(default=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    published_at = models.DateTimeField(auto_now_add=True)
    #: set when office staff withdraw the publication (it is then no longer current)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    withdrawn_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["subject", "-school_year", "-published_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["subject", "school_year"], condition=Q(current=True),
                                    name="one_current_growth_publication_per_subject_year"),
        ]

    def __str__(self) -> str:
        return f"growth {self.subject} {self.school_year} (run {self.run_id})"


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


# ----------------------------------------------------------------------------------------------
# Report cards (Play 5): versioned frameworks, runs with provenance, cells, ratings, publication


class ReportCardFramework(models.Model):
    """One version of a report-card framework, stored as the engine's document (versioned data).

    The shipped YAML files are loaded as version 1; a program officer's copy with new cut points
    is the next version of the same slug. A version is never edited: copies are new rows.
    """

    slug = models.SlugField(max_length=80)
    version = models.PositiveIntegerField()
    name = models.CharField(max_length=200)
    definition = models.JSONField(help_text="The framework document the engine validates.")
    based_on = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="copies")
    note = models.CharField(max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["slug", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["slug", "version"], name="one_framework_version"),
            models.CheckConstraint(name="framework_version_positive",
                                   condition=Q(version__gte=1)),
        ]

    def __str__(self) -> str:
        return f"{self.slug} v{self.version}"


class ReportCardRun(JobFields):
    """One run of the report-card engine (status, progress and message from ``JobFields``)."""

    framework = models.ForeignKey(ReportCardFramework, on_delete=models.PROTECT,
                                  related_name="runs")
    snapshot = models.ForeignKey(
        "studentdata.Snapshot", on_delete=models.PROTECT, related_name="report_card_runs"
    )
    engine = models.CharField(max_length=10, choices=[("duckdb", "DuckDB"), ("spark", "Spark")])
    min_n = models.PositiveSmallIntegerField()
    code_version = models.CharField(max_length=80)
    growth_runs = models.JSONField(default=list, blank=True,
                                   help_text="Ids of the growth runs whose results were read.")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    results_path = models.CharField(max_length=300, blank=True,
                                    help_text="Folder of results.csv and ratings.csv (lake).")
    results_sha256 = models.CharField(max_length=64, blank=True)
    ratings_sha256 = models.CharField(max_length=64, blank=True)
    timings = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(name="report_card_progress_is_percent",
                                   condition=Q(progress__lte=100)),
            models.UniqueConstraint(
                fields=["framework", "snapshot", "engine", "min_n", "code_version"],
                condition=Q(status="succeeded"),
                name="one_succeeded_report_card_run_per_inputs",
            ),
        ]

    def __str__(self) -> str:
        return f"Report cards {self.framework} on snapshot {self.snapshot_id} ({self.engine})"


class ReportCardCell(models.Model):
    """One published cell of results.csv (a suppressed cell keeps its row, without numbers)."""

    run = models.ForeignKey(ReportCardRun, on_delete=models.CASCADE, related_name="cells")
    entity_type = models.CharField(max_length=20)
    entity_id = models.CharField(max_length=40)
    year = models.PositiveSmallIntegerField()
    subgroup = models.CharField(max_length=40)
    component = models.CharField(max_length=60)
    metric = models.CharField(max_length=60)
    n = models.PositiveIntegerField(null=True, blank=True)
    value = models.DecimalField(max_digits=9, decimal_places=1, null=True, blank=True)
    level = models.CharField(max_length=40, blank=True)
    suppressed = models.BooleanField(default=False)
    value_suppressed = models.BooleanField(
        default=False, help_text="The percent is hidden to protect a small group beside it "
        "(decision 0009); its count and level stay published.")

    class Meta:
        ordering = ["entity_type", "entity_id", "year", "id"]
        constraints = [
            models.CheckConstraint(
                name="suppressed_report_card_cells_hold_no_numbers",
                condition=Q(suppressed=False)
                | (Q(n__isnull=True) & Q(value__isnull=True) & Q(level="")),
            ),
            models.CheckConstraint(
                name="hidden_report_card_percents_hold_no_value",
                condition=Q(value_suppressed=False) | Q(value__isnull=True),
            ),
        ]
        indexes = [models.Index(fields=["run", "entity_type", "entity_id", "year"])]

    def __str__(self) -> str:
        return f"{self.entity_type} {self.entity_id} {self.year} {self.metric} {self.subgroup}"


class ReportCardRating(models.Model):
    """An entity's overall rating for one year, with the context on the populations served."""

    run = models.ForeignKey(ReportCardRun, on_delete=models.CASCADE, related_name="ratings")
    entity_type = models.CharField(max_length=20)
    entity_id = models.CharField(max_length=40)
    entity_name = models.CharField(max_length=200, blank=True)
    year = models.PositiveSmallIntegerField()
    rating = models.CharField(max_length=60)
    points = models.DecimalField(max_digits=5, decimal_places=1, null=True, blank=True,
                                 help_text="The overall score (0-100); empty when not rated.")
    points_change = models.DecimalField(max_digits=5, decimal_places=1, null=True, blank=True)
    context = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["entity_type", "entity_id", "year"]
        constraints = [
            models.UniqueConstraint(fields=["run", "entity_type", "entity_id", "year"],
                                    name="one_rating_per_entity_year"),
        ]
        indexes = [models.Index(fields=["run", "year", "entity_type"])]

    def __str__(self) -> str:
        return f"{self.entity_type} {self.entity_id} {self.year}: {self.rating}"


class ReportCardPublication(models.Model):
    """A year of a framework's report cards made public from one run (the current one per
    framework and year; earlier publications stay as history)."""

    framework_slug = models.SlugField(max_length=80)
    school_year = models.PositiveSmallIntegerField()
    run = models.ForeignKey(ReportCardRun, on_delete=models.PROTECT, related_name="publications")
    current = models.BooleanField(default=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    published_at = models.DateTimeField(auto_now_add=True)
    #: set when office staff withdraw the publication (it is then no longer current)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    withdrawn_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["framework_slug", "-school_year", "-published_at"]
        constraints = [
            models.UniqueConstraint(fields=["framework_slug", "school_year"],
                                    condition=Q(current=True),
                                    name="one_current_publication_per_framework_year"),
        ]

    def __str__(self) -> str:
        return f"{self.framework_slug} {self.school_year} (run {self.run_id})"


auditlog.register(GrowthPublication)
auditlog.register(ReportCardPublication)
