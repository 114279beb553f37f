from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from lagniappe.staff.models import Agent, AgentLanguage, AgentSkill, AgentToken, Skill, Team


class AgentLanguageInline(admin.TabularInline):
    model = AgentLanguage
    extra = 0


class AgentSkillInline(admin.TabularInline):
    model = AgentSkill
    extra = 0


@admin.register(Agent)
class AgentAdmin(UserAdmin):
    ordering = ("display_name",)
    list_display = ("email", "display_name", "role", "organisation", "is_active")
    list_filter = ("role", "is_active", "organisation")
    search_fields = ("email", "display_name")
    filter_horizontal = ("brands", "groups", "user_permissions")
    inlines = (AgentLanguageInline, AgentSkillInline)
    fieldsets = (
        (None, {"fields": ("email", "password", "display_name", "organisation", "role")}),
        ("Work", {"fields": ("brands", "ui_language", "time_zone", "chat_capacity")}),
        ("Permissions", {"fields": ("is_active", "is_staff", "is_superuser", "groups")}),
    )
    add_fieldsets = ((None, {"fields": ("email", "display_name", "password1", "password2")}),)


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ("name", "organisation", "handles_complaints")
    filter_horizontal = ("brands", "members")
    search_fields = ("name",)


@admin.register(Skill)
class SkillAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "organisation")
    search_fields = ("name",)


@admin.register(AgentToken)
class AgentTokenAdmin(admin.ModelAdmin):
    list_display = ("prefix", "agent", "name", "created_at", "last_used_at", "revoked_at")
    readonly_fields = ("prefix", "digest", "agent", "last_used_at")
    exclude = ()
