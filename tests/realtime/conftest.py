"""Sockets signed in with a real session, and customer messages through the inbound funnel."""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import Callable
from itertools import count
from typing import Any

import pytest
from asgiref.testing import ApplicationCommunicator
from django.test import Client

from lagniappe.channels import inbound
from lagniappe.channels.models import Endpoint
from lagniappe.conversations.models import Message
from lagniappe.staff.models import Agent

_external_ids = count(1)


def session_cookie(agent: Agent) -> str:
    client = Client()
    client.force_login(agent)
    return client.cookies["sessionid"].value


class WebsocketCommunicator(ApplicationCommunicator):  # type: ignore[misc]
    """channels.testing.WebsocketCommunicator, which cannot be imported without daphne
    (channels.testing's __init__ imports its live server): the same few calls."""

    def __init__(self, application: Any, path: str, headers: list[tuple[bytes, bytes]]) -> None:
        super().__init__(
            application,
            {
                "type": "websocket",
                "path": path,
                "headers": headers,
                "subprotocols": [],
                "query_string": b"",
                "client": ["127.0.0.1", 0],
                "server": ["testserver", 80],
            },
        )

    async def connect(self, timeout: float = 2) -> tuple[bool, int | None]:
        await self.send_input({"type": "websocket.connect"})
        answer = await self.receive_output(timeout)
        if answer["type"] == "websocket.close":
            return False, answer.get("code", 1000)
        return True, None

    async def send_json_to(self, data: Any) -> None:
        await self.send_input({"type": "websocket.receive", "text": json.dumps(data)})

    async def receive_from(self, timeout: float = 2) -> str:
        answer = await self.receive_output(timeout)
        assert answer["type"] == "websocket.send", answer
        return str(answer["text"])

    async def receive_json_from(self, timeout: float = 2) -> Any:
        return json.loads(await self.receive_from(timeout))

    async def disconnect(self, code: int = 1000, timeout: float = 2) -> None:
        await self.send_input({"type": "websocket.disconnect", "code": code})
        await self.wait(timeout)


def communicator(application: Any, session: str | None) -> WebsocketCommunicator:
    headers = [(b"origin", b"http://testserver"), (b"host", b"testserver")]
    if session:
        headers.append((b"cookie", f"sessionid={session}".encode()))
    return WebsocketCommunicator(application, "/ws/workspace", headers=headers)


async def drain(socket: WebsocketCommunicator, timeout: float = 0.5) -> list[dict[str, Any]]:
    """Every frame that arrives until `timeout` passes with none."""
    frames: list[dict[str, Any]] = []
    while not await socket.receive_nothing(timeout=timeout):
        frames.append(json.loads(await socket.receive_from()))
    return frames


async def drain_until(
    socket: WebsocketCommunicator, kind: str, deadline: float = 15, then: float = 0.3
) -> list[dict[str, Any]]:
    """Every frame until one of `kind` has come (waiting up to `deadline` seconds, for a
    loaded machine), then whatever follows within `then` seconds of quiet. A fixed quiet
    window alone misses a frame that is merely late."""
    frames: list[dict[str, Any]] = []
    loop = asyncio.get_running_loop()
    ends = loop.time() + deadline
    while not any(frame.get("kind") == kind for frame in frames):
        left = ends - loop.time()
        if left <= 0 or await socket.receive_nothing(timeout=min(left, 1.0)):
            if loop.time() >= ends:
                break
            continue
        frames.append(json.loads(await socket.receive_from()))
    return frames + await drain(socket, timeout=then)


def squeezed(html: str) -> str:
    """HTML with whitespace ignored: none between tags, runs collapsed elsewhere."""
    return re.sub(r"\s+", " ", re.sub(r">\s+<", "><", html)).strip()


def page_squeezed(agent: Agent, url: str) -> str:
    """The page `agent` gets at `url` (200), whitespace squeezed: what a live fragment is
    compared with."""
    client = Client()
    client.force_login(agent)
    response = client.get(url)
    assert response.status_code == 200
    return squeezed(response.content.decode())


@pytest.fixture
def post_inbound(run_tasks: Callable[[], int]) -> Callable[..., Message]:
    """One customer message through channels.inbound.accept and the worker."""

    def post(endpoint: Endpoint, *, text: str, conversation_id: int | None = None) -> Message:
        body = {
            "customer": {"email": "chen@example.tw", "name": "陳小姐"},
            "text": text,
            "external_id": f"rt-{next(_external_ids)}",
            "conversation_id": conversation_id,
        }
        envelope = inbound.accept(
            endpoint=endpoint, raw=json.dumps(body, ensure_ascii=False).encode()
        )
        run_tasks()
        envelope.refresh_from_db()
        assert envelope.message_ids, envelope.error
        return Message.objects.get(pk=envelope.message_ids[0])

    return post
