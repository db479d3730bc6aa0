from django.contrib import admin

from .models import ConsortiumMembership, LearningModel, ModelAdoption, Organization


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "nces_id", "code", "locale", "enrollment"]
    list_filter = ["kind", "locale", "school_type"]
    search_fields = ["name", "nces_id", "code"]
    readonly_fields = ["kind", "nces_id", "code", "created_at", "updated_at"]

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ConsortiumMembership)
class ConsortiumMembershipAdmin(admin.ModelAdmin):
    list_display = ["consortium", "member", "role"]


@admin.register(LearningModel)
class LearningModelAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "provider", "home_district", "scope"]
    search_fields = ["name", "code"]


@admin.register(ModelAdoption)
class ModelAdoptionAdmin(admin.ModelAdmin):
    list_display = ["school", "model", "school_year"]
    list_filter = ["school_year"]
