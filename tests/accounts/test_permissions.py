"""Each role against each page: who gets in, who is refused, who never learns a record exists."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from ..conftest import signed_in_client

pytestmark = pytest.mark.django_db

EVERYONE = ["anonymous", "officer", "admin", "auditor", "reviewer", "decider", "leader_a",
            "leader_b", "school_leader_a", "educator_a", "provider_user", "parent"]
READ_ALL = {"officer", "admin", "auditor"}
STAFF = {"officer", "admin"}


def expected(allowed: set[str], refused: int = 403) -> dict[str, int]:
    return {p: (200 if p in allowed else (302 if p == "anonymous" else refused)) for p in EVERYONE}


# (url name, args from personas, expected status per persona)
MATRIX = [
    ("public:home", None, {p: 200 for p in EVERYONE}),
    ("public:directory", None, {p: 200 for p in EVERYONE}),
    ("public:organization", "school_a", {p: 200 for p in EVERYONE}),
    ("accounts:home", None, expected(set(EVERYONE) - {"anonymous"})),
    ("organizations:list", None, expected(set(EVERYONE) - {"anonymous"})),
    ("organizations:detail", "district_a",
     expected(READ_ALL | {"leader_a", "school_leader_a", "educator_a"}, refused=404)),
    ("organizations:detail", "school_b", expected(READ_ALL | {"leader_b"}, refused=404)),
    ("organizations:detail", "provider", expected(READ_ALL | {"provider_user"}, refused=404)),
    ("organizations:edit", "district_a", expected(STAFF)),
    ("organizations:models", None, expected(READ_ALL)),
    ("studentdata:snapshots", None, expected(READ_ALL)),
    ("studentdata:lookup", None, expected(STAFF)),
    ("privacy:access_log", None, expected(READ_ALL)),
    ("admin:index", None, expected({"admin"})),
]


@pytest.mark.parametrize(("name", "arg", "statuses"), MATRIX,
                         ids=[f"{m[0]}:{m[1] or ''}" for m in MATRIX])
def test_each_role_against_each_page(personas, name, arg, statuses):
    url = reverse(name, args=[getattr(personas, arg).pk] if arg else None)
    got = {}
    for persona in EVERYONE:
        client = Client() if persona == "anonymous" else signed_in_client(
            getattr(personas, persona))
        got[persona] = client.get(url).status_code
    assert got == statuses


def test_refusal_page_says_why(personas):
    response = signed_in_client(personas.parent).get(reverse("studentdata:snapshots"))
    assert response.status_code == 403
    assert "This page is for: Auditor, Office administrator, Program officer." in (
        response.content.decode())


def test_unverified_staff_are_sent_to_the_second_factor(personas):
    client = signed_in_client(personas.auditor, verified=False)
    response = client.get(reverse("privacy:access_log"))
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:mfa")


def test_district_leader_registry_lists_only_own_district(personas):
    response = signed_in_client(personas.leader_a).get(reverse("organizations:list"))
    body = response.content.decode()
    assert "Alder County Schools" in body
    assert "Alder Elementary" in body
    assert "Birch City Schools" not in body
    assert "Birch Middle" not in body


def test_staff_registry_lists_everything(personas):
    body = signed_in_client(personas.auditor).get(reverse("organizations:list")).content.decode()
    for name in ("Alder County Schools", "Birch City Schools", "Summit Learning Partners"):
        assert name in body


def test_office_staff_only_allows_staff_tells_auditors_they_read_and_refuses_the_rest(personas):
    from django.contrib.auth.models import AnonymousUser

    from playbook.accounts.permissions import office_staff_only

    refusal = "Only office staff do this."
    users = {**personas.all_users(), "anonymous": AnonymousUser()}
    answers = {name: office_staff_only(user=user, refusal=refusal) for name, user in users.items()}
    assert {n for n, (allowed, _) in answers.items() if allowed} == STAFF
    assert answers["auditor"] == (False, "Auditors have read-only access.")
    assert {reason for n, (allowed, reason) in answers.items()
            if not allowed and n != "auditor"} == {refusal}
