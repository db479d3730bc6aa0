from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.cache import never_cache

from playbook.accounts.access import roles
from playbook.accounts.roles import READ_ALL
from playbook.core.csv_safe import csv_writer
from playbook.core.pages import page_of

from .forms import AccessLogFilterForm
from .models import AccessLogEntry
from .services import access_log_record

EXPORT_COLUMNS = ["at", "user", "role", "organization", "action", "purpose", "snapshot_id",
                  "data_kinds", "record_count", "student_keys", "path"]


def _filtered(request: HttpRequest) -> tuple[AccessLogFilterForm, object]:
    form = AccessLogFilterForm(request.GET or None)
    qs = AccessLogEntry.objects.select_related("user", "organization")
    if form.is_bound and form.is_valid():
        qs = form.apply(qs)
    elif form.is_bound:
        qs = qs.none()
    return form, qs


@roles(*READ_ALL)
@never_cache
def access_log(request: HttpRequest) -> HttpResponse:
    form, qs = _filtered(request)
    page, query = page_of(request, qs, per_page=100)  # type: ignore[arg-type]
    return render(request, "privacy/access_log.html",
                  {"page": page, "query": query, "form": form,
                   "count": page.paginator.count, "filtered": form.is_bound})


@roles(*READ_ALL)
@never_cache
def access_log_csv(request: HttpRequest) -> HttpResponse:
    """The filtered log as CSV, every matching entry (the auditor's download)."""
    form, qs = _filtered(request)
    if form.is_bound and not form.is_valid():
        return render(request, "privacy/access_log.html",
                      {"page": None, "form": form, "filtered": True, "count": 0}, status=400)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="access-log-{timezone.localdate():%Y%m%d}.csv"')
    writer = csv_writer(response)
    writer.writerow(EXPORT_COLUMNS)
    entries = list(qs)  # type: ignore[call-overload]
    # the download holds pseudonymous keys of every read: it is itself a logged read
    access_log_record(user=request.user, action="access_log_export",
                      purpose="Download of the access log" + (
                          f" ({request.GET.urlencode()[:200]})" if request.GET else ""),
                      student_keys=[], record_count=len(entries), request=request)
    for e in entries:
        writer.writerow([e.at.isoformat(), e.user.username if e.user else "system", e.role,
                         e.organization.name if e.organization else "", e.action, e.purpose,
                         e.snapshot_id, e.data_kinds, e.record_count,
                         " ".join(str(k) for k in e.student_keys), e.path])
    return response
