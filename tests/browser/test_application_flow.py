"""One application walked through the real pages in chromium: draft, submit, screen, review,
the board's vote, the agreement signed and countersigned, a progress report."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from playbook.programs.models import Application

from ..conftest import Personas
from ..funding.helpers import funded_cycle
from ..programs.helpers import board, complete_reviews
from .conftest import TIMEOUT_MS, sign_in, totp_now

pytestmark = pytest.mark.browser


class People:
    """One browser context (own cookies) per person, each signed in once: a TOTP code is
    accepted only once, so the officer must not sign in twice within a step."""

    def __init__(self, browser: Any, live_server: Any, site: Personas) -> None:
        self.browser, self.url, self.site = browser, live_server.url, site
        self.pages: dict[str, Any] = {}

    def as_(self, username: str) -> Any:
        if username not in self.pages:
            context = self.browser.new_context(base_url=self.url,
                                               viewport={"width": 1280, "height": 900})
            context.set_default_timeout(TIMEOUT_MS)
            page = context.new_page()
            sign_in(page, username)
            if username in ("officer", "admin", "auditor"):
                user = getattr(self.site, username if username != "admin" else "admin")
                page.get_by_label("Six-digit code").fill(totp_now(user))
                page.get_by_role("button", name="Confirm").click()
                expect(page).to_have_url("/accounts/home/")
            self.pages[username] = page
        return self.pages[username]

    def close(self) -> None:
        for page in self.pages.values():
            page.context.close()


@pytest.fixture
def people(browser: Any, live_server: Any, site: Personas) -> Any:
    p = People(browser, live_server, site)
    yield p
    p.close()


def test_one_application_from_draft_to_award_and_progress_report(people: Any,
                                                                  site: Personas) -> None:
    cycle, _ = funded_cycle(site.officer)
    members = board(site, size=3)

    # The district leader drafts and submits.
    page = people.as_("leader_a")
    page.goto("/programs/")
    page.get_by_role("link", name=re.compile("Start an application")).click()
    page.get_by_label("Project title").fill("Math stations for the middle grades")
    page.get_by_role("button", name="Start the application").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Math stations for the middle grades")
    page.get_by_label("Purpose").fill("Blended math stations in grades 6-8.")
    page.get_by_label("Need: the students and the problem").fill(
        "Two in five students are two grade levels behind in math.")
    page.get_by_label(re.compile("^The model and how it changes")).fill(
        "Station rotation with small-group instruction and adaptive practice.")
    page.get_by_label("Students served").fill("480")
    page.get_by_label(re.compile("^How the work is sustained")).fill(
        "Licenses move to the general fund in year three.")
    page.get_by_role("button", name="Save and continue").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Budget")
    page.locator("#id_lines-0-category").select_option("Technology")
    page.locator("#id_lines-0-description").fill("Devices and licenses")
    page.locator("#id_lines-0-state_amount").fill("300000.00")
    page.locator("#id_lines-0-match_cash").fill("45000.00")
    page.get_by_role("button", name="Save budget").click()
    expect(page.get_by_role("status").first).to_contain_text("$300,000.00 requested")
    page.get_by_role("link", name="Review and submit").click()
    page.locator('button[data-step="submit"]').click()  # not yet certified: the browser asks
    expect(page.get_by_test_id("status")).to_have_text("Draft")
    page.locator("label[for=certify-submit]").click()  # USWDS hides the box behind its label
    page.locator('button[data-step="submit"]').click()
    expect(page.get_by_test_id("status")).to_have_text("Submitted: to screen")
    app = Application.objects.get(title="Math stations for the middle grades")

    # The program officer screens it, sends it to review; recommending waits for the reviews.
    page = people.as_("officer")
    page.goto(f"/programs/applications/{app.pk}/")
    page.get_by_role("link", name="Screen this application").click()
    page.get_by_label("Eligible: move on to review").check()
    page.get_by_role("button", name="Record screening").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Screening queue")
    page.goto(f"/programs/applications/{app.pk}/")
    page.locator('button[data-step="start_review"]').click()
    expect(page.get_by_test_id("status")).to_have_text("In independent review")
    expect(page.locator('[data-unavailable="recommend"]')).to_contain_text(
        "Independent review is required")
    complete_reviews(app)
    page.reload()
    page.locator('button[data-step="recommend"]').click()
    expect(page.get_by_test_id("status")).to_have_text("Recommended: for the decision body")

    # The officer opens the board's vote from the funding line, on the plan's amount.
    page.goto(f"/funding/cycles/{cycle.pk}/decisions/")
    page.get_by_test_id("ranking").get_by_role("link", name=re.compile("Open the vote")).click()
    expect(page.get_by_label("Amount awarded ($)")).to_have_value("300000.00")
    page.get_by_role("button", name="Open the vote").click()
    expect(page.get_by_test_id("ballot-summary")).to_contain_text("Voting open")
    ballot_url = page.url

    # Three members vote; one alone could not decide (quorum 3).
    for member in members:
        voter = people.as_(member.username)
        voter.goto(ballot_url)
        expect(voter.get_by_role("heading", name="What the reviewers said")).to_be_visible()
        voter.get_by_label("Approve", exact=True).check()
        voter.get_by_test_id("cast-vote").click()
        expect(voter.get_by_test_id("vote-record")).to_contain_text(member.username)
    page.goto(ballot_url)
    page.get_by_test_id("close-vote").click()
    expect(page.get_by_test_id("status")).to_have_text("Approved")

    # The officer writes the agreement's commitment and signs; the grantee countersigns.
    page.get_by_role("link", name=re.compile("^Award agreement:")).first.click()
    page.locator("#id_measure").fill("Students on track in math")
    page.get_by_label("Unit").fill("percent")
    page.get_by_label("Baseline").fill("41")
    page.get_by_label("Target").fill("60")
    page.get_by_label("Due date").fill("2027-06-30")
    page.get_by_role("button", name="Add the commitment").click()
    page.locator('button[data-step="sign"]').click()
    expect(page.get_by_test_id("agreement-status")).to_have_text(
        "Signed by the office: awaiting countersignature")
    agreement_url = page.url

    page = people.as_("leader_a")
    page.goto(agreement_url)
    page.locator('button[data-step="countersign"]').click()
    expect(page.get_by_test_id("agreement-status")).to_have_text("Active")

    # The grantee reports progress; the officer accepts it.
    page.get_by_role("link", name="Report progress").click()
    page.get_by_label("Period ending").fill("2026-12-31")
    page.get_by_label("Progress in a few sentences").fill("Stations running in six rooms.")
    page.get_by_label("Spent to date ($)").fill("120000.00")
    page.get_by_label("Students on track in math (percent)").fill("48")
    page.get_by_role("button", name="Submit the report").click()
    expect(page.get_by_test_id("report-status")).to_have_text("Submitted")
    report_url = page.url

    page = people.as_("officer")
    page.goto(report_url)
    page.get_by_label("Accept").check()
    page.get_by_role("button", name="Record").click()
    expect(page.get_by_test_id("report-status")).to_have_text("Accepted")
    page.goto(agreement_url)
    expect(page.get_by_test_id("agreement-status")).to_have_text("Active: monitored")
    expect(page.get_by_test_id("history")).to_contain_text("Countersigned: executed")
