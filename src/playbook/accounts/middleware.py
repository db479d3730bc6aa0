from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse

from .access import mfa_verified, rule_for_view

log = logging.getLogger(__name__)


class AccessRuleMiddleware:
    """Refuses every view that declares no access rule, and applies the rule of those that do.

    Anonymous users are sent to sign in; staff who have not confirmed their second factor are
    sent to the MFA step; everyone else who is refused gets a 403 page that says why.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self,
        request: HttpRequest,
        view_func: Callable[..., Any],
        view_args: Any,
        view_kwargs: Any,
    ) -> HttpResponse | None:
        rule = rule_for_view(view_func)
        if rule is None:
            log.error("view %s declares no access rule; refused", view_func)
            return render(
                request,
                "accounts/refused.html",
                {"reason": "This page declares no access rule, so it is closed."},
                status=403,
            )
        allowed, reason = rule.check(request)
        if allowed:
            return None
        user = request.user
        if not user.is_authenticated:
            query = urlencode({"next": request.get_full_path()})
            return HttpResponseRedirect(f"{reverse('accounts:sign_in')}?{query}")
        if user.needs_mfa and not mfa_verified(request):
            return HttpResponseRedirect(reverse("accounts:mfa"))
        return render(request, "accounts/refused.html", {"reason": reason}, status=403)
