"""A chat widget endpoint, visitor tokens from the real session view, and a visitor socket."""

from __future__ import annotations

import json
from typing import Any

import pytest
from asgiref.testing import ApplicationCommunicator
from django.test import Client

from lagniappe.channels.models import Endpoint
from lagniappe.channels.services import endpoint_create
from lagniappe.core.actors import SYSTEM
from tests.conftest import World


class VisitorSocket(ApplicationCommunicator):  # type: ignore[misc]
    """channels.testing.WebsocketCommunicator without daphne (see tests/realtime/conftest.py),
    with a query string."""

    def __init__(self, application: Any, key: str, query: str, origin: str) -> None:
        headers = [(b"host", b"testserver")]
        if origin:
            headers.append((b"origin", origin.encode()))
        super().__init__(
            application,
            {
                "type": "websocket",
                "path": f"/ws/chat/{key}",
                "headers": headers,
                "subprotocols": [],
                "query_string": query.encode(),
                "client": ["127.0.0.1", 0],
                "server": ["testserver", 80],
            },
        )

    async def connect(self, timeout: float = 2) -> tuple[bool, int | None]:
        """Accepted: the first frame, `status`, is kept in self.status."""
        await self.send_input({"type": "websocket.connect"})
        answer = await self.receive_output(timeout)
        if answer["type"] == "websocket.close":
            return False, answer.get("code", 1000)
        self.status = await self.receive_json(timeout)
        assert self.status["type"] == "status", self.status
        return True, None

    async def send_text(self, text: str) -> None:
        await self.send_input({"type": "websocket.receive", "text": text})

    async def send_json(self, data: Any) -> None:
        await self.send_text(json.dumps(data))

    async def receive_json(self, timeout: float = 3) -> Any:
        answer = await self.receive_output(timeout)
        assert answer["type"] == "websocket.send", answer
        return json.loads(answer["text"])

    async def until(self, kind: str, timeout: float = 3) -> dict[str, Any]:
        """Frames up to the first of `type` kind (returned); others are skipped."""
        while True:
            frame = await self.receive_json(timeout)
            if frame.get("type") == kind:
                return dict(frame)

    async def drain(self, timeout: float = 0.3) -> list[dict[str, Any]]:
        frames = []
        while not await self.receive_nothing(timeout=timeout):
            frames.append(await self.receive_json())
        return frames

    async def disconnect(self, code: int = 1000, timeout: float = 2) -> None:
        await self.send_input({"type": "websocket.disconnect", "code": code})
        await self.wait(timeout)


def visitor_socket(
    application: Any, key: str, token: str, *, origin: str = "http://testserver", extra: str = ""
) -> VisitorSocket:
    return VisitorSocket(application, key, f"token={token}&lang=zh-TW{extra}", origin)


def session_token(key: str, token: str = "", origin: str = "http://testserver") -> str:
    response = Client().post(
        f"/chat/{key}/session",
        data=json.dumps({"token": token}),
        content_type="text/plain",
        headers={"origin": origin},
    )
    assert response.status_code == 200, response.content
    return str(response.json()["token"])


@pytest.fixture
def chat(world: World) -> Endpoint:
    return endpoint_create(
        actor=SYSTEM,
        brand=world.insurer,
        kind="chat",
        name="Website chat",
        settings={"identity_secret": "host-secret"},
    )
