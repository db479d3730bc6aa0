"""Group summaries of growth results: counts, median SGP, percent with adequate growth."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pyarrow as pa

GROUP_COLUMNS = ("student_id", "group_type", "group_id")


def aggregate_growth(*, results: pa.Table, groups: pa.Table) -> pa.Table:
    """Summarise per-student growth results for every group a student belongs to.

    ``results`` is a :class:`~playbook.analytics.growth.engine.GrowthResult` table (one or more
    subjects/years: ``student_id, subject, year, sgp`` and, with cutscores, ``adequate_growth``);
    ``groups`` maps students to groups, one row per membership: ``student_id, group_type,
    group_id`` (e.g. ``school``/``0042``, ``subgroup``/``ELL``, ``model``/``m7``). Returns one row
    per ``group_type, group_id, subject, year`` with ``n_students`` (tested), ``n_sgp``,
    ``median_sgp`` (the middle SGP, the mean of the two middle ones for an even count, as R's
    ``median``), ``n_adequate_eligible`` (students with an adequate-growth judgement),
    ``n_adequate`` and ``percent_adequate`` (null without eligible students). Suppressing
    small groups is left to the caller, which knows its reporting rules.
    """
    import duckdb
    import pyarrow as pa

    missing = [c for c in GROUP_COLUMNS if c not in groups.column_names]
    if missing:
        raise ValueError(f"groups table lacks column(s) {', '.join(missing)}")
    need = ("student_id", "subject", "year", "sgp")
    missing = [c for c in need if c not in results.column_names]
    if missing:
        raise ValueError(f"results table lacks column(s) {', '.join(missing)}")
    res = results.select(list(need))
    adequate = (
        results.column("adequate_growth")
        if "adequate_growth" in results.column_names
        else pa.nulls(results.num_rows, pa.bool_())
    )
    res = res.append_column("adequate_growth", adequate)
    con = duckdb.connect()
    try:
        con.register("res", res)
        con.register("grp", groups.select(list(GROUP_COLUMNS)))
        return con.sql(
            """
            SELECT
                CAST(g.group_type AS VARCHAR) AS group_type,
                CAST(g.group_id AS VARCHAR) AS group_id,
                r.subject,
                r.year,
                count(*) AS n_students,
                count(r.sgp) AS n_sgp,
                median(r.sgp)::DOUBLE AS median_sgp,
                count(r.adequate_growth) AS n_adequate_eligible,
                count(*) FILTER (WHERE r.adequate_growth) AS n_adequate,
                CASE WHEN count(r.adequate_growth) > 0
                     THEN 100.0 * count(*) FILTER (WHERE r.adequate_growth)
                          / count(r.adequate_growth)
                END AS percent_adequate
            FROM res AS r
            JOIN (SELECT DISTINCT * FROM grp) AS g
              ON CAST(g.student_id AS VARCHAR) = CAST(r.student_id AS VARCHAR)
            GROUP BY ALL
            ORDER BY group_type, group_id, r.subject, r.year
            """
        ).to_arrow_table()
    finally:
        con.close()
