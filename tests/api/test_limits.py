"""Hostile and malformed requests to /conversations and /inbound: always JSON 4xx, never 500,
and nothing written."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client, override_settings

from lagniappe.channels.models import InboundEnvelope
from lagniappe.conversations.models import Conversation, Message

pytestmark = pytest.mark.django_db

CREATE = {"customer": {"name": "Siti", "email": "siti@example.id"}, "text": "Halo"}
INBOUND = {"customer": {"name": "Siti", "email": "siti@example.id"}, "text": "Halo"}


def _counts() -> tuple[int, int, int]:
    return InboundEnvelope.objects.count(), Conversation.objects.count(), Message.objects.count()


@pytest.fixture
def nothing_written(world: Any) -> Iterator[None]:
    before = _counts()
    yield
    assert _counts() == before


def _post(world: Any, path: str, data: bytes | str, content_type: str, key: bool = True) -> Any:
    token = world.insurer_api_key if key else world.insurer_token
    return Client().post(
        f"/api/v1{path}",
        data=data,
        content_type=content_type,
        headers={"Authorization": f"Bearer {token}"},
    )


def _error(response: Any, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert body["code"] == code
    assert set(body) == {"code", "message", "details"}
    return body  # type: ignore[no-any-return]


@pytest.mark.parametrize(("path", "body"), [("/inbound", INBOUND), ("/conversations", CREATE)])
def test_a_body_over_the_limit_is_413(world, api_as, nothing_written, path, body):  # type: ignore[no-untyped-def]
    big = {**body, "text": "字" * 400}
    with override_settings(LAGNIAPPE_MAX_JSON_BYTES=512):
        response = api_as("insurer_key").post(path, big)
        _error(response, 413, "payload_too_large")
        # Just under the limit is fine (and the check counts bytes, not characters).
        assert len(json.dumps(body, ensure_ascii=False).encode()) < 512
    assert response.json()["details"]["limit"] == 512


def test_a_body_under_the_limit_passes(world, api_as):  # type: ignore[no-untyped-def]
    with override_settings(LAGNIAPPE_MAX_JSON_BYTES=512):
        assert api_as("insurer_key").post("/inbound", INBOUND).status_code == 201


@pytest.mark.parametrize("path", ["/inbound", "/conversations"])
def test_invalid_utf8_is_400(world, nothing_written, path):  # type: ignore[no-untyped-def]
    raw = b'{"customer": {"email": "a@example.com"}, "text": "\xff\xfe"}'
    _error(_post(world, path, raw, "application/json"), 400, "invalid_body")


@pytest.mark.parametrize("path", ["/inbound", "/conversations"])
@pytest.mark.parametrize(
    "raw", [b'{"text": "unterminated', b"[1, 2", b"null nonsense", b"\x00", b"{'a': 1}"]
)
def test_invalid_json_is_400(world, nothing_written, path, raw):  # type: ignore[no-untyped-def]
    _error(_post(world, path, raw, "application/json"), 400, "invalid_body")


@pytest.mark.parametrize("path", ["/inbound", "/conversations"])
def test_json_of_the_wrong_shape_is_422(world, nothing_written, path):  # type: ignore[no-untyped-def]
    for raw in (b"", b"[]", b'"text"', b"42", b"null"):
        _error(_post(world, path, raw, "application/json"), 422, "validation_error")


@pytest.mark.parametrize(("path", "body"), [("/inbound", INBOUND), ("/conversations", CREATE)])
def test_an_unknown_field_is_422_with_its_path(world, nothing_written, path, body):  # type: ignore[no-untyped-def]
    raw = json.dumps({**body, "colour": "red"}).encode()
    error = _error(_post(world, path, raw, "application/json"), 422, "validation_error")
    assert "body.colour" in [e["field"] for e in error["details"]["errors"]]


def test_ids_over_64_bits_are_422(world, api_as, nothing_written):  # type: ignore[no-untyped-def]
    api = api_as("insurer")
    huge = 2**63
    _error(api.get(f"/conversations/{huge}"), 422, "validation_error")
    _error(api.get(f"/conversations/{10**30}"), 422, "validation_error")
    _error(api.patch(f"/conversations/{huge}", {"status": "open"}), 422, "validation_error")
    _error(api.get("/conversations", {"customer_id": huge}), 422, "validation_error")
    _error(api.get("/conversations", {"brand_id": -1}), 422, "validation_error")
    _error(api.get(f"/inbound/{huge}"), 422, "validation_error")
    for body in (
        {**CREATE, "brand_id": huge},
        {"customer_id": huge, "text": "hi"},
        {**CREATE, "team_id": huge},
    ):
        error = _error(api.post("/conversations", body), 422, "validation_error")
        assert error["details"]["errors"][0]["field"].startswith("body.")
    _error(
        api_as("insurer_key").post("/inbound", {**INBOUND, "conversation_id": 10**40}),
        422,
        "validation_error",
    )


@pytest.mark.parametrize(("path", "body"), [("/inbound", INBOUND), ("/conversations", CREATE)])
def test_nul_characters_are_refused(world, nothing_written, path, body):  # type: ignore[no-untyped-def]
    for field_value in ({"text": "a\u0000b"}, {"customer": {"name": "\u0000", "email": "a@b.co"}}):
        raw = json.dumps({**body, **field_value}).encode()
        assert b"\\u0000" in raw
        response = _post(world, path, raw, "application/json")
        assert response.status_code in (400, 422), response.content
        assert response.json()["code"] in ("invalid_body", "validation_error")
    lone_surrogate = json.dumps({**body, "text": "\ud800"}).encode()
    _error(_post(world, path, lone_surrogate, "application/json"), 400, "invalid_body")


def test_nul_in_a_query_is_422(world, api_as):  # type: ignore[no-untyped-def]
    _error(api_as("insurer").get("/conversations", {"tag": "a\x00b"}), 422, "validation_error")


def test_a_json_body_is_read_whatever_its_declared_type(world):  # type: ignore[no-untyped-def]
    """curl -d sends form-encoded by default; a body that is JSON is still JSON."""
    raw = json.dumps(INBOUND).encode()
    for content_type in ("text/plain", "application/x-www-form-urlencoded", ""):
        response = _post(world, "/inbound", raw, content_type)
        assert response.status_code == 201, (content_type, response.content)
    stored = set(InboundEnvelope.objects.values_list("content_type", flat=True))
    assert stored == {"application/json"}


def test_a_body_that_is_not_json_is_400_whatever_its_declared_type(world, nothing_written):  # type: ignore[no-untyped-def]
    _error(
        _post(world, "/inbound", "text=hi&email=a%40b.co", "application/x-www-form-urlencoded"),
        400,
        "invalid_body",
    )
    _error(
        _post(world, "/conversations", "<message/>", "application/xml", key=False),
        400,
        "invalid_body",
    )
    multipart = Client().post(
        "/api/v1/inbound",
        {"text": "hi"},
        headers={"Authorization": f"Bearer {world.insurer_api_key}"},
    )
    _error(multipart, 400, "invalid_body")


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("put", "/conversations"),
        ("delete", "/conversations"),
        ("post", "/conversations/1"),
        ("put", "/conversations/1"),
        ("get", "/inbound"),
        ("delete", "/inbound"),
        ("post", "/inbound/1"),
    ],
)
def test_a_wrong_method_is_json_405(world, nothing_written, method, path):  # type: ignore[no-untyped-def]
    headers = {"Authorization": f"Bearer {world.insurer_api_key}"}
    if method == "get":
        response = Client().get(f"/api/v1{path}", headers=headers)
    else:
        response = getattr(Client(), method)(
            f"/api/v1{path}", data=b"{}", content_type="application/json", headers=headers
        )
    error = _error(response, 405, "method_not_allowed")
    assert response["Allow"]
    assert set(error["details"]["allowed"]) == set(response["Allow"].split(", "))
