"""config/api_handler.py: /api/v1/ through a shorter middleware chain, pages through the full
one, both as `lagniappe serve` serves them (the ASGI application)."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest
from django.conf import settings

from lagniappe.config.api_handler import PAGE_ONLY_MIDDLEWARE, api_middleware

SECURITY_HEADERS = {
    "x-content-type-options": "nosniff",
    "referrer-policy": "same-origin",
    "cross-origin-opener-policy": "same-origin",
    "x-frame-options": "DENY",
}


def served(*requests: tuple[str, str, dict[str, Any]]) -> list[httpx.Response]:
    from lagniappe.config.asgi import application

    async def calls() -> list[httpx.Response]:
        transport = httpx.ASGITransport(app=application)
        async with httpx.AsyncClient(transport=transport, base_url="http://localhost") as client:
            return [
                await client.request(method, url, **options) for method, url, options in requests
            ]

    return asyncio.run(calls())


def test_the_api_chain_is_the_full_chain_without_what_only_pages_use() -> None:
    chain = api_middleware()
    assert chain == [path for path in settings.MIDDLEWARE if path not in PAGE_ONLY_MIDDLEWARE]
    for kept in (
        "django.middleware.security.SecurityMiddleware",
        "django.middleware.common.CommonMiddleware",
        "django.middleware.locale.LocaleMiddleware",
        "django.middleware.clickjacking.XFrameOptionsMiddleware",
    ):
        assert kept in chain
    assert set(settings.MIDDLEWARE) >= PAGE_ONLY_MIDDLEWARE  # nothing stale in the list


@pytest.mark.django_db(transaction=True)
def test_an_api_create_is_served_with_security_headers_limits_and_scoping(world: Any) -> None:
    bearer = {"Authorization": f"Bearer {world.insurer_token}"}
    body = {
        "customer": {"name": "Amaia", "email": "amaia@example.org"},
        "text": "My card was charged twice.",
        "external_id": "crm-1",
        "brand_id": world.insurer.pk,
    }
    created, again, elsewhere, too_big, not_utf8, unknown, japanese, bad_host = served(
        ("POST", "/api/v1/conversations", {"json": body, "headers": bearer}),
        ("POST", "/api/v1/conversations", {"json": body, "headers": bearer}),
        (
            "POST",
            "/api/v1/conversations",
            {"json": {**body, "brand_id": world.bank.pk}, "headers": bearer},
        ),
        (
            "POST",
            "/api/v1/conversations",
            {"content": b"{" + b" " * settings.LAGNIAPPE_MAX_JSON_BYTES + b"}", "headers": bearer},
        ),
        ("POST", "/api/v1/conversations", {"content": b'{"text": "\xff"}', "headers": bearer}),
        ("POST", "/api/v1/conversations", {"json": {**body, "colour": "red"}, "headers": bearer}),
        ("GET", "/api/v1/conversations/999999", {"headers": {**bearer, "Accept-Language": "ja"}}),
        ("GET", "/api/v1/conversations", {"headers": {**bearer, "Host": "evil.example"}}),
    )
    assert created.status_code == 201, created.text
    assert again.status_code == 200 and again.json()["id"] == created.json()["id"]
    for response in (created, again, elsewhere, too_big, not_utf8, unknown):
        for header, value in SECURITY_HEADERS.items():
            assert response.headers[header] == value, (header, response.status_code)
        assert "set-cookie" not in response.headers
        assert "cookie" not in response.headers.get("vary", "").lower()  # no session was read
    assert elsewhere.status_code == 404 and elsewhere.json()["code"] == "not_found"
    assert too_big.status_code == 413 and too_big.json()["code"] == "payload_too_large"
    assert not_utf8.status_code == 400 and not_utf8.json()["code"] == "invalid_body"
    assert unknown.status_code == 422
    assert japanese.status_code == 404 and japanese.headers["content-language"] == "ja"
    assert bad_host.status_code == 400


@pytest.mark.django_db(transaction=True)
def test_pages_keep_sessions_and_the_csrf_check(world: Any) -> None:
    login_page, forged = served(
        ("GET", "/login", {}),
        ("POST", "/login", {"data": {"email": "x@example.org", "password": "nope"}}),
    )
    assert login_page.status_code == 200
    assert "csrftoken" in login_page.cookies
    assert login_page.headers["x-frame-options"] == "DENY"
    assert forged.status_code == 403  # no CSRF token: refused before the view runs
