"""The access log: who may read it, a page at a time (every entry reachable), never changed."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.urls import reverse

from playbook.privacy.models import AccessLogEntry, AppendOnlyError
from playbook.privacy.services import access_log_record

from ..conftest import signed_in_client


def test_a_record_names_the_reader_their_role_and_organization(personas):
    entry = access_log_record(user=personas.leader_a, action="student_record",
                              purpose="x" * 400, student_keys=["S1", "S2"], record_count=2,
                              data_kinds=["enrollment", "attendance"])
    assert (entry.user, entry.role, entry.organization) == (
        personas.leader_a, "district_leader", personas.district_a)
    assert entry.purpose == "x" * 300 and entry.data_kinds == "enrollment,attendance"
    with pytest.raises(AppendOnlyError, match="the access log is append-only"):
        entry.save()


def test_a_read_by_nobody_signed_in_is_recorded_as_the_system(db):
    for who in (None, AnonymousUser()):
        entry = access_log_record(user=who, action="export", purpose="nightly",
                                  student_keys=[], record_count=0)
        assert (entry.user, entry.role, entry.organization) == (None, "", None)


def test_the_log_is_paged_and_every_entry_can_be_reached(personas):
    AccessLogEntry.objects.bulk_create([
        AccessLogEntry(role="program_officer", action="student_record", purpose=f"read {i:03d}")
        for i in range(101)
    ])
    officer = signed_in_client(personas.officer)
    url = reverse("privacy:access_log")
    first = officer.get(url).content.decode()
    assert "Page 1 of 2" in first and 'href="?&page=2">Next page' in first
    second = officer.get(url, {"page": 2}).content.decode()
    assert "Page 2 of 2" in second and "Previous page" in second
    assert second.count("<tr><td data-label=\"When\">") == 1


def test_only_those_who_read_everything_see_the_log(personas):
    url = reverse("privacy:access_log")
    assert signed_in_client(personas.auditor).get(url).status_code == 200
    assert signed_in_client(personas.leader_a).get(url).status_code == 403
