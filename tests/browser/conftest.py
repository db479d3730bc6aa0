"""Browser tests: Debian's chromium driven by Playwright's sync API against ``live_server``.

No browser is ever downloaded: the tests use ``/usr/bin/chromium`` (``PLAYBOOK_CHROMIUM`` to point
elsewhere) and are skipped where it is missing. Our own ``browser`` (one per session) and ``page``
(a fresh context per test: no cookies carried over) replace pytest-playwright's fixtures.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from typing import Any

import pytest
from django_otp.oath import TOTP

from playbook.accounts.models import User

from ..conftest import Personas
from ..factories import PASSWORD

# Playwright's sync API runs an event loop in the test thread; Django's ORM (fixtures, live
# server data) would otherwise refuse to run there.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = os.environ.get("PLAYBOOK_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
TIMEOUT_MS = 10_000


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not shutil.which(CHROMIUM):
        pytest.skip(f"no chromium at {CHROMIUM} (browser tests never download one)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: Any, live_server: Any) -> Iterator[Any]:
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
    context.set_default_timeout(TIMEOUT_MS)
    pg = context.new_page()
    yield pg
    context.close()


@pytest.fixture
def fast_password_hashing(settings: Any) -> None:
    """MD5 instead of Argon2 for the personas' passwords and the sign-ins: hashing is not what
    these tests are about, and Argon2 would spend seconds per test on it."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def site(transactional_db: Any, fast_password_hashing: None, personas: Personas) -> Personas:
    """The personas, in a database the live server's thread can see (``transactional_db``)."""
    return personas


def totp_now(user: User) -> str:
    """The current six-digit code of ``user``'s confirmed authenticator."""
    device = user.totpdevice_set.get(confirmed=True)
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{totp.token():0{device.digits}d}"


def sign_in(page: Any, username: str, password: str = PASSWORD) -> None:
    """Fill in and submit the real sign-in page."""
    page.goto("/accounts/sign-in/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in", exact=True).click()
    page.wait_for_load_state()
