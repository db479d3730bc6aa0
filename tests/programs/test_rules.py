"""Eligibility rules, the rules document and its versions, submission rules."""

from __future__ import annotations

import copy
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from playbook.funding.rules import GRANT_SECTIONS, innovation_fund_default
from playbook.funding.services import application_budget_save
from playbook.organizations.models import ProviderType, SchoolType
from playbook.programs.eligibility import applicant_profile, applicant_type, eligibility_problems
from playbook.programs.models import Cycle
from playbook.programs.rules import EligibilityRules, Threshold, rules_errors
from playbook.programs.selectors import application_problems
from playbook.programs.services.applications import (
    application_attachment_add,
    application_start,
    application_update_draft,
)
from playbook.programs.services.setup import cycle_configuration_save

from ..factories import DistrictFactory, ProviderFactory, SchoolFactory, UserFactory
from .helpers import budget_for, complete_draft, make_consortium, make_cycle

pytestmark = pytest.mark.django_db
D = Decimal


def configuration_errors(data: Any) -> list[str]:
    """Every problem of a grant cycle's rules document."""
    return rules_errors(data, sections=GRANT_SECTIONS)


RULES = EligibilityRules(applicant_types=("district", "charter", "esc", "consortium",
                                          "college", "nonprofit"))


def test_applicant_types_come_from_the_registry(personas):
    charter = SchoolFactory(school_type=SchoolType.CHARTER)
    college = ProviderFactory(provider_type=ProviderType.COLLEGE)
    nonprofit = ProviderFactory(provider_type=ProviderType.NONPROFIT)
    assert applicant_type(personas.district_a) == "district"
    assert applicant_type(personas.school_a) == "school"
    assert applicant_type(charter) == "charter"
    assert applicant_type(college) == "college"
    assert applicant_type(nonprofit) == "nonprofit"
    assert applicant_type(personas.provider) == "company"


def test_type_not_listed_is_ineligible(personas):
    problems = eligibility_problems(rules=RULES, applicant=personas.provider, partner=None)
    assert problems[0].startswith("Company applicants are not eligible")
    assert eligibility_problems(rules=RULES, applicant=personas.district_a, partner=None) == []


def test_non_public_applicant_needs_a_district_partner(personas):
    college = ProviderFactory(provider_type=ProviderType.COLLEGE)
    assert eligibility_problems(rules=RULES, applicant=college, partner=None) == [
        "College or university applicants must name a district partner."]
    assert eligibility_problems(rules=RULES, applicant=college,
                                partner=personas.district_a) == []
    assert "partner must be a school district" in eligibility_problems(
        rules=RULES, applicant=college, partner=personas.school_a)[0]
    relaxed = EligibilityRules(applicant_types=("college",),
                               non_public_requires_district_partner=False)
    assert eligibility_problems(rules=relaxed, applicant=college, partner=None) == []


def test_thresholds_on_registry_data(personas):
    rules = EligibilityRules(applicant_types=("district",), thresholds=(
        Threshold(field="econ_disadvantaged_share", op=">=", value=D("0.40")),
        Threshold(field="enrollment", op="<=", value=D("5000")),
    ))
    poor_small = DistrictFactory(econ_disadvantaged_share=D("0.55"), enrollment=900)
    rich = DistrictFactory(econ_disadvantaged_share=D("0.10"), enrollment=900)
    big = DistrictFactory(econ_disadvantaged_share=D("0.55"), enrollment=48000)
    unknown = DistrictFactory(econ_disadvantaged_share=None, enrollment=900)
    assert eligibility_problems(rules=rules, applicant=poor_small, partner=None) == []
    assert "share of students economically disadvantaged >= 0.40" in eligibility_problems(
        rules=rules, applicant=rich, partner=None)[0]
    assert "enrollment <= 5000" in eligibility_problems(rules=rules, applicant=big,
                                                        partner=None)[0]
    assert "no value" in eligibility_problems(rules=rules, applicant=unknown, partner=None)[0]


def test_consortium_profile_aggregates_members(personas):
    lead = DistrictFactory(locale="43", enrollment=1000, econ_disadvantaged_share=D("0.800"))
    consortium = make_consortium(lead=lead, members=3, rural=True)
    profile = applicant_profile(consortium)
    assert profile.type == "consortium"
    assert profile.member_count == 3
    assert profile.rural is True
    assert profile.enrollment == 1000 + 2 * 1200
    # (1000 * 0.8 + 2400 * 0.45) / 3400
    assert profile.econ_disadvantaged_share == D("0.553")
    assert eligibility_problems(rules=RULES, applicant=consortium, partner=None) == []


def test_consortium_without_lead_or_members_is_ineligible(personas):
    from ..factories import ConsortiumFactory

    empty = ConsortiumFactory()
    problems = eligibility_problems(rules=RULES, applicant=empty, partner=None)
    assert "A consortium needs at least two members in the registry." in problems
    assert "A consortium needs a lead member in the registry." in problems


# --- configuration ----------------------------------------------------------------------------

