"""axe (WCAG 2.1 A/AA and best practices) finds nothing on the pages and their error states."""

from __future__ import annotations

from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from ..conftest import Personas
from .conftest import sign_in, totp_now

pytestmark = pytest.mark.browser

AXE = Axe()


def axe_report(violations: list[dict[str, Any]]) -> str:
    lines = []
    for v in violations:
        lines.append(f"- {v['id']} ({v['impact']}): {v['help']} [{v['helpUrl']}]")
        for node in v["nodes"]:
            lines.append(f"    at {' '.join(map(str, node['target']))}: {node['html'][:200]}")
            if node.get("failureSummary"):
                summary = node["failureSummary"].replace("\n", "\n      ")
                lines.append(f"      {summary}")
    return "\n".join(lines)


def assert_accessible(page: Any, what: str) -> None:
    page.wait_for_load_state("load")
    violations = AXE.run(page).response["violations"]
    assert not violations, (
        f"axe found {len(violations)} violation(s) on {what} ({page.url}):\n"
        + axe_report(violations)
    )


@pytest.mark.parametrize(
    ("path", "what", "shows"),
    [
        ("/", "the public home page", "Office of Innovation"),
        ("/directory/?q=Alder", "the directory with results", "Alder Elementary"),
        ("/directory/?q=no+such+school", "the directory with no results",
         "Nothing matches your search."),
        ("/accounts/sign-in/", "the sign-in page", "Sign in"),
    ],
)
def test_public_pages_are_accessible(
    page: Any, site: Personas, path: str, what: str, shows: str
) -> None:
    page.goto(path)
    expect(page.get_by_role("main")).to_contain_text(shows)
    assert_accessible(page, what)


def test_small_screen_menu_opens_and_is_accessible(page: Any, site: Personas) -> None:
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto("/directory/?q=Birch")
    nav = page.get_by_role("navigation", name="Primary")
    expect(nav).to_be_hidden()
    page.get_by_role("button", name="Menu").click()  # needs USWDS's JavaScript
    expect(nav).to_be_visible()
    expect(nav.get_by_role("link", name="Sign in")).to_be_visible()
    assert_accessible(page, "the directory on a phone, menu open")
    page.get_by_role("button", name="Close").click()
    expect(nav).to_be_hidden()


def test_failed_sign_in_is_accessible(page: Any, site: Personas) -> None:
    sign_in(page, "officer", "wrong password")
    expect(page.locator("[data-error-summary]")).to_contain_text(
        "Please enter a correct username and password")
    assert_accessible(page, "the sign-in page after a failed sign-in")


def test_first_code_enrolment_is_accessible(page: Any, site: Personas) -> None:
    site.auditor.totpdevice_set.all().delete()
    sign_in(page, "auditor")
    expect(page.get_by_test_id("totp-secret")).to_be_visible()
    assert_accessible(page, "the authenticator enrolment page (QR code)")


def test_lockout_page_is_accessible(page: Any, site: Personas) -> None:
    for _attempt in range(5):
        sign_in(page, "vendor", "wrong password")
    expect(page.get_by_role("heading", level=1)).to_have_text("Too many failed sign-ins")
    assert_accessible(page, "the locked-out page")


def test_skip_link_is_first_visible_on_focus_and_moves_focus_to_main(
    page: Any, site: Personas
) -> None:
    page.goto("/directory/")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to main content")
    expect(skip).to_be_focused()
    # USWDS slides it into view (a 0.2 s transition).
    # (polled from here: wait_for_function evaluates a string, which the site's CSP refuses)
    for _ in range(40):
        if skip.evaluate("e => e.getBoundingClientRect().top") >= 0:
            break
        page.wait_for_timeout(50)
    assert skip.evaluate("e => e.getBoundingClientRect().top") >= 0, "the skip link slid in"
    outline = skip.evaluate("e => getComputedStyle(e).outlineStyle")
    assert outline != "none", "the focused skip link shows a focus outline"
    page.keyboard.press("Enter")
    expect(page.locator("#main-content")).to_be_focused()


def test_wrong_code_and_staff_registry_are_accessible(page: Any, site: Personas) -> None:
    sign_in(page, "officer")
    expect(page.get_by_role("heading", level=1)).to_have_text("Confirm your sign-in")
    right = totp_now(site.officer)
    wrong = f"{(int(right) + 500_000) % 1_000_000:06d}"
    page.get_by_label("Six-digit code").fill(wrong)
    page.get_by_role("button", name="Confirm").click()
    code = page.get_by_label("Six-digit code")
    expect(code).to_have_attribute("aria-invalid", "true")
    expect(page.locator(".usa-error-message")).to_contain_text("That code is not right")
    expect(page.locator("[data-error-summary]")).to_contain_text("That code is not right")
    assert_accessible(page, "the code page after a wrong code")

    # django-otp throttles a device for a second after a failure.
    page.wait_for_timeout(1_100)
    code.fill(totp_now(site.officer))
    page.get_by_role("button", name="Confirm").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Welcome")
    assert_accessible(page, "My work")

    page.goto("/registry/")
    expect(page.get_by_test_id("results")).to_contain_text("Alder Elementary")
    assert_accessible(page, "the staff registry list")

    page.goto("/registry/?q=no+such+school")
    expect(page.get_by_test_id("results")).to_contain_text("Nothing matches your search.")
    assert_accessible(page, "the staff registry list with no results")


def test_the_spine_pages_are_accessible(page: Any, site: Personas) -> None:
    """The lifecycle page, the vote, the agreement and the rules editor (and its errors)."""
    from playbook.programs.services import agreements

    from ..funding.helpers import funded_cycle, recommended_application
    from ..programs.helpers import board, decide

    cycle, _ = funded_cycle(site.officer)
    board(site, size=3)
    app = recommended_application(site, cycle, amount="300000.00",
                                  district=site.district_a, leader=site.leader_a)
    ballot = decide(app, officer=site.officer, outcome="conditional", amount="250000.00",
                    conditions="Name the evaluator.")
    agreement = app.agreement
    from decimal import Decimal

    agreements.commitment_add(agreement=agreement, by=site.officer, measure="Math on track",
                              unit="percent", baseline=Decimal("40"), target=Decimal("55"),
                              due_date=agreement.end_date)
    sign_in(page, "officer")
    page.get_by_label("Six-digit code").fill(totp_now(site.officer))
    page.get_by_role("button", name="Confirm").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Welcome")
    for path, what in [
        (f"/programs/applications/{app.pk}/", "the application's lifecycle page"),
        (f"/programs/votes/{ballot.pk}/", "the decision body's vote"),
        (f"/programs/agreements/{agreement.pk}/", "the agreement"),
        (f"/funding/awards/{agreement.award.pk}/", "the award's money"),
        (f"/programs/cycles/{cycle.pk}/rules/", "the rules editor"),
        (f"/registry/{site.district_a.pk}/", "the organization with its instruments"),
    ]:
        page.goto(path)
        expect(page.get_by_role("main")).to_be_visible()
        assert_accessible(page, what)
    page.goto(f"/programs/cycles/{cycle.pk}/rules/")
    weight = page.locator('input[name="rubric.criteria.0.weight"]')
    weight.fill("-3")
    page.get_by_role("button", name="Save the rules").click()
    expect(page.locator("[data-error-summary]")).to_contain_text("Criterion 1 / Weight")
    assert_accessible(page, "the rules editor with an error")
