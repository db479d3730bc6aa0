"""Growth results are public only once office staff publish a run: the publication record, who
may publish, the public page (names, groups in words, a subject and year to pick), its CSV and
JSON downloads, and bad query parameters."""

from __future__ import annotations

import csv
import io
import json
import re
from typing import Any

import pytest
from auditlog.models import LogEntry
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils.html import escape

from playbook.core.jobs import JobStatus
from playbook.evidence.growth import (
    GrowthError,
    growth_publication_publish,
    growth_run_execute,
    growth_run_start,
    standard_from_synthetic_state,
)
from playbook.evidence.models import GrowthAggregate, GrowthPublication, GrowthRun
from playbook.evidence.views import csv_text
from playbook.organizations.models import Organization, OrgKind
from playbook.studentdata.selectors import snapshot_current
from playbook.studentdata.synth import synth_build

from ..conftest import signed_in_client
from .test_growth_suppression import attack, registry

pytestmark = pytest.mark.django_db

PAGE = "evidence:public_growth"
FORMULA_NAME = '=HYPERLINK("http://example.test","Click") Academy'


@pytest.fixture
def math_run(personas: Any) -> GrowthRun:
    """A synthetic state with one school renamed like a spreadsheet formula, and its math
    growth run for 2025 (not published)."""
    synth_build(students=2500, seed=11)
    school = (Organization.objects.filter(kind=OrgKind.SCHOOL, nces_id__isnull=False)
              .exclude(pk=personas.school_a.pk).exclude(pk=personas.school_b.pk)
              .order_by("nces_id").first())
    assert school is not None
    school.name = FORMULA_NAME
    school.save()
    standard_from_synthetic_state()
    run = growth_run_start(snapshot=snapshot_current(), subject="math", school_year=2025,
                           by=None, wait=True)
    assert run.status == JobStatus.SUCCEEDED, run.message
    return run


def cells_table(content: bytes) -> str:
    html = content.decode()
    match = re.search(r'<table[^>]*data-testid="growth-cells".*?</table>', html, re.S)
    assert match, "the page has its data table"
    return match.group(0)


def test_a_run_is_public_only_once_staff_publish_it(math_run, personas):
    run = math_run
    anonymous = Client()
    page = anonymous.get(reverse(PAGE))
    assert page.status_code == 200 and b"No growth results are published yet" in page.content
    assert b'data-testid="growth-cells"' not in page.content
    for query in ({"subject": "math", "year": 2025}, {"run": run.pk}):
        hidden = anonymous.get(reverse(PAGE), query)
        assert b'data-testid="growth-cells"' not in hidden.content
    assert anonymous.get(reverse(PAGE), {"subject": "math", "year": 2025}).status_code == 404
    assert anonymous.get(reverse("evidence:public_growth_csv"),
                         {"subject": "math", "year": 2025}).status_code == 404
    assert anonymous.get(reverse("evidence:public_growth_json")).status_code == 404

    # staff see the unpublished run and preview it
    officer = signed_in_client(personas.officer)
    staff_page = officer.get(reverse("evidence:growth_run", args=[run.pk]))
    assert staff_page.status_code == 200 and b'data-testid="run-not-public"' in staff_page.content
    preview = officer.get(reverse("evidence:growth_publish", args=[run.pk]))
    assert preview.status_code == 200 and b'data-testid="publish"' in preview.content
    assert not GrowthPublication.objects.exists()  # a preview publishes nothing
    done = officer.post(reverse("evidence:growth_publish", args=[run.pk]), {"confirm": "yes"})
    assert done.status_code == 302
    pub = GrowthPublication.objects.get()
    assert (pub.run, pub.subject, pub.school_year, pub.current, pub.published_by) == (
        run, "math", 2025, True, personas.officer)
    entry = LogEntry.objects.get_for_object(pub).get()
    assert entry.actor == personas.officer and entry.action == LogEntry.Action.CREATE

    # the public page: names from the registry, groups in words, the subject to pick
    page = anonymous.get(reverse(PAGE))
    assert page.status_code == 200
    table = cells_table(page.content)
    school = (GrowthAggregate.objects.filter(run=run, entity_type="school", subgroup="all")
              .exclude(entity_name=FORMULA_NAME).order_by("entity_name").first())
    assert school is not None and school.entity_name
    assert escape(school.entity_name) in table
    assert "All students" in table and "School" in table
    for code in ("econ_disadvantaged", "english_learner", ">all<", ">HI<", ">school<"):
        assert code not in table, f"{code} shown as a code"
    assert "Mathematics" in page.content.decode() and "2024-25" in page.content.decode()
    options = re.search(r'<select[^>]*name="subject".*?</select>', page.content.decode(), re.S)
    assert options and "Mathematics" in options.group(0)
    assert "English language arts" not in options.group(0)  # not published
    assert b'data-testid="download-csv"' in page.content
    # the same page asked for by subject and year
    again = anonymous.get(reverse(PAGE), {"subject": "math", "year": "2025"})
    assert again.status_code == 200 and cells_table(again.content) == table


