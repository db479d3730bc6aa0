"""The innovation fund's Play 1 pages in a browser, checked with axe: an officer checks a
match contribution on the award page (and finds it in the queue), a district leader chooses a
grant type on the budget page, and the public reads grantee performance on the round page."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from playwright.sync_api import expect

from playbook.funding.models import MatchContribution
from playbook.funding.rules import innovation_fund_default, kentucky_grant_types
from playbook.funding.services import match_contribution_record

from ..conftest import Personas
from ..funding.helpers import approved_award, board, funded_cycle, put_in_force
from ..programs.helpers import complete_draft, make_cycle
from .conftest import sign_in, totp_now
from .test_accessibility import assert_accessible

pytestmark = pytest.mark.browser


def test_an_officer_verifies_a_private_gift_and_the_public_reads_performance(
    page: Any, site: Personas
) -> None:
    cycle, _ = funded_cycle(site.officer)
    board(site, size=3)
    award = approved_award(site, cycle)
    put_in_force(award, officer=site.officer, grantee=site.leader_a)
    gift = match_contribution_record(
        award=award, by=site.leader_a, kind="cash", source="philanthropic",
        contributor="Alder Education Foundation", amount=Decimal("45000.00"),
        description="Coaching grant", received_on=timezone.localdate() - timedelta(days=5),
        evidence=SimpleUploadedFile("letter.pdf", b"%PDF-1.4 letter", "application/pdf"))

    sign_in(page, "officer")
    page.get_by_label("Six-digit code").fill(totp_now(site.officer))
    page.get_by_role("button", name="Confirm").click()
    page.goto("/funding/match/")
    expect(page.get_by_role("main")).to_contain_text("Alder Education Foundation")
    assert_accessible(page, "the match contributions waiting")
    page.goto(f"/funding/awards/{award.pk}/")
    expect(page.get_by_test_id("contributions")).to_contain_text("Waiting for the office")
    assert_accessible(page, "the award with a contribution to check")
    page.locator("label.usa-radio__label", has_text="Not accepted").click()  # USWDS hides the input
    page.get_by_role("button", name="Record the check").click()
    expect(page.locator(".usa-alert").first).to_contain_text("not accepted")
    assert MatchContribution.objects.get(pk=gift.pk).status == "pending"
    page.locator("label.usa-radio__label", has_text="Verify").click()
    page.get_by_role("button", name="Record the check").click()
    expect(page.get_by_test_id("match")).to_contain_text("(met)")
    assert MatchContribution.objects.get(pk=gift.pk).status == "verified"

    page.goto(f"/programs/rounds/{cycle.pk}/")
    expect(page.get_by_role("main")).to_contain_text("Grantee performance")
    expect(page.get_by_role("main")).to_contain_text("Students on track in math")
    assert_accessible(page, "the public round page with grantee performance")


def test_a_leader_chooses_a_grant_type_on_the_budget_page(page: Any, site: Personas) -> None:
    doc = innovation_fund_default()
    doc["funding"]["grant_types"] = kentucky_grant_types()
    cycle = make_cycle(site.officer, data=doc)
    app = complete_draft(cycle=cycle, applicant=site.district_a, by=site.leader_a,
                         amount="120000.00")
    sign_in(page, "leader_a")
    page.goto(f"/funding/applications/{app.pk}/budget/")
    expect(page.get_by_role("main")).to_contain_text("Scaling grant")
    assert_accessible(page, "the budget page with grant types")
    page.get_by_label("Grant type").select_option("research")
    page.get_by_role("button", name="Save budget").click()
    expect(page.locator(".usa-alert").first).to_contain_text("Budget saved")
    assert app.grant.__class__.objects.get(application=app).grant_type == "research"
