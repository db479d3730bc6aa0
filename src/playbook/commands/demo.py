"""`playbook demo`: the embedded default, end to end.

Creates the SQLite database, builds the synthetic state (once), creates one sign-in per role,
prints them, and serves the site on http://127.0.0.1:8000. A second run reuses what is there.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from typing import Any

from playbook.cli import setup_django

DEMO_PASSWORD = "playbook-demo-2026"  # noqa: S105 - the embedded demo's published password
DEMO_STUDENTS = 50_000
DEMO_SEED = 2025


def _add_serve_args(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)


def configure(parser: argparse.ArgumentParser) -> Callable[[argparse.Namespace], int]:
    parser.add_argument("--students", type=int, default=DEMO_STUDENTS)
    parser.add_argument("--seed", type=int, default=DEMO_SEED)
    parser.add_argument("--no-serve", action="store_true", help="build, print sign-ins, stop")
    _add_serve_args(parser)

    def run(args: argparse.Namespace) -> int:
        setup_django()
        from django.core.management import call_command

        started = time.monotonic()
        call_command("migrate", interactive=False, verbosity=0)
        _build_state(students=args.students, seed=args.seed)
        _print_sign_ins(host=args.host, port=args.port)
        print(f"Ready in {time.monotonic() - started:.1f} s.")
        if args.no_serve:
            return 0
        return _serve(args.host, args.port)

    return run


def configure_serve(parser: argparse.ArgumentParser) -> Callable[[argparse.Namespace], int]:
    _add_serve_args(parser)

    def run(args: argparse.Namespace) -> int:
        setup_django()
        return _serve(args.host, args.port)

    return run


def _serve(host: str, port: int) -> int:
    """Serve the site with gunicorn (a production WSGI server, not ``runserver``), static
    files through whitenoise from the collected folder, DEBUG as the settings say (off)."""
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connections

    call_command("collectstatic", interactive=False, verbosity=0)
    if host not in settings.ALLOWED_HOSTS and host not in ("0.0.0.0", "::"):  # noqa: S104
        settings.ALLOWED_HOSTS.append(host)
    connections.close_all()  # the workers open their own
    print(f"Serving http://{host}:{port}/ with gunicorn (Ctrl-C stops)")
    _gunicorn_server(f"{host}:{port}").run()
    return 0


def _gunicorn_server(bind: str) -> Any:
    from gunicorn.app.base import BaseApplication

    class Gunicorn(BaseApplication):
        """gunicorn around the project's WSGI application: one worker process with threads
        (SQLite and the in-process job runner want one process), access log on stdout."""

        def __init__(self, bind: str) -> None:
            self.bind = bind
            super().__init__()

        def load_config(self) -> None:
            for key, value in {"bind": self.bind, "workers": 1, "threads": 8,
                               "worker_class": "gthread", "accesslog": "-",
                               "timeout": 120, "graceful_timeout": 10}.items():
                self.cfg.set(key, value)

        def load(self) -> object:
            from playbook.config.wsgi import application

            return application

    return Gunicorn(bind)


def _build_state(*, students: int, seed: int) -> None:
    from playbook.studentdata.selectors import snapshot_current

    if snapshot_current() is not None:
        print("The synthetic state is already built; reusing it "
              "(delete the var/ folder to start again).")
    else:
        from playbook.studentdata.synth import synth_build

        print(f"Building the synthetic state: {students:,} students, seed {seed} ...")
        report = synth_build(students=students, seed=seed)
        print(report)
    from playbook.accounts.demo import demo_accounts_ensure

    demo_accounts_ensure(password=DEMO_PASSWORD)
    _build_growth()
    from playbook.evidence.reportcards import demo_report_cards_ensure

    started = time.monotonic()
    demo_report_cards_ensure()
    print(f"Report cards: both frameworks computed and the latest year published "
          f"({time.monotonic() - started:.1f} s).")
    from playbook.funding.demo import demo_programs_ensure

    demo_programs_ensure()
    print("Innovation fund: last fiscal year's round, decided, with agreements and quarterly "
          "progress reports, and this fiscal year's open round.")


def _build_growth() -> None:
    """Growth percentiles for the latest school year, both subjects (reused when present),
    published so that the public growth page shows them."""
    from playbook.evidence.growth import (
        growth_publication_publish,
        growth_run_start,
        standard_from_synthetic_state,
    )
    from playbook.studentdata.selectors import snapshot_current

    snapshot = snapshot_current()
    assessments = snapshot.files.filter(kind="assessments").first() if snapshot else None
    if snapshot is None or assessments is None or not assessments.school_years:
        return
    standard_from_synthetic_state()
    year = max(assessments.school_years)
    for subject in ("math", "ela"):
        started = time.monotonic()
        run = growth_run_start(snapshot=snapshot, subject=subject, school_year=year, by=None,
                               wait=True)
        published = ""
        if run.status == "succeeded":
            growth_publication_publish(run=run, by=None)
            published = ", published"
        print(f"Growth {subject} {year}: run #{run.pk} {run.get_status_display().lower()}"
              f"{published}, {run.message} ({time.monotonic() - started:.1f} s)")


def _print_sign_ins(*, host: str, port: int) -> None:
    from playbook.accounts.demo import demo_accounts_table

    print()
    print(f"Sign in at http://{host}:{port}/accounts/sign-in/ with password {DEMO_PASSWORD}")
    print(f"{'role':<24} {'username':<18} organization")
    for role_label, username, org in demo_accounts_table():
        print(f"{role_label:<24} {username:<18} {org}")
    print("Office staff and the auditor also enter an authenticator code: get the current one "
          "with `.venv/bin/playbook totp USERNAME`.")
    print()