def test_who_may_publish(math_run, personas):
    run = math_run
    url = reverse("evidence:growth_publish", args=[run.pk])
    # auditors read (the run, the preview) but cannot publish
    auditor = signed_in_client(personas.auditor)
    assert auditor.get(reverse("evidence:growth_run", args=[run.pk])).status_code == 200
    preview = auditor.get(url)
    assert preview.status_code == 200
    assert b'data-testid="publish"' not in preview.content
    assert b"read-only" in preview.content
    refused = auditor.post(url, {"confirm": "yes"})
    assert refused.status_code == 403 and b"read-only" in refused.content
    # a district leader may neither see the run nor publish it; nor may the public
    leader = signed_in_client(personas.leader_a)
    assert leader.get(reverse("evidence:growth_run", args=[run.pk])).status_code == 403
    assert leader.get(url).status_code == 403
    assert leader.post(url, {"confirm": "yes"}).status_code == 403
    assert Client().post(url, {"confirm": "yes"}).status_code == 302  # to sign in
    assert not GrowthPublication.objects.exists()
    # nor through the service
    for user in (personas.auditor, personas.leader_a):
        with pytest.raises(GrowthError):
            growth_publication_publish(run=run, by=user)
    assert not GrowthPublication.objects.exists()
    # staff may
    assert signed_in_client(personas.admin).post(url, {"confirm": "yes"}).status_code == 302
    assert GrowthPublication.objects.get().published_by == personas.admin


def test_publishing_again_replaces_the_public_run_and_old_runs_are_refused(math_run, personas):
    run = math_run
    first = growth_publication_publish(run=run, by=personas.officer)
    assert growth_publication_publish(run=run, by=personas.officer) == first  # idempotent
    twin = GrowthRun.objects.create(
        snapshot=run.snapshot, subject="math", school_year=2025, configuration={},
        configuration_fingerprint=run.configuration_fingerprint, code_version="rerun")
    growth_run_execute(run_id=twin.pk)
    twin.refresh_from_db()
    second = growth_publication_publish(run=twin, by=personas.officer)
    first.refresh_from_db()
    assert second.current and not first.current
    page = Client().get(reverse(PAGE))
    assert f"Run #{twin.pk} ".encode() in page.content
    # a run stored before per-statistic suppression (min_n empty) or not finished: refused
    legacy = GrowthRun.objects.create(
        snapshot=run.snapshot, subject="ela", school_year=2025, configuration={},
        configuration_fingerprint="x", code_version="old", status=JobStatus.SUCCEEDED)
    queued = GrowthRun.objects.create(
        snapshot=run.snapshot, subject="ela", school_year=2024, configuration={},
        configuration_fingerprint="x", code_version="old")
    for bad in (legacy, queued):
        with pytest.raises(GrowthError):
            growth_publication_publish(run=bad, by=personas.officer)
    officer = signed_in_client(personas.officer)
    answer = officer.post(reverse("evidence:growth_publish", args=[legacy.pk]),
                          {"confirm": "yes"}, follow=True)
    assert answer.status_code == 200 and b"run it again" in answer.content
    assert officer.get(reverse("evidence:growth_publish", args=[queued.pk])).status_code == 404
    assert not GrowthPublication.objects.filter(subject="ela").exists()


BAD_QUERIES = [
    {"subject": "art"}, {"subject": "ela"}, {"year": "abc"}, {"year": "1999"},
    {"subject": "math", "year": "2024"}, {"subject": "math", "year": "2025.5"},
    {"subject": "math", "year": "-1"}, {"year": "9" * 40}, {"subject": "<script>x"},
    {"entity_type": "zzz"}, {"subgroup": "zzz"}, {"q": "x" * 500}, {"page": "abc"},
    {"page": "99999"}, {"page": "-3"}, {"run": "abc"},
]


def test_bad_query_parameters_answer_with_an_empty_state_or_404(math_run, personas):
    growth_publication_publish(run=math_run, by=None)
    client = Client()
    for query in BAD_QUERIES:
        page = client.get(reverse(PAGE), query)
        assert page.status_code in (200, 404), (query, page.status_code)
        if {"subject", "year"} & set(query) and page.status_code == 404:
            assert b'data-testid="growth-empty"' in page.content
            assert b"Choose one of the published ones" in page.content
            assert b"<script>x" not in page.content
        for download in ("evidence:public_growth_csv", "evidence:public_growth_json"):
            answer = client.get(reverse(download), query)
            assert answer.status_code in (200, 404), (download, query, answer.status_code)
    for query in ({"subject": "art"}, {"subject": "math", "year": "2024"}, {"year": "abc"}):
        assert client.get(reverse(PAGE), query).status_code == 404
        assert client.get(reverse("evidence:public_growth_csv"), query).status_code == 404
    wrong = client.get(reverse(PAGE), {"entity_type": "zzz"})
    assert wrong.status_code == 200 and b"usa-error-message" in wrong.content


