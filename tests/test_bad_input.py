"""Bad input gets a clear form error or a 404, never a server error (issue 10's findings, each
one pinned): unicode digits in ``?year=``, an id too large for the database, ``sNaN`` in a
budget, a title with a newline (the email subject), a write that collides with another, an
attestation year out of range, a negative count, too many budget lines and a second file in a
one-file slot."""

from __future__ import annotations

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError
from django.test import Client, override_settings
from django.urls import include, path, reverse

from playbook.accounts.access import public
from playbook.core.mail import mail_subject
from playbook.core.params import ascii_int
from playbook.funding.services import MAX_BUDGET_LINES, application_budget_save
from playbook.programs.services import lifecycle
from playbook.programs.services.applications import (
    application_attachment_add,
    application_start,
    application_update_draft,
)
from playbook.reviews.services import attestation_sign

from .conftest import signed_in_client
from .programs.helpers import ANSWERS, complete_draft, make_cycle
from .reviews.conftest import make_reviewer

pytestmark = pytest.mark.django_db
SUPERSCRIPT_TWO = "\u00b2"


def test_only_ascii_digits_read_as_a_number():
    assert ascii_int("2025") == 2025 and ascii_int(" 7 ") == 7
    for raw in (SUPERSCRIPT_TWO, "\u0663", "-1", "1e3", "99999999999999999999", "", None):
        assert ascii_int(raw) is None, raw
    assert ascii_int(SUPERSCRIPT_TWO, default=0) == 0


@pytest.mark.parametrize("url", [
    "/evidence/report-cards/school-v1/ratings/",
    "/evidence/report-cards/school-v1/school/010000100001/",
    "/evidence/report-cards/school-v1/school/010000100001/card.csv",
    "/evidence/report-cards/school-v1/school/010000100001/card.json",
    "/evidence/report-cards/school-v1/school/010000100001/card.pdf",
    "/evidence/public/growth/",
    "/evidence/public/growth/growth.csv",
    "/evidence/public/growth/growth.json",
])
def test_unicode_digits_in_year_or_run_are_not_found_rather_than_a_server_error(url):
    for param in ("year", "run"):
        response = Client().get(url, {param: SUPERSCRIPT_TWO})
        assert response.status_code in (200, 404), (url, param)


def test_an_id_no_database_row_can_have_is_not_found(personas):
    officer = signed_in_client(personas.officer)
    for url in ["/programs/applications/99999999999999999999/",
                "/funding/awards/99999999999999999999/",
                "/reviews/attest/99999999999999999999/"]:
        assert officer.get(url).status_code == 404, url


def test_a_title_with_a_newline_still_submits_and_mails_a_one_line_subject(personas):
    cycle = make_cycle(personas.officer)
    app = complete_draft(cycle=cycle, applicant=personas.district_a, by=personas.leader_a,
                         title="Math for all\r\nBcc: someone@example.com")
    app = lifecycle.application_submit(application=app, by=personas.leader_a)
    assert app.status == "submitted"
    assert mail.outbox, "the submission was mailed"
    for message in mail.outbox:
        assert "\n" not in message.subject and "\r" not in message.subject
        assert "Math for all Bcc: someone@example.com" in message.subject
        assert not message.bcc
    assert mail_subject("a\u2028b\tc\x00") == "a b c"


def test_snan_or_infinity_in_a_budget_is_a_clear_error(personas):
    cycle = make_cycle(personas.officer)
    app = application_start(cycle=cycle, applicant=personas.district_a, by=personas.leader_a,
                            title="A")
    for bad in ("sNaN", "NaN", "Infinity", "-Infinity"):
        line = {"category": "Technology", "description": "Devices", "state_amount": bad,
                "match_cash": "0", "match_in_kind": "0"}
        with pytest.raises(ValidationError, match="numbers of dollars and cents"):
            application_budget_save(application=app, by=personas.leader_a, lines=[line])


