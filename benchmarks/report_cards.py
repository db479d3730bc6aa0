"""Benchmark: every shipped report-card framework over the synthetic state, on DuckDB.

    .venv/bin/python benchmarks/report_cards.py [--students 1000000] [--seed 1]
        [--data-dir DIR] [--threads N] [--out DIR]

The first run builds the state once with ``playbook synth`` in ``--data-dir`` (a temporary
PLAYBOOK_DATA_DIR, default ``/tmp/playbook-bench-<students>``) and reuses it afterwards. The
parent process reads the registry (Django) into the entities table and prepares the growth
results; a child process without Django then times, for the same snapshot:

* the floor: one plain DuckDB scan of every column the report cards read;
* each framework: ``compute_report_cards`` (all entities, all subgroups, all years) and
  ``write_results``,

and prints wall time and peak RSS (the child's ``ru_maxrss``).

Growth results come from the growth engine (``playbook.analytics.growth.compute_growth``, every
subject and every year with a prior year, the synthetic state's cut scores), computed once in
the parent and cached beside the state; they are an input, so their time is not part of the
report-card figures (``benchmarks/growth.py`` times the growth engine).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
#: the checkout's virtual environment, else the one running this script (a worktree)
VENV_BIN = ROOT / ".venv" / "bin" if (ROOT / ".venv").exists() else Path(sys.executable).parent


def _env(data_dir: Path) -> dict[str, str]:
    env = dict(os.environ)
    env["PLAYBOOK_DATA_DIR"] = str(data_dir)
    env["DJANGO_SETTINGS_MODULE"] = "playbook.config.settings.dev"
    return env


def build_state(*, data_dir: Path, students: int, seed: int) -> None:
    marker = data_dir / f"synth-{students}-{seed}.done"
    if marker.exists():
        return
    data_dir.mkdir(parents=True, exist_ok=True)
    env = _env(data_dir)
    subprocess.run([str(VENV_BIN / "playbook"), "manage", "migrate"], env=env, check=True,
                   stdout=subprocess.DEVNULL)
    subprocess.run([str(VENV_BIN / "playbook"), "synth", "--students", str(students), "--seed",
                    str(seed)], env=env, check=True)
    marker.write_text("ok\n")


def prepare_inputs(*, data_dir: Path) -> dict[str, str]:
    """In this process, with Django: lake paths, entities Parquet, growth Parquet."""
    os.environ.update(_env(data_dir))
    import django

    django.setup()
    import pyarrow as pa
    import pyarrow.parquet as pq

    from playbook.organizations.models import (
        ConsortiumMembership,
        ModelAdoption,
        Organization,
        OrgKind,
    )
    from playbook.studentdata.selectors import snapshot_current, snapshot_paths

    snapshot = snapshot_current()
    assert snapshot is not None, "no snapshot: run playbook synth first"
    paths = {k: str(v) for k, v in snapshot_paths(snapshot=snapshot).items()}
    rows: list[dict[str, object]] = []
    schools = Organization.objects.filter(kind=OrgKind.SCHOOL).select_related("parent")
    district_schools: dict[int | None, list[str]] = {}
    for s in schools:
        assert s.nces_id and s.parent and s.parent.nces_id
        rows.append({"entity_type": "school", "entity_id": s.nces_id, "school_id": s.nces_id,
                     "school_year": None, "model_id": None, "locale": s.locale or None})
        rows.append({"entity_type": "district", "entity_id": s.parent.nces_id,
                     "school_id": s.nces_id, "school_year": None, "model_id": None,
                     "locale": s.parent.locale or None})
        district_schools.setdefault(s.parent_id, []).append(s.nces_id)
    for m in ConsortiumMembership.objects.select_related("consortium", "member"):
        year = m.joined_on.year + (1 if m.joined_on.month >= 7 else 0) if m.joined_on else None
        for sid in district_schools.get(m.member_id, []):
            rows.append({"entity_type": "consortium", "entity_id": m.consortium.code,
                         "school_id": sid, "school_year": year, "model_id": None,
                         "locale": m.consortium.locale or None})
    for a in ModelAdoption.objects.select_related("school", "model", "model__provider"):
        rows.append({"entity_type": "model", "entity_id": a.model.code,
                     "school_id": a.school.nces_id, "school_year": a.school_year,
                     "model_id": a.model.code, "locale": None})
        if a.model.provider is not None:
            rows.append({"entity_type": "provider", "entity_id": a.model.provider.code,
                         "school_id": a.school.nces_id, "school_year": a.school_year,
                         "model_id": a.model.code, "locale": None})
    entities = pa.Table.from_pylist(rows, schema=pa.schema([
        ("entity_type", pa.string()), ("entity_id", pa.string()), ("school_id", pa.string()),
        ("school_year", pa.int32()), ("model_id", pa.string()), ("locale", pa.string())]))
    ent_path = data_dir / "bench-entities.parquet"
    pq.write_table(entities, ent_path)
    growth_path = data_dir / f"bench-growth-engine-{snapshot.pk}.parquet"
    if not growth_path.exists():
        growth_from_engine(assessments=Path(paths["assessments"]), out=growth_path)
    return {"lake_paths": json.dumps(paths), "entities": str(ent_path),
            "growth": str(growth_path)}


def growth_from_engine(*, assessments: Path, out: Path) -> None:
    """The growth engine's per-student results for every subject and year with a prior year,
    with the synthetic state's cut scores (adequate growth), as the office computes them."""
    import json as _json

    import duckdb
    import pyarrow as pa
    import pyarrow.parquet as pq

    from playbook.analytics.growth import GrowthConfig, compute_growth, load_cutscores
    from playbook.studentdata.synth import CONTENT_AREAS, CUTSCORES_SGP

    con = duckdb.connect()
    scores = con.sql(
        "SELECT student_key AS student_id, CAST(school_year AS VARCHAR) AS year, subject, "
        "grade, scale_score FROM read_parquet(?) "
        "WHERE assessment = 'summative' AND \"window\" = 'spring'",
        params=[str(assessments)],
    ).to_arrow_table()
    con.close()
    years = sorted({int(y) for y in scores.column("year").unique().to_pylist()})
    parts = []
    with tempfile.TemporaryDirectory() as tmp:
        cuts_file = Path(tmp) / "cutscores.json"
        cuts_file.write_text(_json.dumps(CUTSCORES_SGP))
        for subject, area in CONTENT_AREAS.items():
            cutscores, _, _ = load_cutscores(path=cuts_file, subject=area)
            for year in years[1:]:
                t = time.perf_counter()
                result = compute_growth(scores=scores, subject=subject, year=year,
                                        config=GrowthConfig(cutscores=cutscores))
                table = result.table
                parts.append(pa.table({
                    "student_key": table.column("student_id"),
                    "school_year": pa.array([year] * table.num_rows, pa.int32()),
                    "subject": table.column("subject"),
                    "sgp": table.column("sgp").cast(pa.float64()),
                    "adequate_growth": table.column("adequate_growth"),
                }))
                print(f"growth {subject} {year}: {table.num_rows:,} students in "
                      f"{time.perf_counter() - t:.1f}s", file=sys.stderr)
    pq.write_table(pa.concat_tables(parts), out)


