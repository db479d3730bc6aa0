"""`playbook import KIND FILE.csv` and `playbook snapshots`."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path

from playbook.cli import setup_django

from .schemas import KINDS


def configure_import(parser: argparse.ArgumentParser) -> Callable[[argparse.Namespace], int]:
    parser.add_argument("kind", choices=sorted(KINDS), help="what the file holds")
    parser.add_argument("file", type=Path, help="the CSV file (UTF-8, header row)")
    parser.add_argument(
        "--replace-all", action="store_true",
        help="drop every earlier row of this kind (default: replace only the school years the "
             "file holds)",
    )
    parser.add_argument("--note", default="", help="a note kept with the snapshot")
    parser.epilog = "Formats: docs/student-data-formats.md"

    def run(args: argparse.Namespace) -> int:
        setup_django()
        from .services import ImportConflict, ImportItem, snapshot_import
        from .validation import ImportRefused

        try:
            snapshot = snapshot_import(
                items=[ImportItem(args.kind, args.file)], via="import", note=args.note,
                replace_all=args.replace_all,
            )
        except ImportRefused as exc:
            print(exc.report(), file=sys.stderr)
            return 2
        except ImportConflict as exc:
            print(f"playbook import: {exc}", file=sys.stderr)
            return 3
        f = snapshot.files.get(kind=args.kind)
        print(
            f"Imported {f.source_rows:,} rows of {args.kind} from {args.file.name} "
            f"(sha256 {f.source_sha256[:12]}...). Snapshot #{snapshot.pk} now holds "
            f"{f.rows:,} {args.kind} rows for school years "
            f"{', '.join(map(str, f.school_years))}"
            + (f" and supersedes #{snapshot.supersedes_id}." if snapshot.supersedes_id else ".")
        )
        return 0

    return run


def configure_snapshots(parser: argparse.ArgumentParser) -> Callable[[argparse.Namespace], int]:
    parser.add_argument("--limit", type=int, default=20)

    def run(args: argparse.Namespace) -> int:
        setup_django()
        from .selectors import snapshot_list

        for s in snapshot_list()[: args.limit]:
            kinds = ", ".join(
                f"{f.kind}={f.rows:,}{'*' if f.imported_here else ''}" for f in s.files.all()
            )
            print(f"#{s.pk}  {s.created_at:%Y-%m-%d %H:%M}  via {s.created_via}  {kinds}")
        print("(* = brought by that snapshot's import)")
        return 0

    return run
