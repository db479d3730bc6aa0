from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

from playbook.accounts.access import ADMIN_RULE, public, with_rule

admin.site.site_header = "Playbook data repair"
admin.site.site_title = "Playbook data repair"

urlpatterns = [
    path("", include("playbook.public.urls")),
    path("accounts/", include("playbook.accounts.urls")),
    path("registry/", include("playbook.organizations.urls")),
    path("student-data/", include("playbook.studentdata.urls")),
    path("privacy/", include("playbook.privacy.urls")),
    path("evidence/", include("playbook.evidence.urls")),
    path("programs/", include("playbook.programs.urls")),
    path("reviews/", include("playbook.reviews.urls")),
    path("funding/", include("playbook.funding.urls")),
    # Admin sign-in goes through the real sign-in (password, lockout and MFA), never admin's own.
    path("admin/login/", public(RedirectView.as_view(pattern_name="accounts:sign_in"))),
    path("admin/", with_rule(ADMIN_RULE, admin.site.urls)),
]

# The site's own error pages (templates 400/403/404/500.html in the base layout); the 500 page
# renders without the request's context, so it answers even when the database does not.
handler500 = "playbook.ui.views.server_error"
