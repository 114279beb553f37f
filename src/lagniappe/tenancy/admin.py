from django.contrib import admin

from lagniappe.core.admin import OrganisationScopedAdmin
from lagniappe.tenancy.models import Brand, Organisation


@admin.register(Organisation)
class OrganisationAdmin(OrganisationScopedAdmin):
    organisation_path = "pk"
    list_display = ("name", "slug", "created_at")
    search_fields = ("name", "slug")


@admin.register(Brand)
class BrandAdmin(OrganisationScopedAdmin):
    list_display = ("name", "slug", "organisation", "default_language", "time_zone")
    list_filter = ("organisation", "default_language")
    list_select_related = ("organisation",)
    search_fields = ("name", "slug")
