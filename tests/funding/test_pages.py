"""The pages, driven through HTTP: draft to vote to award agreement to progress report, the
application's budget page, the public round page, open data, the staff export, the rules editor
and the what-if funding line."""

from __future__ import annotations

import csv
import io
import json
import re
from decimal import Decimal

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from playbook.funding.models import Award, BudgetLine, GrantRequest, LedgerTransaction
from playbook.funding.rules import innovation_fund_default
from playbook.programs.models import Agreement, Application, Ballot, MonitoringReport
from playbook.programs.services.setup import cycle_configuration_save

from ..conftest import signed_in_client
from ..programs.helpers import ANSWERS, complete_draft, complete_reviews
from .helpers import (
    approved_award,
    board,
    decide,
    funded_cycle,
    ready_to_sign,
    recommended_application,
)

pytestmark = pytest.mark.django_db
D = Decimal


def _ok(response):  # type: ignore[no-untyped-def]
    assert response.status_code in (200, 302), response.content.decode()[:2000]
    return response


def _history_steps(page: str) -> list[str]:
    """The Step column of the page's history table."""
    table = page.split('data-testid="history"', 1)[1].split("</table>", 1)[0]
    return re.findall(r'<td data-label="Step">([^<]*)</td>', table)


def _budget_post(*lines: dict[str, str]) -> dict[str, str]:
    data = {"lines-TOTAL_FORMS": str(len(lines)), "lines-INITIAL_FORMS": "0",
            "lines-MIN_NUM_FORMS": "0", "lines-MAX_NUM_FORMS": "40"}
    for i, line in enumerate(lines):
        data.update({f"lines-{i}-{k}": v for k, v in line.items()})
    return data


BLANK = {"category": "", "description": "", "state_amount": "", "match_cash": "",
         "match_in_kind": ""}
DEVICES = {"category": "Technology", "description": "Devices", "state_amount": "300000.00",
           "match_cash": "45000.00", "match_in_kind": "0"}


