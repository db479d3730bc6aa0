"""The rules document's models: what they accept, and every problem named at its field."""

from __future__ import annotations

import copy
from decimal import Decimal
from typing import Any

import pytest
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from playbook.funding.rules import GRANT_SECTIONS, FundingRules, innovation_fund_default
from playbook.programs.rules import (
    APPLICANT_TYPES,
    CycleRules,
    EligibilityRules,
    RulesError,
    RulesSection,
    Text,
    Threshold,
    migrate_document,
    rules_document,
    rules_errors,
    rules_model,
    rules_parse,
    spine_default,
)

D = Decimal
EXPECTED_TYPES = ", ".join(APPLICANT_TYPES)


def grant_errors(data: Any) -> list[str]:
    return rules_errors(data, sections=GRANT_SECTIONS)


def edited(path: tuple[Any, ...], value: Any, data: dict[str, Any] | None = None
           ) -> dict[str, Any]:
    data = innovation_fund_default() if data is None else data
    target: Any = data
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    return data


# --- valid documents and what they read as ----------------------------------------------------

def test_the_defaults_are_valid():
    assert rules_errors(spine_default(), sections={}) == []
    assert grant_errors(innovation_fund_default()) == []


def test_a_grant_cycle_reads_with_the_attributes_the_code_uses():
    rules = rules_parse(innovation_fund_default(), sections=GRANT_SECTIONS)
    assert isinstance(rules, CycleRules)
    assert rules.eligibility.applicant_types == ("district", "charter", "school", "esc",
                                                 "consortium", "college", "nonprofit")
    assert rules.eligibility.non_public_requires_district_partner is True
    assert rules.eligibility.partner_types == ("district", "school", "charter")
    field = rules.form.sections[0].fields[1]
    assert (field.key, field.type, field.required, field.word_limit, field.choices,
            field.help) == ("model", "textarea", True, 800, (), "")
    assert [f.key for f in rules.form.all_fields(consortium=False)] == [
        "need", "model", "students_served", "sustainability", "provider_track_record"]
    slot = rules.form.attachments[0]
    assert (slot.key, slot.label, slot.required, slot.types, slot.max_mb) == (
        "support_letters", "Letters of support", False, ("pdf",), 10)
    assert rules.form.collaboration_plan_word_limit == 1000
    assert rules.rubric is not None
    assert rules.rubric.criteria[0].weight == D("30")
    assert isinstance(rules.rubric.criteria[0].weight, Decimal)
    assert (rules.rubric.criteria[0].scale_min, rules.rubric.criteria[0].scale_max) == (0, 5)
    assert rules.rubric.total_weight == D("100")
    assert rules.review.required is True
    assert rules.review.reviewers_per_application == 3
    assert rules.review.release_comments_to_applicant is True
    tier = rules.decision.tiers[0]
    assert (tier.body, tier.quorum, tier.majority, tier.acts) == (
        "innovation-fund-governing-board", 3, "simple", "decides")
    assert rules.decision.vote_record_public is True
    funding = rules.funding  # type: ignore[attr-defined]
    assert isinstance(funding, FundingRules)
    assert rules.section("funding", FundingRules) is funding
    assert funding.budget_categories[0] == "Personnel"
    assert funding.match.base_rate == D("0.15")
    assert funding.partial_policy == "partial" and funding.partial_min_share == D("0.50")


def test_a_spine_only_document_has_no_funding_section():
    rules = rules_parse(spine_default(), sections={})
    assert rules.section("funding", FundingRules) is None
    assert not hasattr(rules, "funding")


def test_caps_fall_back_from_type_to_single_to_default():
    funding = rules_parse(innovation_fund_default(), sections=GRANT_SECTIONS).section(
        "funding", FundingRules)
    assert funding is not None
    assert funding.cap_for("district") == D("1000000.00")
    assert funding.cap_for("consortium") == D("15000000.00")
    only_default = FundingRules(caps={"default": D("5")}, budget_categories=("Other",))
    assert only_default.cap_for("consortium") == D("5")
    assert FundingRules(budget_categories=("Other",)).cap_for("district") is None


def test_the_poverty_scale_is_read_in_order():
    data = innovation_fund_default()
    data["funding"]["match"]["poverty_scale"].reverse()
    funding = rules_parse(data, sections=GRANT_SECTIONS).section("funding", FundingRules)
    assert funding is not None
    assert [s.min_poverty_share for s in funding.match.poverty_scale] == [D("0.50"), D("0.75")]


