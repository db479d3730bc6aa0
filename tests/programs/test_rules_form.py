"""The rules editor: a form built from the rules' schema, posted back as a browser would."""

from __future__ import annotations

from html.parser import HTMLParser
from typing import Any

import pytest
from django.http import QueryDict
from pydantic import ConfigDict, Field

from playbook.funding.rules import GRANT_SECTIONS, FundingRules, innovation_fund_default
from playbook.programs.rules import (
    CycleRules,
    RulesSection,
    Text,
    rules_document,
    rules_model,
    rules_parse,
    spine_default,
)
from playbook.programs.rules_form import RulesForm

GRANT = rules_model(GRANT_SECTIONS)


class _Browser(HTMLParser):
    """What a browser submits for the form's markup: text inputs and text areas as shown,
    ticked checkboxes, each select's chosen option (else its first)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.pairs: list[tuple[str, str]] = []
        self.selects: dict[str, list[tuple[str, bool]]] = {}
        self._select: str | None = None
        self._textarea: str | None = None
        self._text = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "input":
            kind = a.get("type", "text")
            if kind == "checkbox":
                if "checked" in a:
                    self.pairs.append((a["name"], a.get("value") or "on"))
            elif kind not in ("submit", "button"):
                self.pairs.append((a["name"], a.get("value", "")))
        elif tag == "select":
            self._select = a["name"]
            self.selects[a["name"]] = []
        elif tag == "option" and self._select is not None:
            self.selects[self._select].append((a.get("value", ""), "selected" in a))
        elif tag == "textarea":
            self._textarea, self._text = a["name"], ""

    def handle_data(self, data: str) -> None:
        if self._textarea is not None:
            self._text += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "select" and self._select is not None:
            options = self.selects[self._select]
            chosen = next((v for v, selected in options if selected), options[0][0])
            self.pairs.append((self._select, chosen))
            self._select = None
        elif tag == "textarea" and self._textarea is not None:
            text = self._text[1:] if self._text.startswith("\n") else self._text
            self.pairs.append((self._textarea, text))
            self._textarea = None


def posted(form: RulesForm, **changes: Any) -> QueryDict:
    """The form as shown, submitted with ``changes`` (input name -> a value, or a list of
    values for checkboxes)."""
    browser = _Browser()
    browser.feed(str(form))
    data = QueryDict(mutable=True)
    for name, value in browser.pairs:
        if name not in changes:
            data.appendlist(name, value)
    for name, new in changes.items():
        data.setlist(name, new if isinstance(new, list) else [new])
    return data


def shown(form: RulesForm) -> QueryDict:
    return posted(form)


def edit(document: dict[str, Any], model: Any = GRANT, **changes: Any) -> RulesForm:
    form = RulesForm(model=model, initial=document)
    return RulesForm(model=model, initial=document, data=posted(form, **changes))


def criterion_inputs(form: RulesForm, row: int) -> dict[str, str]:
    return {name: "" for name in form.fields if name.startswith(f"rubric.criteria.{row}.")}


# --- round trip -------------------------------------------------------------------------------

def test_posted_back_unchanged_the_document_is_the_same():
    start = innovation_fund_default()
    form = edit(start)
    assert form.is_valid(), form.errors
    assert form.document == rules_document(rules_parse(start, sections=GRANT_SECTIONS))
    assert rules_parse(form.document, sections=GRANT_SECTIONS) == rules_parse(
        start, sections=GRANT_SECTIONS)
    assert form.document["funding"]["caps"] == {"single": "1000000.00",
                                                "consortium": "15000000.00"}
    assert form.document["rubric"]["criteria"][0]["weight"] == "30"  # JSON-ready


def test_posted_back_unchanged_a_spine_document_is_the_same():
    form = edit(spine_default(), model=CycleRules)
    assert form.is_valid(), form.errors
    assert form.document == rules_document(rules_parse(spine_default(), sections={}))


def test_an_edited_weight_changes_the_document():
    form = edit(innovation_fund_default(), **{"rubric.criteria.1.weight": "12.5"})
    assert form.is_valid(), form.errors
    assert form.document is not None
    assert [c["weight"] for c in form.document["rubric"]["criteria"]] == ["30", "12.5", "20",
                                                                          "25"]
    assert isinstance(form.rules, CycleRules)


def test_a_bad_weight_is_put_on_its_input():
    form = edit(innovation_fund_default(), **{"rubric.criteria.1.weight": "0"})
    assert not form.is_valid()
    assert form.errors["rubric.criteria.1.weight"] == ["Must be a number greater than 0."]
    assert form.non_field_errors() == []
    assert form.document is None
    html = str(form)
    assert 'class="usa-form-group usa-form-group--error"' in html
    assert 'aria-describedby="id_rubric.criteria.1.weight-hint id_rubric.criteria.1.weight-error"' \
        in html
    assert 'id="id_rubric.criteria.1.weight-error"' in html
    assert form.error_summary == [{
        "id": "id_rubric.criteria.1.weight",
        "text": "Rubric / Criterion 2 / Weight: must be a number greater than 0"}]


def test_a_cleared_row_drops_that_criterion():
    form = RulesForm(model=GRANT, initial=innovation_fund_default())
    form = RulesForm(model=GRANT, data=posted(form, **criterion_inputs(form, 1)))
    assert form.is_valid(), form.errors
    assert form.document is not None
    assert [c["key"] for c in form.document["rubric"]["criteria"]] == [
        "innovation", "capacity", "sustainability"]


def test_errors_after_a_cleared_row_land_on_the_row_they_were_typed_in():
    form = RulesForm(model=GRANT, initial=innovation_fund_default())
    changes = {**criterion_inputs(form, 0), "rubric.criteria.2.weight": "-3"}
    form = RulesForm(model=GRANT, data=posted(form, **changes))
    assert not form.is_valid()
    assert form.errors["rubric.criteria.2.weight"] == ["Must be a number greater than 0."]


def test_the_blank_row_adds_a_criterion():
    form = RulesForm(model=GRANT, initial=innovation_fund_default())
    assert "rubric.criteria.4.key" in form.fields  # four criteria and a blank one
    form = RulesForm(model=GRANT, data=posted(form, **{
        "rubric.criteria.4.key": "equity", "rubric.criteria.4.title": "Equity",
        "rubric.criteria.4.weight": "10", "rubric.criteria.4.scale_min": "0",
        "rubric.criteria.4.scale_max": "4"}))
    assert form.is_valid(), form.errors
    assert form.document is not None
    assert form.document["rubric"]["criteria"][-1] == {
        "key": "equity", "title": "Equity", "weight": "10", "scale_min": 0, "scale_max": 4,
        "guidance": "", "anchors": []}


def test_a_half_filled_row_is_not_dropped_but_named():
    form = edit(innovation_fund_default(), **{"rubric.criteria.4.title": "Equity"})
    assert not form.is_valid()
    assert form.errors["rubric.criteria.4.key"] == [
        "Required key of lower-case letters, digits and underscores."]
    assert form.errors["rubric.criteria.4.weight"] == ["Must be a number."]


def test_a_duplicate_key_is_put_on_the_repeat():
    form = edit(innovation_fund_default(), **{"rubric.criteria.1.key": "innovation"})
    assert not form.is_valid()
    assert form.errors["rubric.criteria.1.key"] == ["Duplicate key 'innovation'."]


# --- inputs -----------------------------------------------------------------------------------

def options(form: RulesForm, name: str) -> list[str]:
    browser = _Browser()
    browser.feed(str(form))
    return [value for value, _ in browser.selects[name]]


def test_a_select_offers_only_the_allowed_values():
    form = RulesForm(model=GRANT, initial=innovation_fund_default())
    assert options(form, "funding.partial_funding.policy") == ["stop", "skip", "partial"]
    # an entry of a list may be cleared to remove it: its selects also offer a blank
    assert options(form, "decision.tiers.0.majority") == ["", "simple", "two_thirds"]
    assert options(form, "decision.tiers.0.acts") == ["", "recommends", "decides"]
    assert options(form, "form.sections.0.fields.0.type") == [
        "", "text", "textarea", "number", "money", "date", "choice", "yes_no"]
    assert options(form, "funding.caps.0.key")[:3] == ["", "district", "charter"]
    html = str(form)
    assert '<option value="partial" selected>Offer it the remainder' in html


def test_a_value_not_offered_is_refused_in_plain_words():
    form = edit(innovation_fund_default(), **{"funding.partial_funding.policy": "lottery"})
    assert not form.is_valid()
    assert form.errors["funding.partial_funding.policy"] == [
        "Unknown value 'lottery' (expected one of stop, skip, partial)."]


def test_inputs_read_in_plain_words():
    form = RulesForm(model=GRANT, initial=innovation_fund_default())
    weight = form["rubric.criteria.0.weight"]
    assert weight.label == "Weight"
    assert "Greater than 0" in weight.help_text
    assert form["review.reviewers_per_application"].label == "Reviewers per application"
    assert form.fields["review.reviewers_per_application"].widget.input_type == "number"
    assert form.fields["review.reviewers_per_application"].widget.attrs["max"] == "20"
    assert form.fields["review.required"].widget.input_type == "checkbox"
    assert form.fields["rubric.criteria.0.guidance"].widget.__class__.__name__ == "Textarea"
    assert form["funding.budget_categories"].value().splitlines()[:2] == [
        "Personnel", "Professional development"]
    assert "One a line, in order" in form["funding.tie_breaks"].help_text
    html = str(form)
    for css in ("usa-fieldset", "usa-legend", "usa-label", "usa-hint", "usa-input",
                "usa-select", "usa-checkbox", "usa-textarea"):
        assert f'class="{css}' in html or f" {css}" in html, css
    assert '<legend class="usa-legend usa-legend--large">Funding</legend>' in html
    assert 'aria-describedby="id_rubric.criteria.0.weight-hint"' in html


def test_lines_checkboxes_and_caps_come_back_as_lists_and_amounts():
    form = edit(innovation_fund_default(), **{
        "funding.budget_categories": "Personnel\n\n  Travel  \nOther",
        "eligibility.applicant_types": ["district", "charter"],
        "funding.tie_breaks": "submitted_asc\npoverty_desc",
        "funding.caps.2.key": "default", "funding.caps.2.value": "50000",
        "funding.min_score": "2.5",
    })
    assert form.is_valid(), form.errors
    doc = form.document
    assert doc is not None
    assert doc["funding"]["budget_categories"] == ["Personnel", "Travel", "Other"]
    assert doc["eligibility"]["applicant_types"] == ["district", "charter"]
    assert doc["funding"]["tie_breaks"] == ["submitted_asc", "poverty_desc"]
    assert doc["funding"]["caps"]["default"] == "50000"
    assert doc["funding"]["min_score"] == "2.5"


def test_problems_in_caps_land_on_their_row():
    form = edit(innovation_fund_default(), **{
        "funding.caps.0.value": "-1", "funding.caps.2.key": "bogus",
        "funding.caps.2.value": "5"})
    assert not form.is_valid()
    assert form.errors["funding.caps.0.value"] == [
        "Must be an amount of dollars and cents, not negative."]
    assert form.errors["funding.caps.2.key"] == ["Unknown applicant type."]


def test_a_problem_with_no_input_is_a_non_field_error_and_shown_on_its_fieldset():
    form = edit(innovation_fund_default(), **{"funding.budget_categories": "Travel\nTravel"})
    assert not form.is_valid()
    assert form.errors["funding.budget_categories"] == ["Categories must be unique."]
    form = RulesForm(model=GRANT, initial=innovation_fund_default())
    cleared = {name: "" for name in form.fields
               if name.startswith("rubric.criteria.") and not name.endswith("__rows")}
    form = RulesForm(model=GRANT, data=posted(form, **cleared))
    assert not form.is_valid()
    assert form.non_field_errors() == [
        "rubric: required object with criteria, since applications are reviewed "
        "(review.required is true)"]
    html = str(form)
    assert 'id="id_rubric-error"' in html


def test_clearing_a_checkbox_is_false_not_the_default():
    form = edit(innovation_fund_default(), **{"review.required": [], "review.release_comments_"
                                              "to_applicant": []})
    assert form.is_valid(), form.errors
    assert form.document is not None
    assert form.document["review"]["required"] is False
    assert form.document["review"]["release_comments_to_applicant"] is False


def test_a_posted_list_cannot_grow_without_bound():
    form = RulesForm(model=GRANT, initial=innovation_fund_default())
    data = posted(form, **{"rubric.criteria.__rows": "1000000"})
    form = RulesForm(model=GRANT, data=data)
    assert len([n for n in form.fields if n.startswith("rubric.criteria.")]) < 1000


# --- any section model ------------------------------------------------------------------------

class LoanRules(RulesSection):
    """A made-up instrument's section."""

    model_config = ConfigDict(title="Loans")

    purposes: tuple[Text, ...] = Field(min_length=1, title="Purposes")
    max_term_years: int = Field(default=5, ge=1, le=30, strict=True, title="Longest term")


