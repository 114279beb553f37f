"""Brand administrators set their help centre's logo and colours here."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.core.files.uploadedfile import UploadedFile
from django.forms import ModelForm
from django.http import HttpRequest
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from lagniappe.core.admin import OrganisationScopedAdmin, admin_actor
from lagniappe.core.errors import InvalidInput
from lagniappe.portal.branding import LOGO_MAX_BYTES
from lagniappe.portal.models import PortalBranding
from lagniappe.portal.services import branding_save, logo_check


class PortalBrandingForm(forms.ModelForm):
    class Meta:
        model = PortalBranding
        fields = ("brand", "logo", "header_text_colour", "background_colour")
        widgets = {
            "header_text_colour": forms.TextInput(attrs={"type": "color"}),
            "background_colour": forms.TextInput(attrs={"type": "color"}),
        }

    def clean_logo(self) -> Any:
        logo = self.cleaned_data.get("logo")
        if isinstance(logo, UploadedFile):
            try:
                logo_check(logo)
            except InvalidInput:
                raise forms.ValidationError(
                    _("The logo must be a PNG, JPEG, GIF or WebP image of at most %(limit)s."),
                    params={"limit": filesizeformat(LOGO_MAX_BYTES)},
                ) from None
        return logo


@admin.register(PortalBranding)
class PortalBrandingAdmin(OrganisationScopedAdmin):
    organisation_path = "brand__organisation"
    form = PortalBrandingForm
    list_display = ("brand", "header_text_colour", "background_colour", "updated_at")
    list_select_related = ("brand",)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        return ("brand",) if obj is not None else ()

    def save_model(
        self, request: HttpRequest, obj: Any, form: ModelForm[Any], change: bool
    ) -> None:
        # Through the service (it checks the logo's bytes and writes the audit trail).
        logo = form.cleaned_data.get("logo")
        saved = branding_save(
            actor=admin_actor(request),
            brand=form.cleaned_data.get("brand") or obj.brand,
            header_text_colour=str(form.cleaned_data["header_text_colour"]),
            background_colour=str(form.cleaned_data["background_colour"]),
            logo=logo if isinstance(logo, UploadedFile) else None,
            logo_clear=logo is False,
        )
        obj.pk = saved.pk
