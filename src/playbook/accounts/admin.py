from django.contrib import admin

from .models import User


@admin.register(User)
class UserAdmin(admin.ModelAdmin):
    """Data repair only: unlock, deactivate, fix a role or organization. Passwords and second
    factors are never shown or set here."""

    list_display = ["username", "role", "organization", "is_active", "last_login"]
    list_filter = ["role", "is_active"]
    search_fields = ["username", "email", "last_name"]
    fields = ["username", "first_name", "last_name", "email", "title", "role", "organization",
              "is_active"]
    autocomplete_fields = ["organization"]

    def has_delete_permission(self, request, obj=None):
        return False
