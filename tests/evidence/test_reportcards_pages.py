"""Report cards: copy/compare, CLI, staff preview and publish by role, public cards and
downloads, rating_for reads only published results."""

from __future__ import annotations

import csv
import io
import json
import re

import pytest
from django.test import Client
from django.urls import reverse

from playbook.cli import main as cli_main
from playbook.core.jobs import JobStatus
from playbook.evidence.growth import standard_from_synthetic_state
from playbook.evidence.models import (
    ReportCardCell,
    ReportCardFramework,
    ReportCardPublication,
    ReportCardRating,
)
from playbook.evidence.reportcard_selectors import rating_for, report_card_run_compare
from playbook.evidence.reportcards import (
    frameworks_load_shipped,
    report_card_run_start,
)
from playbook.studentdata.selectors import snapshot_current
from playbook.studentdata.synth import synth_build

from ..conftest import signed_in_client

pytestmark = pytest.mark.django_db
COLUMNS = ["framework", "entity_type", "entity_id", "year", "subgroup", "component", "metric",
           "n", "value", "level", "suppressed", "value_suppressed"]


@pytest.fixture
def state(personas):  # type: ignore[no-untyped-def]
    synth_build(students=2500, seed=11)
    standard_from_synthetic_state()
    frameworks_load_shipped()
    return snapshot_current()


def _cells_on_page(html: str) -> set[str]:
    return set(re.findall(r'data-cell="([^"]+)"', html))


def test_copy_compare_cli_and_background_progress(state, personas, tmp_path):
    fw = ReportCardFramework.objects.get(slug="approved-model-report-card", version=1)
    # the staff form: a bad cut point is refused with the field named
    url = reverse("evidence:rc_framework", args=[fw.pk])
    officer = signed_in_client(personas.officer)
    page = officer.get(url)
    assert page.status_code == 200
    field = "cut__climate__attendance_rate__exemplary"
    assert f'name="{field}"' in page.content.decode()
    form = {k: v for k, v in re.findall(r'name="(cut__[^"]+)"[^>]*value="([^"]*)"',
                                        page.content.decode())}
    bad = officer.post(url, {**form, "note": "try", field: "50"})  # below sufficient (92)
    assert bad.status_code == 200 and b"usa-error-message" in bad.content
    assert b"must increase" in bad.content
    assert ReportCardFramework.objects.filter(slug=fw.slug).count() == 1
    made = officer.post(url, {**form, "note": "stricter attendance",
                              "cut__climate__attendance_rate__sufficient": "97",
                              field: "99"})
    assert made.status_code == 302
    copy = ReportCardFramework.objects.get(slug=fw.slug, version=2)
    assert copy.based_on == fw and copy.created_by == personas.officer
    assert fw.definition["components"][0]["metrics"][0]["cuts"]["exemplary"] == 95  # unchanged
    assert b"attendance_rate" in officer.get(reverse("evidence:rc_framework",
                                                     args=[copy.pk])).content
    # background run (eager in tests) through the staff page; the run page shows progress
    started = officer.post(reverse("evidence:rc_staff"), {"framework": fw.pk,
                                                          "engine": "duckdb"})
    assert started.status_code == 302
    old = ReportCardFramework.objects.get(pk=fw.pk).runs.get()
    assert old.status == JobStatus.SUCCEEDED and old.progress == 100
    new = report_card_run_start(framework=copy, snapshot=state)
    queued = type(old).objects.create(framework=copy, snapshot=state, engine="duckdb",
                                      min_n=10, code_version="later", progress=40,
                                      status=JobStatus.RUNNING)
    running = officer.get(reverse("evidence:rc_run", args=[queued.pk])).content.decode()
    assert re.search(r'<progress id="run-progress"[^>]* max="100" value="40">', running)
    # compare: stricter attendance cut points change some levels
    rows = report_card_run_compare(old=old, new=new)
    assert rows and all(r["levels_changed"] or r["rating_changed"] for r in rows)
    compared = officer.get(reverse("evidence:rc_run", args=[new.pk]), {"other": old.pk})
    assert b'data-testid="comparison"' in compared.content
    # the command line writes the same files the run stored
    out = tmp_path / "out"
    assert cli_main(["report-cards", "--framework", "approved-model-report-card", "--version",
                     "1", "--out", str(out)]) == 0
    text = (out / "results.csv").read_text()
    rows_csv = list(csv.DictReader(io.StringIO(text)))
    assert list(rows_csv[0]) == COLUMNS
    hidden = [r for r in rows_csv if r["suppressed"] == "true"]
    assert hidden and all(r["n"] == r["value"] == r["level"] == "" for r in hidden)
    assert len(rows_csv) == ReportCardCell.objects.filter(run=old).count()
    ratings = list(csv.DictReader((out / "ratings.csv").open()))
    assert {r["entity_type"] for r in ratings} == {"model", "provider"}
    assert cli_main(["report-cards", "--framework", "nope", "--out", str(out)]) == 2


