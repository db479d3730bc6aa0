from __future__ import annotations

from decimal import Decimal

import pytest
from auditlog.models import LogEntry
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.urls import reverse

from playbook.organizations.models import Organization, OrgKind
from playbook.organizations.selectors import directory_search, organization_get_for_user
from playbook.organizations.services import organization_update

from ..conftest import signed_in_client
from ..factories import (
    ConsortiumFactory,
    DistrictFactory,
    LearningModelFactory,
    MembershipFactory,
    ProviderFactory,
    SchoolFactory,
)

pytestmark = pytest.mark.django_db


def test_a_school_must_belong_to_a_district():
    with pytest.raises(IntegrityError), transaction.atomic():
        Organization.objects.create(kind=OrgKind.SCHOOL, name="Orphan", school_type="charter")


def test_a_consortium_has_at_most_one_lead():
    consortium = ConsortiumFactory()
    MembershipFactory(consortium=consortium, role="lead")
    with pytest.raises(IntegrityError), transaction.atomic():
        MembershipFactory(consortium=consortium, role="lead")


def test_a_model_has_exactly_one_owner():
    with pytest.raises(IntegrityError), transaction.atomic():
        LearningModelFactory(provider=ProviderFactory(), home_district=DistrictFactory())
    with pytest.raises(IntegrityError), transaction.atomic():
        LearningModelFactory(provider=None, home_district=None)


def test_locale_groups_and_rural_flag():
    rural = DistrictFactory(locale="43")
    city = DistrictFactory(locale="11")
    assert rural.is_rural and rural.locale_group == "rural"
    assert not city.is_rural and city.locale_group == "city"


def test_directory_search_by_name_id_kind_and_locale():
    a = DistrictFactory(name="Cedar Valley Schools", locale="42", city="Cedar")
    b = DistrictFactory(name="Metro City Schools", locale="11")
    school = SchoolFactory(name="Cedar Valley High", parent=a)
    assert set(directory_search(query="cedar valley")) == {a, school}
    assert list(directory_search(query=a.nces_id, kind="district")) == [a]
    assert set(directory_search(locale_group="city")) == {b}
    assert b not in directory_search(locale_group="rural")


def test_getter_hides_other_districts_records(personas):
    assert organization_get_for_user(user=personas.leader_a, pk=personas.school_a.pk)
    from django.http import Http404

    with pytest.raises(Http404):
        organization_get_for_user(user=personas.leader_a, pk=personas.school_b.pk)
    with pytest.raises(Http404):
        organization_get_for_user(user=personas.parent, pk=personas.school_a.pk)


def test_officer_edits_a_record_and_the_change_is_audited(personas):
    client = signed_in_client(personas.officer)
    url = reverse("organizations:edit", args=[personas.district_a.pk])
    form = client.get(url).context["form"]
    data = {k: ("" if v is None else v) for k, v in form.initial.items()}
    data.update({"enrollment": 1500, "econ_disadvantaged_share": "0.612", "active": "on"})
    response = client.post(url, data)
    assert response.status_code == 302
    personas.district_a.refresh_from_db()
    assert personas.district_a.enrollment == 1500
    assert personas.district_a.econ_disadvantaged_share == Decimal("0.612")
    entry = LogEntry.objects.get_for_object(personas.district_a).filter(
        actor=personas.officer).first()
    assert entry is not None
    assert "enrollment" in entry.changes_dict


def test_bad_edit_is_refused_with_a_field_error(personas):
    client = signed_in_client(personas.officer)
    url = reverse("organizations:edit", args=[personas.district_a.pk])
    response = client.post(url, {"name": "Alder", "econ_disadvantaged_share": "1.5",
                                 "grade_low": 8, "grade_high": 2})
    assert response.status_code == 200
    body = response.content.decode()
    assert "usa-error-message" in body
    assert "less than or equal to 1" in body
    personas.district_a.refresh_from_db()
    assert personas.district_a.econ_disadvantaged_share == Decimal("0.450")


def test_only_office_staff_may_update_through_the_service(personas):
    with pytest.raises(PermissionDenied):
        organization_update(organization=personas.district_a, by=personas.leader_a,
                            data={"enrollment": 1})
    with pytest.raises(PermissionDenied):
        organization_update(organization=personas.district_a, by=personas.auditor,
                            data={"enrollment": 1})


def test_public_directory_page_searches(client, personas):
    response = client.get(reverse("public:directory"), {"q": "Birch"})
    body = response.content.decode()
    assert "Birch City Schools" in body and "Birch Middle" in body
    assert "Alder County Schools" not in body