def test_draft_to_award_to_progress_report_through_the_pages(personas, settings, tmp_path):
    settings.DATA_DIR = tmp_path
    cycle, approp = funded_cycle(personas.officer)
    members = board(personas)
    leader = signed_in_client(personas.leader_a)
    officer = signed_in_client(personas.officer)
    decider = signed_in_client(personas.decider)

    r = _ok(leader.post(reverse("programs:application_new", args=[cycle.pk]),
                        {"applicant": personas.district_a.pk, "title": "Math stations"}))
    app = Application.objects.get(title="Math stations")
    assert r["Location"] == reverse("programs:application_edit", args=[app.pk])
    edit = {"title": "Math stations", "summary": "Blended math for grades 6-8.",
            **{f"answer_{k}": v for k, v in ANSWERS.items()}}
    _ok(leader.post(reverse("programs:application_edit", args=[app.pk]), edit))
    _ok(leader.post(reverse("funding:application_budget", args=[app.pk]),
                    _budget_post(DEVICES, BLANK, BLANK)))
    _ok(leader.post(reverse("programs:application_attachments", args=[app.pk]), {
        "slot": "support_letters",
        "file": SimpleUploadedFile("letter.pdf", b"%PDF-1.4 hello", "application/pdf")}))
    page = leader.get(reverse("programs:application_detail", args=[app.pk])).content.decode()
    assert "Submit the application" in page
    mail.outbox.clear()
    _ok(leader.post(reverse("programs:application_step", args=[app.pk]),
                    {"step": "submit", "certify": "yes"}))
    app.refresh_from_db()
    assert app.status == "submitted"
    assert app.grant.amount_requested == D("300000.00")
    assert {"leader_a@example.org", "officer@example.org"} <= set(mail.outbox[0].to)

    assert "Math stations" not in leader.get(reverse("programs:screening")).content.decode()
    assert app.reference in officer.get(reverse("programs:screening")).content.decode()
    _ok(officer.post(reverse("programs:application_screen", args=[app.pk]),
                     {"action": "eligible", "reason": ""}))
    step = reverse("programs:application_step", args=[app.pk])
    _ok(officer.post(step, {"step": "start_review", "reason": ""}))
    _ok(officer.post(step, {"step": "recommend", "reason": "Too early."}))
    app.refresh_from_db()
    assert app.status == "in_review"  # the required reviews are not in yet
    complete_reviews(app)
    _ok(officer.post(step, {"step": "recommend", "reason": "Review complete."}))
    app.refresh_from_db()
    assert app.status == "recommended"

    page = decider.get(reverse("funding:decision_page", args=[cycle.pk])).content.decode()
    assert "Alder County Schools" in page
    page = officer.get(reverse("funding:decision_page", args=[cycle.pk])).content.decode()
    assert reverse("programs:ballot_new", args=[app.pk]) in page
    _ok(officer.post(reverse("programs:ballot_new", args=[app.pk]), {"amount": "300000.00"}))
    ballot = Ballot.objects.get(application=app)
    for member in members:
        _ok(signed_in_client(member).post(reverse("programs:ballot_vote", args=[ballot.pk]),
                                          {"choice": "approve", "reason": "Strong."}))
    _ok(officer.post(reverse("programs:ballot_close", args=[ballot.pk])))
    app.refresh_from_db()
    assert app.status == "approved"
    award = Award.objects.get(application=app)
    agreement = award.agreement
    assert award.amount == D("300000.00") and agreement.status == "drafted"

    _ok(officer.post(reverse("programs:commitment_add", args=[agreement.pk]), {
        "measure": "Students on track in math", "unit": "percent", "baseline": "41",
        "target": "60", "due_date": "2027-06-30", "evidence_source": "self_reported",
        "evidence_metric": ""}))
    agreement_url = reverse("programs:agreement_detail", args=[agreement.pk])
    agreement_step = reverse("programs:agreement_step", args=[agreement.pk])
    _ok(officer.post(agreement_step, {"step": "sign"}))
    agreement.refresh_from_db()
    assert agreement.status == "signed"
    page = officer.get(agreement_url).content.decode()
    assert 'data-unavailable="countersign">Only the other party countersigns.' in page
    page = leader.get(agreement_url).content.decode()
    assert 'data-step="countersign"' in page
    _ok(leader.post(agreement_step, {"step": "countersign"}))
    agreement.refresh_from_db()
    app.refresh_from_db()
    assert agreement.status == "active" and agreement.countersigned_by == personas.leader_a
    assert app.status == "approved"

    commitment = agreement.commitments.get()
    _ok(leader.post(reverse("funding:report_new", args=[agreement.pk]), {
        "period_end": "2026-12-31", "narrative": "Stations running in all six classrooms.",
        "spent_to_date": "120000.00", f"value_{commitment.pk}": "48",
        f"note_{commitment.pk}": "Winter interim"}))
    report = MonitoringReport.objects.get(agreement=agreement)
    assert report.spending.spent_to_date == D("120000.00")
    assert report.values.get().value == D("48")
    _ok(officer.post(reverse("programs:report_review", args=[report.pk]),
                     {"decision": "accept", "note": "Good progress."}))
    report.refresh_from_db()
    agreement.refresh_from_db()
    assert report.status == "accepted"
    assert agreement.status == "monitored"

    _ok(leader.post(reverse("funding:award_match", args=[award.pk]), {
        "kind": "cash", "source": "own_funds", "amount": "45000.00",
        "description": "District general fund", "received_on": "2026-09-01",
        "evidence": SimpleUploadedFile("transfer.pdf", b"%PDF-1.4 transfer", "application/pdf")}))
    page = leader.get(reverse("funding:award_detail", args=[award.pk])).content.decode()
    assert "(met)" not in page  # not until the office has checked the evidence
    contribution = award.match_contributions.get()
    _ok(officer.post(reverse("funding:match_check", args=[award.pk, contribution.pk]),
                     {"decision": "verify", "reason": ""}))
    page = leader.get(reverse("funding:award_detail", args=[award.pk])).content.decode()
    assert "(met)" in page

    history = officer.get(reverse("programs:application_detail", args=[app.pk])).content.decode()
    assert _history_steps(history) == [
        "Submitted", "Screened eligible", "Is in independent review",
        "Recommended to the decision body", "Approved"]
    assert _history_steps(officer.get(agreement_url).content.decode()) == [
        "Signed by the office", "Countersigned: executed", "Active", "In monitoring"]
    approp.refresh_from_db()
    assert approp.committed_amount == D("300000.00")


