"""Writes of the help centre's own data: its look."""

from __future__ import annotations

from django.core.files.base import File
from django.db import transaction

from lagniappe.core.actors import Actor
from lagniappe.core.errors import InvalidInput
from lagniappe.core.services import audit_record
from lagniappe.portal.branding import LOGO_MAX_BYTES, colour_safe, logo_content_type
from lagniappe.portal.models import PortalBranding
from lagniappe.tenancy.models import Brand


def logo_check(logo: File) -> str:
    """The logo's image type; InvalidInput when it is too large or not an image we serve."""
    if (logo.size or 0) > LOGO_MAX_BYTES:
        raise InvalidInput("The logo is too large.", details={"limit": LOGO_MAX_BYTES})
    logo.seek(0)
    content_type = logo_content_type(logo.read(16))
    logo.seek(0)
    if content_type is None:
        raise InvalidInput("The logo must be a PNG, JPEG, GIF or WebP image.", details={})
    return content_type


@transaction.atomic
def branding_save(
    *,
    actor: Actor,
    brand: Brand,
    header_text_colour: str,
    background_colour: str,
    logo: File | None = None,
    logo_clear: bool = False,
) -> PortalBranding:
    """Set the brand's help-centre colours, and replace or remove its logo."""
    for name, value in (
        ("header_text_colour", header_text_colour),
        ("background_colour", background_colour),
    ):
        if colour_safe(value, "") != value:
            raise InvalidInput("Write a colour as #rrggbb.", details={name: value[:20]})
    branding, _ = PortalBranding.objects.select_for_update().get_or_create(brand=brand)
    before = {
        "header_text_colour": branding.header_text_colour,
        "background_colour": branding.background_colour,
        "logo": bool(branding.logo),
    }
    branding.header_text_colour = header_text_colour
    branding.background_colour = background_colour
    if logo is not None:
        logo_check(logo)
        branding.logo.save("logo", logo, save=False)
    elif logo_clear:
        branding.logo = ""
    branding.save()
    audit_record(
        actor=actor,
        action="portal.branding",
        object_type="portalbranding",
        object_id=branding.pk,
        brand_id=brand.pk,
        before=before,
        after={
            "header_text_colour": header_text_colour,
            "background_colour": background_colour,
            "logo": bool(branding.logo),
        },
    )
    return branding
