"""Grantee performance is public (Play 1: "data on grantee performance should be reported in a
transparent manner"): each award's commitments, the progress the office accepted and, where a
commitment is read from published growth results or a report card, the published figure only."""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from playbook.evidence.models import GrowthAggregate, GrowthPublication, GrowthRun
from playbook.programs.models import Agreement, Cycle
from playbook.programs.services import agreements
from playbook.studentdata.models import Snapshot

from .helpers import approved_award, board, funded_cycle

pytestmark = pytest.mark.django_db
D = Decimal


def _in_force(personas, *, measure: str = "Students on track in math"):  # type: ignore[no-untyped-def]
    cycle, _ = funded_cycle(personas.officer)
    board(personas)
    award = approved_award(personas, cycle)
    agreement = Agreement.objects.get(pk=award.agreement_id)
    due = timezone.localdate() + timedelta(days=365)
    own = agreements.commitment_add(agreement=agreement, by=personas.officer, measure=measure,
                                    unit="percent", baseline=D("41"), target=D("60"),
                                    due_date=due)
    growth = agreements.commitment_add(
        agreement=agreement, by=personas.officer, measure="Median growth in math",
        unit="SGP", baseline=D("45"), target=D("55"), due_date=due, evidence_source="growth_run",
        evidence_ref={"metric": "median_sgp", "subject": "math"})
    agreement = agreements.agreement_step(agreement=agreement, name="sign", by=personas.officer)
    agreements.agreement_step(agreement=agreement, name="countersign", by=personas.leader_a)
    return cycle, award, own, growth


def _growth(district, *, median: str | None = "58.0", suppressed: bool = False,
            published: bool = True) -> None:
    snapshot = Snapshot.objects.create(created_via="test", directory="snapshots/t", sequence=1)
    run = GrowthRun.objects.create(snapshot=snapshot, subject="math", school_year=2025,
                                   configuration={}, configuration_fingerprint="f" * 16,
                                   code_version="test", status="succeeded", min_n=10)
    GrowthAggregate.objects.create(run=run, entity_type=district.kind,
                                   entity_id=district.identifier, subgroup="all", n=40,
                                   n_sgp=None if suppressed else 40,
                                   median_sgp=D(median) if median else None,
                                   sgp_suppressed=suppressed)
    if published:
        GrowthPublication.objects.create(subject="math", school_year=2025, run=run)


def _page(cycle: Cycle) -> str:
    r = Client().get(reverse("programs:round_page", args=[cycle.pk]))
    assert r.status_code == 200
    return r.content.decode()


def _csv(cycle: Cycle) -> list[dict[str, str]]:
    r = Client().get(reverse("programs:round_dataset_csv", args=[cycle.pk, "performance"]))
    assert r.status_code == 200 and r["Content-Type"].startswith("text/csv")
    return list(csv.DictReader(io.StringIO(r.content.decode())))


def _report(personas, agreement_pk: int, own, value: str, *, accept: bool):  # type: ignore[no-untyped-def]
    agreement = Agreement.objects.get(pk=agreement_pk)
    report = agreements.report_submit(agreement=agreement, by=personas.leader_a,
                                      period_end=timezone.localdate(),
                                      narrative="Stations in every classroom.",
                                      values={own.pk: (D(value), "Winter interim")})
    if accept:
        agreements.report_review(report=report, by=personas.officer, accept=True, note="Good.")
    return report


def test_the_round_page_shows_commitments_and_only_accepted_progress(personas):
    cycle, award, own, _ = _in_force(personas)
    page = _page(cycle)
    assert "Grantee performance" in page and "Students on track in math" in page
    assert "No accepted report yet" in page and "Nothing published yet" in page
    _report(personas, award.agreement_id, own, "47.5", accept=False)
    assert "47.50" not in _page(cycle)  # submitted, not yet accepted by the office
    report = agreements.report_review(report=award.agreement.reports.get(), by=personas.officer,
                                      accept=True, note="Good.")
    assert report.status == "accepted"
    page = _page(cycle)
    assert "47.50 to" in page and "Winter interim" in page
    rows = _csv(cycle)
    mine = next(r for r in rows if r["measure"] == "Students on track in math")
    assert (mine["reported_value"], mine["baseline"], mine["target"], mine["grantee"]) == (
        "47.50", "41.00", "60.00", personas.district_a.name)
    assert mine["award_amount"] == "300000.00" and mine["match_verified"] == "0.00"