def test_applicant_sees_why_an_incomplete_draft_cannot_be_submitted(personas):
    cycle, _ = funded_cycle(personas.officer)
    leader = signed_in_client(personas.leader_a)
    leader.post(reverse("programs:application_new", args=[cycle.pk]),
                {"applicant": personas.district_a.pk, "title": "Thin"})
    app = Application.objects.get(title="Thin")
    page = leader.get(reverse("programs:application_detail", args=[app.pk])).content.decode()
    assert "Before you can submit" in page
    assert "Budget: add at least one budget line." in page
    response = leader.post(reverse("programs:application_step", args=[app.pk]),
                           {"step": "submit", "certify": "yes"}, follow=True)
    assert "not complete" in response.content.decode()
    app.refresh_from_db()
    assert app.status == "draft"


# --- the application's budget page --------------------------------------------------------------

@pytest.fixture
def draft(personas):
    cycle, _ = funded_cycle(personas.officer)
    return complete_draft(cycle=cycle, applicant=personas.district_a, by=personas.leader_a,
                          amount="200000.00")


def test_the_applicant_saves_the_budget_and_the_request_follows(personas, draft):
    leader = signed_in_client(personas.leader_a)
    url = reverse("funding:application_budget", args=[draft.pk])
    second = {"category": "Professional development", "description": "Coaching",
              "state_amount": "50000.00", "match_cash": "0", "match_in_kind": "7500.00"}
    r = leader.post(url, _budget_post(DEVICES, second, BLANK), follow=True)
    page = r.content.decode()
    assert "Budget saved: $350,000.00 requested, $52,500.00 match pledged." in page
    request = GrantRequest.objects.get(application=draft)
    assert (request.amount_requested, request.match_cash, request.match_in_kind) == (
        D("350000.00"), D("45000.00"), D("7500.00"))
    assert list(BudgetLine.objects.filter(application=draft).values_list(
        "description", flat=True)) == ["Devices", "Coaching"]
    assert "Currently: $350,000.00 requested; $45,000.00 cash and $7,500.00 in-kind" in page


@pytest.mark.parametrize("who", ["officer", "auditor", "reviewer", "decider"])
def test_only_applicants_open_the_budget_page(personas, draft, who):
    client = signed_in_client(getattr(personas, who))
    url = reverse("funding:application_budget", args=[draft.pk])
    assert client.get(url).status_code == 403
    assert client.post(url, _budget_post(DEVICES)).status_code == 403
    assert GrantRequest.objects.get(application=draft).amount_requested == D("200000.00")


@pytest.mark.parametrize("who", ["leader_b", "school_leader_a"])
def test_another_organizations_leader_cannot_see_or_change_the_budget(personas, draft, who):
    client = signed_in_client(getattr(personas, who))
    url = reverse("funding:application_budget", args=[draft.pk])
    assert client.get(url).status_code == 404
    assert client.post(url, _budget_post(DEVICES)).status_code == 404
    assert GrantRequest.objects.get(application=draft).amount_requested == D("200000.00")


def test_a_submitted_budget_can_no_longer_be_changed(personas, draft):
    from playbook.programs.services import lifecycle

    lifecycle.application_submit(application=draft, by=personas.leader_a)
    leader = signed_in_client(personas.leader_a)
    url = reverse("funding:application_budget", args=[draft.pk])
    r = leader.post(url, _budget_post(DEVICES), follow=True)
    assert "can no longer be edited" in r.content.decode()
    assert GrantRequest.objects.get(application=draft).amount_requested == D("200000.00")


def test_bad_budget_lines_are_named_by_line_and_nothing_is_saved(personas, draft):
    leader = signed_in_client(personas.leader_a)
    url = reverse("funding:application_budget", args=[draft.pk])
    no_amount = {"category": "Materials", "description": "Manipulatives", "state_amount": "",
                 "match_cash": "", "match_in_kind": ""}
    no_category = {"category": "", "description": "", "state_amount": "1000.00",
                   "match_cash": "", "match_in_kind": ""}
    # The draft has one line: the first form shows it; the second is left blank.
    r = leader.post(url, _budget_post(DEVICES, BLANK, no_amount, no_category))
    assert r.status_code == 200
    page = r.content.decode()
    # Lines are counted as the applicant sees them on the page (the blank one included).
    assert "Line 3: enter an amount." in page
    assert "Line 4: choose a category." in page
    assert "Line 4: describe the cost." in page
    assert "Line 2:" not in page
    assert GrantRequest.objects.get(application=draft).amount_requested == D("200000.00")
    assert list(BudgetLine.objects.filter(application=draft).values_list(
        "state_amount", flat=True)) == [D("200000.00")]


