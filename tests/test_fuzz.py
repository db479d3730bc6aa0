"""Fuzz every URL pattern of the demo as every role: no request may answer with a server error.

The demo state is built once (small). Each role (the demo's accounts and the anonymous public)
first walks the site from its start pages to learn real URLs and the forms it is shown. Then:

- every URL pattern (outside the Django admin) is asked for as every role: at a real URL where
  the walk found one (else with ids of 1), plain, with a huge id in place of each id, and with
  every query parameter the site uses (``year``, ``run``, ``page``, ``q``, ``subject``, the
  fields of every GET form) set to one fuzz value each (the values rotate, so every value is
  used);
- every POST form a role was shown is posted as that role once with every field set to each
  fuzz value, and once per field with only that field fuzzed (the others as the page filled
  them).

Any 5xx, or an exception out of a view, fails the test with the role, method, path and data. A
refusal (403/404), a redirect or a form error is the answer we want for bad input.
"""

from __future__ import annotations

import contextlib
import re
from collections import deque
from dataclasses import dataclass, field
from html import unescape
from itertools import cycle
from typing import Any
from urllib.parse import urlencode, urljoin, urlparse

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, resolve
from django.urls.exceptions import Resolver404

from playbook.accounts.models import User
from playbook.cli import main

from .conftest import signed_in_client

FUZZ = [
    "\u00b2",  # a unicode superscript digit (str.isdigit() says yes, int() says no)
    "\u0663\u0664",  # Arabic-Indic digits (int() takes these: an id far out of range)
    "99999999999999999999",
    "-1",
    "NaN",
    "sNaN",
    "Infinity",
    "1e999999",
    "line one\nline two\r\nBcc: x@example.com",
    "=HYPERLINK(\"http://evil.example\")",
    "x" * 5000,
    "",
]
QUERY_PARAMS = ["year", "run", "page", "q", "subject", "sort", "entity_type", "school_id", "mode"]
ROLES = ["officer", "officeadmin", "auditor", "reviewer", "decider", "district", "principal",
         "teacher", "vendor", "parent"]
SKIP = ("/static/", "/admin/", "/accounts/sign-out/", "mailto:", "http://", "https://")
WALK_BUDGET = 50
HUGE = "99999999999999999999"

LINK = re.compile(r'href="([^"#]+)"')
FORM = re.compile(r"<form\b([^>]*)>(.*?)</form>", re.S | re.I)
ATTR = re.compile(r'([a-zA-Z_:-]+)\s*=\s*"([^"]*)"')
FIELD = re.compile(r"<(input|select|textarea)\b([^>]*)>", re.I)
OPTION = re.compile(r'<option\b[^>]*value="([^"]*)"', re.I)


@dataclass
class Form:
    method: str
    action: str
    fields: dict[str, str] = field(default_factory=dict)


def _attrs(text: str) -> dict[str, str]:
    return {k.lower(): unescape(v) for k, v in ATTR.findall(text)}


def forms_in(page: str, path: str) -> list[Form]:
    out = []
    for head, body in FORM.findall(page):
        attrs = _attrs(head)
        form = Form(method=attrs.get("method", "get").lower(),
                    action=urlparse(urljoin(path, attrs.get("action") or path)).path)
        for tag, tag_attrs in FIELD.findall(body):
            a = _attrs(tag_attrs)
            name = a.get("name")
            if not name or a.get("type") in ("submit", "button", "file") or name in (
                    "csrfmiddlewaretoken",):
                if name and a.get("type") == "submit":
                    form.fields.setdefault(name, a.get("value", ""))
                continue
            value = a.get("value", "")
            if tag.lower() == "select":
                rest = body.split(tag_attrs, 1)[1]
                options = OPTION.findall(rest.split("</select>", 1)[0])
                value = next((o for o in options if o), "")
            if a.get("type") in ("checkbox", "radio") and name in form.fields:
                continue
            form.fields[name] = value
        out.append(form)
    return out


def walk(client: Client, start: list[str]) -> tuple[dict[str, str], list[Form], list[str]]:
    """Real URLs by route, the forms seen, and the errors met on the way."""
    seen, queue = set(start), deque(start)
    by_route: dict[str, str] = {}
    forms: list[Form] = []
    errors: list[str] = []
    visited = 0
    while queue and visited < WALK_BUDGET:
        path = queue.popleft()
        visited += 1
        status, response = fetch(client, "get", path)
        if status >= 500:
            errors.append(f"GET {path} -> {status}")
            continue
        with contextlib.suppress(Resolver404):
            by_route.setdefault(resolve(urlparse(path).path).route, path)
        if response is None or status != 200 or not response.get(
                "Content-Type", "").startswith("text/html"):
            continue
        page = response.content.decode(errors="replace")
        forms += forms_in(page, path)
        for href in LINK.findall(page):
            href = unescape(href)
            if href.startswith(SKIP):
                continue
            target = urlparse(urljoin(path, href))
            url = target.path + (f"?{target.query}" if target.query else "")
            if url not in seen:
                seen.add(url)
                queue.append(url)
    return by_route, forms, errors


