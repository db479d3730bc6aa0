"""The budget form helps (issue 11, item 7): amounts typed with commas, a line added on demand,
and the totals and the match they imply shown as you type; what is saved is what was typed."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from playwright.sync_api import expect

from playbook.funding.models import BudgetLine

from ..conftest import Personas
from ..programs.helpers import make_cycle
from .conftest import sign_in
from .test_accessibility import assert_accessible

pytestmark = pytest.mark.browser


def test_a_leader_adds_a_line_and_sees_the_match_as_they_type(page: Any, site: Personas) -> None:
    from playbook.programs.services.applications import application_start

    cycle = make_cycle(site.officer)
    app = application_start(cycle=cycle, applicant=site.district_a, by=site.leader_a,
                            title="Alder math lab")
    sign_in(page, "leader_a")
    page.goto(f"/funding/applications/{app.pk}/budget/")
    totals = page.locator("[data-budget-totals]")
    expect(totals).to_be_visible()
    page.locator("#id_lines-0-category").select_option(index=1)
    page.locator("#id_lines-0-description").fill("Devices")
    page.locator("#id_lines-0-state_amount").fill("120,000")
    page.locator("#id_lines-0-match_cash").fill("$10,000")
    expect(page.locator("[data-total=state_amount]")).to_have_text("$120,000.00")
    expect(page.locator("[data-total=match_cash]")).to_have_text("$10,000.00")
    required = page.locator("[data-total=required]").inner_text()
    assert required.startswith("$") and required != "$0.00"
    expect(page.locator("[data-budget-status]")).to_contain_text("short")

    lines = page.locator("[data-budget-lines] [data-budget-line]")
    assert lines.count() == 3
    page.get_by_role("button", name="Add a budget line").click()
    assert lines.count() == 4
    expect(page.locator("#id_lines-3-state_amount")).to_be_visible()
    expect(lines.nth(3).locator("legend")).to_have_text("Budget line 4")
    page.locator("#id_lines-3-category").select_option(index=1)
    page.locator("#id_lines-3-description").fill("Coaching")
    page.locator("#id_lines-3-state_amount").fill("5,500.50")
    expect(page.locator("[data-total=state_amount]")).to_have_text("$125,500.50")
    assert_accessible(page, "the budget form with a line added")
    page.get_by_role("button", name="Save budget").click()
    expect(page.locator(".usa-alert--success").first).to_be_visible()
    saved = sorted(BudgetLine.objects.filter(application=app)
                   .values_list("state_amount", flat=True))
    assert saved == [Decimal("5500.50"), Decimal("120000.00")]
