"""`playbook totp USERNAME`: the current TOTP code of a demo account (embedded demo only)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable

from playbook.cli import setup_django


def configure_totp(parser: argparse.ArgumentParser) -> Callable[[argparse.Namespace], int]:
    parser.add_argument("username")

    def run(args: argparse.Namespace) -> int:
        setup_django()
        from django.conf import settings

        from .selectors import demo_totp_code

        if not getattr(settings, "PLAYBOOK_EMBEDDED_DEMO", False):
            print("playbook totp works only in the embedded demo (settings.dev)",
                  file=sys.stderr)
            return 2
        code = demo_totp_code(username=args.username)
        if code is None:
            print(f"no confirmed authenticator for {args.username!r}", file=sys.stderr)
            return 2
        print(code)
        return 0

    return run
