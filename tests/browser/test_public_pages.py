"""The public side on a phone and a desktop: find a school, read its rating, nothing sideways."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from playbook.organizations.models import Organization

from ..conftest import Personas
from .test_accessibility import assert_accessible
from .test_report_cards import _published_school

pytestmark = pytest.mark.browser
PHONE = {"width": 390, "height": 844}


def _no_sideways_scroll(page: Any, what: str) -> None:
    width = page.evaluate("document.documentElement.clientWidth")
    scroll = page.evaluate("document.documentElement.scrollWidth")
    assert scroll <= width, f"{what} ({page.url}) scrolls sideways: {scroll} > {width} px"


def _buttons_have_visible_labels(page: Any, what: str) -> None:
    unlabelled = page.evaluate("""() => [...document.querySelectorAll(
        'button, input[type=submit], .usa-button')].filter(b => b.offsetParent !== null)
        .filter(b => !(b.innerText || b.value || '').trim()
                     && !b.querySelector('img[alt]:not([alt=""])'))
        .map(b => b.outerHTML.slice(0, 120))""")
    assert not unlabelled, f"buttons without a visible label on {what}: {unlabelled}"


def test_a_parent_on_a_phone_finds_a_school_and_reads_its_rating(page: Any,
                                                                  site: Personas) -> None:
    school = _published_school()
    org = Organization.objects.get(nces_id=school.entity_id)
    page.set_viewport_size(PHONE)
    page.goto("/")
    box = page.get_by_role("searchbox", name="Find a school or district")
    expect(box).to_be_visible()
    box.press_sequentially(org.name[:7], delay=40)  # results come as the parent types
    results = page.get_by_test_id("find-results")
    expect(results.get_by_role("link", name=org.name, exact=True)).to_be_visible()
    assert page.url.endswith("/"), "the results came without leaving the page"
    _no_sideways_scroll(page, "the home page with results")
    assert_accessible(page, "the home page with results, on a phone")
    results.get_by_role("link", name=org.name, exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(org.name)
    page.get_by_test_id("card-link").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(school.entity_name)
    summary = page.get_by_test_id("rating-summary")
    expect(summary.get_by_test_id("overall-rating")).to_have_text(school.rating)
    expect(summary.get_by_test_id("rating-meaning")).to_contain_text(
        f"{school.rating} means this school")
    expect(summary.get_by_test_id("rating-scale").locator("[aria-current=true]")
           ).to_contain_text(school.rating)
    expect(summary.get_by_test_id("comparison")).to_contain_text("The state:")
    # the summary fits the first two screens of a phone
    bottom = summary.evaluate("e => e.getBoundingClientRect().bottom + scrollY")
    assert bottom < 2 * 844 + 600, bottom
    _no_sideways_scroll(page, "the report card")
    assert_accessible(page, "a school's report card, on a phone")
    # a part of the detail opens on a tap and shows its measures with their labels
    part = page.get_by_test_id("component-growth")
    part.locator("summary").click()
    cell = part.locator("td[data-label=Level]").first
    expect(cell).to_be_visible()
    label = cell.evaluate("e => getComputedStyle(e, '::before').content")
    assert "Level" in label, "the stacked table keeps its column label"
    _no_sideways_scroll(page, "the report card with a part open")
    assert_accessible(page, "a report card with a part open, on a phone")


def test_finding_a_school_and_opening_the_detail_work_without_javascript(
        browser: Any, live_server: Any, site: Personas) -> None:
    school = _published_school()
    org = Organization.objects.get(nces_id=school.entity_id)
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False,
                                  viewport=PHONE)
    page = context.new_page()
    try:
        page.goto("/")
        page.get_by_role("searchbox", name="Find a school or district").fill(org.nces_id)
        page.get_by_role("button", name="Search").click()
        assert f"q={org.nces_id}" in page.url
        link = page.get_by_test_id("find-results").get_by_role("link",
                                                               name="Read its report card")
        link.click()
        expect(page.get_by_test_id("overall-rating")).to_have_text(school.rating)
        part = page.get_by_test_id("component-achievement")
        table = part.locator("table").first
        expect(table).to_be_hidden()
        part.locator("summary").click()
        expect(table).to_be_visible()
    finally:
        context.close()


def test_public_pages_fit_a_phone_label_their_buttons_and_pass_axe(page: Any,
                                                                   site: Personas) -> None:
    school = _published_school()
    org = Organization.objects.get(nces_id=school.entity_id)
    sdp = school.run.framework.slug
    pages = [
        ("/", "the home page"),
        (f"/?q={org.name[:5]}", "the home page with results"),
        ("/?q=no+such+place", "the home page with no results"),
        (f"/directory/?q={org.name[:5]}", "the directory"),
        (f"/directory/{org.pk}/", "a school's directory page"),
        (f"/directory/{org.parent_id}/", "a district's directory page"),
        ("/evidence/report-cards/", "the report cards"),
        (f"/evidence/report-cards/?q={org.name[:5]}", "the report-card search"),
        (f"/evidence/report-cards/{sdp}/school/{school.entity_id}/", "a school's report card"),
        (f"/evidence/report-cards/{sdp}/ratings/", "the ratings list"),
        (f"/evidence/report-cards/{sdp}/how-it-is-calculated/", "how the rating is calculated"),
        ("/evidence/report-cards/approved-model-report-card/how-it-is-calculated/",
         "how a model's rating is calculated"),
    ]
    for viewport in (PHONE, {"width": 1280, "height": 900}):
        page.set_viewport_size(viewport)
        for path, what in pages:
            response = page.goto(path)
            assert response is not None and response.status == 200, path
            where = f"{what} at {viewport['width']} px"
            _no_sideways_scroll(page, where)
            _buttons_have_visible_labels(page, where)
            assert_accessible(page, where)