def test_thresholds_hold_and_describe_themselves():
    rules = EligibilityRules.model_validate({"applicant_types": ["district"], "thresholds": [
        {"field": "econ_disadvantaged_share", "op": ">=", "value": "0.40"}]})
    t = rules.thresholds[0]
    assert isinstance(t, Threshold)
    assert t.holds(D("0.5")) and not t.holds(D("0.3")) and not t.holds(None)
    assert t.describe() == "share of students economically disadvantaged >= 0.40"


def test_rules_are_immutable():
    rules = rules_parse(spine_default(), sections={})
    with pytest.raises(ValidationError):
        rules.review.reviewers_per_application = 5


def test_amounts_and_shares_accept_numbers_and_numeric_strings():
    data = edited(("rubric", "criteria", 0, "weight"), 12.5)
    data = edited(("rubric", "criteria", 1, "weight"), " 7.25 ", data)
    data = edited(("funding", "match", "base_rate"), 0.15, data)
    rules = rules_parse(data, sections=GRANT_SECTIONS)
    assert rules.rubric is not None
    assert [c.weight for c in rules.rubric.criteria[:2]] == [D("12.5"), D("7.25")]
    funding = rules.section("funding", FundingRules)
    assert funding is not None and funding.match.base_rate == D("0.15")


def test_the_document_comes_back_json_ready():
    doc = rules_document(rules_parse(innovation_fund_default(), sections=GRANT_SECTIONS))
    assert doc["funding"]["caps"] == {"single": "1000000.00", "consortium": "15000000.00"}
    assert doc["rubric"]["criteria"][0]["weight"] == "30"
    assert doc["form"]["sections"][0]["fields"][2]["word_limit"] is None
    assert grant_errors(doc) == []


# --- problems named at their field ------------------------------------------------------------

@pytest.mark.parametrize(("path", "value", "error"), [
    (("rubric", "criteria", 2, "weight"), 0,
     "rubric.criteria[2].weight: must be a number greater than 0"),
    (("rubric", "criteria", 2, "weight"), "heavy", "rubric.criteria[2].weight: must be a number"),
    (("rubric", "criteria", 1, "scale_max"), 0, "rubric.criteria[1].scale_max: must be at least 1"),
    (("rubric", "criteria", 1, "scale_min"), 5,
     "rubric.criteria[1].scale_max: must be greater than scale_min"),
    (("rubric", "criteria", 0, "title"), " ", "rubric.criteria[0].title: required text"),
    (("rubric", "criteria", 0, "key"), "Innovation",
     "rubric.criteria[0].key: required key of lower-case letters, digits and underscores"),
    (("rubric", "criteria", 0, "guidance"), 5, "rubric.criteria[0].guidance: must be text"),
    (("rubric", "criteria"), [], "rubric.criteria: a non-empty list of criteria"),
    (("eligibility", "applicant_types", 0), "church",
     f"eligibility.applicant_types[0]: unknown type 'church' (expected one of {EXPECTED_TYPES})"),
    (("eligibility", "applicant_types"), [],
     "eligibility.applicant_types: a non-empty list of applicant types"),
    (("eligibility", "non_public_requires_district_partner"), "yes",
     "eligibility.non_public_requires_district_partner: must be true or false"),
    (("eligibility", "thresholds"), [{"field": "income", "op": "=>", "value": "x"}],
     "eligibility.thresholds[0].field: unknown value 'income' (expected one of "
     "econ_disadvantaged_share, enrollment)"),
    (("review", "reviewers_per_application"), 0,
     "review.reviewers_per_application: must be at least 1"),
    (("review", "reviewers_per_application"), 21,
     "review.reviewers_per_application: must be at most 20"),
    (("review", "reviewers_per_application"), "3",
     "review.reviewers_per_application: must be a whole number"),
    (("form", "sections", 0, "fields", 1, "type"), "video",
     "form.sections[0].fields[1].type: unknown type 'video' (expected one of text, textarea, "
     "number, money, date, choice, yes_no)"),
    (("form", "sections", 0, "fields", 2, "word_limit"), 10,
     "form.sections[0].fields[2].word_limit: only text fields have a word limit"),
    (("form", "sections", 1, "fields"), [], "form.sections[1].fields: a non-empty list of fields"),
    (("form", "sections"), [], "form.sections: a non-empty list of sections"),
    (("form", "attachments", 0, "types"), ["exe"],
     "form.attachments[0].types[0]: unknown type 'exe' (expected one of pdf, docx, xlsx, csv, "
     "txt, png, jpg)"),
    (("form", "attachments", 0, "max_mb"), 51, "form.attachments[0].max_mb: must be at most 50"),
    (("form", "collaboration_plan_word_limit"), 10,
     "form.collaboration_plan_word_limit: must be at least 50"),
    (("decision", "tiers", 0, "body"), "Governing Board",
     "decision.tiers[0].body: required short name of lower-case letters, digits and hyphens"),
    (("decision", "tiers", 0, "quorum"), 0, "decision.tiers[0].quorum: must be at least 1"),
    (("decision", "tiers", 0, "majority"), "most",
     "decision.tiers[0].majority: unknown value 'most' (expected one of simple, two_thirds)"),
    (("funding", "match", "base_rate"), "1.5",
     "funding.match.base_rate: must be a share between 0 and 1"),
    (("funding", "caps", "single"), "-5",
     "funding.caps.single: must be an amount of dollars and cents, not negative"),
    (("funding", "caps", "single"), "10.001",
     "funding.caps.single: must be an amount of dollars and cents, not negative"),
    (("funding", "caps", "bogus"), "5", "funding.caps.bogus: unknown applicant type"),
    (("funding", "caps"), [], "funding.caps: an object of applicant type (or single/default) "
                              "to amount"),
    (("funding", "partial_funding", "policy"), "lottery",
     "funding.partial_funding.policy: unknown value 'lottery' (expected one of stop, skip, "
     "partial)"),
    (("funding", "set_asides", 0, "requires"), ["urban"],
     "funding.set_asides[0].requires[0]: unknown tag 'urban' (expected one of consortium, "
     "rural, high_poverty, single)"),
    (("funding", "tie_breaks"), "poverty_desc",
     "funding.tie_breaks: a list drawn from poverty_desc, requested_asc, requested_desc, "
     "submitted_asc"),
    (("funding", "budget_categories"), [],
     "funding.budget_categories: a non-empty list of category names"),
    (("funding", "budget_categories"), ["Travel", "Travel"],
     "funding.budget_categories: categories must be unique"),
    (("funding", "min_score"), "NaN", "funding.min_score: must be a number"),
])
def test_each_problem_names_its_field(path, value, error):
    assert error in grant_errors(edited(path, value))


