"""The same consumer over channels-redis (skipped without Redis), and the supervisor board."""

from __future__ import annotations

import socket
import uuid
from collections.abc import Callable

import pytest
from asgiref.sync import async_to_sync
from channels.db import database_sync_to_async
from django.test import Client, override_settings

from lagniappe.config.asgi import application
from lagniappe.conversations.models import Message
from tests.conftest import World
from tests.realtime.conftest import communicator, drain, session_cookie

pytestmark = pytest.mark.django_db(transaction=True)


def _redis_up() -> bool:
    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=0.3).close()
    except OSError:
        return False
    return True


@pytest.mark.skipif(not _redis_up(), reason="no Redis at 127.0.0.1:6379")
def test_pushes_travel_through_redis(world: World, post_inbound: Callable[..., Message]) -> None:
    from channels.layers import channel_layers

    layers = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {
                "hosts": ["redis://127.0.0.1:6379/15"],
                "prefix": f"lagniappe-test-{uuid.uuid4().hex[:8]}",
            },
        }
    }
    mei, bank = session_cookie(world.insurer_agent), session_cookie(world.bank_agent)
    with override_settings(CHANNEL_LAYERS=layers):
        channel_layers.backends.clear()

        async def scenario() -> None:
            insurer_socket = communicator(application, mei)
            bank_socket = communicator(application, bank)
            assert (await insurer_socket.connect())[0] and (await bank_socket.connect())[0]
            await database_sync_to_async(post_inbound)(world.insurer_api, text="經由 Redis")
            frames = await drain(insurer_socket)
            assert any(f["kind"] == "row" for f in frames), frames
            assert await drain(bank_socket, timeout=0.2) == []
            await insurer_socket.disconnect()
            await bank_socket.disconnect()
            await channel_layers["default"].flush()

        try:
            async_to_sync(scenario)()
        finally:
            channel_layers.backends.clear()


def test_supervisor_board_is_for_supervisors_and_shows_who_is_online(
    world: World, post_inbound: Callable[..., Message]
) -> None:
    post_inbound(world.insurer_api, text="等待中")
    agent_client = Client()
    agent_client.force_login(world.insurer_agent)
    assert agent_client.get("/supervisor").status_code == 403
    admin_client = Client()
    admin_client.force_login(world.admin)
    page = admin_client.get("/supervisor")
    assert page.status_code == 200 and 'id="supervisor-board"' in page.content.decode()
    mei, admin = session_cookie(world.insurer_agent), session_cookie(world.admin)

    async def scenario() -> None:
        board = communicator(application, admin)
        assert (await board.connect())[0]
        await drain(board)
        agent = communicator(application, mei)
        assert (await agent.connect())[0]
        boards = [f for f in await drain(board) if f["kind"] == "board"]
        online = boards[-1]["html"]
        assert f'id="board-agent-{world.insurer_agent.pk}" class="online"' in online
        await agent.disconnect()
        boards = [f for f in await drain(board) if f["kind"] == "board"]
        assert f'id="board-agent-{world.insurer_agent.pk}" class="offline"' in boards[-1]["html"]
        await board.disconnect()

    async_to_sync(scenario)()
