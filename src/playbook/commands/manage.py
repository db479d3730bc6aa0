"""`playbook manage ...`: Django's management commands, with the project's settings."""

from __future__ import annotations

import argparse
import os
import sys


def configure(parser: argparse.ArgumentParser):
    parser.add_argument("args", nargs=argparse.REMAINDER)

    def run(ns: argparse.Namespace) -> int:
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "playbook.config.settings.dev")
        from django.core.management import execute_from_command_line

        execute_from_command_line([f"{sys.argv[0]} manage", *ns.args])
        return 0

    return run
