from __future__ import annotations

from typing import Any

import pytest

from playbook.evidence.growth import (
    growth_publication_publish,
    growth_run_start,
    standard_from_synthetic_state,
)
from playbook.evidence.models import ReportCardPublication
from playbook.evidence.reportcards import demo_report_cards_ensure
from playbook.studentdata.selectors import snapshot_current
from playbook.studentdata.synth import synth_build


@pytest.fixture
def published(db: Any) -> dict[str, ReportCardPublication]:
    """The small synthetic state with both report-card frameworks published (by slug)."""
    synth_build(students=2500, seed=11)
    standard_from_synthetic_state()
    return {p.framework_slug: p for p in demo_report_cards_ensure()}


@pytest.fixture
def growth_published(published: dict[str, ReportCardPublication]) -> None:
    snapshot = snapshot_current()
    assert snapshot is not None
    run = growth_run_start(snapshot=snapshot, subject="math", school_year=2025, by=None,
                           wait=True)
    growth_publication_publish(run=run, by=None)
