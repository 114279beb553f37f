"""A help centre's look: the brand's primary colour, the portal's colours and logo.

A logo is served only as the image type its first bytes prove (PNG, JPEG, GIF or WebP; never
SVG, which can carry script), whatever name or type it was uploaded with. Colours reach the
page's <style> block only when they are #rrggbb.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.urls import reverse

from lagniappe.portal.models import PortalBranding
from lagniappe.tenancy.models import Brand

LOGO_MAX_BYTES = 512 * 1024
_COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")
DEFAULT_PRIMARY = "#1f6feb"
DEFAULT_HEADER_TEXT = "#ffffff"
DEFAULT_BACKGROUND = "#f6f8fa"


@dataclass(frozen=True)
class PortalLook:
    primary: str
    header_text: str
    background: str
    logo_url: str  # "" without a logo


def logo_content_type(head: bytes) -> str | None:
    """The image type the file's first bytes prove, or None."""
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith((b"GIF87a", b"GIF89a")):
        return "image/gif"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    return None


def colour_safe(value: str, default: str) -> str:
    return value if _COLOUR.match(value or "") else default


def branding_for_brand(brand: Brand) -> PortalBranding | None:
    return PortalBranding.objects.filter(brand=brand).first()


def portal_look(brand: Brand) -> PortalLook:
    """What the page's <style> block and header show: one query."""
    branding = branding_for_brand(brand)
    logo_url = ""
    if branding is not None and branding.logo:
        version = int(branding.updated_at.timestamp())
        logo_url = f"{reverse('portal:logo', args=[brand.slug])}?v={version}"
    return PortalLook(
        primary=colour_safe(brand.primary_colour, DEFAULT_PRIMARY),
        header_text=colour_safe(
            branding.header_text_colour if branding else "", DEFAULT_HEADER_TEXT
        ),
        background=colour_safe(branding.background_colour if branding else "", DEFAULT_BACKGROUND),
        logo_url=logo_url,
    )
