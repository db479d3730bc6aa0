"""Both shipped frameworks give byte-identical published files on Spark and on DuckDB, computed
through the office on a synthetic state (the demo's kind of snapshot, smaller)."""

from __future__ import annotations

import pytest

from playbook.core.jobs import JobStatus
from playbook.evidence.growth import standard_from_synthetic_state
from playbook.evidence.reportcards import (
    frameworks_load_shipped,
    report_card_files,
    report_card_run_start,
)
from playbook.studentdata.selectors import snapshot_current
from playbook.studentdata.synth import synth_build

pytest.importorskip("pyspark")
pytestmark = [pytest.mark.django_db, pytest.mark.slow]


def test_spark_and_duckdb_publish_identical_files_for_every_shipped_framework():
    synth_build(students=2000, seed=5)
    standard_from_synthetic_state()
    snapshot = snapshot_current()
    frameworks = frameworks_load_shipped()
    assert len(frameworks) == 2
    for framework in frameworks:
        duck = report_card_run_start(framework=framework, snapshot=snapshot, engine="duckdb",
                                     wait=True)
        spark = report_card_run_start(framework=framework, snapshot=snapshot, engine="spark",
                                      wait=True)
        assert duck.status == spark.status == JobStatus.SUCCEEDED, (duck.message, spark.message)
        duck_files = report_card_files(run=duck)
        spark_files = report_card_files(run=spark)
        assert set(duck_files) == set(spark_files) >= {"results", "ratings"}
        for name, path in duck_files.items():
            body = path.read_bytes()
            assert body.count(b"\n") > 5, f"{framework.slug} {name} has rows"
            assert body == spark_files[name].read_bytes(), f"{framework.slug} {name}"
