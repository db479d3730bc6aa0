"""The site's own error page for a server error, in its layout, with no debug detail."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseServerError
from django.template import loader


def server_error(request: HttpRequest) -> HttpResponse:
    """``handler500``: the 500 page in the site's layout. It renders without the request's
    context processors (no session, user or database read), so it still answers when those
    are what failed."""
    template = loader.get_template("500.html")
    return HttpResponseServerError(template.render({"state_name": settings.PLAYBOOK_STATE_NAME}))
