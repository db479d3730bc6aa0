"""The pages, driven through HTTP: draft to award to progress report, the public round page,
open data, the staff export, the rules editor and the what-if funding line."""

from __future__ import annotations

import csv
import io
import json
from decimal import Decimal

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from playbook.funding.models import Award, ProgressReport
from playbook.programs.models import Application

from ..conftest import signed_in_client
from ..programs.helpers import ANSWERS
from .helpers import funded_cycle, recommended_application

pytestmark = pytest.mark.django_db


def _ok(response):  # type: ignore[no-untyped-def]
    assert response.status_code in (200, 302), response.content.decode()[:2000]
    return response


def test_draft_to_award_to_progress_report_through_the_pages(personas, settings, tmp_path):
    settings.DATA_DIR = tmp_path
    cycle, approp = funded_cycle(personas.officer)
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
    budget = {"lines-TOTAL_FORMS": "3", "lines-INITIAL_FORMS": "0",
              "lines-MIN_NUM_FORMS": "0", "lines-MAX_NUM_FORMS": "40",
              "lines-0-category": "Technology", "lines-0-description": "Devices",
              "lines-0-state_amount": "300000.00", "lines-0-match_cash": "45000.00",
              "lines-0-match_in_kind": "0"}
    _ok(leader.post(reverse("programs:application_budget", args=[app.pk]), budget))
    _ok(leader.post(reverse("programs:application_attachments", args=[app.pk]), {
        "slot": "support_letters",
        "file": SimpleUploadedFile("letter.pdf", b"%PDF-1.4 hello", "application/pdf")}))
    page = leader.get(reverse("programs:application_detail", args=[app.pk])).content.decode()
    assert "Submit the application" in page
    mail.outbox.clear()
    _ok(leader.post(reverse("programs:application_submit", args=[app.pk])))
    app.refresh_from_db()
    assert app.status == "submitted"
    assert app.amount_requested == Decimal("300000.00")
    assert {"leader_a@example.org", "officer@example.org"} <= set(mail.outbox[0].to)

    assert "Math stations" not in leader.get(reverse("programs:screening")).content.decode()
    assert app.reference in officer.get(reverse("programs:screening")).content.decode()
    _ok(officer.post(reverse("programs:application_screen", args=[app.pk]),
                     {"action": "eligible", "reason": ""}))
    _ok(officer.post(reverse("programs:application_manage", args=[app.pk]),
                     {"action": "start_review", "reason": ""}))
    _ok(officer.post(reverse("programs:application_manage", args=[app.pk]),
                     {"action": "recommend", "reason": "Review complete."}))
    app.refresh_from_db()
    assert app.status == "recommended"

    page = decider.get(reverse("funding:decision_page", args=[cycle.pk])).content.decode()
    assert "Alder County Schools" in page
    _ok(decider.post(reverse("funding:decide", args=[app.pk]),
                     {"outcome": "approved", "amount": "300000.00", "reason": "Strong."}))
    app.refresh_from_db()
    assert app.status == "approved"
    award = Award.objects.get(application=app)

    _ok(officer.post(reverse("funding:award_commitment_add", args=[award.pk]), {
        "metric": "Students on track in math", "unit": "percent", "baseline": "41",
        "target": "60", "due_date": "2027-06-30"}))
    _ok(officer.post(reverse("funding:award_execute", args=[award.pk])))
    award.refresh_from_db()
    app.refresh_from_db()
    assert award.status == "executed" and app.status == "active"

    commitment = award.commitments.get()
    _ok(leader.post(reverse("funding:report_new", args=[award.pk]), {
        "period_end": "2026-12-31", "narrative": "Stations running in all six classrooms.",
        "spent_to_date": "120000.00", f"value_{commitment.pk}": "48",
        f"note_{commitment.pk}": "Winter interim"}))
    report = ProgressReport.objects.get(award=award)
    _ok(officer.post(reverse("funding:report_review", args=[report.pk]),
                     {"decision": "accept", "note": "Good progress."}))
    report.refresh_from_db()
    app.refresh_from_db()
    assert report.status == "accepted"
    assert app.status == "monitored"

    _ok(leader.post(reverse("funding:award_match", args=[award.pk]), {
        "kind": "cash", "amount": "45000.00", "description": "District general fund",
        "received_on": "2026-09-01"}))
    page = leader.get(reverse("funding:award_detail", args=[award.pk])).content.decode()
    assert "(met)" in page

    history = officer.get(reverse("programs:application_detail", args=[app.pk])).content.decode()
    for step in ("submit", "screen_eligible", "start_review", "recommend", "approve",
                 "activate", "monitor"):
        assert f"<td>{step}</td>" in history
    approp.refresh_from_db()
    assert approp.committed_amount == Decimal("300000.00")


