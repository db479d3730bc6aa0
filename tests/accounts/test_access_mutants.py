"""Rules of ``accounts/access.py`` that mutation testing found unpinned (issue 10).

The decorators run when a views module is imported, so these tests build their rules at test
time: what each decorator attaches, the reasons a refusal gives word for word, and a request
whose user has no second-factor state at all (no ``is_verified``: not verified, no error)."""

from __future__ import annotations

from types import SimpleNamespace

from django.contrib.auth.models import AnonymousUser
from django.test import RequestFactory

from playbook.accounts.access import mfa_step, mfa_verified, public, roles, signed_in
from playbook.accounts.models import User
from playbook.accounts.roles import Role


def _view(request):  # type: ignore[no-untyped-def]
    return None


def _request(user):  # type: ignore[no-untyped-def]
    request = RequestFactory().get("/")
    request.user = user
    return request


def _officer(verified: bool) -> User:
    officer = User(username="o", role=Role.PROGRAM_OFFICER)
    officer.is_verified = lambda: verified  # type: ignore[attr-defined]
    return officer


def test_public_lets_anyone_in():
    view = public(_view)
    assert view is _view
    assert view.access_rule.name == "public"
    assert view.access_rule.check(_request(AnonymousUser())) == (True, "")


def test_signed_in_refuses_the_anonymous_and_the_unverified_officer_in_words():
    rule = signed_in(_view).access_rule
    assert rule.name == "signed in"
    assert rule.check(_request(AnonymousUser())) == (False, "Sign in to see this page.")
    assert rule.check(_request(_officer(False))) == (
        False, "Confirm your sign-in with your authenticator code first.")
    assert rule.check(_request(_officer(True))) == (True, "")
    assert rule.check(_request(User(username="l", role=Role.DISTRICT_LEADER))) == (True, "")


def test_the_mfa_step_lets_a_signed_in_unverified_officer_through():
    view = mfa_step(_view)
    assert view is _view
    rule = view.access_rule
    assert rule.name == "signed in (MFA step)"
    assert rule.before_mfa is True
    assert rule.check(_request(_officer(False))) == (True, "")
    assert rule.check(_request(AnonymousUser()))[0] is False


def test_roles_allows_only_the_named_roles_and_names_them():
    view = roles(Role.PROGRAM_OFFICER, Role.REVIEWER)(_view)
    assert view is _view
    rule = view.access_rule
    assert rule.name == "roles: Program officer, Reviewer"
    assert rule.roles == frozenset({"program_officer", "reviewer"})
    assert rule.check(_request(_officer(True))) == (True, "")
    assert rule.check(_request(User(username="l", role=Role.DISTRICT_LEADER))) == (
        False, "This page is for: Program officer, Reviewer.")
    # A role may be named by its value too.
    assert roles("reviewer")(_view).access_rule.roles == frozenset({"reviewer"})


def test_a_user_without_second_factor_state_is_not_verified():
    assert mfa_verified(_request(SimpleNamespace())) is False
    assert mfa_verified(_request(_officer(False))) is False
    assert mfa_verified(_request(_officer(True))) is True
