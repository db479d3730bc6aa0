from __future__ import annotations

from pathlib import Path

import pytest

from playbook.accounts.models import User
from playbook.cli import main
from playbook.studentdata.models import Snapshot


def test_help_lists_every_command(capsys):
    assert main(["--help"]) == 0
    out = capsys.readouterr().out
    for command in ("demo", "synth", "import", "growth", "totp"):
        assert command in out


def test_unknown_command_is_refused(capsys):
    assert main(["frobnicate"]) == 2
    assert "unknown command 'frobnicate'" in capsys.readouterr().err


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_demo_builds_once_and_a_second_run_reuses_it(capsys):
    assert main(["demo", "--no-serve", "--students", "1500", "--seed", "7"]) == 0
    first = capsys.readouterr().out
    assert "Building the synthetic state: 1,500 students" in first
    for username in ("officer", "reviewer", "decider", "decider2", "decider3", "district",
                     "vendor", "parent"):
        assert f" {username} " in first
    assert Snapshot.objects.count() == 1
    users = User.objects.count()
    assert main(["demo", "--no-serve", "--students", "1500", "--seed", "7"]) == 0
    second = capsys.readouterr().out
    assert "already built; reusing it" in second
    assert Snapshot.objects.count() == 1
    assert User.objects.count() == users >= 10
    district_leader = User.objects.get(username="district")
    assert district_leader.organization is not None
    assert district_leader.check_password("playbook-demo-2026")


@pytest.mark.django_db
def test_totp_prints_a_demo_accounts_code_in_the_embedded_demo_only(capsys, settings, personas):
    """The demo's sign-in instructions send staff to `playbook totp USERNAME`; it must work
    with the demo's settings (DEBUG is off there since the hardened office) and nowhere else."""
    settings.PLAYBOOK_EMBEDDED_DEMO = True
    assert main(["totp", "officer"]) == 0
    code = capsys.readouterr().out.strip()
    assert code.isdigit() and len(code) == 6
    assert main(["totp", "parent"]) == 2
    assert "no confirmed authenticator for 'parent'" in capsys.readouterr().err
    settings.PLAYBOOK_EMBEDDED_DEMO = False
    assert main(["totp", "officer"]) == 2
    assert "works only in the embedded demo" in capsys.readouterr().err


def test_the_embedded_demos_settings_keep_debug_off_and_the_demo_conveniences_on(monkeypatch):
    import importlib

    monkeypatch.delenv("DJANGO_DEBUG", raising=False)
    dev = importlib.import_module("playbook.config.settings.dev")
    dev = importlib.reload(dev)
    assert dev.DEBUG is False and dev.PLAYBOOK_EMBEDDED_DEMO is True
    base = importlib.import_module("playbook.config.settings.base")
    assert not hasattr(base, "PLAYBOOK_EMBEDDED_DEMO"), "production inherits base: off there"
    spec = importlib.util.find_spec("playbook.config.settings.production")
    assert spec is not None and spec.origin is not None
    assert "PLAYBOOK_EMBEDDED_DEMO" not in Path(spec.origin).read_text()
