"""Running the report-card statement on DuckDB or Spark.

Only the registration of inputs differs between engines (reading Parquet, renaming the
reserved ``window`` column, handing over Arrow tables); the statement is the one text built in
``sql.py``. Both return the same Arrow table, sorted the same way.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pyarrow as pa

LAKE_COLUMNS: dict[str, list[str]] = {
    "enrollment": ["student_key", "school_year", "school_id", "grade", "entry_date"],
    "demographics": ["student_key", "school_year", "race_ethnicity", "econ_disadvantaged",
                     "disability", "english_learner"],
    "assessments": ["student_key", "school_year", "school_id", "subject", "grade", "assessment",
                    "window", "achievement_level"],
    "attendance": ["student_key", "school_year", "school_id", "days_enrolled", "days_present"],
    "discipline": ["student_key", "school_year", "school_id", "action"],
    "model_participation": ["student_key", "school_year", "school_id", "model_id", "subject"],
}
REQUIRED_KINDS = ("enrollment", "demographics", "assessments", "attendance")

GROWTH_SCHEMA = pa.schema([
    ("student_key", pa.string()), ("school_year", pa.int32()), ("subject", pa.string()),
    ("sgp", pa.float64()), ("adequate_growth", pa.bool_()),
])
MEMBERS_SCHOOL_SCHEMA = pa.schema([
    ("entity_type", pa.string()), ("entity_id", pa.string()), ("school_id", pa.string()),
    ("from_year", pa.int32()),
])
MEMBERS_MODEL_SCHEMA = pa.schema([
    ("entity_type", pa.string()), ("entity_id", pa.string()), ("model_id", pa.string()),
    ("school_id", pa.string()), ("from_year", pa.int32()),
])
_EMPTY_SCHEMAS: dict[str, pa.Schema] = {
    "discipline": pa.schema([("student_key", pa.string()), ("school_year", pa.int32()),
                             ("school_id", pa.string()), ("action", pa.string())]),
    "model_participation": pa.schema([
        ("student_key", pa.string()), ("school_year", pa.int32()), ("school_id", pa.string()),
        ("model_id", pa.string()), ("subject", pa.string())]),
}


def _quote_path(path: Path) -> str:
    return "'" + path.as_posix().replace("'", "''") + "'"


def run_duckdb(*, sql: str, lake_paths: Mapping[str, Path], tables: Mapping[str, pa.Table],
               threads: int | None = None) -> pa.Table:
    """Register the lake files and Arrow ``tables`` as views in DuckDB and run ``sql``."""
    import duckdb

    con = duckdb.connect()
    try:
        if threads:
            con.execute(f"SET threads = {int(threads)}")
        con.execute("SET preserve_insertion_order = false")
        for kind, cols in LAKE_COLUMNS.items():
            path = lake_paths.get(kind)
            if path is None:
                con.register(kind, _EMPTY_SCHEMAS[kind].empty_table())
                continue
            select = ", ".join('"window" AS test_window' if c == "window" else c for c in cols)
            con.execute(f"CREATE VIEW {kind} AS SELECT {select} "
                        f"FROM read_parquet({_quote_path(Path(path))})")
        for name, table in tables.items():
            con.register(name, table)
        out = con.sql(sql).to_arrow_table()
    finally:
        con.close()
    return _normalize(out)


def run_spark(*, sql: str, lake_paths: Mapping[str, Path], tables: Mapping[str, pa.Table],
              spark: Any = None) -> pa.Table:
    """Register the lake files and Arrow ``tables`` as Spark views and run ``sql``.

    ``spark``: a ``SparkSession``; by default the active one or a new local session.
    """
    from pyspark.sql import SparkSession

    session = spark or SparkSession.builder.master("local[*]").getOrCreate()
    for kind, cols in LAKE_COLUMNS.items():
        path = lake_paths.get(kind)
        if path is None:
            session.createDataFrame(_EMPTY_SCHEMAS[kind].empty_table()).createOrReplaceTempView(
                kind)
            continue
        df = session.read.parquet(Path(path).as_posix()).select(*cols)
        df.withColumnRenamed("window", "test_window").createOrReplaceTempView(kind)
    for name, table in tables.items():
        session.createDataFrame(table).createOrReplaceTempView(name)
    out = session.sql(sql).toArrow()
    return _normalize(out)


PROFILE_SCHEMA = pa.schema([
    ("unit_type", pa.string()), ("unit_id", pa.string()), ("school_year", pa.int32()),
    ("pop", pa.string()), ("v", pa.float64()), ("race", pa.string()), ("econ", pa.bool_()),
    ("dis", pa.bool_()), ("el", pa.bool_()), ("cnt", pa.int64()), ("x1", pa.int64()),
    ("x2", pa.int64()), ("num", pa.int64()), ("den", pa.int64()),
])
PROFILE_ORDER = [(f.name, "ascending") for f in PROFILE_SCHEMA][:9]


def _normalize(table: pa.Table) -> pa.Table:
    """The engine's rows in the declared schema (unordered: everything after is order-free)."""
    table = table.select(PROFILE_SCHEMA.names)
    return pa.Table.from_arrays(
        [table.column(f.name).cast(f.type) for f in PROFILE_SCHEMA], schema=PROFILE_SCHEMA)
