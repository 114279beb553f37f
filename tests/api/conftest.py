"""An HTTP client that speaks to /api/v1 with a bearer token, through the real URL conf and
the middleware chain `lagniappe serve` gives the API (config/api_handler.py)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client
from django.test.client import ClientHandler

from lagniappe.config.api_handler import ApiMiddlewareMixin


class ApiClientHandler(ApiMiddlewareMixin, ClientHandler):
    """The test client's handler with the API's middleware chain."""


class ApiClient:
    def __init__(self, token: str | None) -> None:
        self.token = token
        self.client = Client()
        self.client.handler = ApiClientHandler(enforce_csrf_checks=False)

    def _headers(self, extra: dict[str, str] | None = None) -> dict[str, str]:
        headers = {"Authorization": f"Bearer {self.token}"} if self.token else {}
        headers.update(extra or {})
        return headers

    def get(self, path: str, params: dict[str, Any] | None = None) -> Any:
        return self.client.get(f"/api/v1{path}", params or {}, headers=self._headers())

    def delete(self, path: str) -> Any:
        return self.client.delete(f"/api/v1{path}", headers=self._headers())

    def send(self, method: str, path: str, body: Any = None, *, raw: bytes | None = None) -> Any:
        data = raw if raw is not None else json.dumps(body, ensure_ascii=False).encode()
        call = getattr(self.client, method.lower())
        return call(
            f"/api/v1{path}", data=data, content_type="application/json", headers=self._headers()
        )

    def post(self, path: str, body: Any = None, *, raw: bytes | None = None) -> Any:
        return self.send("POST", path, body, raw=raw)

    def patch(self, path: str, body: Any = None, *, raw: bytes | None = None) -> Any:
        return self.send("PATCH", path, body, raw=raw)

    def upload(self, path: str, files: dict[str, Any], data: dict[str, Any] | None = None) -> Any:
        return self.client.post(
            f"/api/v1{path}", {**(data or {}), **files}, headers=self._headers()
        )


@pytest.fixture
def api_as(world):  # type: ignore[no-untyped-def]
    """api_as("insurer") / "bank" / "admin" (agents' tokens) / "insurer_key" / "bank_key"."""
    tokens = {
        "insurer": world.insurer_token,
        "bank": world.bank_token,
        "admin": world.admin_token,
        "insurer_key": world.insurer_api_key,
        "bank_key": world.bank_api_key,
        "anonymous": None,
    }
    return lambda who: ApiClient(tokens[who])
