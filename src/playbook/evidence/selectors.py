"""Reads for the evidence engine's inputs and the office's stored results."""

from __future__ import annotations

from typing import Any

import pyarrow as pa
from django.db.models import QuerySet
from django.http import Http404

from playbook.core.jobs import JobStatus
from playbook.organizations.models import (
    ConsortiumMembership,
    LearningModel,
    ModelAdoption,
    Organization,
    OrgKind,
)

from .models import GrowthAggregate, GrowthRun

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