def test_publish_by_role_public_cards_downloads_and_rating_for(state, personas):
    sdp = ReportCardFramework.objects.get(slug="school-district-performance", version=1)
    run = report_card_run_start(framework=sdp, snapshot=state)
    assert run.status == JobStatus.SUCCEEDED, run.message
    year = 2025
    school = (ReportCardRating.objects.filter(run=run, year=year, entity_type="school")
              .exclude(points=None).order_by("entity_id").first())
    assert school is not None
    # nothing public before publishing
    assert rating_for(entity_type="school", entity_id=school.entity_id, school_year=year) is None
    card_url = reverse("evidence:rc_card", args=[sdp.slug, "school", school.entity_id])
    assert Client().get(card_url).status_code == 404
    publish_url = reverse("evidence:rc_publish", args=[run.pk])
    for user in (personas.auditor, personas.reviewer, personas.leader_a, personas.provider_user,
                 personas.parent, personas.school_leader_a, personas.decider):
        c = signed_in_client(user)
        assert c.get(publish_url, {"school_year": year}).status_code == 403
        assert c.post(publish_url, {"school_year": year, "confirm": "yes"}).status_code == 403
        assert c.get(reverse("evidence:rc_preview", args=[run.pk, "school",
                                                          school.entity_id])).status_code == 403
    assert Client().post(publish_url, {"school_year": year, "confirm": "yes"}).status_code == 302
    assert not ReportCardPublication.objects.exists()
    officer = signed_in_client(personas.officer)
    preview = officer.get(publish_url, {"school_year": year})
    assert preview.status_code == 200 and b"publish-counts" in preview.content
    staff_card = officer.get(reverse("evidence:rc_preview", args=[run.pk, "school",
                                                                   school.entity_id]))
    assert staff_card.status_code == 200 and b"Staff preview" in staff_card.content
    assert officer.post(publish_url, {"school_year": year, "confirm": "yes"}).status_code == 302
    pub = ReportCardPublication.objects.get(current=True)
    assert pub.run == run and pub.school_year == year and pub.published_by == personas.officer
    # rating_for: the published rating, nothing for an unpublished year
    got = rating_for(entity_type="school", entity_id=school.entity_id, school_year=year)
    assert got is not None and got.pk == school.pk
    assert rating_for(entity_type="school", entity_id=school.entity_id,
                      school_year=year - 1) is None
    assert rating_for(entity_type="school", entity_id=school.entity_id, school_year=year,
                      framework_slug="approved-model-report-card") is None

    # the public card: anonymous, rating visible, suppressed cells never show numbers
    anon = Client()
    page = anon.get(card_url)
    assert page.status_code == 200
    html = page.content.decode()
    assert school.rating in html and 'data-testid="overall-rating"' in html
    assert "up to but not including" in html  # cut points in plain words
    shown = _cells_on_page(html)
    cells = ReportCardCell.objects.filter(run=run, entity_type="school",
                                          entity_id=school.entity_id)
    for c in cells.filter(suppressed=True, year=year):
        key = f"{c.component}|{c.metric}|{c.subgroup}|{c.year}"
        if key in shown:
            row = html.split(f'data-cell="{key}"', 1)[1].split("</tr>", 1)[0]
            assert "Not shown: fewer than 10 students" in row
            assert not re.search(r"<td[^>]*>\d", row)
    # a percent hidden for a small group beside it (decision 0009): its count shows, the
    # percent reads "Not shown (protects a small group)"
    for c in cells.filter(value_suppressed=True, year=year):
        key = f"{c.component}|{c.metric}|{c.subgroup}|{c.year}"
        if key in shown:
            row = html.split(f'data-cell="{key}"', 1)[1].split("</tr>", 1)[0]
            assert "Not shown (protects a small group)" in row
            assert f'<td data-label="Students">{c.n}</td>' in row
    # CSV and JSON hold exactly the page's cells
    csv_rows = list(csv.DictReader(io.StringIO(
        anon.get(reverse("evidence:rc_card_csv", args=[sdp.slug, "school",
                                                       school.entity_id])).content.decode())))
    assert list(csv_rows[0]) == COLUMNS
    assert {f"{r['component']}|{r['metric']}|{r['subgroup']}|{r['year']}"
            for r in csv_rows} == shown
    assert len(csv_rows) == len(shown)
    for r in csv_rows:
        if r["suppressed"] == "true":
            assert r["n"] == r["value"] == r["level"] == ""
        if r["value_suppressed"] == "true":
            assert r["value"] == "" and r["n"] != ""
    doc = json.loads(anon.get(reverse("evidence:rc_card_json", args=[
        sdp.slug, "school", school.entity_id])).content)
    assert {f"{c['component']}|{c['metric']}|{c['subgroup']}|{c['year']}"
            for c in doc["cells"]} == shown
    assert doc["ratings"][-1]["rating"] == school.rating
    assert all(c["n"] is None and c["value"] is None for c in doc["cells"] if c["suppressed"])
    assert all(c["n"] is not None and c["value"] is None
               for c in doc["cells"] if c["value_suppressed"])
    pdf = anon.get(reverse("evidence:rc_card_pdf", args=[sdp.slug, "school", school.entity_id]))
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    # the whole published file is the run's results.csv
    whole = anon.get(reverse("evidence:rc_published_file", args=[sdp.slug, year, "results"]))
    assert whole.status_code == 200
    assert whole.content.decode().splitlines()[0] == ",".join(COLUMNS)
    # index, search and the ratings list
    index = anon.get(reverse("evidence:rc_public_index"), {"q": school.entity_name[:6]})
    assert index.status_code == 200 and school.entity_name.encode() in index.content
    listing = anon.get(reverse("evidence:rc_ratings", args=[sdp.slug]),
                       {"entity_type": "school", "rating": school.rating, "sort": "rating"})
    assert listing.status_code == 200 and school.entity_name.encode() in listing.content

    # a model's card (the approved-model framework) after publishing it
    amr = ReportCardFramework.objects.get(slug="approved-model-report-card", version=1)
    run2 = report_card_run_start(framework=amr, snapshot=state)
    officer.post(reverse("evidence:rc_publish", args=[run2.pk]),
                 {"school_year": year, "confirm": "yes"})
    model = ReportCardRating.objects.filter(run=run2, year=year, entity_type="model").first()
    assert model is not None
    model_page = anon.get(reverse("evidence:rc_card", args=[amr.slug, "model",
                                                            model.entity_id]))
    assert model_page.status_code == 200 and model.rating in model_page.content.decode()
    models_list = anon.get(reverse("evidence:rc_ratings", args=[amr.slug]),
                           {"entity_type": "model", "sort": "rating"})
    assert models_list.status_code == 200 and model.entity_id.encode() in models_list.content
    assert anon.get(reverse("evidence:rc_card_pdf", args=[
        amr.slug, "model", model.entity_id])).content.startswith(b"%PDF")
