"""A brand's help centre shows its logo and colours; only real images are accepted or served."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from lagniappe.core.actors import SYSTEM
from lagniappe.core.errors import InvalidInput
from lagniappe.core.models import AuditEvent
from lagniappe.portal.models import PortalBranding
from lagniappe.portal.services import branding_save

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
SVG = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'


@pytest.fixture
def admin_client(world) -> Client:
    client = Client()
    client.force_login(world.admin)
    return client


def test_default_look_without_branding(world, client):
    html = client.get("/help/insurance/").content.decode()
    assert "--brand: #1f6feb; --brand-text: #ffffff; --page-background: #f6f8fa;" in html
    assert 'class="logo"' not in html
    assert client.get("/help/insurance/logo").status_code == 404


def test_admin_sets_logo_and_colours_and_the_portal_shows_them(world, admin_client, client):
    response = admin_client.post(
        "/admin/portal/portalbranding/add/",
        {
            "brand": world.insurer.pk,
            "header_text_colour": "#102030",
            "background_colour": "#fafafa",
            "logo": SimpleUploadedFile("logo.svg", PNG, content_type="image/svg+xml"),
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    branding = PortalBranding.objects.get(brand=world.insurer)
    assert AuditEvent.objects.filter(action="portal.branding", brand_id=world.insurer.pk).exists()
    html = client.get("/help/insurance/").content.decode()
    assert "--brand-text: #102030; --page-background: #fafafa;" in html
    assert f'src="/help/insurance/logo?v={int(branding.updated_at.timestamp())}"' in html
    logo = client.get("/help/insurance/logo")
    assert logo.status_code == 200
    assert logo["Content-Type"] == "image/png"  # what the bytes are, not what was claimed
    assert logo["X-Content-Type-Options"] == "nosniff"
    assert b"".join(logo.streaming_content) == PNG
    assert "logo" not in client.get("/help/bank/").content.decode().split("<main>")[0]


def test_admin_refuses_svg_and_bad_colours(world, admin_client):
    response = admin_client.post(
        "/admin/portal/portalbranding/add/",
        {
            "brand": world.insurer.pk,
            "header_text_colour": "red;}b{",
            "background_colour": "#fafafa",
            "logo": SimpleUploadedFile("logo.png", SVG, content_type="image/png"),
        },
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "The logo must be a PNG, JPEG, GIF or WebP image" in body and "#rrggbb" in body
    assert not PortalBranding.objects.exists()


def test_service_refuses_what_the_admin_refuses(world):
    with pytest.raises(InvalidInput):
        branding_save(
            actor=SYSTEM, brand=world.insurer, header_text_colour="#fff", background_colour="#fff"
        )
    with pytest.raises(InvalidInput):
        branding_save(
            actor=SYSTEM,
            brand=world.insurer,
            header_text_colour="#ffffff",
            background_colour="#ffffff",
            logo=SimpleUploadedFile("x.png", SVG),
        )
    big = SimpleUploadedFile("big.png", PNG + b"\x00" * 600_000)
    with pytest.raises(InvalidInput):
        branding_save(
            actor=SYSTEM,
            brand=world.insurer,
            header_text_colour="#ffffff",
            background_colour="#ffffff",
            logo=big,
        )


def test_a_stored_file_that_is_no_image_is_never_served(world, client):
    branding = branding_save(
        actor=SYSTEM,
        brand=world.insurer,
        header_text_colour="#ffffff",
        background_colour="#ffffff",
        logo=SimpleUploadedFile("logo.png", PNG),
    )
    with branding.logo.open("wb") as handle:  # replaced behind our back
        handle.write(SVG)
    assert client.get("/help/insurance/logo").status_code == 404