def test_amounts_that_are_not_dollars_and_cents_are_refused_on_their_line(personas, draft):
    leader = signed_in_client(personas.leader_a)
    url = reverse("funding:application_budget", args=[draft.pk])
    for bad in ("-5.00", "12.345", "lots"):
        line = {**DEVICES, "state_amount": bad}
        r = leader.post(url, _budget_post(DEVICES, line))
        assert r.status_code == 200
        errors = r.context["formset"].errors
        assert errors[0] == {} and "state_amount" in errors[1], (bad, errors)
    assert GrantRequest.objects.get(application=draft).amount_requested == D("200000.00")


# --- the award's pages ---------------------------------------------------------------------

def test_the_award_page_refuses_a_disbursement_before_countersignature(personas):
    cycle, approp = funded_cycle(personas.officer)
    board(personas)
    award = approved_award(personas, cycle, amount="300000.00")
    ready_to_sign(award, officer=personas.officer)
    officer = signed_in_client(personas.officer)
    url = reverse("funding:award_detail", args=[award.pk])
    page = officer.get(url).content.decode()
    assert "$300,000.00" in page
    assert reverse("funding:award_disburse", args=[award.pk]) not in page  # not in force
    r = officer.post(reverse("funding:award_disburse", args=[award.pk]),
                     {"amount": "1000.00", "memo": "Too early"}, follow=True)
    assert "Funds are disbursed on an agreement in force" in r.content.decode()
    assert not LedgerTransaction.objects.filter(award=award, kind="disburse").exists()

    _ok(officer.post(reverse("programs:agreement_step", args=[award.agreement_id]),
                     {"step": "sign"}))
    _ok(signed_in_client(personas.leader_a).post(
        reverse("programs:agreement_step", args=[award.agreement_id]), {"step": "countersign"}))
    assert reverse("funding:award_disburse", args=[award.pk]) in officer.get(url).content.decode()
    _ok(officer.post(reverse("funding:award_disburse", args=[award.pk]),
                     {"amount": "1000.00", "memo": "First draw"}))
    approp.refresh_from_db()
    assert approp.disbursed_amount == D("1000.00")


def test_another_district_cannot_open_the_award_or_its_agreement(personas):
    cycle, _ = funded_cycle(personas.officer)
    board(personas)
    award = approved_award(personas, cycle)
    other = signed_in_client(personas.leader_b)
    assert other.get(reverse("funding:award_detail", args=[award.pk])).status_code == 404
    agreement_url = reverse("programs:agreement_detail", args=[award.agreement_id])
    assert other.get(agreement_url).status_code == 404
    assert other.post(reverse("programs:agreement_step", args=[award.agreement_id]),
                      {"step": "countersign"}).status_code == 404
    assert Agreement.objects.get(pk=award.agreement_id).status == "drafted"


def test_closing_a_vote_the_appropriation_cannot_cover_says_why_and_keeps_it_open(personas):
    cycle, approp = funded_cycle(personas.officer, appropriation="500000.00")
    members = board(personas)
    decide(recommended_application(personas, cycle, amount="400000.00"),
           officer=personas.officer, outcome="approved", amount="400000.00")
    app = recommended_application(personas, cycle, amount="400000.00")
    officer = signed_in_client(personas.officer)
    _ok(officer.post(reverse("programs:ballot_new", args=[app.pk]), {"amount": "400000.00"}))
    ballot = Ballot.objects.get(application=app)
    for member in members:
        _ok(signed_in_client(member).post(reverse("programs:ballot_vote", args=[ballot.pk]),
                                          {"choice": "approve"}))
    r = officer.post(reverse("programs:ballot_close", args=[ballot.pk]), follow=True)
    assert r.status_code == 200
    assert "$100,000.00 available" in r.content.decode()
    assert Ballot.objects.get(pk=ballot.pk).status == "open"
    assert Application.objects.get(pk=app.pk).status == "recommended"
    assert not Award.objects.filter(application=app).exists()
    approp.refresh_from_db()
    assert approp.committed_amount == D("400000.00")


# --- public pages, export, rules editor ----------------------------------------------------

