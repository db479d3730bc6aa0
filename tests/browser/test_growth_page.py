"""A parent (anonymous) on a phone reads the published student growth, picks a subject, and
downloads the table."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from playbook.commands.demo import _build_growth

from ..conftest import Personas
from .test_accessibility import assert_accessible

pytestmark = pytest.mark.browser


def test_parent_reads_published_growth_on_a_phone(page: Any, site: Personas,
                                                  tmp_path: Any) -> None:
    from playbook.studentdata.synth import synth_build

    synth_build(students=2500, seed=11)
    _build_growth()  # computes and publishes math and ELA for 2025

    page.set_viewport_size({"width": 390, "height": 844})
    page.goto("/evidence/public/growth/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Student growth: ")
    page.get_by_label("Subject").select_option(label="English language arts")
    page.get_by_label("Show").select_option(label="Districts")
    page.get_by_label("Students", exact=True).select_option(label="All students")
    page.get_by_role("button", name="Show results").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Student growth: English language arts, 2024-25")
    table = page.get_by_test_id("growth-cells")
    expect(table).to_be_visible()
    expect(table).to_contain_text("District")
    expect(table).to_contain_text("All students")
    # the stacked table fits the phone: nothing wider than the screen
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the page is {width}px wide on a 390px screen"
    assert_accessible(page, "the public growth page on a phone")

    with page.expect_download() as info:
        page.get_by_role("link", name="Spreadsheet (CSV)").click()
    path = tmp_path / "growth.csv"
    info.value.save_as(path)
    lines = path.read_text().splitlines()
    assert lines[0].startswith("subject,school_year,entity_type,entity_id,entity_name,subgroup")
    assert len(lines) > 1 and all(ln.startswith("ela,2025,district,") for ln in lines[1:])

    page.goto("/evidence/public/growth/?subject=science&year=2025")
    expect(page.get_by_test_id("growth-empty")).to_contain_text("no published growth results")
    assert_accessible(page, "the public growth page for a subject not published")
