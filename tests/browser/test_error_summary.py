"""A reviewer who submits an incomplete score sheet lands on the error summary at the top of
the page (focused), not on errors 1,400 px down; each link in it moves to its field."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from playbook.programs.services import lifecycle
from playbook.reviews.models import Assignment
from playbook.reviews.services import assignment_add, attestation_sign, reviewer_profile_create

from ..conftest import Personas
from ..programs.helpers import complete_draft, make_cycle
from .conftest import sign_in
from .test_accessibility import assert_accessible

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("width", [1280, 390])
def test_an_incomplete_score_sheet_opens_on_its_error_summary(page: Any, site: Personas,
                                                              width: int) -> None:
    page.set_viewport_size({"width": width, "height": 900})
    cycle = make_cycle(site.officer)
    app = complete_draft(cycle=cycle, applicant=site.district_a, by=site.leader_a)
    lifecycle.application_submit(application=app, by=site.leader_a)
    lifecycle.application_screen(application=app, by=site.officer, eligible=True)
    app = lifecycle.application_start_review(application=app, by=site.officer)
    profile = reviewer_profile_create(user=site.reviewer, expertise=[])
    attestation_sign(reviewer=profile, fiscal_year=cycle.fiscal_year)
    assignment = assignment_add(application=app, reviewer=profile)
    assert isinstance(assignment, Assignment)

    sign_in(page, "reviewer")
    page.goto(f"/reviews/assignments/{assignment.pk}/")
    page.get_by_role("button", name="Submit review").click()
    summary = page.locator("[data-error-summary]")
    expect(summary).to_be_visible()
    expect(summary).to_be_focused()
    box = summary.bounding_box()
    assert box is not None and box["y"] < 900, f"the summary starts {box} down the page"
    assert page.evaluate("window.scrollY") < 400
    assert page.title().startswith("Error: ")
    links = summary.get_by_role("link")
    assert links.count() >= 1
    target = links.first.get_attribute("href")
    links.first.click()
    expect(page.locator(target)).to_be_focused()
    assert_accessible(page, f"the score sheet sent back with errors at {width} px")
