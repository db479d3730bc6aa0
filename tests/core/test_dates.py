"""The state's fiscal year (July to June) and the demo's clock."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from django.utils import timezone

from playbook.core.dates import clock_at, fiscal_year_of, fiscal_year_start


@pytest.mark.parametrize(("day", "fy"), [
    (date(2025, 6, 30), 2025), (date(2025, 7, 1), 2026), (date(2026, 1, 1), 2026),
    (date(2026, 12, 1), 2027),
])
def test_the_fiscal_year_runs_july_to_june_named_by_its_end(day: date, fy: int) -> None:
    assert fiscal_year_of(day) == fy
    assert fiscal_year_start(fy) <= day < fiscal_year_start(fy + 1)


def test_an_aware_moment_is_read_in_the_states_time_zone(settings) -> None:  # type: ignore[no-untyped-def]
    settings.TIME_ZONE = "America/Chicago"
    # 03:00 UTC on July 1 is still June 30 in the state: fiscal year 2025, not 2026
    assert fiscal_year_of(datetime(2025, 7, 1, 3, tzinfo=UTC)) == 2025
    assert fiscal_year_of(datetime(2025, 7, 1, 8, tzinfo=UTC)) == 2026


@pytest.mark.django_db
def test_the_clock_dates_new_rows_and_append_only_ones_then_stops(personas) -> None:
    from playbook.privacy.models import AccessLogEntry
    from playbook.privacy.services import access_log_record
    from playbook.programs.models import Ballot

    then = timezone.make_aware(datetime(2025, 9, 12, 15, 30))
    with clock_at(then):
        assert timezone.now() == then and timezone.localdate() == date(2025, 9, 12)
        entry = access_log_record(user=personas.officer, action="x", purpose="y",
                                  student_keys=[], record_count=0)  # auto_now_add
        opened_at_default = Ballot._meta.get_field("opened_at").get_default()  # default=now
    assert AccessLogEntry.objects.get(pk=entry.pk).at == then
    assert opened_at_default == then
    assert timezone.now() > then
    assert Ballot._meta.get_field("opened_at").get_default() > then, "the default is restored"
