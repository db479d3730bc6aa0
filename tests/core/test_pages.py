"""``core.pages.page_of``: the page asked for, and the query string its links keep."""

from __future__ import annotations

from django.template.loader import render_to_string
from django.test import RequestFactory

from playbook.core.pages import page_of

ITEMS = list(range(1, 26))


def test_the_page_asked_for_and_the_filters_without_page():
    request = RequestFactory().get("/", {"kind": "school", "q": "Alder Elem", "page": "2"})
    page, query = page_of(request, ITEMS, per_page=10)
    assert list(page) == list(range(11, 21))
    assert query == "kind=school&q=Alder+Elem"


def test_a_page_past_the_end_is_the_last_and_nonsense_is_the_first():
    page, _ = page_of(RequestFactory().get("/", {"page": "99"}), ITEMS, per_page=10)
    assert page.number == 3 and list(page) == [21, 22, 23, 24, 25]
    page, query = page_of(RequestFactory().get("/", {"page": "two"}), ITEMS, per_page=10)
    assert page.number == 1 and query == ""


def test_the_pagination_links_keep_the_filters():
    request = RequestFactory().get("/", {"kind": "school", "page": "2"})
    page, query = page_of(request, ITEMS, per_page=10)
    html = render_to_string("ui/_pagination.html", {"page": page, "query": query})
    assert 'href="?kind=school&page=1">Previous page' in html
    assert 'href="?kind=school&page=3">Next page' in html
    assert "Page 2 of 3" in html
    single, _ = page_of(RequestFactory().get("/"), ITEMS[:5], per_page=10)
    assert render_to_string("ui/_pagination.html", {"page": single}).strip() == ""
