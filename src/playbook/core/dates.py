"""Dates of the state's calendar: its fiscal year (July 1 to June 30, as in most states:
FY2026 runs from July 1, 2025 to June 30, 2026) and the demo's clock."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime
from typing import Any
from unittest import mock

from django.apps import apps
from django.utils import timezone

#: The month a fiscal year starts (7: July, so FY2026 is July 2025 to June 2026).
FISCAL_YEAR_START_MONTH = 7


def fiscal_year_of(day: date | datetime) -> int:
    """The fiscal year ``day`` falls in, named by the calendar year it ends in."""
    if isinstance(day, datetime):
        day = timezone.localtime(day).date() if timezone.is_aware(day) else day.date()
    return day.year + 1 if day.month >= FISCAL_YEAR_START_MONTH else day.year


def fiscal_year_start(year: int) -> date:
    """The first day of fiscal year ``year``."""
    return date(year - 1, FISCAL_YEAR_START_MONTH, 1)


@contextmanager
def clock_at(moment: datetime) -> Iterator[None]:
    """Everything written inside carries ``moment`` as "now": ``timezone.now()`` and
    ``localdate()``, ``auto_now``/``auto_now_add`` columns, and model fields whose default is
    ``timezone.now`` (append-only rows such as transitions and votes included, since they are
    written, not changed). For the demo's history only: a past round's story laid out over
    its fiscal year. Never used while serving requests."""
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    original = timezone.now
    defaults: list[tuple[Any, Any]] = []
    for model in apps.get_models():
        for f in model._meta.concrete_fields:
            if getattr(f, "default", None) is original:
                defaults.append((f, f.default))
                f.default = lambda: moment
                f.__dict__.pop("_get_default", None)  # Django caches the default's callable
    try:
        with mock.patch("django.utils.timezone.now", return_value=moment):
            yield
    finally:
        for f, default in defaults:
            f.default = default
            f.__dict__.pop("_get_default", None)
