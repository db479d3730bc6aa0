"""Walk the demo state's pages as every role: no page may answer with a server error.

Each demo account (and the anonymous public) starts at the pages a person starts at and follows
every internal link, breadth first, up to a budget of pages per role. Any 5xx fails the test with
the role and the path; refusals (403/404) are fine, they are the permission rules at work.
"""

from __future__ import annotations

import re
from collections import deque
from urllib.parse import urljoin, urlparse

import pytest
from django.test import Client

from playbook.accounts.models import User
from playbook.cli import main

from .conftest import signed_in_client

LINK = re.compile(r'href="([^"#]+)"')
SKIP = ("/static/", "/admin/", "/accounts/sign-out/", "mailto:", "http://", "https://")
BUDGET = 120


def crawl(client: Client, start: list[str]) -> tuple[int, list[str]]:
    seen: set[str] = set(start)
    queue = deque(start)
    errors: list[str] = []
    visited = 0
    while queue and visited < BUDGET:
        path = queue.popleft()
        response = client.get(path)
        visited += 1
        if response.status_code >= 500:
            errors.append(f"{path} -> {response.status_code}")
            continue
        content_type = response.get("Content-Type", "")
        if response.status_code != 200 or not content_type.startswith("text/html"):
            continue
        for href in LINK.findall(response.content.decode(errors="replace")):
            href = href.replace("&amp;", "&")
            if href.startswith(SKIP):
                continue
            target = urlparse(urljoin(path, href))
            url = target.path + (f"?{target.query}" if target.query else "")
            if url not in seen:
                seen.add(url)
                queue.append(url)
    return visited, errors


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_no_page_of_the_demo_answers_with_a_server_error(capsys):
    assert main(["demo", "--no-serve", "--students", "1500", "--seed", "3"]) == 0
    capsys.readouterr()
    failures: list[str] = []
    visited, errors = crawl(Client(), ["/", "/directory/"])
    assert visited > 10
    failures += [f"anonymous: {e}" for e in errors]
    for user in User.objects.filter(username__in=[
        "officer", "auditor", "reviewer", "decider", "district", "principal", "teacher",
        "vendor", "parent",
    ]):
        visited, errors = crawl(signed_in_client(user), ["/accounts/home/"])
        assert visited > 5, user.username
        failures += [f"{user.username}: {e}" for e in errors]
    assert failures == []