def read_csv(content: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(content.decode())))


def test_downloads_hold_the_pages_cells_with_formulas_neutralised(math_run, personas):
    run = math_run
    growth_publication_publish(run=run, by=personas.officer)
    client = Client()
    query = {"subject": "math", "year": 2025, "entity_type": "school"}
    cells = list(GrowthAggregate.objects.filter(run=run, entity_type="school"))
    rows = read_csv(client.get(reverse("evidence:public_growth_csv"), query).content)
    assert len(rows) == len(cells) > 0
    by_key = {(r["entity_id"], r["subgroup"]): r for r in rows}
    for c in cells:
        r = by_key[(c.entity_id, c.subgroup)]
        assert r["students"] == ("" if c.n is None else str(c.n))
        assert r["students_suppressed"] == ("true" if c.suppressed else "false")
        assert r["median_sgp"] == ("" if c.median_sgp is None else str(c.median_sgp))
        assert r["percent_adequate_growth"] == ("" if c.pct_adequate is None
                                                else str(c.pct_adequate))
        assert r["median_sgp_suppressed"] == ("true" if c.sgp_suppressed else "false")
        assert r["percent_adequate_growth_suppressed"] == (
            "true" if c.adequate_suppressed else "false")
        if c.suppressed:
            assert r["students"] == r["median_sgp"] == r["percent_adequate_growth"] == ""
    assert any(r["entity_name"] == "'" + FORMULA_NAME for r in rows)
    assert not any(r["entity_name"].startswith(("=", "+", "-", "@")) for r in rows)
    assert any(r["subgroup_label"] == "All students" for r in rows)

    doc = json.loads(client.get(reverse("evidence:public_growth_json"), query).content)
    assert doc["subject"] == "math" and doc["school_year"] == 2025 and doc["run"] == run.pk
    assert doc["min_n"] == settings.PLAYBOOK_MIN_N
    assert len(doc["cells"]) == len(cells)
    assert any(c["entity_name"] == FORMULA_NAME for c in doc["cells"])  # JSON: no rewriting
    hidden = [c for c in doc["cells"] if c["students_suppressed"]]
    assert hidden and all(c["students"] is None and c["median_sgp"] is None
                          and c["percent_adequate_growth"] is None for c in hidden)

    # an attacker with the whole published file recovers nothing
    everything = read_csv(client.get(reverse("evidence:public_growth_csv"),
                                     {"subject": "math", "year": 2025}).content)
    # every page of the table, not one (the page shows 100)
    assert len(everything) == GrowthAggregate.objects.filter(run=run).count() > 100

    def number(x: str) -> int | None:
        return None if x == "" else int(x)

    published = [{
        "entity_type": r["entity_type"], "entity_id": r["entity_id"], "subgroup": r["subgroup"],
        "n": number(r["students"]), "suppressed": r["students_suppressed"] == "true",
        "n_sgp": number(r["students_with_sgp"]),
        "sgp_suppressed": r["median_sgp_suppressed"] == "true",
        "n_adequate_known": number(r["students_with_adequate_growth_status"]),
        "adequate_suppressed": r["percent_adequate_growth_suppressed"] == "true",
    } for r in everything]
    assert attack(published, registry(2025), settings.PLAYBOOK_MIN_N) == []


def test_spreadsheet_formulas_are_neutralised_in_csv_text():
    for text in ("=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx"):
        assert csv_text(text) == "'" + text
    assert csv_text("Alder Elementary") == "Alder Elementary"
    assert csv_text(None) == "" and csv_text(True) == "true" and csv_text(12) == "12"


def test_the_demo_publishes_the_growth_runs_it_builds(personas):
    from playbook.commands.demo import _build_growth

    synth_build(students=2500, seed=11)
    _build_growth()
    pubs = GrowthPublication.objects.filter(current=True)
    assert sorted(p.subject for p in pubs) == ["ela", "math"]
    assert all(p.run.status == JobStatus.SUCCEEDED and p.school_year == 2025 for p in pubs)
    page = Client().get(reverse(PAGE), {"subject": "ela", "year": 2025})
    assert page.status_code == 200 and b'data-testid="growth-cells"' in page.content
    _build_growth()  # a second run reuses both runs and their publications
    assert GrowthPublication.objects.count() == 2
