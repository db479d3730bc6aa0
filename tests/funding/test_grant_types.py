"""Grant types within one fund (Kentucky's innovation fund: research, pilot and scaling grants),
each with its caps and rubric: in the cycle's rules, chosen by the application, and followed by
the cap, the funding line and the review."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from playbook.funding.instrument import application_problems
from playbook.funding.models import GrantRequest
from playbook.funding.rules import GRANT_SECTIONS, innovation_fund_default, kentucky_grant_types
from playbook.funding.selectors import award_plan_for_cycle, candidate_for
from playbook.funding.services import application_budget_save, award_fundable
from playbook.programs.registry import application_criteria
from playbook.programs.rules import rules_errors, rules_parse
from playbook.reviews.models import Assignment
from playbook.reviews.services import review_save

from ..conftest import signed_in_client
from ..programs.helpers import advance_to, budget_for, complete_draft, make_cycle
from .test_pages import _budget_post

pytestmark = pytest.mark.django_db
D = Decimal


def typed_round() -> dict[str, Any]:
    doc = innovation_fund_default()
    doc["funding"]["grant_types"] = kentucky_grant_types()
    return doc


@pytest.fixture
def cycle(personas):  # type: ignore[no-untyped-def]
    return make_cycle(personas.officer, data=typed_round())


def draft(personas, cycle, *, amount: str = "400000.00", grant_type: str | None = "pilot"):  # type: ignore[no-untyped-def]
    app = complete_draft(cycle=cycle, applicant=personas.district_a, by=personas.leader_a,
                         amount=amount)
    if grant_type is not None:
        application_budget_save(application=app, by=personas.leader_a,
                                lines=budget_for(D(amount)), grant_type=grant_type)
    return app


# --- the rules -------------------------------------------------------------------------------

def test_grant_types_read_with_their_caps_and_rubrics():
    rules = rules_parse(typed_round(), sections=GRANT_SECTIONS)
    funding = rules.funding  # type: ignore[attr-defined]
    assert [t.key for t in funding.grant_types] == ["research", "pilot", "scaling"]
    assert funding.cap_for("district", "research") == D("150000.00")
    assert funding.cap_for("consortium", "pilot") == D("1500000.00")
    assert funding.cap_for("district", "") == D("1000000.00")  # no type: the fund's cap
    assert funding.grant_type("pilot").rubric is None  # scored on the cycle's rubric
    assert [c.key for c in funding.grant_type("research").rubric.criteria] == [
        "question", "design", "sharing"]


def test_a_types_cap_never_lifts_the_funds_cap():
    doc = typed_round()
    doc["funding"]["grant_types"][2]["caps"] = {"single": "3000000.00"}
    funding = rules_parse(doc, sections=GRANT_SECTIONS).funding  # type: ignore[attr-defined]
    assert funding.cap_for("district", "scaling") == D("1000000.00")


def test_bad_grant_types_are_named_by_their_path():
    doc = typed_round()
    doc["funding"]["grant_types"][1]["key"] = "research"
    doc["funding"]["grant_types"][0]["caps"] = {"church": "5.00"}
    doc["funding"]["grant_types"][2]["rubric"] = {"criteria": [
        {"key": "evidence", "title": "Evidence", "weight": 0, "scale_min": 0, "scale_max": 5}]}
    doc["funding"]["grant_types"][2]["label"] = ""
    errors = rules_errors(doc, sections=GRANT_SECTIONS)
    assert "funding.grant_types[1].key: duplicate key 'research'" in errors
    assert "funding.grant_types[0].caps.church: unknown applicant type" in errors
    assert ("funding.grant_types[2].rubric.criteria[0].weight: must be a number greater "
            "than 0") in errors
    assert "funding.grant_types[2].label: required text" in errors


def test_the_private_share_is_a_share():
    doc = innovation_fund_default()
    doc["funding"]["match"]["private_min_share"] = "1.5"
    assert rules_errors(doc, sections=GRANT_SECTIONS) == [
        "funding.match.private_min_share: must be a share between 0 and 1"]


# --- the application chooses one -------------------------------------------------------------

def test_an_application_must_choose_a_type_before_it_is_submitted(personas, cycle):
    app = draft(personas, cycle, grant_type=None)
    assert ("Grant type: choose one of Research grant, Pilot grant, Scaling grant."
            in application_problems(app))
    application_budget_save(application=app, by=personas.leader_a,
                            lines=budget_for(D("400000.00")), grant_type="pilot")
    assert application_problems(app) == []


def test_the_types_cap_is_checked_at_submission(personas, cycle):
    app = draft(personas, cycle, amount="400000.00", grant_type="research")
    assert ("Budget: $400,000.00 requested is over the $150,000.00 cap of a research grant "
            "for school district applicants.") in application_problems(app)


@pytest.mark.parametrize("bad", ["lottery", "RESEARCH", "pilot "])
def test_an_unknown_type_is_refused_naming_the_field(personas, cycle, bad):
    app = draft(personas, cycle, grant_type=None)
    with pytest.raises(ValidationError) as info:
        application_budget_save(application=app, by=personas.leader_a,
                                lines=budget_for(D("100.00")), grant_type=bad)
    assert "grant_type" in info.value.message_dict
    assert GrantRequest.objects.get(application=app).grant_type == ""


def test_a_round_without_types_refuses_one(personas):
    app = complete_draft(cycle=make_cycle(personas.officer), applicant=personas.district_a,
                         by=personas.leader_a)
    with pytest.raises(ValidationError, match="no grant types"):
        application_budget_save(application=app, by=personas.leader_a,
                                lines=budget_for(D("100.00")), grant_type="pilot")
    assert not any("Grant type" in p for p in application_problems(app))


@pytest.mark.parametrize("who", ["leader_b", "officer", "auditor", "reviewer", "provider_user"])
def test_only_the_applicant_chooses_its_type(personas, cycle, who):
    app = draft(personas, cycle)
    with pytest.raises(PermissionDenied):
        application_budget_save(application=app, by=getattr(personas, who),
                                lines=budget_for(D("400000.00")), grant_type="scaling")
    assert GrantRequest.objects.get(application=app).grant_type == "pilot"


def test_the_budget_page_offers_the_types_and_saves_the_choice(personas, cycle):
    app = draft(personas, cycle, grant_type=None)
    leader = signed_in_client(personas.leader_a)
    url = reverse("funding:application_budget", args=[app.pk])
    page = leader.get(url).content.decode()
    assert 'name="grant_type"' in page and "Scaling grant" in page and "$150,000.00" in page
    line = {"category": "Technology", "description": "Devices", "state_amount": "120000.00",
            "match_cash": "18000.00", "match_in_kind": "0"}
    r = leader.post(url, {**_budget_post(line), "grant_type": "research"})
    assert r.status_code == 302
    assert GrantRequest.objects.get(application=app).grant_type == "research"
    r = leader.post(url, {**_budget_post(line), "grant_type": "bogus"})
    assert r.status_code == 200 and "usa-error-message" in r.content.decode()
    assert GrantRequest.objects.get(application=app).grant_type == "research"


# --- caps, the funding line and the review follow the type -------------------------------------

def test_the_award_and_the_funding_line_use_the_types_cap(personas, cycle):
    app = draft(personas, cycle, amount="600000.00", grant_type="pilot")
    assert award_fundable(application=app) == D("500000.00")
    assert candidate_for(application=app, score=D("80")).cap == D("500000.00")
    application_budget_save(application=app, by=personas.leader_a,
                            lines=budget_for(D("600000.00")), grant_type="scaling")
    assert award_fundable(application=app) == D("600000.00")


def test_the_review_uses_the_types_rubric(personas, cycle):
    research = draft(personas, cycle, amount="100000.00", grant_type="research")
    assert [c.key for c in application_criteria(research)] == ["question", "design", "sharing"]
    pilot = complete_draft(cycle=cycle, applicant=personas.district_b, by=personas.leader_b,
                           amount="100000.00")
    application_budget_save(application=pilot, by=personas.leader_b,
                            lines=budget_for(D("100000.00")), grant_type="pilot")
    assert application_criteria(pilot) == pilot.rules.criteria  # no rubric of its own

    app = advance_to(research, "recommended", officer=personas.officer,
                     decider=personas.decider, applicant_user=personas.leader_a)
    review = Assignment.objects.filter(application=app).first().review
    assert set(review.scores) == {"question", "design", "sharing"}
    assert review.total == D("80.00")  # 4 of 5 on every criterion
    assert award_plan_for_cycle(cycle=cycle).plan.lines[0].candidate.cap == D("150000.00")


def test_a_score_on_the_cycles_rubric_is_refused_for_a_typed_application(personas, cycle):
    research = draft(personas, cycle, amount="100000.00", grant_type="research")
    app = advance_to(research, "in_review", officer=personas.officer, decider=personas.decider,
                     applicant_user=personas.leader_a)
    from playbook.reviews.services import assignment_add, attestation_sign, reviewer_profile_create

    from ..factories import UserFactory

    user = UserFactory(username="rev-x", role="reviewer")
    profile = reviewer_profile_create(user=user, expertise=[])
    attestation_sign(reviewer=profile, fiscal_year=app.cycle.fiscal_year)
    assignment = assignment_add(application=app, reviewer=profile)
    with pytest.raises(ValidationError, match="Not criteria of this rubric"):
        review_save(assignment=assignment, by=user,
                    scores={c.key: 4 for c in app.rules.criteria},
                    overall_comment="Fine.", submit=True)


def test_the_public_round_page_shows_each_applications_type(personas, cycle):
    app = draft(personas, cycle, amount="100000.00", grant_type="research")
    advance_to(app, "submitted", officer=personas.officer, decider=personas.decider,
               applicant_user=personas.leader_a)
    from django.test import Client

    page = Client().get(reverse("programs:round_page", args=[cycle.pk])).content.decode()
    assert "Grant type" in page and "Research grant" in page
    data = Client().get(reverse("programs:round_json", args=[cycle.pk])).json()
    assert data["applications"][0]["grant_type"] == "Research grant"


def test_the_rules_editor_shows_grant_types_and_gives_them_back_unchanged():
    from playbook.programs.rules import rules_document, rules_model
    from playbook.programs.rules_form import RulesForm

    from ..programs.test_rules_form import posted

    doc = typed_round()
    doc["funding"]["match"]["private_min_share"] = "0.5"
    model = rules_model(GRANT_SECTIONS)
    shown = RulesForm(model=model, initial=doc)
    assert "funding.grant_types.2.rubric.criteria.0.weight" in shown.fields
    assert "funding.match.private_min_share" in shown.fields
    again = RulesForm(model=model, initial=doc, data=posted(shown))
    assert again.is_valid(), again.errors
    assert again.document == rules_document(rules_parse(doc, sections=GRANT_SECTIONS))
    changed = RulesForm(model=model, initial=doc, data=posted(
        shown, **{"funding.grant_types.0.caps.0.value": "-5"}))
    assert not changed.is_valid()
    assert "funding.grant_types.0.caps.0.value" in changed.errors
