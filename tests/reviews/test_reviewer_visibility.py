"""A reviewer sees what docs/reviews.md allows: the assignment, never the application's status,
decision, agreement, award or progress reports, and no other score before their own is in.

Each page is asked for as an assigned external reviewer (who may read the application for their
review), and as the other roles for comparison, on an application of district A and on one of
another organization."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from playbook.funding.models import Award
from playbook.programs.models import Agreement
from playbook.programs.services import agreements
from playbook.reviews.models import Assignment

from ..conftest import signed_in_client
from ..funding.helpers import approved_award, board, funded_cycle, put_in_force

pytestmark = pytest.mark.django_db


@pytest.fixture
def awarded(personas):  # type: ignore[no-untyped-def]
    """District A's approved award, in force, with a progress report; its reviewers."""
    cycle, _ = funded_cycle(personas.officer)
    board(personas)
    award = approved_award(personas, cycle)
    agreement = put_in_force(award, officer=personas.officer, grantee=personas.leader_a)
    commitment = agreement.commitments.get()
    report = agreements.report_submit(
        agreement=agreement, by=personas.leader_a, period_end=timezone.localdate(),
        narrative="On track.", values={commitment.pk: (Decimal("48"), "")})
    reviewers = [a.reviewer.user for a in Assignment.objects.filter(
        application=award.application).select_related("reviewer__user")]
    assert reviewers, "the application was independently reviewed"
    return award, agreement, report, reviewers


def _pages(award: Award, agreement: Agreement, report) -> dict[str, str]:  # type: ignore[no-untyped-def]
    app = award.application
    return {
        "application": reverse("programs:application_detail", args=[app.pk]),
        "award": reverse("funding:award_detail", args=[award.pk]),
        "agreement": reverse("programs:agreement_detail", args=[agreement.pk]),
        "report": reverse("programs:report_detail", args=[report.pk]),
    }


def test_an_assigned_reviewer_reaches_no_status_decision_agreement_award_or_report(
        personas, awarded):
    award, agreement, report, reviewers = awarded
    for user in reviewers:
        client = signed_in_client(user)
        for name, url in _pages(award, agreement, report).items():
            assert client.get(url).status_code == 404, (user.username, name)
        listing = client.get(reverse("funding:award_list")).content.decode()
        assert award.application.title not in listing
        assert reverse("funding:award_detail", args=[award.pk]) not in listing
        agreements_page = client.get(reverse("programs:agreement_list")).content.decode()
        assert agreement.title not in agreements_page


@pytest.mark.parametrize("who,expected", [
    ("officer", 200), ("auditor", 200), ("leader_a", 200),  # staff, auditor, the grantee
    ("leader_b", 404), ("provider_user", 404), ("parent", 404), ("educator_a", 404),
])
def test_the_award_pages_answer_each_role_by_its_scope(personas, awarded, who, expected):
    award, agreement, report, _ = awarded
    client = signed_in_client(getattr(personas, who))
    for name, url in _pages(award, agreement, report).items():
        assert client.get(url).status_code == expected, (who, name)


def test_an_assigned_reviewer_still_downloads_the_applications_attachments(personas, awarded,
                                                                           tmp_path, settings):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from playbook.programs.models import Attachment

    settings.MEDIA_ROOT = tmp_path
    award, _, _, reviewers = awarded
    attachment = Attachment.objects.create(
        application=award.application, slot="budget_narrative", original_name="plan.pdf",
        content_type="application/pdf", size=4, uploaded_by=personas.leader_a,
        file=SimpleUploadedFile("plan.pdf", b"%PDF"))
    url = reverse("programs:attachment_download", args=[award.application.pk, attachment.pk])
    assert signed_in_client(reviewers[0]).get(url).status_code == 200
    assert signed_in_client(personas.leader_b).get(url).status_code == 404


def test_before_their_own_review_a_reviewer_sees_no_other_score(review_round):
    """The staff reviewer has submitted; the external reviewer has not: neither the review page
    nor any application page shows the staff reviewer's score (or the normalized ranking)."""
    from playbook.reviews.services import normalization_run, review_save

    app = review_round.app_b
    staff = Assignment.objects.create(cycle=review_round.cycle, application=app,
                                      reviewer=review_round.staff_reviewer, source="manual",
                                      assigned_at=review_round.cycle.opens_at)
    mine = Assignment.objects.create(cycle=review_round.cycle, application=app,
                                     reviewer=review_round.reviewer, source="manual",
                                     assigned_at=review_round.cycle.opens_at)
    criteria = app.rules.rubric.criteria
    review_save(assignment=staff, by=staff.reviewer.user, submit=True,
                scores={c.key: c.scale_max for c in criteria}, overall_comment="Outstanding.")
    normalization_run(cycle=review_round.cycle, by=review_round.staff_reviewer.user)
    client = signed_in_client(review_round.reviewer.user)
    page = client.get(reverse("reviews:review", args=[mine.pk]))
    assert page.status_code == 200
    text = page.content.decode()
    assert "Outstanding." not in text
    assert "100.00" not in text and "Normalized" not in text
    assert "In review" not in text  # no status for an external reviewer
    assert client.get(reverse("programs:application_detail", args=[app.pk])).status_code == 404
    assert client.get(reverse("reviews:results", args=[review_round.cycle.pk])).status_code == 403


def test_a_reviewer_lists_no_application_outside_the_review_pages(personas, review_round):
    Assignment.objects.create(cycle=review_round.cycle, application=review_round.app_b,
                              reviewer=review_round.reviewer, source="manual",
                              assigned_at=review_round.cycle.opens_at)
    client = signed_in_client(review_round.reviewer.user)
    home = client.get(reverse("programs:home")).content.decode()
    assert review_round.app_b.title not in home
    dashboard = client.get(reverse("reviews:dashboard")).content.decode()
    assert review_round.app_b.title in dashboard

