from django.contrib import admin

from lagniappe.core.admin import OrganisationScopedAdmin
from lagniappe.customers.models import Customer, Identity


class IdentityInline(admin.TabularInline):
    model = Identity
    extra = 0
    fields = ("kind", "value", "brand", "verified")


@admin.register(Customer)
class CustomerAdmin(OrganisationScopedAdmin):
    list_display = ("__str__", "organisation", "language", "merged_into", "created_at")
    list_filter = ("language", "organisation")
    search_fields = ("name", "identities__value")
    inlines = (IdentityInline,)
    filter_horizontal = ("brands",)
    raw_id_fields = ("merged_into",)
    list_select_related = ("organisation", "merged_into")


@admin.register(Identity)
class IdentityAdmin(OrganisationScopedAdmin):
    list_display = ("kind", "value", "customer", "brand", "verified")
    list_filter = ("kind",)
    search_fields = ("value",)
    raw_id_fields = ("customer",)
    list_select_related = ("customer", "brand")
