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


def _published_school(*, min_years: int = 1) -> ReportCardRating:
    """Build the small synthetic state, publish both frameworks, return a rated school."""
    synth_build(students=2500, seed=11)
    standard_from_synthetic_state()
    pub = next(p for p in demo_report_cards_ensure()
               if p.framework_slug == "school-district-performance")
    schools = (ReportCardRating.objects.filter(run=pub.run, year=pub.school_year,
                                               entity_type="school")
               .exclude(points=None).order_by("entity_name"))
    for school in schools:
        years = ReportCardRating.objects.filter(run=pub.run, entity_type="school",
                                                entity_id=school.entity_id).count()
        if years >= min_years:
            return school
    raise AssertionError("no rated school with enough years")


def _bars(page: Any) -> list[tuple[float, float, float]]:
    """Each drawn bar: (its value, its drawn width, the width of its track), in CSS pixels."""
    return page.evaluate("""() => [...document.querySelectorAll('rect.pb-chart__bar')].map(r => [
        parseFloat(r.dataset.value), r.getBoundingClientRect().width,
        r.ownerSVGElement.getBoundingClientRect().width])""")


@pytest.mark.parametrize("width", [1280, 390])
def test_bars_are_drawn_proportional_to_their_values(page: Any, site: Personas,
                                                     width: int) -> None:
    from decimal import Decimal

    school = _published_school(min_years=3)
    trend = list(ReportCardRating.objects.filter(run=school.run, entity_type="school",
                                                 entity_id=school.entity_id).order_by("-year"))
    for rating, points in zip(trend[:3], ("63.9", "58.7", "56.7"), strict=True):
        rating.points = Decimal(points)
        rating.save(update_fields=["points"])
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(f"/evidence/report-cards/{school.run.framework.slug}/school/{school.entity_id}/")
    expect(page.locator("#chart-trend")).to_be_visible()
    widths = dict(page.evaluate("""() => [...document.querySelectorAll(
        '#chart-trend ~ .pb-chart__plot rect.pb-chart__bar')].map(r => [r.dataset.value,
        r.getBoundingClientRect().width])"""))
    w1, w2, w3 = widths["56.7"], widths["58.7"], widths["63.9"]
    assert w1 < w2 < w3
    assert abs(w2 / w1 - 58.7 / 56.7) < 0.01 and abs(w3 / w1 - 63.9 / 56.7) < 0.01
    bars = _bars(page)
    assert len(bars) > 10
    for value, drawn, track in bars:
        assert track > 100, "every track is wide enough to read on this screen"
        assert abs(drawn - track * value / 100) <= 1.0, (value, drawn, track)
    # every bar's track lies inside the screen: nothing runs off its right edge
    right = page.evaluate("""() => Math.max(...[...document.querySelectorAll(
        'svg.pb-chart__track')].map(s => s.getBoundingClientRect().right))""")
    assert right <= width
