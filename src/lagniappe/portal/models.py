"""How a brand's help centre looks: its logo and colours (the primary colour is the brand's)."""

from __future__ import annotations

import secrets

from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

_COLOUR = RegexValidator(r"^#[0-9a-fA-F]{6}$", _("Write a colour as #rrggbb."))


def logo_storage_path(instance: PortalBranding, filename: str) -> str:
    # Random and without the uploader's name or extension: the type is read from the bytes.
    return f"portal/logos/{secrets.token_urlsafe(18)}"


class PortalBranding(models.Model):
    brand = models.OneToOneField(
        "tenancy.Brand",
        verbose_name=_("brand"),
        on_delete=models.CASCADE,
        related_name="portal_branding",
    )
    logo = models.FileField(
        _("logo"),
        upload_to=logo_storage_path,
        max_length=200,
        blank=True,
        help_text=_("A PNG, JPEG, GIF or WebP image of at most 512 KB."),
    )
    header_text_colour = models.CharField(
        _("header text colour"), max_length=7, default="#ffffff", validators=[_COLOUR]
    )
    background_colour = models.CharField(
        _("page background colour"), max_length=7, default="#f6f8fa", validators=[_COLOUR]
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("help centre look")
        verbose_name_plural = _("help centre looks")

    def __str__(self) -> str:
        return str(self.brand_id)
