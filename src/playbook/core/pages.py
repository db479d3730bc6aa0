"""A long list shown a page at a time: the page asked for, and the query its links keep."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import HttpRequest


def page_of(request: HttpRequest, items: QuerySet[Any] | Sequence[Any], *,
            per_page: int) -> tuple[Page[Any], str]:
    """The page of ``items`` that ``?page=`` asks for (the last for a number past the end, the
    first for anything else), and the request's query string without ``page``: what
    ``ui/_pagination.html`` puts in front of ``page=N`` so the filters stay."""
    page = Paginator(items, per_page).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return page, query.urlencode()
