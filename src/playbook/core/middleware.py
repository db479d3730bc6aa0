"""Two answers a page gives instead of a server error.

- An id in the address larger than any database row can have (``/applications/99999999999999999
  999/``: SQLite and PostgreSQL integers stop at 2**63 - 1) is not found: 404, before the view
  asks the database and the driver overflows.
- Two people changing the same thing at the same moment: where a service did not turn the
  database's refusal (``IntegrityError``, a unique or check constraint) into its own message,
  the page says so plainly with 409 Conflict, and nothing half-done is kept (the transaction
  that hit it was rolled back).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from django.db import IntegrityError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

log = logging.getLogger(__name__)

#: The largest id a database row can have (a signed 64-bit integer).
MAX_ID = 2**63 - 1


class SafeRequestMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(self, request: HttpRequest, view_func: Callable[..., Any],
                     view_args: Any, view_kwargs: Any) -> HttpResponse | None:
        for value in (*view_args, *view_kwargs.values()):
            if isinstance(value, int) and not -MAX_ID <= value <= MAX_ID:
                raise Http404("No such record.")
        return None

    def process_exception(self, request: HttpRequest,
                          exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, IntegrityError):
            return None
        log.warning("conflicting write on %s: %s", request.path, exception)
        return render(request, "409.html", status=409)
