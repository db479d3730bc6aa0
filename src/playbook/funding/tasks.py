"""The innovation fund's tasks for the office's home (registered from ``FundingConfig.ready``;
see ``playbook.core.tasks``): match contributions waiting for a check."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from django.urls import reverse

from playbook.accounts.roles import OFFICE_STAFF
from playbook.core.tasks import Task, task_provider_register

from .selectors import match_queue


def office_funding_tasks(user: Any, today: date) -> Iterable[Task]:
    if user.role not in OFFICE_STAFF:
        return
    queue = list(match_queue())
    mine = [c for c in queue if c.recorded_by_id != user.pk]
    if mine:
        yield Task(f"Check the evidence of {len(mine)} match contribution"
                   f"{'s' if len(mine) != 1 else ''}", reverse("funding:match_queue"),
                   len(mine), group="Funding",
                   detail=f"The oldest was recorded {mine[0].recorded_at:%B %-d, %Y}; only "
                          "verified money counts toward a grantee's match.")


def register() -> None:
    task_provider_register("funding.office", office_funding_tasks, order=25)
