"""A program officer signs in through the real pages (password, then TOTP) and searches."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from ..conftest import Personas
from .conftest import sign_in, totp_now

pytestmark = pytest.mark.browser


def test_officer_signs_in_with_totp_and_searches_registry_and_directory(
    page: Any, site: Personas
) -> None:
    sign_in(page, "officer")
    expect(page).to_have_url("/accounts/sign-in/verify/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Confirm your sign-in")

    page.get_by_label("Six-digit code").fill(totp_now(site.officer))
    page.get_by_role("button", name="Confirm").click()

    expect(page).to_have_url("/accounts/home/")
    expect(page.get_by_role("link", name="My work")).to_have_attribute("aria-current", "page")
    header = page.get_by_role("banner").filter(has=page.get_by_role("navigation"))
    expect(header.get_by_test_id("role")).to_have_text("Program officer")
    expect(header).to_contain_text("Signed in as")

    primary = page.get_by_role("navigation", name="Primary")
    primary.get_by_role("link", name="Registry").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Organization registry")
    results = page.get_by_test_id("results")
    expect(results).to_contain_text("Birch Middle")
    page.get_by_label("Name, NCES ID or city").fill("Alder Elementary")
    page.get_by_role("button", name="Search").click()
    expect(page).to_have_url(re.compile(r"/registry/\?q=Alder\+Elementary"))
    expect(results.get_by_role("link", name="Alder Elementary")).to_be_visible()
    expect(results).not_to_contain_text("Birch Middle")

    primary.get_by_role("link", name="Directory").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Directory")
    page.get_by_label("Name, NCES ID or city").fill("Birch")
    page.get_by_role("button", name="Search").click()
    expect(results.get_by_role("link", name="Birch Middle")).to_be_visible()
    expect(results.get_by_role("link", name="Birch City Schools")).to_be_visible()
    expect(results).not_to_contain_text("Alder Elementary")
    # Still signed in, still showing who: the header travels with every page.
    expect(page.get_by_test_id("role")).to_have_text("Program officer")


def test_district_leader_sees_role_and_organization_in_header(page: Any, site: Personas) -> None:
    sign_in(page, "leader_a")
    expect(page).to_have_url("/accounts/home/")
    expect(page.get_by_test_id("role")).to_have_text("District leader")
    expect(page.get_by_test_id("organization")).to_have_text("Alder County Schools")
    primary = page.get_by_role("navigation", name="Primary")
    expect(primary.get_by_role("link", name="Student data")).to_have_count(0)

    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("status")).to_contain_text("You are signed out.")
    expect(page.get_by_test_id("role")).to_have_count(0)
