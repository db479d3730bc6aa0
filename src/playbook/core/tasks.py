"""Each role's home is its work: a task list gathered from every app.

An app registers a *task provider* in its ``AppConfig.ready`` (``task_provider_register``); the
home page asks ``tasks_for(user)`` and shows what comes back, most urgent first. A provider
returns only the tasks its user has now (nothing to do, no task: no empty headings), each with
the count of items waiting, the earliest due date among them and where to do it. ``core``
imports no app: providers take the signed-in user as it is.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

#: How near a due date must be for the task to read "due soon".
DUE_SOON_DAYS = 14


@dataclass(frozen=True)
class Task:
    """One line of a home's task list."""

    #: what to do, in words ("Screen submitted applications")
    title: str
    #: where to do it
    url: str
    #: items waiting (applications, reviews, reports...)
    count: int = 1
    #: the earliest due date among them, if they have one
    due: date | None = None
    #: a line under the title: what happens next, what the items are
    detail: str = ""
    #: the heading the task is listed under ("Applications", "Reviews", "Agreements"...)
    group: str = "Work"
    #: some of the items are past their due date
    late: bool = False

    def status(self, today: date) -> str:
        """"late", "soon" (due within DUE_SOON_DAYS) or "" (no due date, or later)."""
        if self.late or (self.due is not None and self.due < today):
            return "late"
        if self.due is not None and (self.due - today).days <= DUE_SOON_DAYS:
            return "soon"
        return ""


Provider = Callable[[Any, date], Iterable[Task]]


@dataclass
class _Registry:
    providers: list[tuple[int, str, Provider]] = field(default_factory=list)


_registry = _Registry()


def task_provider_register(key: str, provider: Provider, *, order: int = 50) -> None:
    """Register ``provider(user, today)`` under ``key`` (registering a key again replaces it)."""
    _registry.providers = [p for p in _registry.providers if p[1] != key]
    _registry.providers.append((order, key, provider))
    _registry.providers.sort(key=lambda p: (p[0], p[1]))


def task_provider_unregister(key: str) -> None:
    _registry.providers = [p for p in _registry.providers if p[1] != key]


def tasks_for(user: Any, *, today: date) -> list[Task]:
    """Every registered provider's tasks for ``user``: late first, then by due date (undated
    last), keeping each provider's own order otherwise."""
    if not getattr(user, "is_authenticated", False):
        return []
    out: list[Task] = []
    for _, _, provider in _registry.providers:
        out.extend(t for t in provider(user, today) if t.count > 0)
    rank = {"late": 0, "soon": 1, "": 2}
    return sorted(out, key=lambda t: (rank[t.status(today)], t.due or date.max))


def tasks_grouped(tasks: Iterable[Task]) -> list[tuple[str, list[Task]]]:
    """``tasks`` under their headings, in the order each heading first appears."""
    groups: dict[str, list[Task]] = {}
    for task in tasks:
        groups.setdefault(task.group, []).append(task)
    return list(groups.items())
