"""A reviewer declares a conflict by finding and picking the organization (issue 11, item 7),
not by typing an NCES code: search by name, city or NCES ID, pick from the matches, say why."""

from __future__ import annotations

import pytest
from django.urls import reverse

from playbook.organizations.models import Organization
from playbook.reviews.models import DeclaredConflict

from ..conftest import signed_in_client

pytestmark = pytest.mark.django_db


def test_search_pick_and_declare(personas, review_round):
    client = signed_in_client(review_round.reviewer.user)
    url = reverse("reviews:declare_conflict")
    first = client.get(url).content.decode()
    assert 'name="q"' in first and 'name="organization"' not in first
    found = client.get(url, {"q": "birch"}).content.decode()
    assert "Birch City Schools" in found and "Birch Middle" in found
    assert "Alder County Schools" not in found
    assert 'type="radio"' in found and "NCES ID or code" not in found
    Organization.objects.filter(pk=personas.district_b.pk).update(city="Birchport")
    by_city = client.get(url, {"q": "birchpo"}).content.decode()
    assert "Birch City Schools" in by_city
    r = client.post(f"{url}?q=birch", {"organization": personas.district_b.pk,
                                       "reason": "My sister teaches there."})
    assert r.status_code == 302
    declared = DeclaredConflict.objects.get(reviewer=review_round.reviewer,
                                            organization=personas.district_b)
    assert declared.reason == "My sister teaches there."


@pytest.mark.parametrize(("data", "error"), [
    ({"reason": "x"}, "Pick the organization."),
    ({"organization": "\u0661\u0662", "reason": "x"}, "Select a valid choice."),
    ({"organization": str(2**70), "reason": "x"}, "Select a valid choice."),
    ({"organization": "999999", "reason": "x"}, "Select a valid choice."),
    ({"organization": "PERSONA", "reason": ""}, "This field is required."),
])
def test_a_bad_pick_is_named_and_nothing_is_declared(personas, review_round, data, error):
    if data.get("organization") == "PERSONA":
        data = {**data, "organization": str(personas.district_b.pk)}
    client = signed_in_client(review_round.reviewer.user)
    r = client.post(reverse("reviews:declare_conflict") + "?q=birch", data)
    page = r.content.decode()
    assert r.status_code == 200 and error in page and "data-error-summary" in page
    assert not DeclaredConflict.objects.filter(reviewer=review_round.reviewer,
                                               reason=data.get("reason") or "-").exists()
    assert not DeclaredConflict.objects.filter(reviewer=review_round.reviewer,
                                               organization=personas.district_b).exists()


def test_no_match_says_so(review_round):
    page = signed_in_client(review_round.reviewer.user).get(
        reverse("reviews:declare_conflict"), {"q": "zzzz-nowhere"}).content.decode()
    assert "No organization matches" in page and 'name="organization"' not in page