def test_more_budget_lines_than_the_limit_are_refused(personas):
    cycle = make_cycle(personas.officer)
    app = application_start(cycle=cycle, applicant=personas.district_a, by=personas.leader_a,
                            title="A")
    line = {"category": "Technology", "description": "Devices", "state_amount": "10.00",
            "match_cash": "0", "match_in_kind": "0"}
    with pytest.raises(ValidationError, match=f"at most {MAX_BUDGET_LINES} lines"):
        application_budget_save(application=app, by=personas.leader_a,
                                lines=[line] * (MAX_BUDGET_LINES + 1))
    n = MAX_BUDGET_LINES + 5
    data = {"lines-TOTAL_FORMS": str(n), "lines-INITIAL_FORMS": "0",
            "lines-MIN_NUM_FORMS": "0", "lines-MAX_NUM_FORMS": "40"}
    for i in range(n):
        data.update({f"lines-{i}-{k}": v for k, v in line.items()})
    response = signed_in_client(personas.leader_a).post(
        reverse("funding:application_budget", args=[app.pk]), data)
    assert response.status_code == 200
    assert b"Please submit at most 40 forms" in response.content
    assert not app.budget_lines.exists()


def test_a_negative_number_of_students_served_is_refused(personas):
    cycle = make_cycle(personas.officer)
    app = application_start(cycle=cycle, applicant=personas.district_a, by=personas.leader_a,
                            title="A")
    with pytest.raises(ValidationError, match="0 or more"):
        application_update_draft(application=app, by=personas.leader_a, title="A", summary="",
                                 answers={**ANSWERS, "students_served": -480})
    response = signed_in_client(personas.leader_a).post(
        reverse("programs:application_edit", args=[app.pk]),
        {"title": "A", "answer_students_served": "-480"})
    assert response.status_code == 200
    assert b"greater than or equal to 0" in response.content
    app.refresh_from_db()
    assert app.answers.get("students_served") is None


def test_a_one_file_attachment_slot_takes_one_file(personas, settings, tmp_path):
    settings.DATA_DIR = tmp_path
    cycle = make_cycle(personas.officer)
    app = application_start(cycle=cycle, applicant=personas.district_a, by=personas.leader_a,
                            title="A")

    def pdf(name: str) -> SimpleUploadedFile:
        return SimpleUploadedFile(name, b"%PDF-1.4 letter", "application/pdf")

    application_attachment_add(application=app, by=personas.leader_a, slot="support_letters",
                               upload=pdf("one.pdf"))
    with pytest.raises(ValidationError, match="holds one file"):
        application_attachment_add(application=app, by=personas.leader_a,
                                   slot="support_letters", upload=pdf("two.pdf"))
    app.attachments.all().delete()
    response = signed_in_client(personas.leader_a).post(
        reverse("programs:application_attachments", args=[app.pk]),
        {"slot": "support_letters", "file": [pdf("a.pdf"), pdf("b.pdf")]})
    assert response.status_code == 200
    assert b"Attach one file" in response.content
    assert not app.attachments.exists()


def test_an_attestation_year_out_of_range_is_refused(personas):
    profile = make_reviewer("attester", attest_year=None)
    with pytest.raises(ValidationError, match="fiscal year from 2000"):
        attestation_sign(reviewer=profile, fiscal_year=30000)
    client = signed_in_client(profile.user)
    assert client.get(reverse("reviews:attest", args=[30000])).status_code == 404
    assert client.post(reverse("reviews:attest", args=[30000]),
                       {"agree": "on"}).status_code == 404
    assert not profile.attestations.exists()


@public
def _collides(request):  # type: ignore[no-untyped-def]
    raise IntegrityError("UNIQUE constraint failed: programs_ballot.application_id")


urlpatterns = [path("collides/", _collides), path("", include("playbook.config.urls"))]


@override_settings(ROOT_URLCONF=__name__)
def test_a_write_that_collides_with_another_is_a_clear_409_page():
    response = Client(raise_request_exception=False).get("/collides/")
    assert response.status_code == 409
    text = response.content.decode()
    assert "Someone else changed this at the same moment" in text
    assert "UNIQUE constraint" not in text




def test_a_panel_member_id_past_the_largest_id_is_a_form_error(personas):
    from playbook.reviews.models import ReviewerProfile

    from .reviews.conftest import make_cycle as make_review_cycle

    cycle = make_review_cycle()
    response = signed_in_client(personas.officer).post(
        reverse("reviews:cycle", args=[cycle.pk]),
        {"min_load": "0", "max_load": "3", "outlier_sd": "1.5", "outlier_points": "",
         "panel": ["99999999999999999999"]})
    assert response.status_code == 200
    assert "“99999999999999999999” is not a valid value." in response.content.decode()
    assert ReviewerProfile.objects.count() == 0
