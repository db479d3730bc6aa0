"""Benchmark ``playbook growth``: wall time and peak memory of the whole command.

Cases (each a fresh ``playbook growth`` process, start to finish):

1. ``sgpData.csv`` reading 2025 (converted to the long format first, untimed) with the DEMO
   knots: five grade cohorts, all orders.
2. The same with ``--cutscores`` (projections, targets and statuses too).
3. A synthetic 1,000,000-student state, grades 3-8, five years, two subjects (generated here
   with numpy on a plausible vertical scale; knots derived from the data; cutscores included),
   one command per subject.

Peak memory is sampled from /proc every 20 ms over the command's process tree (the main process
plus its worker processes), and the kernel's per-process peak (``ru_maxrss``) is shown too.

Run:  .venv/bin/python benchmarks/growth.py [--skip-large] [--students N]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv

ROOT = Path(__file__).resolve().parents[1]
SGP_DIR = ROOT.parent / "shared" / "data" / "sgp"
sys.path.insert(0, str(ROOT / "src"))

from playbook.analytics.growth.data import wide_to_long  # noqa: E402


def _tree_rss_kib(pid: int) -> int:
    """Resident memory of ``pid`` and its descendants, in KiB (from /proc)."""
    total = 0
    todo = [pid]
    while todo:
        p = todo.pop()
        try:
            with open(f"/proc/{p}/status") as fh:
                for line in fh:
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1])
                        break
            with open(f"/proc/{p}/task/{p}/children") as fh:
                todo.extend(int(c) for c in fh.read().split())
        except (FileNotFoundError, ProcessLookupError, PermissionError):
            continue
    return total


def run_command(args: list[str]) -> dict[str, float]:
    """Run ``playbook growth ARGS`` in a fresh process; return seconds and peak memory (MiB)."""
    code = "import sys; from playbook.cli import main; sys.exit(main(sys.argv[1:]))"
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    start = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-c", code, "growth", *args], env=env, stderr=subprocess.PIPE
    )
    peak = 0
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not done.is_set():
            peak = max(peak, _tree_rss_kib(proc.pid))
            time.sleep(0.02)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - start
    done.set()
    sampler.join()
    err = proc.stderr.read().decode() if proc.stderr else ""
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise SystemExit(f"playbook growth failed ({proc.returncode}):\n{err}")
    return {
        "seconds": seconds,
        "tree_peak_mib": peak / 1024,
        "process_peak_mib": usage.ru_maxrss / 1024,
        "cpu_seconds": usage.ru_utime + usage.ru_stime,
    }


def synthetic_state(n_students: int, seed: int = 2025) -> tuple[pa.Table, dict]:
    """A long table: students in grades 3-8 in 2025 with up to five years of history in two
    subjects, on a vertical scale (grade means 40 points apart), plus DEMO-style cutscores."""
    rng = np.random.default_rng(seed)
    years = np.arange(2021, 2026)
    grade_now = rng.integers(3, 9, n_students)
    ability = rng.normal(0.0, 1.0, (n_students, 2))
    ability[:, 1] = 0.75 * ability[:, 0] + np.sqrt(1 - 0.75**2) * ability[:, 1]
    rate = rng.normal(1.0, 0.25, (n_students, 2))
    ids = np.char.add("S", np.arange(n_students).astype(str))
    parts = []
    cuts: dict[str, dict[str, list[int]]] = {}
    for s, subject in enumerate(("READING", "MATHEMATICS")):
        base = 420 + 15 * s
        cuts[subject] = {
            f"GRADE_{g}": [base + 40 * g - 45, base + 40 * g, base + 40 * g + 55]
            for g in range(3, 9)
        }
        for y in years:
            grade = grade_now - (2025 - y)
            tested = (grade >= 3) & (rng.random(n_students) > 0.03)
            g = grade[tested]
            mean = base + 40 * g + 12 * (rate[tested, s] - 1) * (g - 3)
            spread = 38 + 2 * g
            score = mean + spread * ability[tested, s] + rng.normal(0, 18, g.size)
            score = np.clip(np.round(score), 150, 1000)
            parts.append(
                pa.table(
                    {
                        "student_id": pa.array(ids[tested]),
                        "year": pa.array(np.full(g.size, str(y))),
                        "subject": pa.array(np.full(g.size, subject)),
                        "grade": pa.array(g),
                        "scale_score": pa.array(score),
                    }
                )
            )
    cutscores = {
        "Cutscores": cuts,
        "Achievement_Levels": {
            "Labels": ["Unsatisfactory", "Partially Proficient", "Proficient", "Advanced"],
            "Proficient": ["Not Proficient", "Not Proficient", "Proficient", "Proficient"],
        },
        "Growth_Levels": {
            "Levels": ["Very Low", "Low", "Typical", "High", "Very High"],
            "Cuts": [20, 40, 61, 81],
        },
    }
    return pa.concat_tables(parts), cutscores


def show(name: str, r: dict[str, float]) -> None:
    print(
        f"{name:<48} {r['seconds']:7.2f} s wall  {r['cpu_seconds']:7.2f} s cpu  "
        f"peak {r['tree_peak_mib']:7.0f} MiB (tree)  {r['process_peak_mib']:6.0f} MiB (process)",
        flush=True,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--skip-large", action="store_true", help="skip the 1M-student case")
    parser.add_argument("--students", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3, help="runs of the sgpData cases (best)")
    args = parser.parse_args()
    print(f"machine: {os.cpu_count()} CPUs; python {sys.version.split()[0]}")
    with tempfile.TemporaryDirectory() as tmp_s:
        tmp = Path(tmp_s)
        if SGP_DIR.is_dir():
            long_csv = tmp / "sgpData_long.csv"
            pacsv.write_csv(
                wide_to_long(pacsv.read_csv(SGP_DIR / "sgpData.csv"), subject="READING"),
                long_csv,
            )
            common = ["--scores", str(long_csv), "--subject", "READING", "--year", "2025"]
            knots = ["--knots", str(SGP_DIR / "DEMO_knots_boundaries.json")]
            cuts = ["--cutscores", str(SGP_DIR / "DEMO_cutscores.json")]
            out = ["--out", str(tmp / "out.csv")]
            for name, extra in (
                ("sgpData READING 2025, DEMO knots", knots),
                ("sgpData READING 2025, DEMO knots + cutscores", knots + cuts),
            ):
                runs = [run_command(common + extra + out) for _ in range(args.repeat)]
                best = min(runs, key=lambda r: r["seconds"])
                show(name, best)
                times = ", ".join(f"{r['seconds']:.2f}" for r in runs)
                print(f"{'':<48} (all runs: {times} s)")
        else:
            print(f"sgpData cases skipped: {SGP_DIR} not found")
        if args.skip_large:
            return
        t0 = time.perf_counter()
        table, cutscores = synthetic_state(args.students)
        big = tmp / "state.csv"
        pacsv.write_csv(table, big)
        cut_file = tmp / "cuts.json"
        cut_file.write_text(json.dumps(cutscores))
        print(
            f"synthetic state: {args.students:,} students, {table.num_rows:,} rows, "
            f"{big.stat().st_size / 2**20:.0f} MiB CSV "
            f"(generated in {time.perf_counter() - t0:.0f} s)"
        )
        del table
        total = 0.0
        for subject in ("READING", "MATHEMATICS"):
            r = run_command(
                [
                    "--scores", str(big), "--subject", subject, "--year", "2025",
                    "--cutscores", str(cut_file), "--out", str(tmp / f"{subject}.csv"),
                ]
            )  # fmt: skip
            total += r["seconds"]
            show(f"synthetic {args.students:,} students, {subject}", r)
        print(f"synthetic state, both subjects: {total:.1f} s")


if __name__ == "__main__":
    main()