@pytest.mark.parametrize("choices", [None, [], ["Only one"], ["One", " "]])
def test_a_choice_field_needs_two_options(choices):
    field: dict[str, Any] = {"key": "grade_band", "label": "Grade band", "type": "choice"}
    if choices is not None:
        field["choices"] = choices
    data = innovation_fund_default()
    data["form"]["sections"][0]["fields"][1] = field
    assert ("form.sections[0].fields[1].choices: a choice field needs a list of at least two "
            "options") in grant_errors(data)
    field["choices"] = ["K-5", "6-8"]
    assert grant_errors(data) == []


def test_duplicate_keys_are_refused_wherever_keys_are():
    data = innovation_fund_default()
    data["rubric"]["criteria"][1]["key"] = "innovation"
    data["form"]["sections"][1]["key"] = "design"
    data["form"]["sections"][1]["fields"][0]["key"] = "need"  # unique across the whole form
    data["funding"]["set_asides"].append(copy.deepcopy(data["funding"]["set_asides"][0]))
    errors = grant_errors(data)
    assert "rubric.criteria[1].key: duplicate key 'innovation'" in errors
    assert "form.sections[1].key: duplicate key 'design'" in errors
    assert "form.sections[1].fields[0].key: duplicate key 'need'" in errors
    assert "funding.set_asides[1].key: duplicate key 'rural_consortia'" in errors


def test_every_problem_is_reported_at_once():
    data = innovation_fund_default()
    data["rubric"]["criteria"][2]["weight"] = -1
    data["rubric"]["criteria"][3]["key"] = "innovation"  # reported despite the bad weight
    data["eligibility"]["applicant_types"][0] = "x"
    data["review"]["reviewers_per_application"] = 0
    data["funding"]["caps"]["bogus"] = "5"
    data["extra"] = {}
    assert grant_errors(data) == [
        f"eligibility.applicant_types[0]: unknown type 'x' (expected one of {EXPECTED_TYPES})",
        "rubric.criteria[2].weight: must be a number greater than 0",
        "rubric.criteria[3].key: duplicate key 'innovation'",
        "review.reviewers_per_application: must be at least 1",
        "funding.caps.bogus: unknown applicant type",
        "extra: unknown section (expected one of decision, eligibility, form, funding, review, "
        "rubric)",
    ]


