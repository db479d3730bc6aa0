"""Every role's home lists its work, in a browser (desktop and a 390 px phone), axe-clean: the
district leader's draft and the reviewer's assignment with their due dates, the officer's queue,
and a parent's home that still goes somewhere."""

from __future__ import annotations

import os
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from playbook.programs.services import lifecycle
from playbook.reviews.models import ReviewRound
from playbook.reviews.services import assignment_add, attestation_sign, reviewer_profile_create

from ..conftest import Personas
from ..programs.helpers import complete_draft, make_cycle
from .conftest import sign_in, totp_now
from .test_accessibility import assert_accessible

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("width", [1280, 390])
def test_each_role_finds_its_tasks_on_its_home(page: Any, site: Personas, width: int) -> None:
    page.set_viewport_size({"width": width, "height": 900})
    cycle = make_cycle(site.officer)
    complete_draft(cycle=cycle, applicant=site.district_a, by=site.leader_a,
                   title="Alder math lab")
    other = complete_draft(cycle=cycle, applicant=site.district_b, by=site.leader_b,
                           title="Birch reading studio")
    lifecycle.application_submit(application=other, by=site.leader_b)
    lifecycle.application_screen(application=other, by=site.officer, eligible=True)
    other = lifecycle.application_start_review(application=other, by=site.officer)
    profile = reviewer_profile_create(user=site.reviewer, expertise=[])
    attestation_sign(reviewer=profile, fiscal_year=cycle.fiscal_year)
    assignment_add(application=other, reviewer=profile)
    due = timezone.localdate() + timedelta(days=10)
    ReviewRound.objects.update_or_create(cycle=cycle, defaults={"reviews_due": due})

    sign_in(page, "leader_a")
    tasks = page.locator("section[aria-labelledby=tasks-heading]")
    expect(tasks).to_contain_text("Finish and submit Alder math lab")
    expect(tasks).to_contain_text(f"Due {timezone.localtime(cycle.closes_at):%B %-d, %Y}")
    expect(tasks).not_to_contain_text("Birch")
    assert_accessible(page, f"the district leader's home at {width} px")
    _shot(page, f"home-district-leader-{width}")
    _no_sideways_scroll(page)
    page.get_by_role("link", name="Finish and submit Alder math lab").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Alder math lab")

    page.context.clear_cookies()
    sign_in(page, "reviewer")
    expect(tasks).to_contain_text("Score Birch reading studio")
    expect(tasks).to_contain_text(f"Due {due:%B %-d, %Y}")
    expect(tasks).to_contain_text("Due soon")
    assert_accessible(page, f"the reviewer's home at {width} px")
    _shot(page, f"home-reviewer-{width}")
    _no_sideways_scroll(page)

    page.context.clear_cookies()
    sign_in(page, "officer")
    page.get_by_label("Six-digit code").fill(totp_now(site.officer))
    page.get_by_role("button", name="Confirm").click()
    expect(tasks).to_contain_text("1 review outstanding")
    assert_accessible(page, f"the officer's home at {width} px")
    _shot(page, f"home-officer-{width}")
    _no_sideways_scroll(page)

    page.context.clear_cookies()
    sign_in(page, "parent")
    expect(tasks).to_contain_text("Nothing is waiting for you today")
    expect(page.get_by_role("link", name="Find a school or district")).to_be_visible()
    assert_accessible(page, f"the parent's home at {width} px")
    _shot(page, f"home-parent-{width}")


def _shot(page: Any, name: str) -> None:
    """With PLAYBOOK_SHOTS=DIR, a full-page screenshot to look at (nothing is asserted)."""
    folder = os.environ.get("PLAYBOOK_SHOTS")
    if folder:
        page.screenshot(path=os.path.join(folder, f"{name}.png"), full_page=True)


def _no_sideways_scroll(page: Any) -> None:
    wide = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert wide <= 0, f"{page.url} scrolls sideways by {wide} px"
