from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache

from playbook.accounts.access import roles
from playbook.accounts.roles import READ_ALL
from playbook.core.pages import page_of

from .models import AccessLogEntry


@roles(*READ_ALL)
@never_cache
def access_log(request: HttpRequest) -> HttpResponse:
    qs = AccessLogEntry.objects.select_related("user", "organization")
    page, query = page_of(request, qs, per_page=100)
    return render(request, "privacy/access_log.html", {"page": page, "query": query})
