"""A parent (anonymous) opens a school's report card, reads it, and downloads its data."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from playbook.evidence.growth import standard_from_synthetic_state
from playbook.evidence.models import ReportCardRating
from playbook.evidence.reportcards import demo_report_cards_ensure
from playbook.studentdata.synth import synth_build

from ..conftest import Personas
from .test_accessibility import assert_accessible

pytestmark = pytest.mark.browser


def test_parent_reads_and_downloads_a_school_report_card(page: Any, site: Personas,
                                                          tmp_path: Any) -> None:
    synth_build(students=2500, seed=11)
    standard_from_synthetic_state()
    pubs = demo_report_cards_ensure()
    assert {p.framework_slug for p in pubs} == {"approved-model-report-card",
                                               "school-district-performance"}
    pub = next(p for p in pubs if p.framework_slug == "school-district-performance")
    school = (ReportCardRating.objects.filter(run=pub.run, year=pub.school_year,
                                              entity_type="school")
              .exclude(points=None).order_by("entity_name").first())
    assert school is not None

    page.goto("/evidence/report-cards/")
    page.get_by_label("Find a school, district, model or provider").fill(school.entity_name)
    page.get_by_role("button", name="Search").click()
    page.get_by_role("link", name=school.entity_name).first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(school.entity_name)
    expect(page.get_by_test_id("overall-rating")).to_have_text(school.rating)
    trend = page.get_by_test_id("trend-table")
    expect(trend).to_be_visible()
    expect(trend.get_by_role("row").last).to_contain_text(school.rating)
    assert_accessible(page, "a school's public report card")

    with page.expect_download() as info:
        page.get_by_role("link", name="This report card's data (CSV)").click()
    path = tmp_path / "card.csv"
    info.value.save_as(path)
    lines = path.read_text().splitlines()
    assert lines[0] == ("framework,entity_type,entity_id,year,subgroup,component,metric,n,"
                        "value,level,suppressed,value_suppressed")
    assert len(lines) > 10 and all(f",{school.entity_id}," in ln for ln in lines[1:])
