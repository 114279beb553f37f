"""The ASGI application: HTTP through Django's WSGI handler on the thread pool."""

from __future__ import annotations

import asyncio

import httpx
import pytest


@pytest.mark.django_db(transaction=True)
def test_http_is_served_through_the_pool_with_json_api_errors() -> None:
    from lagniappe.config.asgi import application

    async def calls() -> list[httpx.Response]:
        transport = httpx.ASGITransport(app=application)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            return list(
                await asyncio.gather(
                    client.get("/healthz"),
                    client.get("/api/v1/customers"),
                    client.post("/api/v1/conversations", content=b"\xff"),
                    client.get("/static/ninja/swagger-ui.css"),
                )
            )

    health, anonymous, garbage, static = asyncio.run(calls())
    assert health.status_code == 200 and health.json() == {"status": "ok"}
    assert anonymous.status_code == 401 and anonymous.json()["code"] == "unauthenticated"
    assert garbage.status_code == 401
    assert static.status_code == 200 and "swagger" in static.text[:2000].lower()
