from __future__ import annotations

from typing import Any

import segno
from django.contrib import messages
from django.contrib.auth import login, logout
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST
from django_otp import login as otp_login

from playbook.core.tasks import tasks_for, tasks_grouped

from .access import mfa_step, mfa_verified, public, signed_in
from .forms import SignInForm, TokenForm
from .services import totp_confirm, totp_device_for, totp_enrol_start


def _next_url(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}):
        return target
    return reverse("accounts:home")


@public
def sign_in(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        form = SignInForm(request, data=request.POST)
        if form.is_valid():
            user = form.get_user()
            login(request, user)
            if user.needs_mfa:
                request.session["mfa_next"] = _next_url(request)
                return redirect("accounts:mfa")
            return HttpResponseRedirect(_next_url(request))
    else:
        form = SignInForm(request)
    return render(request, "accounts/sign_in.html", {"form": form, "next": _next_url(request)})


def locked_out(
    request: HttpRequest, credentials: Any = None, *args: Any, **kwargs: Any
) -> HttpResponse:
    """Called by django-axes when an account is locked after repeated failures."""
    return render(request, "accounts/locked_out.html", status=429)


locked_out = public(locked_out)


@require_POST
@public
def sign_out(request: HttpRequest) -> HttpResponse:
    logout(request)
    messages.success(request, "You are signed out.")
    return redirect("public:home")


@mfa_step
def mfa(request: HttpRequest) -> HttpResponse:
    """Second factor: enrol an authenticator (first time) or enter its current code."""
    user = request.user
    if not user.is_authenticated or not user.needs_mfa or mfa_verified(request):
        return redirect("accounts:home")
    confirmed = totp_device_for(user=user, confirmed=True)
    device = confirmed or totp_enrol_start(user=user)
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        token = form.cleaned_data["token"]
        allowed, why = device.verify_is_allowed()
        if not allowed:
            wait = why.get("locked_until") if isinstance(why, dict) else None
            form.add_error("token", "Too many wrong codes in a row; wait a few seconds and enter "
                                    "the current code." + (f" (until {wait:%H:%M:%S})" if wait
                                                           else ""))
        elif device.verify_token(token) if confirmed else totp_confirm(device=device, token=token):
            otp_login(request, device)
            # A new session key once the second factor is in: a key seen before it (a fixed
            # or stolen half-signed-in session) does not carry the verified sign-in.
            request.session.cycle_key()
            return HttpResponseRedirect(request.session.pop("mfa_next", reverse("accounts:home")))
        else:
            form.add_error("token", "That code is not right or has expired. "
                                    "Enter the current code.")
    context: dict[str, Any] = {"form": form, "enrolling": confirmed is None}
    if confirmed is None:
        qr = segno.make(device.config_url, error="m")
        context["qr_svg"] = qr.svg_inline(scale=4, title="QR code for your authenticator app")
        context["secret"] = device.config_url.split("secret=")[1].split("&")[0]
    return render(request, "accounts/mfa.html", context)


@signed_in
def home(request: HttpRequest) -> HttpResponse:
    """The signed-in home: the user's tasks from every app (``core.tasks``), most urgent
    first, under their headings; then the pages the role uses."""
    today = timezone.localdate()
    tasks = tasks_for(request.user, today=today)
    groups = [(heading, [(t, t.status(today)) for t in items])
              for heading, items in tasks_grouped(tasks)]
    return render(request, "accounts/home.html",
                  {"groups": groups, "task_count": len(tasks), "today": today,
                   "late": sum(1 for t in tasks if t.status(today) == "late")})
