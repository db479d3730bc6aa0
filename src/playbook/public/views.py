from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, HttpResponsePermanentRedirect
from django.shortcuts import render
from django.templatetags.static import static

from playbook.accounts.access import public
from playbook.core.pages import page_of
from playbook.evidence.reportcard_selectors import (
    published_card_links,
    published_enrollments,
    published_growth_links,
)
from playbook.organizations.forms import FindSchoolForm, RegistrySearchForm
from playbook.organizations.models import OrgKind
from playbook.organizations.selectors import (
    consortium_members,
    directory_search,
    models_for_organization,
    school_list_for_district,
)

FIND_LIMIT = 20


@public
def home(request: HttpRequest) -> HttpResponse:
    """The public home page: "Find a school or district" first. The form is a plain GET form;
    with htmx, results come as the reader types (the same view answers with the results part
    alone when htmx asks)."""
    form = FindSchoolForm(request.GET or None)
    query = form.cleaned_data["q"].strip() if form.is_valid() else ""
    results: list[Any] = []
    more = False
    if query:
        qs = directory_search(query=query).filter(
            kind__in=[OrgKind.SCHOOL, OrgKind.DISTRICT]).order_by("name")
        results = list(qs[:FIND_LIMIT + 1])
        more = len(results) > FIND_LIMIT
        results = results[:FIND_LIMIT]
        _with_links(results)
    context = {"form": form, "query": query, "results": results, "more": more}
    if request.headers.get("HX-Request") == "true":
        return render(request, "public/_find_results.html", context)
    return render(request, "public/home.html", context)


def _entity(org: Any) -> tuple[str, str]:
    """The organization as report cards and growth results name it."""
    return (org.kind, org.identifier)


def _with_links(orgs: list[Any]) -> None:
    """``org.card`` (its current report card, or None) and ``org.growth_url`` (its published
    growth results, or "")."""
    keys = [_entity(o) for o in orgs]
    cards = published_card_links(entities=keys)
    growth = published_growth_links(entities=keys)
    for org, key in zip(orgs, keys, strict=True):
        org.card = cards.get(key)
        org.growth_url = growth.get(key, "")


@public
def directory(request: HttpRequest) -> HttpResponse:
    form = RegistrySearchForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    qs = directory_search(
        query=data.get("q", ""), kind=data.get("kind", ""), locale_group=data.get("locale", "")
    )
    page, query = page_of(request, qs, per_page=50)
    _with_published_enrollment(list(page))
    return render(request, "public/directory.html", {"form": form, "page": page, "query": query})


def _with_published_enrollment(orgs: list[Any]) -> None:
    """Each organization's enrollment as its current report card publishes it (decision 0008):
    ``org.published`` (None: no published card, so no enrollment is shown)."""
    shown = published_enrollments(nces_ids=[o.nces_id for o in orgs if o.nces_id])
    for org in orgs:
        org.published = shown.get(org.nces_id) if org.nces_id else None


@public
def organization(request: HttpRequest, pk: int) -> HttpResponse:
    org = directory_search().filter(pk=pk).first()
    if org is None:
        raise Http404("No such organization in the public directory.")
    _with_published_enrollment([org])
    _with_links([org])
    models = list(models_for_organization(organization=org).select_related("provider"))
    cards = published_card_links(entities=[("model", m.code) for m in models])
    for m in models:
        m.card = cards.get(("model", m.code))  # type: ignore[attr-defined]
    return render(request, "public/organization.html", {
        "org": org,
        "schools": school_list_for_district(district=org) if org.kind == OrgKind.DISTRICT else [],
        "members": consortium_members(consortium=org) if org.kind == OrgKind.CONSORTIUM else [],
        "models": models,
    })


# --- the site's own pages: contact, accessibility, privacy, open data ---------------------------

@public
def contact(request: HttpRequest) -> HttpResponse:
    return render(request, "public/about/contact.html")


@public
def accessibility(request: HttpRequest) -> HttpResponse:
    return render(request, "public/about/accessibility.html")


@public
def privacy(request: HttpRequest) -> HttpResponse:
    return render(request, "public/about/privacy.html", {"min_n": settings.PLAYBOOK_MIN_N})


@public
def open_data(request: HttpRequest) -> HttpResponse:
    """Every public dataset in one list: report cards, growth and the funding rounds, each with
    its downloads (CSV, JSON) and what it holds."""
    from playbook.evidence.reportcard_selectors import publications_current
    from playbook.evidence.selectors import (
        growth_publications_current,
        school_year_label,
        subject_label,
    )
    from playbook.programs.registry import public_datasets
    from playbook.programs.selectors import cycle_list_public

    growth = [{"pub": p, "subject": subject_label(p.subject),
               "year": school_year_label(p.school_year)}
              for p in growth_publications_current()]
    rounds = [{"cycle": c, "datasets": public_datasets(c)} for c in cycle_list_public()]
    return render(request, "public/about/open_data.html", {
        "report_cards": publications_current().select_related("run__framework"),
        "growth": growth, "rounds": rounds})


@public
def favicon(request: HttpRequest) -> HttpResponse:
    """Browsers that ask for /favicon.ico get the site's icon."""
    return HttpResponsePermanentRedirect(static("playbook/favicon.svg"))
