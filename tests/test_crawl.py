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


#: A code shown where words belong: lower-case words joined by underscores ("screen_eligible",
#: "program_officer", "high_poverty", "support_letters") in a page's visible text.
RAW_CODE = re.compile(r"(?<![\w./@-])[a-z]+(?:_[a-z0-9]+)+(?![\w./@-])")
_INVISIBLE = re.compile(r"<(script|style|template|textarea)\b.*?</\1>|<[^>]+>", re.S | re.I)


def raw_codes(html: str) -> set[str]:
    """The codes in the page's visible text (tags, attributes, scripts and form values left
    out), so a person reads words, never ``econ_disadvantaged``."""
    return set(RAW_CODE.findall(_INVISIBLE.sub(" ", html)))


def crawl(client: Client, start: list[str], codes: dict[str, str] | None = None
          ) -> tuple[int, list[str]]:
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
        html = response.content.decode(errors="replace")
        if codes is not None:
            for code in raw_codes(html):
                codes.setdefault(code, path)
        for href in LINK.findall(html):
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
    codes: dict[str, str] = {}
    visited, errors = crawl(Client(), ["/", "/directory/"], codes)
    assert visited > 10
    failures += [f"anonymous: {e}" for e in errors]
    for user in User.objects.filter(username__in=[
        "officer", "auditor", "reviewer", "decider", "district", "principal", "teacher",
        "vendor", "parent",
    ]):
        visited, errors = crawl(signed_in_client(user), ["/accounts/home/"], codes)
        assert visited > 5, user.username
        failures += [f"{user.username}: {e}" for e in errors]
    assert failures == []
    # issue 11, item 5: no raw codes anywhere, on any page any role reaches
    assert codes == {}, "codes shown as text: " + ", ".join(
        f"{code} ({path})" for code, path in sorted(codes.items()))


def test_the_raw_code_finder_reads_only_what_a_person_sees():
    html = ('<p class="usa_x" data-step="screen_eligible">Screened eligible</p>'
            '<td>urban, high_poverty</td><input value="program_officer">'
            '<script>var a_b = 1;</script><p>rev.okafor leader_a@x.org a/b_c</p>')
    assert raw_codes(html) == {"high_poverty"}
