"""Site basics (issue 11, item 5): a footer on every page with contact, accessibility,
privacy and open data; each of those pages exists; the favicon; open data lists what is
published and nothing that is not."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from playbook.evidence.models import GrowthPublication, GrowthRun
from playbook.studentdata.models import Snapshot

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("name", ["contact", "accessibility", "privacy", "open_data"])
def test_each_footer_page_is_public_and_linked_from_every_page(name: str) -> None:
    client = Client()
    r = client.get(reverse(f"public:{name}"))
    assert r.status_code == 200
    for page in ("/", reverse("public:directory"), reverse(f"public:{name}")):
        html = client.get(page).content.decode()
        footer = html[html.index("<footer"):]
        assert f'href="{reverse(f"public:{name}")}"' in footer, (page, name)


def test_the_footer_gives_the_offices_contact_and_the_minimum_n(settings) -> None:
    settings.PLAYBOOK_OFFICE_EMAIL = "help@example.gov"
    settings.PLAYBOOK_MIN_N = 16
    html = Client().get("/").content.decode()
    footer = html[html.index("<footer"):]
    assert 'href="mailto:help@example.gov"' in footer
    assert "fewer than 16 students" in footer


def test_the_favicon_is_linked_and_favicon_ico_finds_it() -> None:
    html = Client().get("/").content.decode()
    assert 'rel="icon"' in html and "favicon.svg" in html
    r = Client().get("/favicon.ico")
    assert r.status_code == 301 and r["Location"].endswith("playbook/favicon.svg")


def test_open_data_lists_published_growth_and_not_the_rest() -> None:
    snapshot = Snapshot.objects.create(created_via="test", directory="snapshots/t", sequence=1)

    def run(subject: str) -> GrowthRun:
        return GrowthRun.objects.create(snapshot=snapshot, subject=subject, school_year=2025,
                                        configuration={}, configuration_fingerprint=subject,
                                        code_version="test", status="succeeded", min_n=10)
    GrowthPublication.objects.create(subject="math", school_year=2025, run=run("math"))
    run("ela")  # finished, never published
    html = Client().get(reverse("public:open_data")).content.decode()
    assert "?subject=math&amp;year=2025" in html
    assert "subject=ela" not in html
    assert "No report card is published yet." in html