def fetch(client: Client, method: str, path: str,
          data: dict[str, Any] | None = None) -> tuple[int, Any]:
    try:
        response = getattr(client, method)(path, data or {})
    except Exception as exc:
        return 599, f"{type(exc).__name__}: {str(exc)[:200]}"
    return response.status_code, response


def routes() -> list[str]:
    def _walk(patterns: Any, prefix: str = "") -> Any:
        for p in patterns:
            if isinstance(p, URLResolver):
                yield from _walk(p.url_patterns, prefix + str(p.pattern))
            elif isinstance(p, URLPattern):
                yield prefix + str(p.pattern)

    return [r for r in _walk(get_resolver().url_patterns) if not r.startswith("admin/")]


PARAM = re.compile(r"<(?:(\w+):)?(\w+)>")


def default_url(route: str) -> str:
    def fill(m: re.Match[str]) -> str:
        return "1" if m.group(1) in (None, "int") else "x"

    return "/" + PARAM.sub(fill, route).lstrip("^").rstrip("$")


def with_huge_ids(url: str) -> list[str]:
    parts = url.split("/")
    return ["/".join(HUGE if j == i else p for j, p in enumerate(parts))
            for i, p in enumerate(parts) if p.isdigit()]


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_no_fuzzed_request_to_any_url_as_any_role_answers_with_a_server_error(capsys):
    assert main(["demo", "--no-serve", "--students", "1500", "--seed", "3"]) == 0
    capsys.readouterr()
    clients: dict[str, Client] = {"anonymous": Client()}
    for user in User.objects.filter(username__in=ROLES):
        clients[user.username] = signed_in_client(user)
    assert len(clients) == len(ROLES) + 1
    failures: list[str] = []
    learned: dict[str, tuple[dict[str, str], list[Form]]] = {}
    for name, client in clients.items():
        start = ["/", "/directory/"] if name == "anonymous" else ["/accounts/home/"]
        by_route, forms, errors = walk(client, start)
        learned[name] = (by_route, forms)
        failures += [f"{name}: {e}" for e in errors]
    get_params = set(QUERY_PARAMS)
    for _, forms in learned.values():
        for form in forms:
            if form.method == "get":
                get_params |= set(form.fields)
    requests = 0
    all_routes = routes()
    posted: set[str] = set()
    for offset, (name, client) in enumerate(clients.items()):
        by_route, walked = learned[name]
        forms = list(walked)  # and those of every pattern's page, as this role sees them
        # Each role starts the rotation elsewhere, so across roles every parameter of every
        # pattern meets many of the values.
        values = cycle(FUZZ[offset % len(FUZZ):] + FUZZ[:offset % len(FUZZ)])
        for route in all_routes:
            url = by_route.get(route) or default_url(route)
            base = urlparse(url).path
            if base.startswith("/accounts/sign-out"):
                continue
            targets = [url, f"{base}?{urlencode({p: next(values) for p in sorted(get_params)})}"]
            if name in ("anonymous", "officer"):
                targets += with_huge_ids(base)
            for i, target in enumerate(targets):
                status, response = fetch(client, "get", target)
                requests += 1
                if status >= 500:
                    failures.append(f"{name}: GET {target[:200]} -> {status} {response}"[:400])
                elif i == 0 and status == 200 and response.get(
                        "Content-Type", "").startswith("text/html"):
                    forms += forms_in(response.content.decode(errors="replace"), base)
        for form in forms:
            # One role posts each form of a URL pattern (the first shown it).
            try:
                key = resolve(form.action).route
            except Resolver404:
                continue
            if form.method != "post" or key in posted or form.action.startswith(SKIP):
                continue
            posted.add(key)
            batches = [dict.fromkeys(form.fields, v) for v in FUZZ]
            batches += [{**form.fields, f: next(values)} for f in form.fields]
            for data in batches:
                status, response = fetch(client, "post", form.action, data)
                requests += 1
                if status >= 500:
                    shown = {k: v[:40] for k, v in data.items()}
                    failures.append(f"{name}: POST {form.action} {shown} -> {status} "
                                    f"{response}"[:600])
    print(f"fuzz: {len(all_routes)} URL patterns, {len(clients)} roles, {len(posted)} POST "
          f"forms, {requests} requests")
    assert requests > 1000
    assert failures == [], "\n".join(failures[:300]) + f"\n({len(failures)} in all)"
