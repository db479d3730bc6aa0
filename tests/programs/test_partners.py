"""Who may apply to the innovation fund (Play 1, after Ohio's Straight A Fund: schools,
districts, educational service centers and institutions of higher learning), and who may be
the partner of a college or nonprofit (a district or a school)."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from playbook.accounts.roles import Role
from playbook.funding.rules import innovation_fund_default
from playbook.organizations.models import ProviderType, SchoolType
from playbook.programs.eligibility import eligibility_problems
from playbook.programs.forms import ApplicationForm
from playbook.programs.rules import EligibilityRules
from playbook.programs.selectors import application_eligibility, application_problems
from playbook.programs.services.applications import application_start, application_update_draft

from ..factories import ProviderFactory, SchoolFactory, UserFactory
from .helpers import ANSWERS, make_cycle

pytestmark = pytest.mark.django_db

DEFAULT = EligibilityRules.model_validate(innovation_fund_default()["eligibility"])


@pytest.fixture
def college(personas):  # type: ignore[no-untyped-def]
    org = ProviderFactory(name="Alder State University", provider_type=ProviderType.COLLEGE)
    return org, UserFactory(username="dean", role=Role.PROVIDER, organization=org)


def test_the_default_admits_schools_districts_service_centers_and_colleges(personas):
    assert {"district", "school", "charter", "esc", "college"} <= set(DEFAULT.applicant_types)
    assert eligibility_problems(rules=DEFAULT, applicant=personas.school_a, partner=None) == []
    charter = SchoolFactory(school_type=SchoolType.CHARTER)
    assert eligibility_problems(rules=DEFAULT, applicant=charter, partner=None) == []


def test_a_school_leader_applies_for_their_school(personas):
    cycle = make_cycle(personas.officer)
    app = application_start(cycle=cycle, applicant=personas.school_a,
                            by=personas.school_leader_a, title="Flex labs")
    assert application_eligibility(application=app) == []
    with pytest.raises(PermissionDenied):
        application_start(cycle=cycle, applicant=personas.school_a, by=personas.leader_b,
                          title="Not mine")


def test_a_college_may_partner_with_a_district_or_a_school(personas, college):
    org, _ = college
    charter = SchoolFactory(school_type=SchoolType.CHARTER)
    for partner in (personas.district_a, personas.school_a, charter):
        assert eligibility_problems(rules=DEFAULT, applicant=org, partner=partner) == []
    assert eligibility_problems(rules=DEFAULT, applicant=org, partner=None) == [
        "College or university applicants must name a district, district school or charter "
        "school partner."]
    other = ProviderFactory(provider_type=ProviderType.NONPROFIT)
    assert eligibility_problems(rules=DEFAULT, applicant=org, partner=other) == [
        "The partner must be a school district, district school or charter school."]


def test_rules_that_name_districts_only_still_refuse_a_school(personas, college):
    org, _ = college
    narrow = EligibilityRules(applicant_types=("college",))
    assert narrow.partner_types == ("district",)
    assert eligibility_problems(rules=narrow, applicant=org, partner=personas.school_a) == [
        "The partner must be a school district."]


def test_an_inactive_partner_is_refused(personas, college):
    org, _ = college
    closed = SchoolFactory(parent=personas.district_a, active=False)
    assert eligibility_problems(rules=DEFAULT, applicant=org, partner=closed) == [
        "The partner must be a school district, district school or charter school."]


def test_a_college_starts_and_edits_with_a_school_partner(personas, college):
    org, dean = college
    cycle = make_cycle(personas.officer)
    app = application_start(cycle=cycle, applicant=org, by=dean, title="Dual enrollment",
                            partner_district=personas.school_a)
    assert app.partner_district == personas.school_a
    assert application_eligibility(application=app) == []
    with pytest.raises(ValidationError) as info:
        application_update_draft(application=app, by=dean, title="Dual enrollment",
                                 summary="", answers=ANSWERS, partner_district=personas.provider)
    assert info.value.message_dict["partner_district"] == [
        "The partner must be a school district, district school or charter school."]
    with pytest.raises(ValidationError) as info:
        application_start(cycle=cycle, applicant=org, by=dean, title="Again",
                          partner_district=personas.provider)
    assert "partner_district" in info.value.message_dict


def test_without_a_partner_the_draft_says_what_is_missing(personas, college):
    org, dean = college
    app = application_start(cycle=make_cycle(personas.officer), applicant=org, by=dean,
                            title="Dual enrollment")
    assert ("Partner: non-public applicants apply with a partner (school district, district "
            "school or charter school).") in application_problems(application=app)


def test_the_partner_picker_offers_what_the_rules_allow(personas):
    from playbook.funding.rules import GRANT_SECTIONS
    from playbook.programs.rules import rules_parse

    rules = rules_parse(innovation_fund_default(), sections=GRANT_SECTIONS)
    form = ApplicationForm(rules=rules, consortium=False, needs_partner=True)
    offered = set(form.fields["partner_district"].queryset)  # type: ignore[attr-defined]
    assert {personas.district_a, personas.school_a, personas.school_b} <= offered
    assert personas.provider not in offered
    doc = innovation_fund_default()
    doc["eligibility"]["partner_types"] = ["district"]
    narrow = ApplicationForm(rules=rules_parse(doc, sections=GRANT_SECTIONS), consortium=False,
                             needs_partner=True)
    assert set(narrow.fields["partner_district"].queryset) == {  # type: ignore[attr-defined]
        personas.district_a, personas.district_b}


def test_a_bad_partner_type_in_the_rules_is_named():
    from playbook.funding.rules import GRANT_SECTIONS
    from playbook.programs.rules import rules_errors

    doc = innovation_fund_default()
    doc["eligibility"]["partner_types"] = ["church"]
    assert rules_errors(doc, sections=GRANT_SECTIONS) == [
        "eligibility.partner_types[0]: unknown type 'church' (expected one of district, "
        "school, charter)"]
    doc["eligibility"]["partner_types"] = []
    assert rules_errors(doc, sections=GRANT_SECTIONS) == [
        "eligibility.partner_types: a non-empty list drawn from district, school, charter"]