def test_the_form_works_for_a_section_an_instrument_adds():
    form = edit({"purposes": ["Devices"]}, model=LoanRules,
                **{"max_term_years": "40", "purposes": "Devices\nBuildings"})
    assert not form.is_valid()
    assert form.errors["max_term_years"] == ["Must be at most 30."]
    form = edit({"purposes": ["Devices"]}, model=LoanRules, **{"max_term_years": "7"})
    assert form.is_valid(), form.errors
    assert form.document == {"purposes": ["Devices"], "max_term_years": 7}


def test_the_funding_section_alone():
    start = innovation_fund_default()["funding"]
    form = edit(start, model=FundingRules, **{"match.base_rate": "2"})
    assert not form.is_valid()
    assert form.errors["match.base_rate"] == ["Must be a share between 0 and 1."]


@pytest.mark.parametrize("prefix", ["rules"])
def test_a_prefixed_form_reads_its_own_inputs(prefix):
    form = RulesForm(model=CycleRules, initial=spine_default(), prefix=prefix)
    data = posted(form, **{f"{prefix}-review.reviewers_per_application": "5"})
    form = RulesForm(model=CycleRules, data=data, prefix=prefix)
    assert form.is_valid(), form.errors
    assert form.document is not None
    assert form.document["review"]["reviewers_per_application"] == 5