def test_applicant_sees_why_an_incomplete_draft_cannot_be_submitted(personas):
    cycle, _ = funded_cycle(personas.officer)
    leader = signed_in_client(personas.leader_a)
    leader.post(reverse("programs:application_new", args=[cycle.pk]),
                {"applicant": personas.district_a.pk, "title": "Thin"})
    app = Application.objects.get(title="Thin")
    page = leader.get(reverse("programs:application_detail", args=[app.pk])).content.decode()
    assert "Before you can submit" in page
    assert "Budget: add at least one budget line." in page
    response = leader.post(reverse("programs:application_submit", args=[app.pk]), follow=True)
    assert "not complete" in response.content.decode()
    app.refresh_from_db()
    assert app.status == "draft"


def test_public_round_page_and_open_data(personas, client):
    cycle, _ = funded_cycle(personas.officer)
    funded = recommended_application(personas, cycle, amount="250000.00")
    from playbook.funding.services import decision_record

    decision_record(application=funded, by=personas.decider, outcome="approved",
                    amount=Decimal("200000.00"))
    recommended_application(personas, cycle, amount="100000.00")
    page = client.get(reverse("programs:round_page", args=[cycle.pk])).content.decode()
    assert funded.applicant.name in page
    assert "$200,000.00" in page
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
    from ..programs.helpers import complete_draft

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
    recommended_application(personas, cycle).pk  # noqa: B018
    officer = signed_in_client(personas.officer)
    body = officer.get(reverse("programs:application_export") + f"?cycle={cycle.pk}"
                       "&status=recommended").content.decode()
    rows = list(csv.DictReader(io.StringIO(body)))
    assert len(rows) == 2
    assert any(r["title"].startswith("'=") for r in rows)
    none = officer.get(reverse("programs:application_export") + "?status=denied").content
    assert len(list(csv.DictReader(io.StringIO(none.decode())))) == 0


def test_what_if_budget_moves_the_funding_line_on_the_decision_page(personas):
    cycle, _ = funded_cycle(personas.officer, budget="500000.00")
    for _ in range(3):
        recommended_application(personas, cycle, amount="300000.00")
    decider = signed_in_client(personas.decider)
    ranking = [(a, Decimal("80")) for a in Application.objects.filter(cycle=cycle)]
    from playbook.funding.selectors import award_plan_for_cycle

    assert award_plan_for_cycle(cycle=cycle, ranking=ranking).plan.total_awarded <= Decimal(
        "500000.00")
    big = award_plan_for_cycle(cycle=cycle, ranking=ranking, budget=Decimal("900000.00"))
    assert big.plan.total_awarded == Decimal("900000.00")
    page = decider.get(reverse("funding:decision_page", args=[cycle.pk]) + "?budget=900000")
    assert page.status_code == 200
    assert "(what-if)" in page.content.decode()


def test_rules_editor_saves_a_new_version_and_shows_field_errors(personas):
    cycle, _ = funded_cycle(personas.officer)
    officer = signed_in_client(personas.officer)
    url = reverse("programs:cycle_rules", args=[cycle.pk])
    page = officer.get(url)
    form = page.context["form"]
    data = {k: v for k, v in form.initial.items() if v is not None}
    data["applicant_types"] = list(data["applicant_types"])
    data["funded"] = "on" if data.pop("funded") else ""
    data["non_public_requires_district_partner"] = "on"
    data["reviewers_per_application"] = 4
    response = officer.post(url, data)
    assert response.status_code == 302
    assert cycle.configurations.order_by("-version").first().version == 2  # cycle is open
    data["criteria"] = '[{"key": "x", "title": "X", "weight": 0, "scale_min": 0, "scale_max": 5}]'
    response = officer.post(url, data)
    assert response.status_code == 200
    assert "rubric.criteria[0].weight: must be a number greater than 0" in (
        response.content.decode())
    data["criteria"] = "[not json"
    assert "Not valid JSON" in officer.post(url, data).content.decode()


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

