from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from playbook.accounts.access import roles
from playbook.accounts.roles import READ_ALL

from .models import AccessLogEntry


@roles(*READ_ALL)
def access_log(request: HttpRequest) -> HttpResponse:
    qs = AccessLogEntry.objects.select_related("user", "organization")
    page = Paginator(qs, 100).get_page(request.GET.get("page"))
    return render(request, "privacy/access_log.html", {"page": page})
