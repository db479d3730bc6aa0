"""Headers and pages of a hardened site: Content-Security-Policy on every page and no inline
script or style for it to block, ``Cache-Control: no-store`` where student-level data is shown,
a new session key after the second factor, the site's own 404 and 500 pages (never Django's
debug page), the demo's settings with DEBUG off, and ``playbook serve`` on gunicorn."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client, override_settings
from django.urls import include, path, reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from playbook.accounts.access import public
from playbook.accounts.selectors import totp_current_code

from .conftest import signed_in_client
from .factories import PASSWORD

SRC = Path(__file__).resolve().parents[1] / "src" / "playbook"


def _csp(response) -> dict[str, str]:  # type: ignore[no-untyped-def]
    header = response["Content-Security-Policy"]
    return {part.split()[0]: part for part in (p.strip() for p in header.split(";")) if part}


@pytest.mark.django_db
def test_every_kind_of_page_carries_a_strict_content_security_policy(personas):
    pages = [(Client(), "/"), (Client(), reverse("accounts:sign_in")),
             (Client(), "/no-such-page/"),
             (signed_in_client(personas.officer), reverse("programs:home")),
             (signed_in_client(personas.leader_a), reverse("accounts:home"))]
    for client, url in pages:
        policy = _csp(client.get(url))
        assert policy["default-src"] == "default-src 'self'", url
        assert policy["script-src"] == "script-src 'self'", url
        assert policy["style-src"] == "style-src 'self'", url
        assert policy["frame-ancestors"] == "frame-ancestors 'none'", url
        assert policy["object-src"] == "object-src 'none'", url
        assert "unsafe-inline" not in client.get(url)["Content-Security-Policy"]


INLINE = [
    (re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.I), "an inline <script>"),
    (re.compile(r"<style\b", re.I), "a <style> element"),
    (re.compile(r"\sstyle=\"", re.I), "a style attribute"),
    (re.compile(r"\son[a-z]+=\"", re.I), "an inline event handler"),
    (re.compile(r"javascript:", re.I), "a javascript: link"),
]


def test_no_template_has_inline_script_or_style_that_the_policy_would_block():
    found = []
    for template in SRC.rglob("templates/**/*.html"):
        text = template.read_text(encoding="utf-8")
        found += [f"{template.relative_to(SRC)}: {what}" for pattern, what in INLINE
                  if pattern.search(text)]
    assert found == []


@pytest.mark.django_db
def test_pages_with_student_level_data_are_never_cached(personas):
    officer = signed_in_client(personas.officer)
    for url in [reverse("studentdata:lookup"), reverse("privacy:access_log")]:
        response = officer.get(url)
        assert response.status_code == 200, url
        assert "no-store" in response["Cache-Control"], url
    lookup = officer.post(reverse("studentdata:lookup"),
                          {"student_key": "abc123", "purpose": "Check a transcript"})
    assert "no-store" in lookup["Cache-Control"]


@pytest.mark.django_db
def test_the_session_key_changes_once_the_second_factor_is_in(personas):
    client = Client()
    client.post(reverse("accounts:sign_in"), {"username": "officer", "password": PASSWORD},
                REMOTE_ADDR="10.0.0.2")
    before = client.session.session_key
    assert before
    device = TOTPDevice.objects.get(user=personas.officer)
    done = client.post(reverse("accounts:mfa"), {"token": totp_current_code(device=device)})
    assert done.status_code == 302
    after = client.session.session_key
    assert after and after != before
    assert client.get(reverse("organizations:list")).status_code == 200
    # The key seen before the second factor carries nothing any more.
    stale = Client()
    stale.cookies["sessionid"] = before
    assert stale.get(reverse("organizations:list")).status_code == 302


@pytest.mark.django_db
def test_a_missing_page_is_the_sites_own_404_in_its_layout(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    text = response.content.decode()
    assert "Page not found" in text and "usa-banner" in text
    assert "URLconf" not in text and "Traceback" not in text


@public
def _boom(request):  # type: ignore[no-untyped-def]
    raise RuntimeError("secret detail of the failure")


urlpatterns = [path("boom/", _boom), path("", include("playbook.config.urls"))]
handler500 = __import__("playbook.config.urls", fromlist=["handler500"]).handler500


@pytest.mark.django_db
@override_settings(ROOT_URLCONF=__name__)
def test_a_server_error_is_the_sites_own_500_page_without_detail():
    response = Client(raise_request_exception=False).get("/boom/")
    assert response.status_code == 500
    text = response.content.decode()
    assert "Something went wrong" in text and "usa-banner" in text
    assert "secret detail" not in text and "Traceback" not in text
    assert "Content-Security-Policy" in response


def test_the_demo_settings_have_debug_off(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_DEBUG"}
    env.update(PLAYBOOK_DATA_DIR=str(tmp_path), PYTHONPATH=str(SRC.parent))
    out = subprocess.run(
        [sys.executable, "-c", "from playbook.config.settings import dev; print(dev.DEBUG)"],
        env=env, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_playbook_serve_runs_gunicorn_not_runserver(monkeypatch, settings):
    from gunicorn.app.base import BaseApplication

    from playbook.commands import demo

    commands: list[str] = []
    served: dict[str, object] = {}
    monkeypatch.setattr("django.core.management.call_command",
                        lambda name, *a, **k: commands.append(name))

    def run(self):  # type: ignore[no-untyped-def]
        served["bind"] = self.cfg.bind
        served["app"] = self.load()

    monkeypatch.setattr(BaseApplication, "run", run)
    assert demo._serve("127.0.0.1", 8123) == 0
    assert "runserver" not in commands and "collectstatic" in commands
    assert served["bind"] == ["127.0.0.1:8123"]
    assert callable(served["app"])
