"""Each role against each programs and funding page, including another district's leader."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from playbook.programs.models import Application
from playbook.programs.services import agreements

from ..conftest import signed_in_client
from ..funding.helpers import funded_cycle
from .helpers import advance_to, board, complete_draft, decide

pytestmark = pytest.mark.django_db

EVERYONE = ["anonymous", "officer", "admin", "auditor", "reviewer", "decider", "leader_a",
            "leader_b", "school_leader_a", "educator_a", "provider_user", "parent"]
READ_ALL = {"officer", "admin", "auditor"}
STAFF = {"officer", "admin"}
APPLICANTS = {"leader_a", "leader_b", "school_leader_a", "provider_user"}


def expected(allowed: set[str], refused: int = 403, hidden: set[str] | None = None
             ) -> dict[str, int]:
    """200 for ``allowed``; ``hidden`` get 404 (the page's rule lets them in, the record's
    scope does not); anonymous is sent to sign in; the rest are refused."""
    hidden = hidden or set()
    out = {}
    for p in EVERYONE:
        if p in allowed:
            out[p] = 200
        elif p == "anonymous":
            out[p] = 302
        elif p in hidden:
            out[p] = 404
        else:
            out[p] = refused
    return out


SIGNED_IN = set(EVERYONE) - {"anonymous"}


@pytest.fixture
def world(personas):  # type: ignore[no-untyped-def]
    cycle, _ = funded_cycle(personas.officer, appropriation="5000000.00", budget="5000000.00")
    board(personas)
    draft = complete_draft(cycle=cycle, applicant=personas.district_a, by=personas.leader_a)
    recommended = advance_to(
        complete_draft(cycle=cycle, applicant=personas.district_b, by=personas.leader_b),
        "recommended", officer=personas.officer, decider=personas.decider,
        applicant_user=personas.leader_b)
    school_app = advance_to(
        complete_draft(cycle=cycle, applicant=personas.school_a, by=personas.school_leader_a,
                       amount="100000.00"),
        "recommended", officer=personas.officer, decider=personas.decider,
        applicant_user=personas.school_leader_a)
    ballot = decide(school_app, officer=personas.officer, outcome="approved",
                    amount=Decimal("100000.00"))
    school_app = Application.objects.get(pk=school_app.pk)
    agreement = school_app.agreement
    award = agreement.award
    agreements.commitment_add(agreement=agreement, by=personas.officer,
                              measure="Students on track in math", unit="percent",
                              baseline=Decimal("42"), target=Decimal("60"),
                              due_date=agreement.end_date)
    agreement = agreements.agreement_step(agreement=agreement, name="sign", by=personas.officer)
    agreement = agreements.agreement_step(agreement=agreement, name="countersign",
                                          by=personas.school_leader_a)
    assert agreement.in_force
    return {"cycle": cycle, "draft": draft, "recommended": recommended, "award": award,
            "agreement": agreement, "ballot": ballot, "program": cycle.program}


def matrix(w):  # type: ignore[no-untyped-def]
    c, d, r, a = w["cycle"].pk, w["draft"].pk, w["recommended"].pk, w["award"].pk
    g, b = w["agreement"].pk, w["ballot"].pk
    slug = w["program"].slug
    grantee = {"school_leader_a", "leader_a"}  # the school, and the district it belongs to
    return [
        ("programs:home", [], expected(SIGNED_IN)),
        ("programs:program_index", [], expected(READ_ALL)),
        ("programs:program_new", [], expected(STAFF)),
        ("programs:program_detail", [slug], expected(READ_ALL)),
        ("programs:cycle_new", [slug], expected(STAFF)),
        ("programs:cycle_detail", [c], expected(READ_ALL)),
        ("programs:cycle_edit", [c], expected(STAFF)),
        ("programs:cycle_rules", [c], expected(STAFF)),
        ("programs:application_new", [c], expected(APPLICANTS)),
        ("programs:application_list", [], expected(READ_ALL)),
        ("programs:application_export", [], expected(READ_ALL)),
        ("programs:screening", [], expected(READ_ALL)),
        # A draft: its applicant and the staff; another district's leader never learns of it.
        ("programs:application_detail", [d],
         expected(READ_ALL | {"leader_a"}, hidden=SIGNED_IN - READ_ALL - {"leader_a"})),
        ("programs:application_edit", [d],
         expected({"leader_a"}, hidden=APPLICANTS - {"leader_a"})),
        ("funding:application_budget", [d],
         expected({"leader_a"}, hidden=APPLICANTS - {"leader_a"})),
        ("programs:application_attachments", [d],
         expected({"leader_a"}, hidden=APPLICANTS - {"leader_a"})),
        # Recommended: the decision body reads it too.
        ("programs:application_detail", [r],
         expected(READ_ALL | {"leader_b", "decider"},
                  hidden=SIGNED_IN - READ_ALL - {"leader_b", "decider"})),
        ("programs:application_screen", [r], expected(STAFF)),
        ("funding:decision_page", [c], expected(READ_ALL | {"decider"})),
        # Office staff (the board's clerk) and the board's chair open the vote.
        ("programs:ballot_new", [r], expected(STAFF | {"decider"})),
        # The closed vote: staff, auditors and the board's members.
        ("programs:ballot_detail", [b], expected(READ_ALL | {"decider"})),
        ("funding:appropriation_list", [], expected(READ_ALL)),
        ("funding:appropriation_new", [], expected(STAFF)),
        ("funding:award_list", [], expected(SIGNED_IN)),
        ("programs:agreement_list", [], expected(SIGNED_IN)),
        # The school's award: the school, its district, staff, the decision body.
        ("funding:award_detail", [a],
         expected(READ_ALL | grantee | {"decider"},
                  hidden=SIGNED_IN - READ_ALL - grantee - {"decider"})),
        ("programs:agreement_detail", [g],
         expected(READ_ALL | grantee | {"decider"},
                  hidden=SIGNED_IN - READ_ALL - grantee - {"decider"})),
        ("funding:report_new", [g],
         expected({"school_leader_a"}, hidden=APPLICANTS - grantee)
         | {"leader_a": 302}),  # the district reads, but only the grantee reports
        ("programs:round_index", [], {p: 200 for p in EVERYONE}),
        ("programs:round_page", [c], {p: 200 for p in EVERYONE}),
        ("programs:round_csv", [c], {p: 200 for p in EVERYONE}),
        ("programs:round_json", [c], {p: 200 for p in EVERYONE}),
    ]


def test_each_role_against_each_page(personas, world):
    failures = []
    clients = {p: Client() if p == "anonymous" else signed_in_client(getattr(personas, p))
               for p in EVERYONE}
    for name, args, statuses in matrix(world):
        url = reverse(name, args=args)
        got = {p: clients[p].get(url).status_code for p in EVERYONE}
        if got != statuses:
            failures.append((name, {p: (got[p], statuses[p]) for p in EVERYONE
                                    if got[p] != statuses[p]}))
    assert failures == []


def test_another_districts_leader_cannot_act_on_an_application(personas, world):
    client = signed_in_client(personas.leader_b)
    d = world["draft"].pk
    for step in ("submit", "withdraw"):
        assert client.post(reverse("programs:application_step", args=[d]),
                           {"step": step, "reason": "x"}).status_code == 404
    response = client.post(reverse("programs:application_edit", args=[d]),
                           {"title": "Hijacked"})
    assert response.status_code == 404
    world["draft"].refresh_from_db()
    assert world["draft"].title != "Hijacked"
    assert world["draft"].status == "draft"


def test_auditor_reads_everything_and_changes_nothing(personas, world):
    client = signed_in_client(personas.auditor)
    r = world["recommended"].pk
    assert client.get(reverse("programs:application_detail", args=[r])).status_code == 200
    assert client.post(reverse("programs:application_screen", args=[r]),
                       {"action": "eligible"}).status_code == 403
    # The lifecycle page's step: refused, and the page says why.
    response = client.post(reverse("programs:application_step", args=[r]),
                           {"step": "withdraw", "reason": "x"}, follow=True)
    assert "Auditors have read-only access." in response.content.decode()
    assert client.post(reverse("programs:ballot_new", args=[r]),
                       {"amount": "1"}).status_code == 403
    world["recommended"].refresh_from_db()
    assert world["recommended"].status == "recommended"
    assert not world["recommended"].ballots.exists()
