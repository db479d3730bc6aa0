"""``{% bar_chart chart %}``: one horizontal bar chart, drawn the same way everywhere.

Every bar is as long as its value on a labelled axis (the chart's scale, 0 to 100 unless said
otherwise), with the cut points drawn as dashed reference lines across every bar and named in the
key below. The bars are SVG whose lengths are percentages of the track (attributes, never inline
styles: the pages keep a strict Content-Security-Policy). A chart is decoration for sighted
readers: the data table that follows it on the page is what assistive technology reads.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django import template

register = template.Library()


@dataclass
class ChartRow:
    label: str
    value: float | Decimal | None
    text: str = ""  # what is written after the bar (the value, or why there is none)


@dataclass
class ChartRef:
    label: str  # e.g. "Meets"
    value: float | Decimal


@dataclass
class Chart:
    id: str
    caption: str
    rows: list[ChartRow]
    refs: list[ChartRef] = field(default_factory=list)
    lo: float = 0.0
    hi: float = 100.0
    unit: str = ""
    direction: str = "higher"  # which way is better, for the key's words
    ticks: tuple[float, ...] = (0, 25, 50, 75, 100)


def _pct(value: float | Decimal, lo: float, hi: float) -> float:
    share = (float(value) - lo) / (hi - lo) * 100
    return max(0.0, min(100.0, share))


def _num(x: float | Decimal) -> str:
    f = float(x)
    return f"{f:g}"


def _anchor(pct: float) -> str:
    return "start" if pct <= 2 else "end" if pct >= 98 else "middle"


def chart_key(chart: Chart) -> str:
    """The key in words, e.g. "Scale 0 to 100. Dashed lines mark the cut points: Meets from 45,
    Exceeds from 60." (lower-is-better metrics say "at ... or less")."""
    words = f"Scale {_num(chart.lo)} to {_num(chart.hi)}{chart.unit}."
    if chart.refs:
        if chart.direction == "lower":
            parts = [f"{r.label} at {_num(r.value)}{chart.unit} or less" for r in chart.refs]
        else:
            parts = [f"{r.label} from {_num(r.value)}{chart.unit}" for r in chart.refs]
        words += " Dashed lines mark the cut points: " + ", ".join(parts) + "."
    return words


@register.inclusion_tag("ui/_bar_chart.html")
def bar_chart(chart: Chart) -> dict[str, Any]:
    lo, hi = chart.lo, chart.hi
    rows = [{
        "label": r.label, "value": r.value, "text": r.text,
        "pct": None if r.value is None else f"{_pct(r.value, lo, hi):.2f}",
    } for r in chart.rows]
    refs = [{"label": r.label, "value": _num(r.value), "pct": f"{_pct(r.value, lo, hi):.2f}",
             "anchor": _anchor(_pct(r.value, lo, hi))} for r in chart.refs]
    ticks = [{"label": _num(t), "pct": f"{_pct(t, lo, hi):.2f}",
              "anchor": _anchor(_pct(t, lo, hi))} for t in chart.ticks]
    return {"chart": chart, "rows": rows, "refs": refs, "ticks": ticks, "key": chart_key(chart)}
