"""Time `playbook synth` end to end: wall time and peak memory of the whole command.

Each case runs the real command in a subprocess with a fresh, empty PLAYBOOK_DATA_DIR (so the
SQLite database is created and migrated first, as on a new machine) and DATABASE_URL unset. Peak
RSS is the child's own maximum resident set size, from ``os.wait4``.

    .venv/bin/python benchmarks/synth.py            # 50,000 students
    .venv/bin/python benchmarks/synth.py --large    # and 1,000,000 students
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]


def run_case(*, students: int, seed: int) -> dict[str, Any]:
    """Run one build in a fresh data folder; returns wall seconds, peak RSS and the report."""
    data_dir = Path(tempfile.mkdtemp(prefix="playbook-synth-bench-"))
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env["PLAYBOOK_DATA_DIR"] = str(data_dir)
    command = [sys.executable, "-m", "playbook.cli", "synth", "--students", str(students),
               "--seed", str(seed), "--json"]
    try:
        with tempfile.TemporaryFile() as out:
            started = time.perf_counter()
            proc = subprocess.Popen(command, cwd=ROOT, env=env, stdout=out)
            _, status, usage = os.wait4(proc.pid, 0)
            wall = time.perf_counter() - started
            proc.returncode = os.waitstatus_to_exitcode(status)
            out.seek(0)
            text = out.read().decode()
        if proc.returncode != 0:
            raise SystemExit(f"playbook synth failed with exit code {proc.returncode}")
        report = json.loads(text)
        lake = data_dir / "lake"
        lake_bytes = sum(p.stat().st_size for p in lake.rglob("*.parquet"))
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)
    return {
        "students": students, "wall_s": wall,
        "peak_rss_mib": usage.ru_maxrss / 1024,  # Linux reports KiB
        "cpu_s": usage.ru_utime + usage.ru_stime, "lake_bytes": lake_bytes, "report": report,
    }


def show(result: dict[str, Any]) -> None:
    report = result["report"]
    print(f"\n## {result['students']:,} students")
    print(f"wall time {result['wall_s']:.1f} s, CPU {result['cpu_s']:.1f} s, "
          f"peak RSS {result['peak_rss_mib']:,.0f} MiB, "
          f"lake {result['lake_bytes'] / 2**20:.1f} MiB")
    print("phases: " + ", ".join(f"{k} {v:.1f} s" for k, v in report["seconds"].items()))
    print("peak RSS (MiB) at the end of: " + ", ".join(
        f"{k} {v:,.0f}" for k, v in report.get("peak_rss_mib", {}).items()))
    print(f"registry: {report['districts']} districts, {report['schools']} schools, "
          f"{report['consortia']} consortia, {report['providers']} providers, "
          f"{report['models']} models, {report['adoptions']} adoption-years, "
          f"{report['educators']:,} educators")
    print(f"{'kind':<20} {'rows':>12} {'CSV MiB':>9} {'Parquet MiB':>12}")
    for kind, rows in report["rows"].items():
        print(f"{kind:<20} {rows:>12,} {report['csv_bytes'][kind] / 2**20:>9.1f} "
              f"{report['parquet_bytes'][kind] / 2**20:>12.2f}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--large", action="store_true", help="also build 1,000,000 students")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    print(f"playbook synth benchmark on {os.cpu_count()} CPU(s), Python {sys.version.split()[0]}")
    sizes = [50_000, 1_000_000] if args.large else [50_000]
    for students in sizes:
        show(run_case(students=students, seed=args.seed))
    return 0


if __name__ == "__main__":
    sys.exit(main())
