"""``playbook report-cards``: compute a framework's report cards and write the published files.

    playbook report-cards --framework NAME [--version N] [--snapshot ID] [--engine duckdb|spark]
                          --out DIR

writes ``DIR/results.csv`` (one row per published cell) and ``DIR/ratings.csv`` (each entity's
overall rating per year): the same files the public download offers, since the command goes
through the office's run service (a finished run with the same inputs is reused).
"""

from __future__ import annotations

import argparse
import shutil
import sys
from pathlib import Path
from typing import Any


def configure_report_cards(parser: argparse.ArgumentParser) -> Any:
    parser.add_argument("--framework", required=True,
                        help="framework slug, e.g. school-district-performance")
    parser.add_argument("--version", type=int, default=None,
                        help="framework version (default: the latest)")
    parser.add_argument("--snapshot", type=int, default=None,
                        help="snapshot id (default: the current snapshot)")
    parser.add_argument("--engine", choices=["duckdb", "spark"], default="duckdb")
    parser.add_argument("--out", required=True, type=Path, help="folder for the CSV files")
    return run_report_cards


def run_report_cards(args: argparse.Namespace) -> int:
    from playbook.cli import setup_django

    setup_django()
    from playbook.core.jobs import JobStatus
    from playbook.evidence.models import ReportCardFramework
    from playbook.evidence.reportcards import (
        frameworks_load_shipped,
        report_card_files,
        report_card_run_start,
    )
    from playbook.studentdata.models import Snapshot
    from playbook.studentdata.selectors import snapshot_current

    frameworks_load_shipped()
    qs = ReportCardFramework.objects.filter(slug=args.framework)
    if args.version is not None:
        qs = qs.filter(version=args.version)
    framework = qs.order_by("-version").first()
    if framework is None:
        have = ", ".join(sorted(set(ReportCardFramework.objects.values_list("slug", flat=True))))
        print(f"playbook report-cards: no framework {args.framework!r}"
              f"{f' version {args.version}' if args.version else ''} (have: {have})",
              file=sys.stderr)
        return 2
    snapshot = (Snapshot.objects.filter(pk=args.snapshot).first() if args.snapshot is not None
                else snapshot_current())
    if snapshot is None:
        print("playbook report-cards: no such snapshot (import or synthesize data first)",
              file=sys.stderr)
        return 2
    run = report_card_run_start(framework=framework, snapshot=snapshot, engine=args.engine,
                                wait=True)
    if run.status != JobStatus.SUCCEEDED:
        print(f"playbook report-cards: run {run.pk} failed: {run.message}", file=sys.stderr)
        return 1
    out: Path = args.out
    out.mkdir(parents=True, exist_ok=True)
    for name, path in report_card_files(run=run).items():
        target = out / f"{name}.csv"
        shutil.copyfile(path, target)
        print(f"{target}")
    print(f"run #{run.pk}: {framework} on snapshot {snapshot.pk} ({args.engine}); {run.message}")
    return 0