def test_rules_parse_raises_with_every_problem():
    data = edited(("rubric", "criteria", 0, "weight"), 0)
    data["review"]["reviewers_per_application"] = 0
    with pytest.raises(RulesError) as exc:
        rules_parse(data, sections=GRANT_SECTIONS)
    assert isinstance(exc.value, ValueError)
    assert exc.value.errors == [
        "rubric.criteria[0].weight: must be a number greater than 0",
        "review.reviewers_per_application: must be at least 1",
    ]
    assert exc.value.problems[0].loc == ("rubric", "criteria", 0, "weight")


@pytest.mark.parametrize("value", [True, False])
def test_booleans_are_not_numbers(value):
    data = innovation_fund_default()
    data["rubric"]["criteria"][0]["weight"] = value
    data["rubric"]["criteria"][0]["scale_max"] = value
    data["review"]["reviewers_per_application"] = value
    data["funding"]["caps"]["single"] = value
    data["funding"]["match"]["base_rate"] = value
    errors = grant_errors(data)
    assert "rubric.criteria[0].weight: must be a number" in errors
    assert "rubric.criteria[0].scale_max: must be a whole number" in errors
    assert "review.reviewers_per_application: must be a whole number" in errors
    assert "funding.caps.single: must be a number" in errors
    assert "funding.match.base_rate: must be a number" in errors


def test_whole_numbers_refuse_floats_and_strings():
    data = edited(("rubric", "criteria", 0, "scale_max"), 5.0)
    data = edited(("form", "attachments", 0, "max_mb"), "10", data)
    errors = grant_errors(data)
    assert "rubric.criteria[0].scale_max: must be a whole number" in errors
    assert "form.attachments[0].max_mb: must be a whole number" in errors


def test_missing_parts_are_named():
    assert rules_errors({}, sections=GRANT_SECTIONS) == [
        "eligibility: required object with applicant_types",
        "form: required object with sections",
        "review: required object",
        "decision: required object with tiers",
        "funding: required object with budget_categories",
    ]
    assert rules_errors([], sections={}) == ["rules: must be a JSON object"]
    data = innovation_fund_default()
    del data["rubric"]["criteria"][0]["weight"]
    del data["rubric"]["criteria"][0]["scale_min"]
    del data["decision"]["tiers"][0]["acts"]
    errors = grant_errors(data)
    assert "rubric.criteria[0].weight: must be a number" in errors
    assert "rubric.criteria[0].scale_min: must be a whole number" in errors
    assert "decision.tiers[0].acts: expected one of recommends, decides" in errors


def test_unknown_settings_are_refused_naming_the_known_ones():
    data = edited(("form", "sections", 0, "fields", 0, "wordlimit"), 5)
    assert ("form.sections[0].fields[0].wordlimit: unknown setting (expected one of choices, "
            "help, key, label, required, type, word_limit)") in grant_errors(data)


# --- review and decision ----------------------------------------------------------------------

def test_without_review_the_rubric_may_be_left_out():
    data = spine_default()
    del data["rubric"]
    assert rules_errors(data, sections={}) == [
        "rubric: required object with criteria, since applications are reviewed "
        "(review.required is true)"]
    data["review"] = {"required": False}
    rules = rules_parse(data, sections={})
    assert rules.rubric is None
    assert rules.review.reviewers_per_application == 3
    assert rules.review.release_comments_to_applicant is False


def _tier(body: str, acts: str, **more: Any) -> dict[str, Any]:
    return {"body": body, "label": f"{body} {acts}", "quorum": 2, "acts": acts, **more}


def test_a_board_may_recommend_and_another_decide():
    data = spine_default()
    data["decision"]["tiers"] = [_tier("governing-board", "recommends"),
                                 _tier("state-board", "decides", majority="two_thirds")]
    rules = rules_parse(data, sections={})
    assert [(t.body, t.acts, t.majority) for t in rules.decision.tiers] == [
        ("governing-board", "recommends", "simple"), ("state-board", "decides", "two_thirds")]


