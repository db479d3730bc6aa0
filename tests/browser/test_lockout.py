"""Repeated wrong passwords lock the account, and the page says so."""

from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings
from playwright.sync_api import expect

from ..conftest import Personas
from .conftest import sign_in

pytestmark = pytest.mark.browser


def test_five_wrong_passwords_lock_the_account(page: Any, site: Personas) -> None:
    assert settings.AXES_FAILURE_LIMIT == 5
    for _attempt in range(4):
        sign_in(page, "leader_a", "not the password")
        expect(page.locator("[data-error-summary]")).to_contain_text(
            "Please enter a correct username and password")

    with page.expect_response(lambda r: r.request.method == "POST") as posted:
        sign_in(page, "leader_a", "not the password")
    assert posted.value.status == 429
    expect(page.get_by_role("heading", level=1)).to_have_text("Too many failed sign-ins")
    expect(page.get_by_role("alert")).to_contain_text("locked")

    # Locked means locked: the right password is refused too.
    with page.expect_response(lambda r: r.request.method == "POST") as posted:
        sign_in(page, "leader_a")
    assert posted.value.status == 429
    expect(page.get_by_role("heading", level=1)).to_have_text("Too many failed sign-ins")
