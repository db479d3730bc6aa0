"""The auditor's access log: filters by date, role, user, action and student, each checked,
and a CSV download of exactly what the filters show (itself a logged read, formula-safe)."""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from unittest import mock

import pytest
from django.urls import reverse
from django.utils import timezone

from playbook.privacy.models import AccessLogEntry
from playbook.privacy.services import access_log_record

from ..conftest import signed_in_client

pytestmark = pytest.mark.django_db


@pytest.fixture
def log(personas):
    access_log_record(user=personas.officer, action="student_record", purpose="Screening check",
                      student_keys=["S1", "S10"], record_count=2)
    access_log_record(user=personas.leader_a, action="growth_results",
                      purpose="=HYPERLINK(\"http://x\")", student_keys=["S10"], record_count=1)
    forty_days_ago = timezone.now() - timedelta(days=40)
    with mock.patch("django.utils.timezone.now", return_value=forty_days_ago):
        access_log_record(user=personas.auditor, action="student_record",
                          purpose="Annual audit", student_keys=["S2"], record_count=1)
    assert AccessLogEntry.objects.filter(at=forty_days_ago).count() == 1
    return personas


def _purposes(page: str) -> set[str]:
    return {p for p in ("Screening check", "HYPERLINK", "Annual audit") if p in page}


def test_each_filter_narrows_the_log(log):
    client = signed_in_client(log.auditor)
    url = reverse("privacy:access_log")
    today = timezone.localdate()
    cases = {
        "role=district_leader": {"HYPERLINK"},
        "user=offic": {"Screening check"},
        "action=growth_results": {"HYPERLINK"},
        "student=S1": {"Screening check"},  # not S10's reads
        "student=S10": {"Screening check", "HYPERLINK"},
        f"since={today - timedelta(days=7)}": {"Screening check", "HYPERLINK"},
        f"until={today - timedelta(days=30)}": {"Annual audit"},
        "": {"Screening check", "HYPERLINK", "Annual audit"},
    }
    for query, expected in cases.items():
        page = client.get(f"{url}?{query}").content.decode()
        assert _purposes(page) == expected, query
    assert "District leader" in client.get(f"{url}?role=district_leader").content.decode()


def test_a_bad_filter_names_the_field_and_shows_nothing(log):
    client = signed_in_client(log.auditor)
    page = client.get(reverse("privacy:access_log"),
                      {"since": "2026-12-01", "until": "2026-01-01"}).content.decode()
    assert "There is a problem to fix" in page
    assert '<a class="usa-link" href="#id_until">To (inclusive): The end date is before the ' \
        'start date.</a>' in page
    assert _purposes(page) == set()
    r = client.get(reverse("privacy:access_log"), {"role": "king"})
    assert r.status_code == 200 and "Select a valid choice" in r.content.decode()
    r = client.get(reverse("privacy:access_log_csv"), {"since": "yesterday"})
    assert r.status_code == 400 and "Enter a valid date." in r.content.decode()


def test_the_csv_is_what_the_filters_show_and_the_download_is_logged(log):
    client = signed_in_client(log.auditor)
    r = client.get(reverse("privacy:access_log_csv"), {"student": "S10"})
    assert r.status_code == 200 and r["Content-Type"].startswith("text/csv")
    assert r["Cache-Control"].startswith("max-age=0") or "no-cache" in r["Cache-Control"]
    rows = list(csv.DictReader(io.StringIO(r.content.decode())))
    assert [row["action"] for row in rows] == ["growth_results", "student_record"]
    assert rows[0]["purpose"].startswith("'="), "a formula is neutralised"
    assert rows[1]["student_keys"] == "S1 S10"
    export = AccessLogEntry.objects.get(action="access_log_export")
    assert (export.user, export.record_count) == (log.auditor, 2)
    assert "student=S10" in export.purpose


@pytest.mark.parametrize("role", ["leader_a", "reviewer", "decider", "parent", "educator_a",
                                  "provider_user", "school_leader_a"])
def test_only_staff_and_auditors_download_the_log(log, role):
    r = signed_in_client(getattr(log, role)).get(reverse("privacy:access_log_csv"))
    assert r.status_code == 403
    assert not AccessLogEntry.objects.filter(action="access_log_export").exists()
