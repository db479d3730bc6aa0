"""The same statement on Spark gives exactly what it gives on DuckDB."""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest

from playbook.analytics.reportcards import compute_report_cards, load_shipped
from playbook.analytics.reportcards.engines import PROFILE_ORDER

from .lake import make_lake

pyspark = pytest.importorskip("pyspark")


@pytest.fixture(scope="session")
def spark() -> Iterator[Any]:
    from pyspark.sql import SparkSession

    os.environ.setdefault("PYSPARK_PYTHON", os.sys.executable)  # type: ignore[attr-defined]
    session = (
        SparkSession.builder.master("local[2]")
        .appName("playbook-report-cards-test")
        .config("spark.sql.shuffle.partitions", "4")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.session.timeZone", "UTC")
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()


@pytest.fixture(scope="module")
def lake(tmp_path_factory: pytest.TempPathFactory) -> Any:
    return make_lake(tmp_path_factory.mktemp("lake"), seed=7, students=300,
                     missing_demographics=2)


@pytest.mark.parametrize("name", ["school-district-performance", "approved-model-report-card"])
def test_spark_equals_duckdb(lake: Any, spark: Any, name: str) -> None:
    fw = load_shipped(name=name)
    args: dict[str, Any] = {"framework": fw, "lake_paths": lake.paths,
                            "entities": lake.entities, "growth": lake.growth, "min_n": 10}
    duck = compute_report_cards(engine="duckdb", **args)
    sprk = compute_report_cards(engine="spark", spark=spark, **args)
    order = PROFILE_ORDER
    assert duck.profiles.num_rows > 0
    assert sprk.profiles.sort_by(order).equals(duck.profiles.sort_by(order))
    assert sprk.cells.equals(duck.cells)
    assert sprk.results.equals(duck.results)
    assert sprk.ratings.equals(duck.ratings)
