"""No CSV the site writes carries a spreadsheet formula (OWASP CSV injection).

The helper on its own; then every CSV URL of the site: each one's view writes through the helper,
and those whose cells carry free text (an applicant's title) are fetched with a title that
starts like a formula."""

from __future__ import annotations

import csv
import inspect
import io
from decimal import Decimal

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from playbook.core.csv_safe import csv_cell, csv_neutralise
from playbook.programs.models import Application, Cycle
from playbook.reviews.services import normalization_run

from ..conftest import signed_in_client
from ..programs.helpers import advance_to, complete_draft, make_cycle

ATTACKS = ["=HYPERLINK(\"http://evil.example\",\"x\")", "+1+cmd|' /C calc'!A0", "-2+3",
           "@SUM(A1:A9)", "\t=1", "\r=1", "\uff1dSUM(A1)"]


@pytest.mark.parametrize("text", ATTACKS)
def test_a_text_starting_like_a_formula_gets_an_apostrophe(text):
    assert csv_cell(text) == "'" + text


def test_plain_values_are_written_as_they_are():
    assert csv_cell("Alder Elementary") == "Alder Elementary"
    assert csv_cell("a = b") == "a = b"
    assert csv_cell(None) == "" and csv_cell(True) == "true" and csv_cell(False) == "false"
    assert csv_cell(-3) == "-3" and csv_cell(Decimal("-1.50")) == "-1.50"
    assert csv_cell(-0.5) == "-0.5"


def test_a_file_is_served_unchanged_unless_a_cell_starts_like_a_formula():
    plain = "entity_id,score_change\n0100001,-3.5\n"
    assert csv_neutralise(plain) == plain
    attacked = "entity_id,name\n0100001,=1+1\n"
    assert list(csv.reader(io.StringIO(csv_neutralise(attacked))))[1] == ["0100001", "'=1+1"]


def _csv_patterns(patterns, prefix=""):  # type: ignore[no-untyped-def]
    for p in patterns:
        if isinstance(p, URLResolver):
            yield from _csv_patterns(p.url_patterns, prefix + str(p.pattern))
        elif isinstance(p, URLPattern) and ".csv" in str(p.pattern):
            yield prefix + str(p.pattern), p.callback


def test_every_csv_view_writes_through_the_helper():
    found = dict(_csv_patterns(get_resolver().url_patterns))
    assert len(found) >= 6, found
    for route, view in found.items():
        source = inspect.getsource(inspect.unwrap(view))
        assert "csv_writer(" in source or "csv_neutralise(" in source, route
        assert "csv.writer(" not in source, route


@pytest.mark.django_db
def test_an_applicants_formula_title_is_neutralised_in_every_csv_that_shows_it(personas):
    title = ATTACKS[0]
    cycle = make_cycle(personas.officer)
    app = complete_draft(cycle=cycle, applicant=personas.district_a, by=personas.leader_a,
                         title=title)
    advance_to(app, "recommended", officer=personas.officer, decider=personas.decider,
               applicant_user=personas.leader_a)
    normalization_run(cycle=cycle, by=personas.officer)
    Application.objects.filter(pk=app.pk).update(summary="")  # the round CSV's purpose: title
    Cycle.objects.filter(pk=cycle.pk).update(results_public=True)
    officer = signed_in_client(personas.officer)
    urls = {
        "results.csv": (officer, reverse("reviews:results_csv", args=[cycle.pk])),
        "export.csv": (officer, reverse("programs:application_export")),
        "round data.csv": (signed_in_client(personas.parent),
                           reverse("programs:round_csv", args=[cycle.pk])),
    }
    for name, (client, url) in urls.items():
        response = client.get(url)
        assert response.status_code == 200, name
        cells = [c for row in csv.reader(io.StringIO(response.content.decode())) for c in row]
        assert "'" + title in cells, name
        assert title not in cells, name
