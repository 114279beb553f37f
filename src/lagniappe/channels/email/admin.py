"""Administrators switch a brand's acknowledgement on and write its mail templates here."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from lagniappe.channels.email.models import EmailBrandSettings, EmailTemplate, TemplateKind
from lagniappe.channels.email.template_defaults import DEFAULTS
from lagniappe.core.admin import OrganisationScopedAdmin
from lagniappe.engines.mail import (
    AUTO_REPLY_PLACEHOLDERS,
    REPLY_PLACEHOLDERS,
    template_placeholders_unknown,
)


@admin.register(EmailBrandSettings)
class EmailBrandSettingsAdmin(OrganisationScopedAdmin):
    organisation_path = "brand__organisation"
    list_display = ("brand", "auto_reply_enabled", "auto_reply_max_per_hour")
    list_select_related = ("brand",)


class EmailTemplateForm(forms.ModelForm):
    class Meta:
        model = EmailTemplate
        fields = ("brand", "kind", "language", "subject", "text", "html")

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        kind = cleaned.get("kind")
        allowed = REPLY_PLACEHOLDERS if kind == TemplateKind.REPLY else AUTO_REPLY_PLACEHOLDERS
        for name in ("subject", "text", "html"):
            unknown = template_placeholders_unknown(str(cleaned.get(name) or ""), allowed)
            if unknown:
                self.add_error(
                    name,
                    _("Unknown placeholders: %(names)s")
                    % {"names": ", ".join("{" + n + "}" for n in unknown)},
                )
        return cleaned


@admin.register(EmailTemplate)
class EmailTemplateAdmin(OrganisationScopedAdmin):
    form = EmailTemplateForm
    organisation_path = "brand__organisation"
    list_display = ("brand", "kind", "language", "subject", "updated_at")
    list_filter = ("kind", "language", "brand")
    list_select_related = ("brand",)

    def get_changeform_initial_data(self, request: HttpRequest) -> dict[str, Any]:
        """A new template starts from the built-in one (`?kind=…&language=…` pick which)."""
        initial = dict(super().get_changeform_initial_data(request))
        kind = str(initial.get("kind") or TemplateKind.REPLY)
        language = str(initial.get("language") or "en")
        source = DEFAULTS.get(kind, DEFAULTS[TemplateKind.REPLY]).get(language)
        if source is not None:
            initial.setdefault("subject", source.subject)
            initial.setdefault("text", source.text)
        initial.setdefault("kind", kind)
        initial.setdefault("language", language)
        return initial