def test_the_default_configuration_is_valid_and_matches_the_seeds():
    data = innovation_fund_default()
    assert configuration_errors(data) == []
    assert data["funding"]["caps"] == {"single": "1000000.00", "consortium": "15000000.00"}
    assert data["funding"]["match"]["base_rate"] == "0.15"
    # The document's new shape: budget categories with the funding rules, review and a vote.
    assert "budget_categories" not in data["form"]
    assert "Technology" in data["funding"]["budget_categories"]
    assert data["review"]["required"] is True
    assert data["review"]["reviewers_per_application"] == 3
    assert data["decision"]["tiers"][0]["quorum"] == 3
    assert data["decision"]["tiers"][0]["acts"] == "decides"


@pytest.mark.parametrize(("path", "value", "error"), [
    (("rubric", "criteria", 0, "weight"), 0,
     "rubric.criteria[0].weight: must be a number greater than 0"),
    (("rubric", "criteria", 1, "scale_max"), 0, "rubric.criteria[1].scale_max"),
    (("eligibility", "applicant_types", 0), "church",
     "eligibility.applicant_types[0]: unknown type 'church'"),
    (("review", "reviewers_per_application"), 0,
     "review.reviewers_per_application: must be at least 1"),
    (("form", "sections", 0, "fields", 1, "type"), "video",
     "form.sections[0].fields[1].type: unknown type 'video'"),
    (("funding", "match", "base_rate"), "1.5",
     "funding.match.base_rate: must be a share between 0 and 1"),
    (("funding", "caps", "single"), "-5",
     "funding.caps.single: must be an amount of dollars and cents, not negative"),
    (("funding", "partial_funding", "policy"), "lottery", "funding.partial_funding.policy"),
    (("funding", "set_asides", 0, "requires"), ["urban"], "funding.set_asides[0].requires"),
])
def test_configuration_errors_name_the_field(path, value, error):
    data = innovation_fund_default()
    target = data
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    errors = configuration_errors(data)
    assert any(e.startswith(error) for e in errors), errors


def test_duplicate_keys_are_refused():
    data = innovation_fund_default()
    data["rubric"]["criteria"][1]["key"] = data["rubric"]["criteria"][0]["key"]
    assert "rubric.criteria[1].key: duplicate key 'innovation'" in configuration_errors(data)


def test_rules_edit_in_place_before_opening_and_version_after(personas):
    cycle = make_cycle(personas.officer, opened_days_ago=-5)  # opens in 5 days
    v1 = cycle.configurations.get()
    data = copy.deepcopy(v1.data)
    data["review"]["reviewers_per_application"] = 4
    same = cycle_configuration_save(cycle=cycle, by=personas.officer, data=data)
    assert same.pk == v1.pk and same.version == 1
    Cycle.objects.filter(pk=cycle.pk).update(opens_at=timezone.now() - timedelta(hours=1))
    cycle.refresh_from_db()
    data["review"]["reviewers_per_application"] = 5
    v2 = cycle_configuration_save(cycle=cycle, by=personas.officer, data=data, note="Five")
    assert v2.version == 2
    v1.refresh_from_db()
    assert v1.data["review"]["reviewers_per_application"] == 4  # frozen


def test_an_application_is_read_with_its_own_version(personas):
    cycle = make_cycle(personas.officer)
    old = complete_draft(cycle=cycle, applicant=personas.district_a, by=personas.leader_a)
    data = copy.deepcopy(old.configuration.data)
    data["form"]["sections"][0]["fields"][0]["word_limit"] = 3
    data["funding"]["caps"]["single"] = "100000.00"
    cycle_configuration_save(cycle=cycle, by=personas.officer, data=data)
    old.refresh_from_db()
    assert old.configuration.version == 1
    assert application_problems(application=old) == []  # the old rules still apply
    new = application_start(cycle=cycle, applicant=personas.district_b, by=personas.leader_b,
                            title="New rules")
    assert new.configuration.version == 2
    with pytest.raises(ValidationError, match="the limit is 3"):
        application_update_draft(application=new, by=personas.leader_b, title="New rules",
                                 summary="", answers={"need": "four words right here"})
    application_budget_save(application=new, by=personas.leader_b,
                            lines=budget_for(D("400000.00")))
    assert any("over the $100,000.00 cap" in p for p in application_problems(application=new))


def test_invalid_configuration_is_not_saved(personas):
    cycle = make_cycle(personas.officer)
    data = copy.deepcopy(cycle.configurations.get().data)
    data["rubric"]["criteria"] = []
    data["funding"]["caps"]["single"] = "-5"
    with pytest.raises(ValidationError) as exc:
        cycle_configuration_save(cycle=cycle, by=personas.officer, data=data)
    problems = exc.value.message_dict["data"]
    assert "rubric.criteria: a non-empty list of criteria" in problems
    # Every problem at once, each at its field.
    assert "funding.caps.single: must be an amount of dollars and cents, not negative" in problems
    assert cycle.configurations.count() == 1


# --- submission rules: caps, match, consortium, word limits, attachments ----------------------

