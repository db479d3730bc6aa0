from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from playbook.accounts.access import office_staff, roles, signed_in
from playbook.accounts.roles import READ_ALL
from playbook.core.forms import errors_to_form
from playbook.core.pages import page_of
from playbook.evidence.reportcard_selectors import published_card_links, published_enrollments
from playbook.programs.registry import organization_panels

from .forms import OrganizationForm, RegistrySearchForm
from .models import OrgKind
from .selectors import (
    adoptions_for_school,
    consortium_members,
    learning_model_get,
    learning_model_list,
    models_for_organization,
    organization_can_edit,
    organization_get_for_user,
    organization_list_for_user,
    school_list_for_district,
)
from .services import organization_update


@signed_in
def organization_list(request: HttpRequest) -> HttpResponse:
    form = RegistrySearchForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    qs = organization_list_for_user(
        user=request.user, kind=data.get("kind", ""), query=data.get("q", ""),
        locale_group=data.get("locale", ""),
    )
    page, query = page_of(request, qs, per_page=50)
    orgs = list(page)
    shown = published_enrollments(nces_ids=[o.nces_id for o in orgs if o.nces_id])
    for org in orgs:
        org.published = shown.get(org.nces_id) if org.nces_id else None
    return render(request, "organizations/list.html", {"form": form, "page": page, "query": query})


@signed_in
def organization_detail(request: HttpRequest, pk: int) -> HttpResponse:
    org = organization_get_for_user(user=request.user, pk=pk)
    can_edit, _ = organization_can_edit(user=request.user, organization=org)
    # enrollment as the current report card publishes it, never the registry's own figure
    # (which may be one the card hides: decision 0008); staff see the registry's on the edit form
    schools = list(school_list_for_district(district=org)) if org.kind == OrgKind.DISTRICT else []
    shown = published_enrollments(nces_ids=[o.nces_id for o in [org, *schools] if o.nces_id])
    for o in [org, *schools]:
        o.published = shown.get(o.nces_id) if o.nces_id else None  # type: ignore[attr-defined]
    context = {
        "org": org,
        "can_edit": can_edit,
        "schools": schools,
        "members": consortium_members(consortium=org) if org.kind == OrgKind.CONSORTIUM else [],
        "models": models_for_organization(organization=org),
        "adoptions": adoptions_for_school(school=org) if org.kind == OrgKind.SCHOOL else [],
        # One section per registered instrument (grants, designations, waivers, ...).
        "panels": organization_panels(org, request.user),
    }
    return render(request, "organizations/detail.html", context)


@office_staff
def organization_edit(request: HttpRequest, pk: int) -> HttpResponse:
    org = organization_get_for_user(user=request.user, pk=pk)
    form = OrganizationForm(request.POST or None, instance=org)
    if request.method == "POST" and form.is_valid():
        try:
            organization_update(organization=org, by=request.user, data=form.cleaned_data)
        except ValidationError as exc:
            errors_to_form(form, exc)
        else:
            messages.success(request, f"Saved {org.name}.")
            return redirect("organizations:detail", pk=org.pk)
    return render(request, "organizations/edit.html", {"org": org, "form": form})


@roles(*READ_ALL)
def model_list(request: HttpRequest) -> HttpResponse:
    return render(request, "organizations/models.html", {"models": learning_model_list()})


@roles(*READ_ALL)
def model_detail(request: HttpRequest, code: str) -> HttpResponse:
    model = learning_model_get(code=code)
    adoptions = model.adoptions.select_related("school", "school__parent").order_by(
        "-school_year", "school__name"
    )
    card = published_card_links(entities=[("model", model.code)]).get(("model", model.code))
    return render(request, "organizations/model_detail.html",
                  {"model": model, "adoptions": adoptions, "card": card})
