"""What publishing and withdrawing growth results and report cards share: the audit trail."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from auditlog.context import set_actor

from playbook.core.access import signed_in_or_none

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from playbook.accounts.models import User


@contextmanager
def publication_audit(*, by: User | AnonymousUser | None) -> Iterator[None]:
    """Changes to publications inside the block are logged (django-auditlog, registered on both
    publication models) with ``by`` as the actor, also outside a request (the command line, the
    demo: then the actor is empty, the system)."""
    actor = signed_in_or_none(by)
    if actor is None:
        yield
        return
    with set_actor(actor):
        yield