# ----------------------------------------------------------------------------------------------
# The child: no Django, only the evidence engine


def child(ns: argparse.Namespace) -> int:
    import duckdb
    import pyarrow.parquet as pq

    from playbook.analytics.reportcards import (
        compute_report_cards,
        load_shipped,
        shipped_frameworks,
        write_results,
    )
    from playbook.analytics.reportcards.engines import LAKE_COLUMNS

    lake_paths = {k: Path(v) for k, v in json.loads(ns.lake_paths).items()}
    report: dict[str, object] = {}
    t = time.perf_counter()
    con = duckdb.connect()
    if ns.threads:
        con.execute(f"SET threads = {ns.threads}")
    for kind, cols in LAKE_COLUMNS.items():
        if kind in lake_paths:
            # touch every value of every column the report cards read (statistics alone
            # would answer a bare count)
            exprs = ", ".join(f'sum(hash("{c}"))' for c in cols)
            con.execute(f"SELECT {exprs} FROM read_parquet('{lake_paths[kind].as_posix()}')"
                        ).fetchall()
    con.execute("SELECT sum(hash(student_key)), sum(hash(school_year)), sum(hash(subject)), "
                f"sum(sgp), sum(hash(adequate_growth)) FROM read_parquet('{ns.growth}')"
                ).fetchall()
    con.close()
    scan_s = time.perf_counter() - t
    report["plain_scan_s"] = round(scan_s, 2)
    entities = pq.read_table(ns.entities)
    growth = pq.read_table(ns.growth)
    out = Path(ns.out)
    total = 0.0
    for name in shipped_frameworks():
        fw = load_shipped(name=name)
        t = time.perf_counter()
        result = compute_report_cards(framework=fw, lake_paths=lake_paths, entities=entities,
                                      growth=growth, engine="duckdb", min_n=10,
                                      threads=ns.threads)
        paths = write_results(result, out / name)
        took = time.perf_counter() - t
        total += took
        report[name] = {
            "seconds": round(took, 2),
            "phases": {k: round(v, 2) for k, v in result.timings.items()},
            "rows": result.results.num_rows,
            "suppressed": int(result.results.column("suppressed").to_numpy(
                zero_copy_only=False).sum()),
            "ratings": result.ratings.num_rows,
            "suppression": vars(result.suppression),
            # the numerator cover (decision 0009): percents hidden, their step's time
            "value_suppressed": int(result.results.column("value_suppressed").to_numpy(
                zero_copy_only=False).sum()),
            "numerators": vars(result.numerators),
            "results_csv_bytes": paths["results"].stat().st_size,
        }
    report["all_frameworks_s"] = round(total, 2)
    report["peak_rss_mib"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    report["ratio_to_scan"] = round(total / max(scan_s, 1e-9), 1)
    print(json.dumps(report, indent=2))
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--data-dir", type=Path)
    parser.add_argument("--threads", type=int, default=0)
    parser.add_argument("--out", type=Path)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--lake-paths", help=argparse.SUPPRESS)
    parser.add_argument("--entities", help=argparse.SUPPRESS)
    parser.add_argument("--growth", help=argparse.SUPPRESS)
    ns = parser.parse_args(argv)
    if ns.child:
        return child(ns)
    data_dir = ns.data_dir or Path(tempfile.gettempdir()) / f"playbook-bench-{ns.students}"
    t = time.perf_counter()
    build_state(data_dir=data_dir, students=ns.students, seed=ns.seed)
    inputs = prepare_inputs(data_dir=data_dir)
    print(f"state and inputs ready in {time.perf_counter() - t:.1f}s ({data_dir})",
          file=sys.stderr)
    out = ns.out or data_dir / "report-cards"
    cmd = [sys.executable, __file__, "--child", "--lake-paths", inputs["lake_paths"],
           "--entities", inputs["entities"], "--growth", inputs["growth"], "--out", str(out),
           "--threads", str(ns.threads)]
    env = dict(os.environ)
    env.pop("DJANGO_SETTINGS_MODULE", None)
    return subprocess.run(cmd, env=env, check=False).returncode


if __name__ == "__main__":
    sys.exit(main())
