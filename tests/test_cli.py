from __future__ import annotations

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
