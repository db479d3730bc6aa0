"""Reads for the evidence engine's inputs and the office's stored results."""

from __future__ import annotations

from typing import Any

import pyarrow as pa
from django.db.models import Case, IntegerField, Q, QuerySet, Value, When
from django.http import Http404

from playbook.core.jobs import JobStatus
from playbook.organizations.models import (
    ConsortiumMembership,
    LearningModel,
    ModelAdoption,
    Organization,
    OrgKind,
)
from playbook.studentdata.schemas import SUBJECTS

from .models import (
    GROWTH_ENTITY_LABELS,
    GROWTH_SUBGROUP_LABELS,
    GrowthAggregate,
    GrowthPublication,
    GrowthRun,
)

ENTITY_SCHEMA = pa.schema([
    ("entity_type", pa.string()),
    ("entity_id", pa.string()),
    ("entity_name", pa.string()),
    ("school_id", pa.string()),
    ("school_year", pa.int32()),
    ("model_id", pa.string()),
])


def entities_table() -> pa.Table:
    """Which schools (and, for models and providers, which school years and models) make up
    each rated entity, from the registry.

    ``school_year`` is null where membership does not depend on the year; ``model_id`` is set
    for models and providers, whose students are those in ``model_participation`` for that
    model at that school in that year.
    """
    rows: list[tuple[Any, ...]] = []
    schools = list(
        Organization.objects.filter(kind=OrgKind.SCHOOL, nces_id__isnull=False)
        .select_related("parent")
        .values_list("nces_id", "name", "parent_id")
    )
    by_district: dict[int | None, list[str | None]] = {}
    for nces, name, district_id in schools:
        rows.append(("school", nces, name, nces, None, None))
        by_district.setdefault(district_id, []).append(nces)
    for district in Organization.objects.filter(kind=OrgKind.DISTRICT, nces_id__isnull=False):
        for school in by_district.get(district.pk, []):
            rows.append(("district", district.nces_id, district.name, school, None, None))
    memberships = ConsortiumMembership.objects.select_related("consortium", "member")
    for m in memberships:
        consortium = m.consortium
        members: list[str | None] = (
            [m.member.nces_id] if m.member.kind == OrgKind.SCHOOL
            else by_district.get(m.member_id, [])
        )
        for school in members:
            rows.append(("consortium", consortium.code or str(consortium.pk), consortium.name,
                         school, None, None))
    models_ = {m.pk: m for m in LearningModel.objects.select_related("provider")}
    for adoption in ModelAdoption.objects.select_related("school"):
        model = models_[adoption.model_id]
        adopting = adoption.school.nces_id
        rows.append(("model", model.code, model.name, adopting, adoption.school_year, model.code))
        if model.provider is not None:
            rows.append(("provider", model.provider.code or str(model.provider.pk),
                         model.provider.name, adopting, adoption.school_year, model.code))
    columns: list[Any] = list(zip(*rows, strict=True)) if rows else [[]] * len(ENTITY_SCHEMA)
    return pa.Table.from_arrays(
        [pa.array(col, type=field.type) for col, field in zip(columns, ENTITY_SCHEMA,
                                                               strict=True)],
        schema=ENTITY_SCHEMA,
    )


def growth_run_list() -> QuerySet[GrowthRun]:
    return GrowthRun.objects.select_related("snapshot", "created_by")


def growth_run_get(*, pk: int) -> GrowthRun:
    run = growth_run_list().filter(pk=pk).first()
    if run is None:
        raise Http404("No such growth run.")
    return run


def growth_run_latest(*, subject: str, school_year: int) -> GrowthRun | None:
    return growth_run_list().filter(
        subject=subject, school_year=school_year, status=JobStatus.SUCCEEDED
    ).first()


def growth_aggregates(
    *, run: GrowthRun, entity_type: str = "", entity_id: str = ""
) -> QuerySet[GrowthAggregate]:
    qs = run.aggregates.all()
    if entity_type:
        qs = qs.filter(entity_type=entity_type)
    if entity_id:
        qs = qs.filter(entity_id=entity_id)
    return qs


def subject_label(subject: str) -> str:
    return SUBJECTS.get(subject, subject)


def school_year_label(year: int) -> str:
    """2025 -> "2024-25"."""
    return f"{year - 1}-{year % 100:02d}"


def growth_publications_current() -> QuerySet[GrowthPublication]:
    """The public growth results: one current publication per subject and year."""
    return (GrowthPublication.objects.filter(current=True, run__status=JobStatus.SUCCEEDED)
            .select_related("run", "run__snapshot", "published_by")
            .order_by("subject", "-school_year"))


def growth_publication_current(*, subject: str, school_year: int) -> GrowthPublication | None:
    return growth_publications_current().filter(subject=subject,
                                                school_year=school_year).first()


def growth_run_publication(*, run: GrowthRun) -> GrowthPublication | None:
    """The run's current publication, if it is the public one for its subject and year."""
    return run.publications.filter(current=True).first()


def growth_published_cells(*, publication: GrowthPublication, entity_type: str = "",
                           query: str = "", subgroup: str = "") -> QuerySet[GrowthAggregate]:
    """The published run's cells (suppressed ones included, as suppressed), filtered by
    entity type, subgroup and a name or ID search, ordered by type, name and group."""
    qs = publication.run.aggregates.all()
    if entity_type:
        qs = qs.filter(entity_type=entity_type)
    if subgroup:
        qs = qs.filter(subgroup=subgroup)
    if query:
        qs = qs.filter(Q(entity_name__icontains=query) | Q(entity_id__iexact=query))
    order = Case(*[When(subgroup=code, then=Value(i))
                   for i, code in enumerate(GROWTH_SUBGROUP_LABELS)],
                 default=Value(len(GROWTH_SUBGROUP_LABELS)), output_field=IntegerField())
    type_order = Case(*[When(entity_type=t, then=Value(i))
                        for i, t in enumerate(GROWTH_ENTITY_LABELS)],
                      default=Value(len(GROWTH_ENTITY_LABELS)), output_field=IntegerField())
    return qs.annotate(_type_order=type_order, _group_order=order).order_by(
        "_type_order", "entity_name", "entity_id", "_group_order", "subgroup")
