"""The `playbook` command line.

Each subcommand is registered here with a dotted path to its runner, imported only when used,
so a command that needs no database (``growth``) starts without setting up Django.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Callable, Sequence

# name -> (module:function that adds arguments and returns the runner, one-line help)
COMMANDS: dict[str, tuple[str, str]] = {
    "demo": ("playbook.commands.demo:configure", "build the demo state and serve the site"),
    "serve": ("playbook.commands.demo:configure_serve", "serve the site on 127.0.0.1:8000"),
    "synth": ("playbook.studentdata.synth:configure", "build a synthetic state"),
    "import": ("playbook.studentdata.commands:configure_import", "import a student-data CSV"),
    "snapshots": ("playbook.studentdata.commands:configure_snapshots", "list snapshots"),
    "growth": ("playbook.analytics.growth.cli:configure", "student growth percentiles"),
    "report-cards": ("playbook.evidence.commands:configure_report_cards", "compute report cards"),
    "totp": ("playbook.accounts.commands:configure_totp", "print a demo account's TOTP code"),
    "manage": ("playbook.commands.manage:configure", "run a Django management command"),
}

Runner = Callable[[argparse.Namespace], int]


def setup_django(settings: str = "playbook.config.settings.dev") -> None:
    """Set up Django for commands that use the office's database."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", settings)
    import django

    django.setup()


def _load(target: str) -> Callable[[argparse.ArgumentParser], Runner]:
    module_name, func_name = target.split(":")
    return getattr(importlib.import_module(module_name), func_name)


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = argparse.ArgumentParser(prog="playbook", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, (_, help_text) in COMMANDS.items():
        sub.add_parser(name, help=help_text, add_help=False)
    if not argv or argv[0] in {"-h", "--help"} or argv[0] not in COMMANDS:
        if argv and argv[0] not in {"-h", "--help"}:
            parser.print_usage(sys.stderr)
            print(f"playbook: unknown command {argv[0]!r}", file=sys.stderr)
            return 2
        parser.print_help()
        return 0
    name = argv[0]
    cmd_parser = argparse.ArgumentParser(prog=f"playbook {name}", description=COMMANDS[name][1])
    runner = _load(COMMANDS[name][0])(cmd_parser)
    args = cmd_parser.parse_args(argv[1:])
    return int(runner(args) or 0)


if __name__ == "__main__":
    sys.exit(main())