def test_public_round_page_and_open_data(personas, client):
    cycle, _ = funded_cycle(personas.officer)
    board(personas)
    funded = recommended_application(personas, cycle, amount="250000.00")
    decide(funded, officer=personas.officer, outcome="approved", amount="200000.00")
    recommended_application(personas, cycle, amount="100000.00")
    page = client.get(reverse("programs:round_page", args=[cycle.pk])).content.decode()
    assert funded.applicant.name in page
    assert 'data-testid="total-awarded">$200,000.00<' in page
    assert 'data-testid="total-requested">$350,000.00<' in page
    assert 'data-testid="total-applications">2<' in page
    rows = list(csv.DictReader(io.StringIO(
        client.get(reverse("programs:round_csv", args=[cycle.pk])).content.decode())))
    assert len(rows) == 2
    assert {r["amount_awarded"] for r in rows} == {"200000.00", ""}
    data = json.loads(client.get(reverse("programs:round_json", args=[cycle.pk])).content)
    assert data["totals"]["awarded"] == "200000.00"
    assert data["totals"]["requested"] == "350000.00"
    assert len(data["applications"]) == 2


def test_drafts_never_appear_in_public(personas, client):
    cycle, _ = funded_cycle(personas.officer)
    complete_draft(cycle=cycle, applicant=personas.district_a, by=personas.leader_a,
                   title="Secret draft")
    assert "Secret draft" not in client.get(
        reverse("programs:round_page", args=[cycle.pk])).content.decode()


def test_unpublished_round_is_not_found(personas, client):
    cycle, _ = funded_cycle(personas.officer)
    type(cycle).objects.filter(pk=cycle.pk).update(results_public=False)
    assert client.get(reverse("programs:round_page", args=[cycle.pk])).status_code == 404


def test_staff_export_follows_the_filters_and_defuses_formulas(personas):
    cycle, _ = funded_cycle(personas.officer)
    a = recommended_application(personas, cycle)
    Application.objects.filter(pk=a.pk).update(title="=HYPERLINK(\"x\")")
    recommended_application(personas, cycle)
    officer = signed_in_client(personas.officer)
    body = officer.get(reverse("programs:application_export") + f"?cycle={cycle.pk}"
                       "&status=recommended").content.decode()
    rows = list(csv.DictReader(io.StringIO(body)))
    assert len(rows) == 2
    assert any(r["title"].startswith("'=") for r in rows)
    assert {r["amount_requested"] for r in rows} == {"400000.00"}
    none = officer.get(reverse("programs:application_export") + "?status=denied").content
    assert len(list(csv.DictReader(io.StringIO(none.decode())))) == 0


def test_what_if_budget_moves_the_funding_line_on_the_decision_page(personas):
    cycle, _ = funded_cycle(personas.officer, budget="500000.00")
    for _ in range(3):
        recommended_application(personas, cycle, amount="300000.00")
    decider = signed_in_client(personas.decider)
    ranking = [(a, D("80")) for a in Application.objects.filter(cycle=cycle)]
    from playbook.funding.selectors import award_plan_for_cycle

    assert award_plan_for_cycle(cycle=cycle, ranking=ranking).plan.total_awarded <= D(
        "500000.00")
    big = award_plan_for_cycle(cycle=cycle, ranking=ranking, budget=D("900000.00"))
    assert big.plan.total_awarded == D("900000.00")
    page = decider.get(reverse("funding:decision_page", args=[cycle.pk]) + "?budget=900000")
    assert page.status_code == 200
    assert "(what-if)" in page.content.decode()


def _editor_data(form) -> dict[str, object]:  # type: ignore[no-untyped-def]
    """What the structured rules editor posts back unchanged: every input's current value."""
    data: dict[str, object] = {}
    for name in form.fields:
        value = form[name].value()
        if value is True:
            data[name] = "on"
        elif value is not None and value is not False:
            data[name] = value
    return data


def test_rules_editor_saves_a_new_version_and_shows_field_errors(personas):
    cycle, _ = funded_cycle(personas.officer)
    officer = signed_in_client(personas.officer)
    url = reverse("programs:cycle_rules", args=[cycle.pk])
    data = _editor_data(officer.get(url).context["form"])
    data["review.reviewers_per_application"] = "4"
    response = officer.post(url, data)
    assert response.status_code == 302, response.context["form"].errors
    current = cycle.configurations.order_by("-version").first()
    assert current.version == 2  # the cycle is open: a new version
    assert current.rules.review.reviewers_per_application == 4
    assert current.rules.eligibility.non_public_requires_district_partner
    data["rubric.criteria.0.weight"] = "0"
    response = officer.post(url, data)
    assert response.status_code == 200
    assert response.context["form"].errors["rubric.criteria.0.weight"] == [
        "Must be a number greater than 0."]
    assert cycle.configurations.count() == 2


