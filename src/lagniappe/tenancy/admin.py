from django.contrib import admin

from lagniappe.tenancy.models import Brand, Organisation


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "created_at")
    search_fields = ("name", "slug")


@admin.register(Brand)
class BrandAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "organisation", "default_language", "time_zone")
    list_filter = ("organisation", "default_language")
    search_fields = ("name", "slug")