@pytest.mark.parametrize(("tiers", "errors"), [
    ([("governing-board", "recommends")], ["decision.tiers[0].acts: the last body must decide"]),
    ([("a", "decides"), ("b", "decides")],
     ["decision.tiers[0].acts: the first of two bodies must recommend"]),
    ([("a", "decides"), ("b", "recommends")],
     ["decision.tiers[0].acts: the first of two bodies must recommend",
      "decision.tiers[1].acts: the last body must decide"]),
    ([("a", "recommends"), ("b", "recommends"), ("c", "decides")],
     ["decision.tiers: one or two deciding bodies: the last decides, a first of two "
      "recommends"]),
    ([], ["decision.tiers: one or two deciding bodies: the last decides, a first of two "
          "recommends"]),
])
def test_the_tiers_of_a_decision(tiers, errors):
    data = spine_default()
    data["decision"]["tiers"] = [_tier(body, acts) for body, acts in tiers]
    assert rules_errors(data, sections={}) == errors


# --- instrument sections ----------------------------------------------------------------------

class WaiverRules(RulesSection):
    """A made-up instrument's section."""

    model_config = ConfigDict(title="Waivers")

    provisions: tuple[Text, ...] = Field(min_length=1, title="Provisions")
    max_years: int = Field(default=3, ge=1, strict=True)


def test_an_instrument_adds_its_sections():
    model = rules_model({"waiver": WaiverRules})
    assert rules_model({"waiver": WaiverRules}) is model
    assert issubclass(model, CycleRules)
    data = {**spine_default(), "waiver": {"provisions": ["Seat time"]}}
    rules = rules_parse(data, sections={"waiver": WaiverRules})
    assert rules.section("waiver", WaiverRules) == WaiverRules(provisions=("Seat time",))
    data["waiver"]["max_years"] = 0
    data["funding"] = innovation_fund_default()["funding"]
    assert rules_errors(data, sections={"waiver": WaiverRules}) == [
        "waiver.max_years: must be at least 1",
        "funding: unknown section (expected one of decision, eligibility, form, review, rubric, "
        "waiver)",
    ]


def test_a_spine_document_refuses_the_funding_section():
    assert rules_errors(innovation_fund_default(), sections={}) == [
        "funding: unknown section (expected one of decision, eligibility, form, review, rubric)"]


def test_an_instrument_cannot_replace_a_spine_section():
    class Other(BaseModel):
        pass

    with pytest.raises(ValueError, match="'rubric' cannot name"):
        rules_model({"rubric": Other})


# --- documents of the first shape -------------------------------------------------------------

#: ``playbook.programs.config.innovation_fund_default()`` as it was before the rules moved to
#: pydantic: what the stored configurations look like.
OLD_INNOVATION_FUND: dict[str, Any] = {
    "eligibility": {"applicant_types": ["district", "charter", "esc", "consortium", "college",
                                        "nonprofit"],
                    "non_public_requires_district_partner": True, "thresholds": []},
    "form": {
        "sections": [
            {"key": "design", "title": "The personalized-learning design", "fields": [
                {"key": "need", "label": "Need: the students and the problem",
                 "type": "textarea", "required": True, "word_limit": 500},
                {"key": "model", "label": "The model and how it changes instruction, staffing "
                 "and use of time", "type": "textarea", "required": True, "word_limit": 800},
                {"key": "students_served", "label": "Students served", "type": "number",
                 "required": True},
            ]},
            {"key": "capacity", "title": "Capacity and sustainability", "fields": [
                {"key": "sustainability", "label": "How the work is sustained after the grant "
                 "from existing funds", "type": "textarea", "required": True, "word_limit": 500},
                {"key": "provider_track_record", "label": "Track record of any provider",
                 "type": "textarea", "required": False, "word_limit": 300},
            ]},
        ],
        "budget_categories": ["Personnel", "Professional development", "Technology",
                              "Contracted services", "Materials", "Evaluation", "Other"],
        "attachments": [{"key": "support_letters", "label": "Letters of support",
                         "required": False, "types": ["pdf"], "max_mb": 10}],
        "collaboration_plan_word_limit": 1000,
    },
    "rubric": {"criteria": [
        {"key": "innovation", "title": "Innovation and personalization", "weight": 30,
         "scale_min": 0, "scale_max": 5,
         "guidance": "Combines technology with changes to human capital and use of time; not "
                     "cosmetic."},
        {"key": "evidence", "title": "Evidence and likely impact on student results",
         "weight": 25, "scale_min": 0, "scale_max": 5, "guidance": ""},
        {"key": "capacity", "title": "Capacity, commitment and provider track record",
         "weight": 20, "scale_min": 0, "scale_max": 5, "guidance": ""},
        {"key": "sustainability", "title": "Fiscal sustainability", "weight": 25,
         "scale_min": 0, "scale_max": 5,
         "guidance": "Start-up costs only; operating costs from existing budgets."},
    ]},
    "review": {"reviewers_per_application": 3},
    "decision_body": {"name": "Innovation Fund Governing Board", "quorum": 3},
    "funding": {
        "caps": {"single": "1000000.00", "consortium": "15000000.00"},
        "match": {"base_rate": "0.15",
                  "poverty_scale": [{"min_poverty_share": "0.50", "rate": "0.10"},
                                    {"min_poverty_share": "0.75", "rate": "0.05"}],
                  "in_kind_max_share": "0.50"},
        "set_asides": [{"key": "rural_consortia", "label": "Rural consortia",
                        "amount": "2000000.00", "requires": ["consortium", "rural"]}],
        "partial_funding": {"policy": "partial", "min_share": "0.50"},
        "tie_breaks": ["poverty_desc", "requested_asc", "submitted_asc"],
        "high_poverty_share": "0.60",
    },
}


