"""``{% bar_chart %}``: bars as long as their values on a labelled 0-100 axis, cut points drawn."""

from __future__ import annotations

import re
from decimal import Decimal

from django.template import Context, Template

from playbook.ui.templatetags.charts import Chart, ChartRef, ChartRow, chart_key

BAR = r'<rect class="pb-chart__bar"[^>]*width="([^"]+)"'


def _render(chart: Chart) -> str:
    return Template("{% load charts %}{% bar_chart chart %}").render(Context({"chart": chart}))


def _chart(**kw: object) -> Chart:
    rows = [ChartRow("2023", Decimal("56.7"), "56.7"), ChartRow("2024", Decimal("58.7"), "58.7"),
            ChartRow("2025", Decimal("63.9"), "63.9"), ChartRow("2026", None, "not rated")]
    return Chart(id="c", caption="Score by year.", rows=rows,
                 refs=[ChartRef("Priority improvement", 45), ChartRef("Improvement", 55),
                       ChartRef("Performance", 66)], **kw)  # type: ignore[arg-type]


def test_bar_widths_are_the_values_on_the_scale_not_rounded_or_capped() -> None:
    html = _render(_chart())
    assert re.findall(BAR, html) == ["56.70%", "58.70%", "63.90%"]
    assert 'data-value="63.9"' in html


def test_a_row_without_a_value_draws_no_bar_and_says_why() -> None:
    html = _render(_chart())
    row = html.split(">2026<", 1)[1].split("</div>", 1)[0]
    assert "pb-chart__bar" not in row and "not rated" in row


def test_cut_points_are_reference_lines_on_every_bar_and_labelled() -> None:
    html = _render(_chart())
    assert html.count('class="pb-chart__ref" x1="55.00%"') == 4  # every row, with or without bar
    assert '<text x="66.00%"' in html and ">66</text>" in html


def test_axis_is_labelled_0_to_100_and_the_key_names_the_cut_points() -> None:
    html = _render(_chart())
    ticks = re.findall(r'<text x="[^"]+" y="20" text-anchor="\w+">([^<]+)</text>', html)
    assert ticks == ["0", "25", "50", "75", "100"]
    assert ("Scale 0 to 100. Dashed lines mark the cut points: Priority improvement from 45, "
            "Improvement from 55, Performance from 66.") in html


def test_other_scales_and_lower_is_better_keys() -> None:
    chart = _chart(lo=0, hi=200, unit="%", direction="lower")
    assert re.findall(BAR, _render(chart))[0] == "28.35%"
    assert chart_key(chart).endswith("Improvement at 55% or less, Performance at 66% or less.")
    over = Chart(id="o", caption="", rows=[ChartRow("x", 140), ChartRow("y", -5)])
    assert re.findall(BAR, _render(over)) == ["100.00%", "0.00%"]


def test_the_chart_is_hidden_from_assistive_technology_and_has_no_inline_style() -> None:
    html = _render(_chart())
    assert 'class="pb-chart__plot" aria-hidden="true"' in html
    assert "style=" not in html and "<script" not in html
