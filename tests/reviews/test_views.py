"""Each role against each review action, including a conflicted reviewer, and the pages."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from playbook.programs.models import Application
from playbook.reviews.models import Assignment, ReviewerProfile
from playbook.reviews.services import (
    normalization_run,
    review_round_update,
    review_save,
)

from ..conftest import signed_in_client

PERSONAS = ["anonymous", "officer", "admin", "auditor", "reviewer", "conflicted", "decider",
            "leader_a", "leader_b", "school_leader_a", "educator_a", "provider_user", "parent"]
STAFF = {"officer", "admin"}
REVIEWERS = STAFF | {"reviewer", "conflicted"}
RESULTS = STAFF | {"auditor", "decider"}

FULL = {"score_innovation": "4", "score_evidence": "3", "score_capacity": "5",
        "score_sustainability": "2", "overall_comment": "Clear and credible."}


def _client(personas, review_round, name):  # type: ignore[no-untyped-def]
    if name == "anonymous":
        return Client()
    if name == "conflicted":
        return signed_in_client(review_round.conflicted.user)
    return signed_in_client(getattr(personas, name))


def expect(allowed, *, ok=200, refused=403, outside=None):  # type: ignore[no-untyped-def]
    """Status per persona: ``ok`` for ``allowed``, 302 for anonymous, ``outside`` (404) for
    those the role rule lets in but the object getter does not, ``refused`` for the rest."""
    outside = outside or set()
    out = {}
    for p in PERSONAS:
        if p in allowed:
            out[p] = ok
        elif p == "anonymous":
            out[p] = 302
        elif p in outside:
            out[p] = 404
        else:
            out[p] = refused
    return out


@pytest.fixture
def setup(review_round):  # type: ignore[no-untyped-def]
    mine = Assignment.objects.create(cycle=review_round.cycle, application=review_round.app_b,
                                     reviewer=review_round.reviewer, source="manual",
                                     assigned_at=review_round.cycle.opens_at)
    # A data repair assigned the conflicted reviewer to their own district's application.
    theirs = Assignment.objects.create(cycle=review_round.cycle, application=review_round.app_a,
                                       reviewer=review_round.conflicted, source="manual",
                                       assigned_at=review_round.cycle.opens_at)
    return review_round, mine, theirs


def _matrix(personas, setup):  # type: ignore[no-untyped-def]
    rnd, mine, theirs = setup
    c = rnd.cycle.pk
    return [
        ("get", reverse("reviews:dashboard"), None, expect(REVIEWERS)),
        ("get", reverse("reviews:review", args=[mine.pk]), None,
         expect({"reviewer"}, outside=(REVIEWERS - {"reviewer"}))),
        ("get", reverse("reviews:review", args=[theirs.pk]), None,
         expect(set(), outside=REVIEWERS)),
        ("post", reverse("reviews:review", args=[theirs.pk]), {**FULL, "submit": "1"},
         expect(set(), outside=REVIEWERS)),
        ("get", reverse("reviews:attest", args=[2027]), None,
         expect({"reviewer", "conflicted", "officer"}, outside={"admin"})),
        ("get", reverse("reviews:declare_conflict"), None,
         expect({"reviewer", "conflicted", "officer"}, outside={"admin"})),
        ("get", reverse("reviews:pool"), None, expect(STAFF)),
        ("get", reverse("reviews:reviewer", args=[rnd.reviewer.pk]), None, expect(STAFF)),
        ("get", reverse("reviews:cycles"), None, expect(STAFF)),
        ("get", reverse("reviews:cycle", args=[c]), None, expect(STAFF)),
        ("post", reverse("reviews:assign", args=[c]), {}, expect(STAFF, ok=302)),
        ("get", reverse("reviews:application", args=[rnd.app_a.pk]), None, expect(STAFF)),
        ("get", reverse("reviews:normalization", args=[c]), None, expect(RESULTS)),
        ("post", reverse("reviews:normalize", args=[c]), {}, expect(STAFF, ok=302)),
        ("get", reverse("reviews:results", args=[c]), None, expect(RESULTS)),
        ("get", reverse("reviews:results_csv", args=[c]), None, expect(RESULTS)),
    ]


def test_each_role_against_each_action(personas, setup):
    failures = []
    for method, url, data, statuses in _matrix(personas, setup):
        got = {}
        for p in PERSONAS:
            client = _client(personas, setup[0], p)
            response = client.post(url, data or {}) if method == "post" else client.get(url)
            got[p] = response.status_code
        if got != statuses:
            failures.append((method, url, {p: (got[p], statuses[p]) for p in PERSONAS
                                           if got[p] != statuses[p]}))
    assert failures == []


def test_assigned_reviewer_scores_through_the_form(personas, setup):
    _rnd, mine, _ = setup
    client = signed_in_client(personas.reviewer)
    page = client.get(reverse("reviews:review", args=[mine.pk]))
    html = page.content.decode()
    assert "Innovation and personalization (weight 30): score 0-5" in html
    assert "Combines technology with changes to human capital" in html  # guidance
    # A draft, then a submission with a missing score is refused with the reason.
    draft = client.post(reverse("reviews:review", args=[mine.pk]), {"score_innovation": "4",
                                                                    "save": "1"})
    assert draft.status_code == 302, draft.content.decode()[-3000:]
    mine.refresh_from_db()
    assert mine.review.submitted_at is None
    bad = client.post(reverse("reviews:review", args=[mine.pk]),
                      {"score_innovation": "4", "submit": "1"})
    assert bad.status_code == 200
    assert "Score Evidence and likely impact on student results before submitting." in (
        bad.content.decode())
    done = client.post(reverse("reviews:review", args=[mine.pk]), {**FULL, "submit": "1"})
    assert done.status_code == 302
    mine.review.refresh_from_db()
    assert mine.review.total == Decimal("69.00")


def test_reviewer_must_attest_first(personas, setup):
    rnd, mine, _ = setup
    rnd.reviewer.attestations.all().delete()
    client = signed_in_client(personas.reviewer)
    dashboard = client.get(reverse("reviews:dashboard")).content.decode()
    assert "Attestation needed for fiscal year 2026" in dashboard
    page = client.get(reverse("reviews:review", args=[mine.pk])).content.decode()
    assert "Sign the conflict-of-interest attestation for fiscal year 2026" in page
    assert client.post(reverse("reviews:review", args=[mine.pk]), {**FULL, "submit": "1"}
                       ).status_code == 200
    assert not hasattr(Assignment.objects.get(pk=mine.pk), "review")
    client.post(reverse("reviews:attest", args=[2026]), {"agree": "on"})
    assert rnd.reviewer.attestations.filter(fiscal_year=2026).exists()
    assert client.post(reverse("reviews:review", args=[mine.pk]), {**FULL, "submit": "1"}
                       ).status_code == 302


def test_other_scores_appear_only_after_submitting(personas, setup):
    rnd, mine, _ = setup
    other = Assignment.objects.create(cycle=rnd.cycle, application=rnd.app_b,
                                      reviewer=rnd.second, source="manual",
                                      assigned_at=rnd.cycle.opens_at)
    review_save(assignment=other, by=rnd.second.user, overall_comment="UNIQUE-OTHER-COMMENT",
                scores={"innovation": 1, "evidence": 1, "capacity": 1, "sustainability": 1},
                submit=True)
    client = signed_in_client(personas.reviewer)
    url = reverse("reviews:review", args=[mine.pk])
    assert "UNIQUE-OTHER-COMMENT" not in client.get(url).content.decode()
    client.post(url, {**FULL, "submit": "1"})
    assert "UNIQUE-OTHER-COMMENT" in client.get(url).content.decode()


def test_external_reviewer_never_sees_the_decision(personas, setup):
    rnd, mine, _ = setup
    Application.objects.filter(pk=rnd.app_b.pk).update(status="denied")
    page = signed_in_client(personas.reviewer).get(reverse("reviews:review", args=[mine.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert "Denied" not in html and "Status:" not in html
    assert "Scoring is closed: the review of this application is over." in html


def test_every_page_words_the_scoring_state_the_same_way(personas, setup):
    """The dashboard and the review page said "Not yet open" and "Scoring is closed" for the
    same screened application; both now read from ``scoring_state``."""
    rnd, mine, _ = setup
    client = signed_in_client(personas.reviewer)
    for status, words in (("screened", "not open yet: it opens when the office starts the "
                                       "review"),
                          ("denied", "closed: the review of this application is over")):
        Application.objects.filter(pk=rnd.app_b.pk).update(status=status)
        page = client.get(reverse("reviews:review", args=[mine.pk])).content.decode()
        board = client.get(reverse("reviews:dashboard")).content.decode()
        assert f"Scoring is {words}." in page
        assert words[0].upper() + words[1:] in board


def test_recusing_withdraws_the_assignment(personas, setup):
    _rnd, mine, _ = setup
    client = signed_in_client(personas.reviewer)
    response = client.post(reverse("reviews:recuse", args=[mine.pk]),
                           {"reason": "I advised them last year"})
    assert response.status_code == 302
    assert not Assignment.objects.filter(pk=mine.pk).exists()
    assert client.get(reverse("reviews:review", args=[mine.pk])).status_code == 404


def test_staff_see_the_relax_message_when_no_assignment_exists(personas, review_round):
    review_round_update(cycle=review_round.cycle, min_load=0, max_load=1,
                        outlier_sd=Decimal("1.5"))
    client = signed_in_client(personas.officer)
    page = client.post(reverse("reviews:assign", args=[review_round.cycle.pk]), follow=True)
    html = page.content.decode()
    assert "No assignment exists with these settings." in html
    assert "raise the maximum load to 2" in html


def test_staff_manual_assignment_refuses_a_conflict(personas, review_round):
    client = signed_in_client(personas.officer)
    page = client.post(reverse("reviews:assignment_add", args=[review_round.cycle.pk]),
                       {"application": review_round.app_a.pk,
                        "reviewer": review_round.conflicted.pk}, follow=True)
    assert "has a conflict with" in page.content.decode()
    assert not Assignment.objects.filter(reviewer=review_round.conflicted).exists()


def test_staff_manage_the_pool(personas, review_round):
    from ..factories import UserFactory

    newcomer = UserFactory(username="newcomer", role="reviewer")
    client = signed_in_client(personas.officer)
    client.post(reverse("reviews:pool"), {"user": newcomer.pk, "expertise": ["rural", "stem"]})
    assert not ReviewerProfile.objects.filter(user=newcomer).exists()  # unknown tag refused
    client.post(reverse("reviews:pool"), {"user": newcomer.pk, "expertise": ["rural"],
                                          "external": "on"})
    profile = ReviewerProfile.objects.get(user=newcomer)
    assert profile.expertise == ["rural"]
    client.post(reverse("reviews:affiliation_add", args=[profile.pk]), {
        "organization": personas.district_b.nces_id, "kind": "employment",
        "start_year": "2018", "end_year": ""})
    assert profile.affiliations.get().organization == personas.district_b
    page = client.get(reverse("reviews:cycle", args=[review_round.cycle.pk])).content.decode()
    assert "Works for" not in page or "Employed by Birch City Schools" in page


def test_results_page_and_csv(personas, setup):
    rnd, mine, _ = setup
    review_save(assignment=mine, by=personas.reviewer,
                scores={"innovation": 4, "evidence": 3, "capacity": 5, "sustainability": 2},
                overall_comment="ok", submit=True)
    normalization_run(cycle=rnd.cycle)
    client = signed_in_client(personas.decider)
    html = client.get(reverse("reviews:results", args=[rnd.cycle.pk])).content.decode()
    assert "69.00" in html
    csv_text = client.get(reverse("reviews:results_csv", args=[rnd.cycle.pk])).content.decode()
    lines = csv_text.strip().splitlines()
    assert lines[0].startswith("rank,reference,applicant")
    assert "69.00,69.00" in lines[1]
    report = client.get(reverse("reviews:normalization", args=[rnd.cycle.pk])).content.decode()
    assert "Only 1 review; left unadjusted" in report
    assert "Run normalization now" not in report  # the decision body only reads