def test_a_published_growth_figure_is_shown_and_an_unpublished_one_is_not(personas):
    cycle, *_ = _in_force(personas)
    _growth(personas.district_a, published=False)
    assert "58.0" not in _page(cycle)
    row = next(r for r in _csv(cycle) if r["measure"] == "Median growth in math")
    assert row["published_figure"] == "" and row["published_value"] == ""
    GrowthPublication.objects.create(subject="math", school_year=2025,
                                     run=GrowthRun.objects.get())
    assert "58.0 median SGP, math 2025" in _page(cycle)
    row = next(r for r in _csv(cycle) if r["measure"] == "Median growth in math")
    assert (row["published_value"], row["published_school_year"]) == ("58.0", "2025")
    data = Client().get(reverse("programs:round_json", args=[cycle.pk])).json()
    growth = next(r for r in data["datasets"]["performance"]
                  if r["measure"] == "Median growth in math")
    assert growth["published_value"] == "58.0"


def test_a_withdrawn_publication_is_no_longer_shown(personas):
    cycle, *_ = _in_force(personas)
    _growth(personas.district_a)
    GrowthPublication.objects.update(current=False)
    assert "58.0" not in _page(cycle)


def test_a_suppressed_figure_reads_as_suppressed_never_as_a_number(personas):
    cycle, *_ = _in_force(personas)
    _growth(personas.district_a, median=None, suppressed=True)  # the database holds no number
    page = _page(cycle)
    assert "suppressed in 2025 (fewer students than the minimum)" in page
    row = next(r for r in _csv(cycle) if r["measure"] == "Median growth in math")
    assert row["published_value"] == "" and "suppressed" in row["published_figure"]
    data = Client().get(reverse("programs:round_json", args=[cycle.pk])).json()
    growth = next(r for r in data["datasets"]["performance"]
                  if r["measure"] == "Median growth in math")
    assert growth["published_value"] is None


def test_an_agreement_not_yet_countersigned_is_not_published(personas):
    cycle, _ = funded_cycle(personas.officer)
    board(personas)
    award = approved_award(personas, cycle)
    agreements.commitment_add(agreement=Agreement.objects.get(pk=award.agreement_id),
                              by=personas.officer, measure="Secret draft measure",
                              unit="percent", baseline=D("1"), target=D("2"),
                              due_date=timezone.localdate() + timedelta(days=30))
    assert "Secret draft measure" not in _page(cycle)
    assert _csv(cycle) == []
    data = Client().get(reverse("programs:round_json", args=[cycle.pk])).json()
    assert data["datasets"]["performance"] == []


def test_verified_match_only_is_published(personas):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from playbook.funding.services import match_contribution_check, match_contribution_record

    cycle, award, *_ = _in_force(personas)
    c = match_contribution_record(
        award=award, by=personas.leader_a, kind="cash", source="own_funds", amount=D("9000.00"),
        description="Transfer", received_on=timezone.localdate(),
        evidence=SimpleUploadedFile("t.pdf", b"%PDF-1.4", "application/pdf"))
    assert {r["match_verified"] for r in _csv(cycle)} == {"0.00"}
    match_contribution_check(contribution=c, by=personas.officer, verify=True)
    assert {r["match_verified"] for r in _csv(cycle)} == {"9000.00"}


def test_a_formula_in_a_measure_is_neutralised_in_the_csv(personas):
    cycle, *_ = _in_force(personas, measure='=HYPERLINK("http://x")')
    row = next(r for r in _csv(cycle) if "HYPERLINK" in r["measure"])
    assert row["measure"].startswith("'=")


def test_an_unknown_table_or_an_unpublished_round_is_not_found(personas):
    cycle, *_ = _in_force(personas)
    assert Client().get(reverse("programs:round_dataset_csv",
                                args=[cycle.pk, "secrets"])).status_code == 404
    Cycle.objects.filter(pk=cycle.pk).update(results_public=False)
    for url in (reverse("programs:round_dataset_csv", args=[cycle.pk, "performance"]),
                reverse("programs:round_page", args=[cycle.pk])):
        assert Client().get(url).status_code == 404


def test_the_page_links_the_performance_download(personas):
    cycle, *_ = _in_force(personas)
    url = reverse("programs:round_dataset_csv", args=[cycle.pk, "performance"])
    assert f'href="{url}"' in _page(cycle)
