"""The directory shows a school's enrollment only as its report card publishes it (decision
0008): a card that hides a small school's enrollment must not be undone by the directory
showing the registry's figure."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from playbook.core.jobs import JobStatus
from playbook.evidence.models import (
    ReportCardFramework,
    ReportCardPublication,
    ReportCardRating,
    ReportCardRun,
)
from playbook.studentdata.models import Snapshot

from ..conftest import signed_in_client

pytestmark = pytest.mark.django_db
HIDDEN = b"Not shown: fewer than 10 students"


def _publish(school: Any, district: Any, year: int = 2025) -> ReportCardPublication:
    fw = ReportCardFramework.objects.create(slug="school-district-performance", version=1,
                                            definition={})
    snapshot = Snapshot.objects.create(created_via="test", directory="snap-directory-test",
                                       sequence=1)
    run = ReportCardRun.objects.create(framework=fw, snapshot=snapshot, engine="duckdb",
                                       min_n=10, code_version="test",
                                       status=JobStatus.SUCCEEDED, progress=100)
    # the card hides the school's enrollment (complementary suppression) and publishes the
    # district's
    ReportCardRating.objects.create(run=run, entity_type="school", entity_id=school.nces_id,
                                    year=year, rating="Performance",
                                    context={"enrollment": None,
                                             "pct_econ_disadvantaged": None})
    ReportCardRating.objects.create(run=run, entity_type="district",
                                    entity_id=district.nces_id, year=year,
                                    rating="Performance",
                                    context={"enrollment": 1234,
                                             "pct_econ_disadvantaged": 41.5})
    return ReportCardPublication.objects.create(framework_slug=fw.slug, school_year=year,
                                                run=run, current=True)


def test_the_directory_shows_the_cards_enrollment_never_the_registrys(personas: Any) -> None:
    school, district = personas.school_a, personas.district_a
    school.enrollment, district.enrollment = 14, 1500  # the registry's own figures
    school.econ_disadvantaged_share = district.econ_disadvantaged_share = 0.5
    school.save()
    district.save()
    pages = [(Client(), "public:organization"), (signed_in_client(personas.leader_a),
                                                  "organizations:detail")]
    # before any card is published: no enrollment at all
    for client, name in pages:
        html = client.get(reverse(name, args=[school.pk])).content
        assert b"Enrollment" not in html and b">14<" not in html and b"50%" not in html
    _publish(school, district)
    for client, name in pages:
        html = client.get(reverse(name, args=[school.pk])).content
        assert HIDDEN in html and b">14<" not in html and b"50%" not in html, name
        html = client.get(reverse(name, args=[district.pk])).content
        assert b"1,234" in html and b"41.5%" in html and b"1,500" not in html, name
    listing = Client().get(reverse("public:directory"), {"q": school.name}).content
    assert b"Not shown" in listing and b">14<" not in listing