def test_request_over_the_single_cap_cannot_be_submitted(personas):
    cycle = make_cycle(personas.officer)
    app = complete_draft(cycle=cycle, applicant=personas.district_a, by=personas.leader_a,
                         amount="1000000.01")
    assert any("over the $1,000,000.00 cap for school district applicants" in p
               for p in application_problems(application=app))


def test_consortium_cap_is_fifteen_million_and_needs_a_collaboration_plan(personas):
    cycle = make_cycle(personas.officer)
    consortium = make_consortium(lead=personas.district_a)
    app = complete_draft(cycle=cycle, applicant=consortium, by=personas.leader_a,
                         amount="12000000.00")
    problems = application_problems(application=app)
    assert "Collaboration plan: required of consortium applicants." in problems
    assert not any("cap" in p for p in problems)
    application_update_draft(application=app, by=personas.leader_a, title=app.title,
                             summary=app.summary,
                             answers={**app.answers, "collaboration_plan": "Shared coaches."})
    assert application_problems(application=app) == []


def test_only_the_lead_members_leader_applies_for_a_consortium(personas):
    from django.core.exceptions import PermissionDenied

    cycle = make_cycle(personas.officer)
    consortium = make_consortium(lead=personas.district_a)
    with pytest.raises(PermissionDenied):
        application_start(cycle=cycle, applicant=consortium, by=personas.leader_b, title="X")


def test_match_slides_with_poverty_and_in_kind_counts_only_up_to_its_share(personas):
    cycle = make_cycle(personas.officer)
    rich = DistrictFactory(econ_disadvantaged_share=D("0.20"))
    leader = UserFactory(role="district_leader", organization=rich)
    app = complete_draft(cycle=cycle, applicant=rich, by=leader, amount="100000.00")
    application_budget_save(application=app, by=leader, lines=[
        {"category": "Technology", "description": "Devices", "state_amount": "100000.00",
         "match_cash": "5000.00", "match_in_kind": "10000.00"}])
    # 15% of 100,000 = 15,000; in kind counts up to half (7,500): 5,000 + 7,500 < 15,000.
    assert any("$15,000.00 (15% of the request) is required" in p and "$12,500.00" in p
               for p in application_problems(application=app))
    poor = DistrictFactory(econ_disadvantaged_share=D("0.80"))
    leader2 = UserFactory(role="district_leader", organization=poor)
    app2 = complete_draft(cycle=cycle, applicant=poor, by=leader2, amount="100000.00")
    application_budget_save(application=app2, by=leader2, lines=budget_for(
        D("100000.00"), match_cash=D("5000.00")))
    assert application_problems(application=app2) == []  # 5% at 80% poverty


def test_word_limits_are_enforced_when_saving(personas):
    cycle = make_cycle(personas.officer)
    app = application_start(cycle=cycle, applicant=personas.district_a, by=personas.leader_a,
                            title="Long")
    with pytest.raises(ValidationError) as exc:
        application_update_draft(application=app, by=personas.leader_a, title="Long",
                                 summary="", answers={"need": "word " * 501})
    assert exc.value.message_dict["need"] == ["501 words; the limit is 500."]


def test_budget_lines_must_name_a_category_of_this_version(personas):
    cycle = make_cycle(personas.officer)
    app = application_start(cycle=cycle, applicant=personas.district_a, by=personas.leader_a,
                            title="B")
    with pytest.raises(ValidationError, match="choose a category"):
        application_budget_save(application=app, by=personas.leader_a, lines=[
            {"category": "Yachts", "description": "x", "state_amount": "5"}])


def test_attachments_check_type_and_size(personas, settings, tmp_path):
    settings.DATA_DIR = tmp_path
    cycle = make_cycle(personas.officer)
    app = application_start(cycle=cycle, applicant=personas.district_a, by=personas.leader_a,
                            title="A")
    ok = application_attachment_add(
        application=app, by=personas.leader_a, slot="support_letters",
        upload=SimpleUploadedFile("letter.pdf", b"%PDF-1.4 letter", "application/pdf"))
    assert ok.size == len(b"%PDF-1.4 letter")
    assert (tmp_path / "uploads").exists()
    with pytest.raises(ValidationError, match="must be a pdf file"):
        application_attachment_add(application=app, by=personas.leader_a, slot="support_letters",
                                   upload=SimpleUploadedFile("x.exe", b"MZ", "application/pdf"))
    with pytest.raises(ValidationError, match="contents are not a pdf"):
        application_attachment_add(application=app, by=personas.leader_a, slot="support_letters",
                                   upload=SimpleUploadedFile("x.pdf", b"<html>", "application/pdf"))
    big = SimpleUploadedFile("big.pdf", b"%PDF" + b"0" * (10 * 1024 * 1024), "application/pdf")
    with pytest.raises(ValidationError, match="the limit is 10 MB"):
        application_attachment_add(application=app, by=personas.leader_a,
                                   slot="support_letters", upload=big)
    with pytest.raises(ValidationError, match="no such attachment"):
        application_attachment_add(application=app, by=personas.leader_a, slot="résumé",
                                   upload=SimpleUploadedFile("a.pdf", b"%PDF", "application/pdf"))