def test_rules_json_editor_names_every_problem_by_its_path(personas):
    cycle, _ = funded_cycle(personas.officer)
    officer = signed_in_client(personas.officer)
    url = reverse("programs:cycle_rules", args=[cycle.pk]) + "?mode=json"
    document = json.loads(officer.get(url).context["form"].initial["document"])
    document["review"]["reviewers_per_application"] = 5
    assert officer.post(url, {"document": json.dumps(document)}).status_code == 302
    assert cycle.configurations.order_by("-version").first().rules.review \
        .reviewers_per_application == 5
    document["rubric"]["criteria"][0]["weight"] = 0
    document["funding"]["budget_categories"] = []
    response = officer.post(url, {"document": json.dumps(document)})
    assert response.status_code == 200
    body = response.content.decode()
    # Every problem at once, each at its path; nothing saved.
    assert "rubric.criteria[0].weight: must be a number greater than 0" in body
    assert "funding.budget_categories" in body
    assert cycle.configurations.count() == 2
    assert "Not valid JSON" in officer.post(url, {"document": "[not json"}).content.decode()


def test_staff_create_program_and_cycle_through_the_pages(personas):
    officer = signed_in_client(personas.officer)
    _ok(officer.post(reverse("programs:program_new"), {
        "name": "R&D pool", "slug": "rd-pool", "instrument": "grant", "description": ""}))
    r = officer.post(reverse("programs:cycle_new", args=["rd-pool"]), {
        "name": "FY27", "slug": "fy27", "opens_at": "2026-09-01T08:00",
        "closes_at": "2026-08-01T17:00", "fiscal_year": 2027, "budget": "100000.00"})
    assert "The cycle must close after it opens." in r.content.decode()
    _ok(officer.post(reverse("programs:cycle_new", args=["rd-pool"]), {
        "name": "FY27", "slug": "fy27", "opens_at": "2026-09-01T08:00",
        "closes_at": "2026-11-01T17:00", "fiscal_year": 2027, "budget": "100000.00"}))
    assert officer.get(reverse("programs:program_detail", args=["rd-pool"])).status_code == 200


def test_the_decision_page_explains_the_line_the_set_asides_and_the_reviews(personas):
    """Issue 11, item 8: the funding line in words, each set-aside used or not and why, and
    the reviewers' comments beside each application for the decision body."""
    cycle, _ = funded_cycle(personas.officer, budget="500000.00")
    apps = [recommended_application(personas, cycle, amount="300000.00") for _ in range(2)]
    decider = signed_in_client(personas.decider)
    page = decider.get(reverse("funding:decision_page", args=[cycle.pk])).content.decode()
    assert "The funding line falls above rank 2" in page
    assert 'data-testid="funding-line-row"' in page
    assert "What the reviewers said" in page and "A credible plan." in page
    assert page.count("What the reviewers said") == len(apps)
    sets = re.search(r'data-testid="set-asides">(.*?)</ul>', page, re.S)
    assert sets is not None  # the fund's default rules hold a set-aside for rural consortia
    assert "<strong>Rural consortia</strong> ($2,000,000.00): Not used: no eligible " \
        "application qualifies (Consortium applicants and Rural applicants)" in sets.group(1)
    assert "set_aside:" not in page and "policy: partial" not in page


def test_the_decision_page_says_why_a_set_aside_went_unused(personas):
    data = innovation_fund_default()
    data["funding"]["set_asides"] = [{"key": "rural", "label": "Rural districts",
                                      "amount": "100000.00", "requires": ["rural"]}]
    cycle, _ = funded_cycle(personas.officer, budget="500000.00")
    cycle_configuration_save(cycle=cycle, by=personas.officer, data=data)
    recommended_application(personas, cycle, amount="300000.00", locale="11")
    page = signed_in_client(personas.decider).get(
        reverse("funding:decision_page", args=[cycle.pk])).content.decode()
    assert "<strong>Rural districts</strong> ($100,000.00): Not used: no eligible application " \
        "qualifies (Rural applicants)" in page
