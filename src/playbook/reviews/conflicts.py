"""Conflicts of interest, detected from the platform's own data and from declarations.

A reviewer is tied to organizations: the one their account belongs to, and their affiliations
(employment, board seats, paid consulting, financial or household interests) that last or ended
within :data:`LOOKBACK_YEARS` of the cycle's fiscal year. An application is tied to
organizations by *relation detectors*: each says which organizations are related to an
application and why. A reviewer conflicts with an application when one of their organizations is
related to it, or when they declared a conflict with the application or one of its parties.

The detectors, in :data:`RELATION_DETECTORS`:

- same organization: the applicant itself, and the partner district;
- consortium: the members of an applicant consortium (and their schools), and the consortia an
  applicant belongs to;
- district: the district of an applicant school, and the schools of an applicant district;
- provider: providers whose models the applicant's schools have adopted, and, when the applicant
  is a provider, the schools (and their districts) that adopted its models.

Later issues add contracts and data-sharing agreements by appending a detector (see
:func:`relation_detector`); nothing else changes.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import Q

from playbook.organizations.models import (
    ConsortiumMembership,
    ModelAdoption,
    Organization,
    OrgKind,
)

from .models import DeclaredConflict, ReviewerProfile

#: Affiliations and model adoptions older than this (in years before the cycle's fiscal year)
#: no longer make a conflict.
LOOKBACK_YEARS = 2


@dataclass(frozen=True)
class Conflict:
    source: str
    reason: str


#: application id -> organization id -> why that organization is related to the application.
Relations = dict[int, dict[int, str]]
Detector = Callable[[Sequence[Any], int], Relations]

RELATION_DETECTORS: list[tuple[str, Detector]] = []


def relation_detector(source: str) -> Callable[[Detector], Detector]:
    """Register a detector: ``fn(applications, fiscal_year) -> {app id: {org id: why}}``."""

    def register(fn: Detector) -> Detector:
        RELATION_DETECTORS.append((source, fn))
        return fn

    return register


def _orgs(ids: Iterable[int]) -> dict[int, Organization]:
    return {o.pk: o for o in Organization.objects.filter(pk__in=set(ids))}


def _parties(app: Any) -> dict[int, str]:
    parties = {app.applicant_id: "the applicant"}
    if app.partner_district_id:
        parties[app.partner_district_id] = "the partner district"
    return parties


@relation_detector("same_organization")
def _same_organization(applications: Sequence[Any], fiscal_year: int) -> Relations:
    return {app.pk: {org: f"is {role}" for org, role in _parties(app).items()}
            for app in applications}


@relation_detector("consortium")
def _consortium(applications: Sequence[Any], fiscal_year: int) -> Relations:
    party_ids = {org for app in applications for org in _parties(app)}
    rows = list(ConsortiumMembership.objects.filter(
        Q(consortium_id__in=party_ids) | Q(member_id__in=party_ids)
    ).select_related("consortium", "member"))
    members_of: dict[int, list[Organization]] = defaultdict(list)
    consortia_of: dict[int, list[Organization]] = defaultdict(list)
    for m in rows:
        members_of[m.consortium_id].append(m.member)
        consortia_of[m.member_id].append(m.consortium)
    member_district_ids = {o.pk for ms in members_of.values() for o in ms
                           if o.kind == OrgKind.DISTRICT}
    schools_of: dict[int, list[Organization]] = defaultdict(list)
    for school in Organization.objects.filter(parent_id__in=member_district_ids):
        assert school.parent_id is not None
        schools_of[school.parent_id].append(school)
    out: Relations = {}
    for app in applications:
        rel: dict[int, str] = {}
        for party, role in _parties(app).items():
            for member in members_of.get(party, []):
                rel[member.pk] = f"is a member of the consortium that is {role}"
                for school in schools_of.get(member.pk, []):
                    rel.setdefault(school.pk, f"is a school of {member.name}, a member of the "
                                              f"consortium that is {role}")
            for consortium in consortia_of.get(party, []):
                rel[consortium.pk] = f"is a consortium that {role} belongs to"
        out[app.pk] = rel
    return out


@relation_detector("district")
def _district(applications: Sequence[Any], fiscal_year: int) -> Relations:
    party_ids = {org for app in applications for org in _parties(app)}
    orgs = _orgs(party_ids)
    schools_of: dict[int, list[int]] = defaultdict(list)
    for school_id, parent_id in Organization.objects.filter(
        parent_id__in=party_ids
    ).values_list("pk", "parent_id"):
        schools_of[parent_id].append(school_id)
    out: Relations = {}
    for app in applications:
        rel: dict[int, str] = {}
        for party, role in _parties(app).items():
            org = orgs.get(party)
            if org is None:
                continue
            if org.kind == OrgKind.SCHOOL and org.parent_id:
                rel[org.parent_id] = f"is the district of {role}"
            for school in schools_of.get(party, []):
                rel[school] = f"is a school of {role}"
        out[app.pk] = rel
    return out


@relation_detector("provider")
def _provider(applications: Sequence[Any], fiscal_year: int) -> Relations:
    party_ids = {org for app in applications for org in _parties(app)}
    orgs = _orgs(party_ids)
    # The schools behind each party: itself, its schools, its member districts' schools.
    members = defaultdict(set)
    for consortium_id, member_id in ConsortiumMembership.objects.filter(
        consortium_id__in=party_ids
    ).values_list("consortium_id", "member_id"):
        members[consortium_id].add(member_id)
    school_rows = Organization.objects.filter(
        kind=OrgKind.SCHOOL
    ).filter(
        Q(pk__in=party_ids) | Q(parent_id__in=party_ids)
        | Q(parent_id__in={m for ms in members.values() for m in ms})
        | Q(pk__in={m for ms in members.values() for m in ms})
    ).values_list("pk", "parent_id")
    by_parent: dict[int, set[int]] = defaultdict(set)
    school_ids: set[int] = set()
    for school_id, parent_id in school_rows:
        school_ids.add(school_id)
        by_parent[parent_id].add(school_id)
    since = fiscal_year - LOOKBACK_YEARS
    adoptions = ModelAdoption.objects.filter(
        school_year__gte=since, school_year__lte=fiscal_year + 1
    ).select_related("model")
    providers_at: dict[int, dict[int, str]] = defaultdict(dict)
    for ad in adoptions.filter(school_id__in=school_ids, model__provider__isnull=False):
        assert ad.model.provider_id is not None
        providers_at[ad.school_id][ad.model.provider_id] = ad.model.name
    provider_party_ids = {p for p in party_ids if orgs.get(p) and orgs[p].kind == OrgKind.PROVIDER}
    adopters: dict[int, dict[int, str]] = defaultdict(dict)
    for ad in adoptions.filter(model__provider_id__in=provider_party_ids).select_related(
        "school"
    ):
        assert ad.model.provider_id is not None
        adopters[ad.model.provider_id][ad.school_id] = ad.model.name
        if ad.school.parent_id:
            adopters[ad.model.provider_id].setdefault(ad.school.parent_id, ad.model.name)
    out: Relations = {}
    for app in applications:
        rel: dict[int, str] = {}
        for party, role in _parties(app).items():
            schools = {party} | by_parent.get(party, set())
            for member in members.get(party, set()):
                schools |= {member} | by_parent.get(member, set())
            for school in schools:
                for provider, model in providers_at.get(school, {}).items():
                    rel.setdefault(provider, f"provides {model}, used by schools of {role}")
            for org, model in adopters.get(party, {}).items():
                rel.setdefault(org, f"uses {model}, a model of {role}")
        out[app.pk] = rel
    return out


# --- the reviewer side ------------------------------------------------------------------------


def reviewer_ties(
    reviewers: Sequence[ReviewerProfile], fiscal_year: int
) -> dict[int, list[tuple[int, str]]]:
    """profile id -> [(organization id, how the reviewer is tied to it)]."""
    out: dict[int, list[tuple[int, str]]] = {r.pk: [] for r in reviewers}
    for r in reviewers:
        if r.user.organization_id:
            out[r.pk].append((r.user.organization_id, "Works for"))
    since = fiscal_year - LOOKBACK_YEARS
    from .models import ReviewerAffiliation

    for a in ReviewerAffiliation.objects.filter(reviewer__in=[r.pk for r in reviewers]).filter(
        Q(end_year__isnull=True) | Q(end_year__gte=since)
    ):
        label = a.get_kind_display()
        if a.end_year is not None and a.end_year < fiscal_year:
            label = f"{label} (until {a.end_year})"
        out[a.reviewer_id].append((a.organization_id, label))
    return out


def conflicts_between(
    *, reviewers: Sequence[ReviewerProfile], applications: Sequence[Any],
) -> dict[tuple[int, int], list[Conflict]]:
    """Every conflict of every reviewer with every application, keyed (profile id, app id).

    Batched: a fixed number of queries whatever the number of pairs."""
    if not reviewers or not applications:
        return {}
    by_year: dict[int, list[Any]] = defaultdict(list)
    for app in applications:
        by_year[app.cycle.fiscal_year].append(app)
    out: dict[tuple[int, int], list[Conflict]] = defaultdict(list)
    declared = list(DeclaredConflict.objects.filter(reviewer__in=[r.pk for r in reviewers]))
    org_names = _orgs(
        {d.organization_id for d in declared if d.organization_id}
        | {app.applicant_id for app in applications}
    )
    for year, apps in by_year.items():
        ties = reviewer_ties(reviewers, year)
        relations = [(source, fn(apps, year)) for source, fn in RELATION_DETECTORS]
        tie_org_names = _orgs({org for ts in ties.values() for org, _ in ts})
        for app in apps:
            for r in reviewers:
                for org, how in ties[r.pk]:
                    for source, rel in relations:
                        why = rel.get(app.pk, {}).get(org)
                        if why:
                            name = tie_org_names[org].name if org in tie_org_names else str(org)
                            out[(r.pk, app.pk)].append(
                                Conflict(source, f"{how} {name}, which {why}.")
                            )
    for d in declared:
        for app in applications:
            if d.application_id == app.pk:
                out[(d.reviewer_id, app.pk)].append(
                    Conflict("declared", f"Declared by the reviewer: {d.reason}")
                )
            elif d.organization_id and d.organization_id in _parties(app):
                name = org_names[d.organization_id].name
                out[(d.reviewer_id, app.pk)].append(
                    Conflict("declared", f"Declared a conflict with {name}: {d.reason}")
                )
    return dict(out)


def conflicts_for(*, reviewer: ReviewerProfile, application: Any) -> list[Conflict]:
    return conflicts_between(reviewers=[reviewer], applications=[application]).get(
        (reviewer.pk, application.pk), []
    )
