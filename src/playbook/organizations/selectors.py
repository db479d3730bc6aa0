"""Reads of the registry, and the access-checking getters every view uses.

A district leader sees their own district and its schools; a school leader their school and its
district; a provider itself and its models; office staff and auditors see everything. Everyone
else gets 404 for records outside their scope (not 403, so the existence of a record is not
revealed).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Count, Q, QuerySet
from django.http import Http404

from playbook.accounts.permissions import office_staff_only
from playbook.accounts.roles import Role
from playbook.core.access import Decision

from .models import LearningModel, ModelAdoption, Organization, OrgKind

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from playbook.accounts.models import User


def school_nces_ids() -> set[str]:
    ids = Organization.objects.filter(kind=OrgKind.SCHOOL, nces_id__isnull=False).values_list(
        "nces_id", flat=True
    )
    return {i for i in ids if i}


def model_codes() -> set[str]:
    return set(LearningModel.objects.values_list("code", flat=True))


def organization_scope_q(*, user: User | AnonymousUser) -> Q:
    """The organizations ``user`` may see in staff pages, as a filter."""
    if not user.is_authenticated:
        return Q(pk__in=[])
    if user.reads_everything:
        return Q()
    org_id = user.organization_id
    if org_id is None:
        return Q(pk__in=[])
    if user.role == Role.DISTRICT_LEADER:
        return Q(pk=org_id) | Q(parent_id=org_id)
    if user.role in (Role.SCHOOL_LEADER, Role.EDUCATOR):
        return Q(pk=org_id) | Q(children__pk=org_id)
    if user.role == Role.PROVIDER:
        return Q(pk=org_id)
    return Q(pk__in=[])


def organization_list_for_user(
    *, user: User | AnonymousUser, kind: str = "", query: str = "", locale_group: str = ""
) -> QuerySet[Organization]:
    qs = Organization.objects.filter(organization_scope_q(user=user)).select_related("parent")
    return _filter(qs, kind=kind, query=query, locale_group=locale_group).distinct()


def organization_get_for_user(*, user: User | AnonymousUser, pk: int) -> Organization:
    """The organization, if ``user`` may see it; 404 otherwise."""
    org = (
        Organization.objects.filter(organization_scope_q(user=user), pk=pk)
        .select_related("parent")
        .distinct()
        .first()
    )
    if org is None:
        raise Http404("No such organization.")
    return org


def organization_can_edit(*, user: User | AnonymousUser, organization: Organization) -> Decision:
    return office_staff_only(
        user=user, refusal="Only office staff edit the registry; contact your program officer.")


def _filter(
    qs: QuerySet[Organization], *, kind: str, query: str, locale_group: str
) -> QuerySet[Organization]:
    if kind:
        qs = qs.filter(kind=kind)
    if query:
        qs = qs.filter(
            Q(name__icontains=query) | Q(nces_id__startswith=query) | Q(code__icontains=query)
            | Q(city__icontains=query)
        )
    if locale_group:
        prefix = {"city": "1", "suburb": "2", "town": "3", "rural": "4"}.get(locale_group)
        if prefix:
            qs = qs.filter(locale__startswith=prefix)
    return qs


def directory_search(
    *, query: str = "", kind: str = "", locale_group: str = ""
) -> QuerySet[Organization]:
    """The public directory: active districts, schools, consortia and providers."""
    qs = Organization.objects.filter(active=True).exclude(kind=OrgKind.STATE_AGENCY)
    return _filter(qs, kind=kind, query=query, locale_group=locale_group).select_related("parent")


def school_list_for_district(*, district: Organization) -> QuerySet[Organization]:
    return district.children.filter(kind=OrgKind.SCHOOL).order_by("name")


def models_for_organization(*, organization: Organization) -> QuerySet[LearningModel]:
    if organization.kind == OrgKind.PROVIDER:
        return organization.learning_models.all()
    if organization.kind == OrgKind.DISTRICT:
        return LearningModel.objects.filter(
            Q(home_district=organization) | Q(adoptions__school__parent=organization)
        ).distinct()
    if organization.kind == OrgKind.SCHOOL:
        return LearningModel.objects.filter(adoptions__school=organization).distinct()
    return LearningModel.objects.none()


def adoptions_for_school(*, school: Organization) -> QuerySet[ModelAdoption]:
    return school.adoptions.select_related("model", "model__provider").order_by("-school_year")


def learning_model_list() -> QuerySet[LearningModel]:
    return LearningModel.objects.select_related("provider", "home_district").annotate(
        school_years=Count("adoptions")
    )


def learning_model_get(*, code: str) -> LearningModel:
    model = learning_model_list().filter(code=code).first()
    if model is None:
        raise Http404("No such model.")
    return model


def consortium_members(*, consortium: Organization) -> QuerySet[Organization]:
    return Organization.objects.filter(consortium_memberships__consortium=consortium)
