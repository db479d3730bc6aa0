"""Migration 0004 on a database holding runs from before per-statistic suppression."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor


@pytest.mark.django_db(transaction=True)
def test_old_hidden_cells_hide_every_statistic_and_old_runs_keep_no_minimum():
    executor = MigrationExecutor(connection)
    before = [("evidence", "0003_report_cards")]
    after = [("evidence", "0005_growth_publication")]
    executor.migrate(before)
    old = executor.loader.project_state(before).apps
    snapshot = old.get_model("studentdata", "Snapshot").objects.create(
        created_via="test", directory="snap-test", sequence=1)
    run = old.get_model("evidence", "GrowthRun").objects.create(
        snapshot=snapshot, subject="math", school_year=2025, configuration={},
        configuration_fingerprint="f", code_version="old", status="succeeded")
    cell = old.get_model("evidence", "GrowthAggregate").objects
    cell.create(run=run, entity_type="school", entity_id="1", subgroup="all", suppressed=True)
    cell.create(run=run, entity_type="school", entity_id="2", subgroup="all", n=40,
                n_adequate_known=6, pct_adequate=50)

    executor = MigrationExecutor(connection)
    executor.migrate(after)
    new = executor.loader.project_state(after).apps
    cells = {c.entity_id: c for c in new.get_model("evidence", "GrowthAggregate").objects.all()}
    assert cells["1"].suppressed and cells["1"].sgp_suppressed and cells["1"].adequate_suppressed
    assert not cells["2"].adequate_suppressed  # as it was: such a run cannot be published
    assert new.get_model("evidence", "GrowthRun").objects.get().min_n is None
