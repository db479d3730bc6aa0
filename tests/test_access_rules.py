"""Every URL declares an access rule; a view without one is refused."""

from __future__ import annotations

import pytest
from django.http import HttpResponse
from django.test import override_settings
from django.urls import URLPattern, URLResolver, get_resolver, path

from playbook.accounts.access import public, rule_for_view


def _walk(patterns, prefix=""):  # type: ignore[no-untyped-def]
    for p in patterns:
        if isinstance(p, URLResolver):
            yield from _walk(p.url_patterns, prefix + str(p.pattern))
        elif isinstance(p, URLPattern):
            yield prefix + str(p.pattern), p.callback


def test_every_url_pattern_declares_an_access_rule():
    missing = [route for route, view in _walk(get_resolver().url_patterns)
               if rule_for_view(view) is None]
    walked = list(_walk(get_resolver().url_patterns))
    assert len(walked) > 20, "the walk found the URL patterns"
    assert missing == []


def undeclared_view(request):  # type: ignore[no-untyped-def]
    return HttpResponse("secret")


@public
def declared_view(request):  # type: ignore[no-untyped-def]
    return HttpResponse("hello")


urlpatterns = [
    path("undeclared/", undeclared_view),
    path("declared/", declared_view),
    path("", __import__("django.urls").urls.include("playbook.config.urls")),
]


@pytest.mark.django_db
@override_settings(ROOT_URLCONF=__name__)
def test_middleware_refuses_a_view_without_a_rule(client):
    refused = client.get("/undeclared/")
    assert refused.status_code == 403
    assert b"secret" not in refused.content
    assert b"declares no access rule" in refused.content
    allowed = client.get("/declared/")
    assert allowed.status_code == 200
    assert allowed.content == b"hello"
