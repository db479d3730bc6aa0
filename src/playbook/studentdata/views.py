from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache

from playbook.accounts.access import office_staff, roles
from playbook.accounts.roles import READ_ALL

from .forms import StudentLookupForm
from .schemas import KINDS
from .selectors import snapshot_get, snapshot_list, student_records_for_user


@roles(*READ_ALL)
def snapshots(request: HttpRequest) -> HttpResponse:
    return render(request, "studentdata/snapshots.html", {"snapshots": snapshot_list()[:100]})


@roles(*READ_ALL)
def snapshot_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return render(request, "studentdata/snapshot_detail.html",
                  {"snapshot": snapshot_get(pk=pk), "kinds": KINDS})


@office_staff
@never_cache
def student_lookup(request: HttpRequest) -> HttpResponse:
    form = StudentLookupForm(request.POST or None)
    records = None
    if request.method == "POST" and form.is_valid():
        records = student_records_for_user(
            user=request.user, student_key=form.cleaned_data["student_key"],
            purpose=form.cleaned_data["purpose"], request=request,
        )
    return render(request, "studentdata/lookup.html", {"form": form, "records": records})
