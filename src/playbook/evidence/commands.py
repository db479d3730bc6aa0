"""``playbook report-cards``: compute a framework's report cards and write the published files.

    playbook report-cards --framework NAME [--version N] [--snapshot ID] [--engine duckdb|spark]
                          --out DIR

writes ``DIR/results.csv`` (one row per published cell) and ``DIR/ratings.csv`` (each entity's
overall rating per year): the same files the public download offers, since the command goes
through the office's run service (a finished run with the same inputs is reused). Metrics that
could not be computed are named, one line each, with the reason (e.g. ``growth.ela_adequate_growth:
not available: no achievement standard for ela``). A run that fails ends with its message and
exit status 1; either both files are written or neither is.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
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
    try:
        run = report_card_run_start(framework=framework, snapshot=snapshot, engine=args.engine,
                                    wait=True)
    except Exception as exc:  # the run is marked failed with this message; say it, no traceback
        print(f"playbook report-cards: the run failed: {type(exc).__name__}: {exc}",
              file=sys.stderr)
        return 1
    if run.status != JobStatus.SUCCEEDED:
        print(f"playbook report-cards: run {run.pk} failed: {run.message}", file=sys.stderr)
        return 1
    try:
        written = _write_files(report_card_files(run=run), args.out)
    except OSError as exc:
        print(f"playbook report-cards: could not write {args.out}: {exc}", file=sys.stderr)
        return 1
    for target in written:
        print(f"{target}")
    print(f"run #{run.pk}: {framework} on snapshot {snapshot.pk} ({args.engine}); {run.message}")
    return 0


def _write_files(files: dict[str, Path], out: Path) -> list[Path]:
    """Copy the run's files into ``out`` as ``<name>.csv``: all of them or none. They are copied
    into a temporary folder beside ``out`` first and renamed into place only when every copy
    succeeded; a folder this call created is removed again if anything fails."""
    created = not out.exists()
    out.mkdir(parents=True, exist_ok=True)
    staging: Path | None = None
    try:
        staging = Path(tempfile.mkdtemp(prefix=".report-cards-", dir=out.parent))
        staged = []
        for name, path in files.items():
            shutil.copyfile(path, staging / f"{name}.csv")
            staged.append(staging / f"{name}.csv")
        targets = []
        for path in staged:
            os.replace(path, out / path.name)
            targets.append(out / path.name)
        return targets
    except BaseException:
        if created:
            shutil.rmtree(out, ignore_errors=True)
        raise
    finally:
        if staging is not None:
            shutil.rmtree(staging, ignore_errors=True)