def test_the_data_migration_moves_an_old_document_as_the_rules_module_does():
    """Migration programs 0005 carries a frozen copy of ``migrate_document``; on the document
    every database built before the spine holds, both give the same valid result."""
    import importlib

    step = importlib.import_module(
        "playbook.programs.migrations.0005_rules_documents_and_decision_bodies")
    frozen, body = step.migrate_document(copy.deepcopy(OLD_INNOVATION_FUND))
    assert frozen == migrate_document(OLD_INNOVATION_FUND)
    assert body == OLD_INNOVATION_FUND["decision_body"]
    assert grant_errors(frozen) == []


def test_an_old_grant_document_migrates_to_a_valid_new_one():
    old = copy.deepcopy(OLD_INNOVATION_FUND)
    new = migrate_document(old)
    assert old == OLD_INNOVATION_FUND  # the input is left alone
    assert grant_errors(new) == []
    assert "decision_body" not in new and "budget_categories" not in new["form"]
    assert new["decision"] == {
        "tiers": [{"body": "innovation-fund-governing-board",
                   "label": "Innovation Fund Governing Board decides", "quorum": 3,
                   "majority": "simple", "acts": "decides"}],
        "vote_record_public": True}
    assert new["review"] == {"required": True, "reviewers_per_application": 3,
                             "release_comments_to_applicant": False}
    assert new["funding"]["budget_categories"] == OLD_INNOVATION_FUND["form"][
        "budget_categories"]
    expected = innovation_fund_default()
    expected["review"]["release_comments_to_applicant"] = False  # not released until decided
    # The first shape's eligibility stays as it was written (no district schools, district
    # partners only); today's default is Play 1's broader one.
    expected["eligibility"] = OLD_INNOVATION_FUND["eligibility"]
    # the first shape's rubric is kept as it was written (no score anchors, its own guidance)
    expected["rubric"] = OLD_INNOVATION_FUND["rubric"]
    assert new == expected
    assert migrate_document(new) == new  # already new: unchanged


def test_an_old_document_without_funding_drops_its_budget_categories():
    old = copy.deepcopy(OLD_INNOVATION_FUND)
    del old["funding"]
    old["decision_body"] = {"name": "State Board of Education (SBE)"}
    new = migrate_document(old)
    assert rules_errors(new, sections={}) == []
    assert "budget_categories" not in new["form"]
    assert new["decision"]["tiers"][0]["body"] == "state-board-of-education-sbe"
    assert new["decision"]["tiers"][0]["quorum"] == 1


@pytest.mark.parametrize("junk", [None, True, 1.5, "x", [], [None], {}, {"a": [1]}, [{}], "NaN"])
def test_any_junk_anywhere_is_named_not_raised(junk):
    base = innovation_fund_default()
    places = [("decision", "tiers", 0, "acts"), ("decision", "tiers"), ("rubric", "criteria", 0),
              ("form", "sections", 0, "fields"), ("funding", "caps"), ("funding", "match"),
              ("eligibility",), ("review",), ("form", "sections", 0, "fields", 0, "type")]
    for path in places:
        errors = grant_errors(edited(path, junk, copy.deepcopy(base)))
        assert all(": " in e and "Input should" not in e for e in errors), errors


def test_a_long_bad_value_is_shortened_in_the_message():
    errors = grant_errors(edited(("funding", "partial_funding", "policy"), "z" * 200))
    assert errors == [f"funding.partial_funding.policy: unknown value '{'z' * 36}... (expected "
                      "one of stop, skip, partial)"]
