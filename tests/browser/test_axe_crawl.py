"""axe on every page the crawl reaches (issue 11, "Checked"): the demo state walked as every
role and the public, one page per URL pattern, each page at a desktop (1280 px) and a phone
(390 px) width: 0 violations, and no page scrolls sideways on the phone.

The links are followed with Django's test client (fast); each distinct route (the first URL
that reaches it) is then opened in chromium, signed in with the same session."""

from __future__ import annotations

from collections import deque
from typing import Any
from urllib.parse import urljoin, urlparse

import pytest
from django.conf import settings
from django.test import Client
from django.urls import Resolver404, resolve

from playbook.accounts.models import User
from playbook.cli import main

from ..conftest import signed_in_client
from ..test_crawl import LINK, SKIP
from .test_accessibility import AXE, axe_report

pytestmark = [pytest.mark.browser, pytest.mark.slow]

ROLES = ["officer", "auditor", "reviewer", "decider", "district", "principal", "teacher",
         "vendor", "parent"]
#: Routes per role at most (each at two widths); the crawl reaches fewer for most roles.
BUDGET = 60


def _route(path: str) -> str | None:
    try:
        match = resolve(urlparse(path).path)
    except Resolver404:
        return None
    return match.route


def routes_reached(client: Client, start: list[str], limit: int = 400) -> dict[str, str]:
    """The first HTML page reached for each route, following links breadth first."""
    seen, queue, found = set(start), deque(start), {}
    visited = 0
    while queue and visited < limit and len(found) < BUDGET:
        path = queue.popleft()
        response = client.get(path)
        visited += 1
        if response.status_code != 200 or not response.get("Content-Type", "").startswith(
                "text/html"):
            continue
        route = _route(path)
        if route is not None and route not in found:
            found[route] = path
        for href in LINK.findall(response.content.decode(errors="replace")):
            href = href.replace("&amp;", "&")
            if href.startswith(SKIP):
                continue
            target = urlparse(urljoin(path, href))
            url = target.path + (f"?{target.query}" if target.query else "")
            if url not in seen and _route(url) not in found:
                seen.add(url)
                queue.append(url)
    return found


def _check(page: Any, path: str, who: str, failures: list[str]) -> None:
    for width in (1280, 390):
        page.set_viewport_size({"width": width, "height": 900})
        response = page.goto(path)
        if response is None or response.status != 200:
            continue
        page.wait_for_load_state("load")
        violations = AXE.run(page).response["violations"]
        if violations:
            failures.append(f"{who} {path} at {width} px:\n{axe_report(violations)}")
        if width == 390:
            wide = page.evaluate("() => document.documentElement.scrollWidth - innerWidth")
            if wide > 0:
                failures.append(f"{who} {path} scrolls sideways by {wide} px at 390 px")


@pytest.mark.django_db(transaction=True)
def test_every_page_the_crawl_reaches_passes_axe_at_both_widths(browser: Any, live_server: Any,
                                                               capsys: Any) -> None:
    assert main(["demo", "--no-serve", "--students", "1500", "--seed", "3"]) == 0
    capsys.readouterr()
    failures: list[str] = []
    checked = 0
    people: list[tuple[str, Client]] = [("anonymous", Client())]
    people += [(u.username, signed_in_client(u))
               for u in User.objects.filter(username__in=ROLES).order_by("username")]
    done: set[tuple[str, str]] = set()
    for who, client in people:
        start = ["/", "/directory/"] if who == "anonymous" else ["/accounts/home/"]
        pages = routes_reached(client, start)
        context = browser.new_context(base_url=live_server.url)
        cookie = client.cookies.get(settings.SESSION_COOKIE_NAME)
        if cookie is not None:
            context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": cookie.value,
                                  "url": live_server.url}])
        page = context.new_page()
        for route, path in pages.items():
            # a public route is checked once, by the first person who reaches it
            key = ("public" if who == "anonymous" or route.startswith(
                ("directory", "evidence/report-cards/", "evidence/public", "programs/rounds"))
                else who, route)
            if key in done:
                continue
            done.add(key)
            _check(page, path, who, failures)
            checked += 1
        context.close()
    assert checked > 60, checked
    assert failures == [], f"{len(failures)} problem(s) on {checked} pages:\n" + "\n".join(
        failures)
