"""Background jobs with progress.

The embedded default runs a job in a thread of the web process (``PLAYBOOK_TASKS=thread``);
tests run it at once (``eager``). Every job keeps its status and progress in its own database
row, so a page that shows it survives a reload. A Redis-backed queue for production plugs in here
(``PLAYBOOK_TASKS=redis``), with the same rows.
"""

from __future__ import annotations

import logging
import threading
from typing import Any

from django.conf import settings
from django.db import close_old_connections, connections
from django.utils.module_loading import import_string

log = logging.getLogger(__name__)


def call(path: str, **kwargs: Any) -> None:
    """Run ``path`` (a dotted function name) with ``kwargs`` here and now."""
    import_string(path)(**kwargs)


def _in_thread(path: str, kwargs: dict[str, Any]) -> None:
    close_old_connections()
    try:
        call(path, **kwargs)
    except Exception:  # the job records its own failure; this only keeps the thread quiet
        log.exception("background job %s failed", path)
    finally:
        connections.close_all()


def enqueue(path: str, **kwargs: Any) -> None:
    """Run ``path`` (a dotted function name) with ``kwargs`` in the background."""
    mode = getattr(settings, "PLAYBOOK_TASKS", "thread")
    if mode == "eager":
        call(path, **kwargs)
    elif mode == "thread":
        threading.Thread(target=_in_thread, args=(path, kwargs), daemon=True).start()
    else:
        raise RuntimeError(f"unknown PLAYBOOK_TASKS mode {mode!r} (eager or thread)")
