"""Published evidence for agreements' commitments: the latest growth aggregate, never a
suppressed cell."""

from __future__ import annotations

import pytest

from playbook.evidence.growth import (
    growth_publication_publish,
    growth_run_start,
    standard_from_synthetic_state,
)
from playbook.evidence.models import GrowthAggregate
from playbook.evidence.monitoring import published_evidence
from playbook.studentdata.selectors import snapshot_current
from playbook.studentdata.synth import synth_build

pytestmark = pytest.mark.django_db


def test_growth_evidence_is_the_published_aggregate_and_suppression_holds(personas):
    synth_build(students=2500, seed=11)
    standard_from_synthetic_state()
    run = growth_run_start(snapshot=snapshot_current(), subject="math", school_year=2025,
                           by=personas.officer, wait=True)
    shown = GrowthAggregate.objects.filter(run=run, entity_type="district", subgroup="all",
                                           suppressed=False).exclude(median_sgp=None).first()
    assert shown is not None
    # a run staff have not published is no evidence
    assert published_evidence(source="growth_run", ref={"subject": "math"},
                              entity_type="district", entity_id=shown.entity_id) is None
    growth_publication_publish(run=run, by=personas.officer)
    found = published_evidence(source="growth_run", ref={"subject": "math",
                                                         "metric": "median_sgp"},
                               entity_type="district", entity_id=shown.entity_id)
    assert found is not None and found.value == shown.median_sgp and found.school_year == 2025
    assert "median SGP, math 2025" in found.shown
    hidden = GrowthAggregate.objects.filter(run=run, subgroup="all", suppressed=True).first()
    if hidden is not None:
        found = published_evidence(source="growth_run", ref={"subject": "math"},
                                   entity_type=hidden.entity_type, entity_id=hidden.entity_id)
        assert found is not None and found.value is None and "suppressed" in found.shown
    # a percent hidden on its own count (too few students with a status) is no number either
    pct_hidden = GrowthAggregate.objects.filter(run=run, subgroup="all", suppressed=False,
                                                adequate_suppressed=True).first()
    if pct_hidden is not None:
        found = published_evidence(source="growth_run", ref={"subject": "math",
                                                             "metric": "pct_adequate"},
                                   entity_type=pct_hidden.entity_type,
                                   entity_id=pct_hidden.entity_id)
        assert found is not None and found.value is None and "suppressed" in found.shown
    assert published_evidence(source="growth_run", ref={"subject": "science"},
                              entity_type="district", entity_id=shown.entity_id) is None
    assert published_evidence(source="report_card", ref={"framework": "none-such"},
                              entity_type="district", entity_id=shown.entity_id) is None
