"""``core.access``: the ``(allowed, reason)`` type, ``require`` and ``signed_in_or_none``."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied

from playbook.accounts.models import User
from playbook.core.access import ALLOWED, READ_ONLY, first_refusal, require, signed_in_or_none


def test_require_raises_permission_denied_with_the_reason():
    with pytest.raises(PermissionDenied) as refused:
        require((False, READ_ONLY))
    assert str(refused.value) == "Auditors have read-only access."


def test_require_lets_an_allowed_decision_through():
    assert require(ALLOWED) is None
    assert require((True, "")) is None


def test_first_refusal_is_the_first_decision_that_refuses():
    assert first_refusal() == ALLOWED
    assert first_refusal(ALLOWED, (True, "")) == ALLOWED
    assert first_refusal(ALLOWED, (False, "closed"), (False, "late")) == (False, "closed")


def test_signed_in_or_none_records_nobody_for_anonymous_visitors_and_commands():
    person = User(username="someone")
    assert signed_in_or_none(person) is person
    assert signed_in_or_none(AnonymousUser()) is None
    assert signed_in_or_none(None) is None
