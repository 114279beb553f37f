from django.contrib import admin

from lagniappe.customers.models import Customer, Identity


class IdentityInline(admin.TabularInline):
    model = Identity
    extra = 0
    fields = ("kind", "value", "brand", "verified")


@admin.register(Customer)
class CustomerAdmin(admin.ModelAdmin):
    list_display = ("__str__", "organisation", "language", "merged_into", "created_at")
    list_filter = ("language", "organisation")
    search_fields = ("name", "identities__value")
    inlines = (IdentityInline,)
    filter_horizontal = ("brands",)
    raw_id_fields = ("merged_into",)


@admin.register(Identity)
class IdentityAdmin(admin.ModelAdmin):
    list_display = ("kind", "value", "customer", "brand", "verified")
    list_filter = ("kind",)
    search_fields = ("value",)
    raw_id_fields = ("customer",)
