"""From the home page to a school, and from a school to its report card, growth and models."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from playbook.evidence.models import ReportCardRating
from playbook.organizations.models import Organization, OrgKind

pytestmark = pytest.mark.django_db


def _rated_school(published: dict[str, Any]) -> tuple[Organization, ReportCardRating]:
    pub = published["school-district-performance"]
    rating = (ReportCardRating.objects.filter(run=pub.run, year=pub.school_year,
                                              entity_type="school")
              .exclude(points=None).order_by("entity_name").first())
    assert rating is not None
    return Organization.objects.get(nces_id=rating.entity_id), rating


def test_home_page_starts_with_find_a_school_as_a_plain_get_form(personas: Any) -> None:
    html = Client().get(reverse("public:home")).content.decode()
    main = html.split('id="main-content"', 1)[1]
    assert main.index("Find a school or district") < main.index("Office of Innovation")
    assert '<form class="usa-form pb-find__form" method="get" action="/"' in main
    assert 'name="q"' in main and ">Search</button>" in main  # the button says what it does
    assert "htmx/htmx.min.js" in html and '"allowEval":false' in html


def test_search_by_name_city_or_nces_id_finds_schools_and_districts(published: Any) -> None:
    org, rating = _rated_school(published)
    for q in (org.name[:8], org.city, org.nces_id):
        html = Client().get(reverse("public:home"), {"q": q}).content.decode()
        assert reverse("public:organization", args=[org.pk]) in html, q
    html = Client().get(reverse("public:home"), {"q": org.nces_id}).content.decode()
    card = reverse("evidence:rc_card", args=["school-district-performance", "school",
                                             org.nces_id])
    assert card in html and rating.rating in html
    provider = Organization.objects.filter(kind=OrgKind.PROVIDER).first()
    assert provider is not None
    none = Client().get(reverse("public:home"), {"q": provider.name}).content.decode()
    assert "No school or district matches" in none  # providers are in the directory only


def test_htmx_request_gets_only_the_results(published: Any) -> None:
    org, _ = _rated_school(published)
    part = Client().get(reverse("public:home"), {"q": org.nces_id},
                        headers={"HX-Request": "true"}).content.decode()
    assert org.name in part and "<html" not in part and "<h1" not in part


def test_many_matches_show_the_first_twenty_and_say_so(published: Any) -> None:
    html = Client().get(reverse("public:home"), {"q": "School"}).content.decode()
    assert html.count('class="pb-result"') == 20
    assert "The first 20 found" in html


def test_school_page_links_to_its_card_growth_and_models(published: Any,
                                                         growth_published: None) -> None:
    org, rating = _rated_school(published)
    html = Client().get(reverse("public:organization", args=[org.pk])).content.decode()
    card = reverse("evidence:rc_card", args=["school-district-performance", "school",
                                             org.nces_id])
    assert f'href="{card}" data-testid="card-link"' in html and rating.rating in html
    assert (f'{reverse("evidence:public_growth")}?entity_type=school&amp;q={org.nces_id}'
            in html)
    growth = Client().get(reverse("evidence:public_growth"),
                          {"entity_type": "school", "q": org.nces_id})
    assert growth.status_code == 200 and org.name in growth.content.decode()
    assert Client().get(card).status_code == 200


def test_models_link_to_their_cards_and_providers_to_theirs(published: Any) -> None:
    pub = published["approved-model-report-card"]
    model_rating = ReportCardRating.objects.filter(run=pub.run, year=pub.school_year,
                                                   entity_type="model").first()
    assert model_rating is not None
    school = Organization.objects.filter(adoptions__model__code=model_rating.entity_id).first()
    assert school is not None
    html = Client().get(reverse("public:organization", args=[school.pk])).content.decode()
    assert reverse("evidence:rc_card", args=[pub.framework_slug, "model",
                                             model_rating.entity_id]) in html
    provider_rating = ReportCardRating.objects.filter(run=pub.run, year=pub.school_year,
                                                      entity_type="provider").first()
    assert provider_rating is not None
    provider = Organization.objects.get(code=provider_rating.entity_id)
    html = Client().get(reverse("public:organization", args=[provider.pk])).content.decode()
    assert reverse("evidence:rc_card", args=[pub.framework_slug, "provider",
                                             provider.code]) in html


def test_the_registry_page_of_a_model_links_to_its_card(published: Any, personas: Any) -> None:
    from ..conftest import signed_in_client

    pub = published["approved-model-report-card"]
    rating = ReportCardRating.objects.filter(run=pub.run, year=pub.school_year,
                                             entity_type="model").first()
    assert rating is not None
    page = signed_in_client(personas.officer).get(
        reverse("organizations:model_detail", args=[rating.entity_id]))
    assert page.status_code == 200
    card = reverse("evidence:rc_card", args=[pub.framework_slug, "model", rating.entity_id])
    assert f'href="{card}"' in page.content.decode()


def test_an_organization_without_a_published_card_shows_no_card_link(personas: Any) -> None:
    html = Client().get(reverse("public:organization",
                                args=[personas.school_a.pk])).content.decode()
    assert 'data-testid="card-link"' not in html and 'data-testid="growth-link"' not in html
