"""Every criterion has guidance and score anchors (issue 11, item 8): the fund's rubrics say
what each score means, the score sheet shows it, and the rules refuse anchors off the scale."""

from __future__ import annotations

import copy

import pytest
from django.urls import reverse

from playbook.funding.rules import GRANT_SECTIONS, innovation_fund_default, kentucky_grant_types
from playbook.programs.rules import rules_errors
from playbook.reviews.models import Assignment

from ..conftest import signed_in_client


def _criteria():
    yield from innovation_fund_default()["rubric"]["criteria"]
    for kind in kentucky_grant_types():
        yield from kind.get("rubric", {}).get("criteria", [])


def test_every_shipped_criterion_has_guidance_and_an_anchor_for_each_score():
    for c in _criteria():
        assert c["guidance"].strip(), c["key"]
        assert [a["score"] for a in c["anchors"]] == list(range(c["scale_min"],
                                                                 c["scale_max"] + 1)), c["key"]


@pytest.mark.parametrize(("anchors", "where", "message"), [
    ([{"score": 6, "meaning": "Off the scale"}], "rubric.criteria[0].anchors[0].score",
     "must be within the scale, 0 to 5"),
    ([{"score": 2, "meaning": "A"}, {"score": 2, "meaning": "B"}],
     "rubric.criteria[0].anchors[1].score", "score 2 is anchored twice"),
    ([{"score": 1, "meaning": ""}], "rubric.criteria[0].anchors[0].meaning", "required text"),
])
def test_anchors_off_the_scale_or_twice_are_refused_where_they_are(anchors, where, message):
    doc = copy.deepcopy(innovation_fund_default())
    doc["rubric"]["criteria"][0]["anchors"] = anchors
    problems = rules_errors(doc, sections=GRANT_SECTIONS)
    assert any(where in p and message in p for p in problems), problems


@pytest.mark.django_db
def test_the_score_sheet_shows_what_each_score_means(review_round):
    a = Assignment.objects.create(cycle=review_round.cycle, application=review_round.app_b,
                                  reviewer=review_round.reviewer, source="manual",
                                  assigned_at=review_round.cycle.opens_at)
    page = signed_in_client(review_round.reviewer.user).get(
        reverse("reviews:review", args=[a.pk])).content.decode()
    assert ">3: Adequate: meets the requirement, with minor gaps</option>" in page
    assert "Cites evidence that the model raises results" in page
