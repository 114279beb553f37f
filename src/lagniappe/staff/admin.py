from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from lagniappe.core.admin import OrganisationScopedAdmin
from lagniappe.staff.models import (
    Agent,
    AgentLanguage,
    AgentSkill,
    AgentToken,
    CannedResponse,
    Skill,
    Team,
)


class AgentLanguageInline(admin.TabularInline):
    model = AgentLanguage
    extra = 0


class AgentSkillInline(admin.TabularInline):
    model = AgentSkill
    extra = 0


@admin.register(Agent)
class AgentAdmin(OrganisationScopedAdmin, UserAdmin):
    ordering = ("display_name",)
    list_display = ("email", "display_name", "role", "organisation", "is_active")
    list_filter = ("role", "is_active", "organisation")
    list_select_related = ("organisation",)
    search_fields = ("email", "display_name")
    filter_horizontal = ("brands", "groups", "user_permissions")
    inlines = (AgentLanguageInline, AgentSkillInline)
    fieldsets = (
        (None, {"fields": ("email", "password", "display_name", "organisation", "role")}),
        (_("Work"), {"fields": ("brands", "ui_language", "time_zone", "chat_capacity")}),
        (_("Permissions"), {"fields": ("is_active", "is_staff", "is_superuser", "groups")}),
    )
    add_fieldsets = ((None, {"fields": ("email", "display_name", "password1", "password2")}),)

    def get_readonly_fields(self, request: HttpRequest, obj: Agent | None = None) -> Any:
        fields = tuple(super().get_readonly_fields(request, obj))
        if request.user.is_superuser:
            return fields
        # Only a superuser hands out superuser rights or raw permissions.
        return (*fields, "is_superuser", "groups", "user_permissions")


@admin.register(Team)
class TeamAdmin(OrganisationScopedAdmin):
    list_display = ("name", "organisation", "handles_complaints")
    list_select_related = ("organisation",)
    filter_horizontal = ("brands", "members")
    search_fields = ("name",)


@admin.register(Skill)
class SkillAdmin(OrganisationScopedAdmin):
    list_display = ("name", "slug", "organisation")
    list_select_related = ("organisation",)
    search_fields = ("name",)


@admin.register(AgentToken)
class AgentTokenAdmin(OrganisationScopedAdmin):
    organisation_path = "agent__organisation"
    list_display = ("prefix", "agent", "name", "created_at", "last_used_at", "revoked_at")
    list_select_related = ("agent",)
    readonly_fields = ("prefix", "agent", "last_used_at")
    # Tokens are issued where the secret can be shown once; the digest is never shown.
    exclude = ("digest",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


@admin.register(CannedResponse)
class CannedResponseAdmin(OrganisationScopedAdmin):
    organisation_path = "brand__organisation"
    list_display = ("shortcut", "title", "brand", "language", "is_active")
    list_filter = ("is_active", "language", "brand")
    list_select_related = ("brand",)
    search_fields = ("shortcut", "title", "text")
