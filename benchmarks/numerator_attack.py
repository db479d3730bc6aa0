"""Benchmark: the numerator cover (decision 0009) and the test attacker on the synthetic state.

    .venv/bin/python benchmarks/numerator_attack.py [--students 50000] [--seed 1]
        [--data-dir DIR] [--frameworks school-district-performance,...]

Builds (or reuses) the state and inputs as ``benchmarks/report_cards.py`` does, then, without
Django, computes every framework twice, without and with the numerator cover
(``numerator_cover=False`` / ``True``), and runs the test attacker
(``tests/analytics/reportcards/lp_attacker.py``: rounding intervals, level bands, all
frameworks' files together) on each publication. Prints, per publication: cells, hidden
counts, hidden percents, the numerator step's time and statistics, the attacker's narrowed
counts and numerators (and how many to a single value), and peak RSS.
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
sys.path.insert(0, str(ROOT / "benchmarks"))
sys.path.insert(0, str(ROOT))


def child(ns: argparse.Namespace) -> int:
    import pyarrow.parquet as pq
    from tests.analytics.reportcards.lp_attacker import attack_report_cards, truth_from_result

    from playbook.analytics.reportcards import compute_report_cards, load_shipped

    lake_paths = {k: Path(v) for k, v in json.loads(ns.lake_paths).items()}
    entities = pq.read_table(ns.entities)
    growth = pq.read_table(ns.growth)
    names = ns.frameworks.split(",")
    report: dict[str, object] = {}
    for cover in ((True,) if ns.only_cover else (False, True)):
        rows: list[dict[str, object]] = []
        truth: dict[object, object] = {}
        frameworks = []
        part: dict[str, object] = {}
        for name in names:
            t = time.perf_counter()
            result = compute_report_cards(framework=load_shipped(name=name),
                                          lake_paths=lake_paths, entities=entities,
                                          growth=growth, min_n=10, numerator_cover=cover)
            res = result.results
            part[name] = {
                "seconds": round(time.perf_counter() - t, 2),
                "phases": {k: round(v, 2) for k, v in result.timings.items()},
                "rows": res.num_rows,
                "suppressed": int(res.column("suppressed").to_numpy(
                    zero_copy_only=False).sum()),
                "value_suppressed": int(res.column("value_suppressed").to_numpy(
                    zero_copy_only=False).sum()),
                "numerators": vars(result.numerators),
            }
            rows += res.to_pylist()
            truth.update(truth_from_result(result))
            frameworks.append(result.framework)
        t = time.perf_counter()
        attack = attack_report_cards(results=rows, frameworks=frameworks,
                                     entities=entities.to_pylist(), truth=truth,
                                     hidden_zeros=True, numerators=True)
        part["attack"] = {
            "seconds": round(time.perf_counter() - t, 1), "targets": attack.targets,
            "programs": attack.programs, "narrowed_counts": len(attack.counts),
            "narrowed_numerators": len(attack.numerators),
            "numerators_to_one_value": sum(1 for k in attack.numerators
                                           if attack.ranges[k][0] == attack.ranges[k][1]),
            "examples": [f"{k} {attack.ranges[k]}" for k in attack.numerators[:5]],
        }
        if cover and ns.floor:
            # what the published levels alone give away: every percent of a count-percent
            # measure hidden, every level kept (decision 0009 never withdraws a level)
            from tests.analytics.reportcards.lp_attacker import COUNT_PERCENTS

            measures = {m.id: m.measure for fw in frameworks for _, m in fw.metrics()}
            floor_rows = [dict(r, value=None) if measures.get(str(r["metric"])) in
                          COUNT_PERCENTS and not r["suppressed"] else r for r in rows]
            floor = attack_report_cards(results=floor_rows, frameworks=frameworks,
                                        entities=entities.to_pylist(), truth=truth,
                                        hidden_zeros=True, numerators=True)
            beyond = sorted(set(attack.numerators) - set(floor.numerators), key=str)
            part["floor"] = {"narrowed_numerators": len(floor.numerators),
                             "beyond_floor": len(beyond),
                             "examples": [f"{k} {attack.ranges[k]}" for k in beyond[:10]]}
        report["with_cover" if cover else "without_cover"] = part
        print(json.dumps({("with_cover" if cover else "without_cover"): part}, indent=1),
              flush=True)
    report["peak_rss_mib"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    print(json.dumps({"peak_rss_mib": report["peak_rss_mib"]}))
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=50_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--data-dir", type=Path)
    parser.add_argument("--frameworks",
                        default="school-district-performance,approved-model-report-card")
    parser.add_argument("--floor", action="store_true",
                        help="also attack the cover's publication with every percent hidden "
                        "(levels kept): what the levels alone give away")
    parser.add_argument("--only-cover", action="store_true",
                        help="skip the publication without the cover")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--lake-paths", help=argparse.SUPPRESS)
    parser.add_argument("--entities", help=argparse.SUPPRESS)
    parser.add_argument("--growth", help=argparse.SUPPRESS)
    ns = parser.parse_args(argv)
    if ns.child:
        return child(ns)
    from report_cards import build_state, prepare_inputs

    data_dir = ns.data_dir or Path(tempfile.gettempdir()) / f"playbook-bench-{ns.students}"
    build_state(data_dir=data_dir, students=ns.students, seed=ns.seed)
    inputs = prepare_inputs(data_dir=data_dir)
    cmd = [sys.executable, __file__, "--child", "--lake-paths", inputs["lake_paths"],
           "--entities", inputs["entities"], "--growth", inputs["growth"],
           "--frameworks", ns.frameworks, *(["--floor"] if ns.floor else []),
           *(["--only-cover"] if ns.only_cover else [])]
    env = dict(os.environ)
    env.pop("DJANGO_SETTINGS_MODULE", None)
    return subprocess.run(cmd, env=env, check=False).returncode


if __name__ == "__main__":
    sys.exit(main())
