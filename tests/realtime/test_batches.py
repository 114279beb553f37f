"""A socket renders only what its page shows, and a burst of changes arrives complete.

`/ws/workspace?rows=0` (live.js on a page without an inbox list) gets no inbox rows, only the
header when a conversation becomes or stops being the agent's. A burst of customer messages
reaches a listing socket as rows that end on the conversation's latest state, each equal to
the agent's own inbox row.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from asgiref.sync import async_to_sync
from channels.db import database_sync_to_async
from django.test import Client

from lagniappe.config.asgi import application
from lagniappe.conversations.models import Conversation, Message
from lagniappe.conversations.updates import ConversationChanges, conversation_update
from lagniappe.core.actors import SYSTEM
from tests.conftest import World
from tests.realtime.conftest import communicator, drain, drain_until, session_cookie, squeezed

pytestmark = pytest.mark.django_db(transaction=True)


def _of(frames: list[dict[str, Any]], kind: str) -> list[dict[str, Any]]:
    return [f for f in frames if f.get("kind") == kind]


def _inbox(agent: Any) -> str:
    client = Client()
    client.force_login(agent)
    response = client.get("/?view=open")
    assert response.status_code == 200
    return squeezed(response.content.decode())


def test_a_page_without_rows_gets_only_its_header(
    world: World, post_inbound: Callable[..., Message]
) -> None:
    conversation = post_inbound(world.insurer_api, text="第一則").conversation
    cookie = session_cookie(world.insurer_agent)
    frames: dict[str, list[dict[str, Any]]] = {}

    async def scenario() -> None:
        listing = communicator(application, cookie)
        bare = communicator(application, cookie)
        bare.scope["query_string"] = b"rows=0"  # read by the consumer once it starts
        for socket in (listing, bare):
            assert (await socket.connect())[0]
            await drain(socket, timeout=1)
        await database_sync_to_async(post_inbound)(
            world.insurer_api, text="第二則", conversation_id=conversation.pk
        )
        frames["listing"] = await drain_until(listing, "row")
        # The same event reached the bare page: anything it had to say has come by now.
        frames["bare"] = await drain(bare, timeout=1)

        def assign() -> None:
            conversation_update(
                actor=SYSTEM,
                conversation=Conversation.objects.get(pk=conversation.pk),
                changes=ConversationChanges(assignee_id=world.insurer_agent.pk, assign=True),
            )

        await database_sync_to_async(assign)()
        frames["bare_assigned"] = await drain_until(bare, "status")
        for socket in (listing, bare):
            await socket.disconnect()

    async_to_sync(scenario)()
    assert len(_of(frames["listing"], "row")) == 1
    assert frames["bare"] == []
    # Now the agent's own: the header moves, still no row.
    assert {f["kind"] for f in frames["bare_assigned"]} == {"status"}


def test_a_burst_of_messages_ends_on_the_latest_row(
    world: World, post_inbound: Callable[..., Message]
) -> None:
    conversation = post_inbound(world.insurer_api, text="第一則").conversation
    cookie = session_cookie(world.insurer_agent)
    frames: list[dict[str, Any]] = []

    async def scenario() -> None:
        socket = communicator(application, cookie)
        assert (await socket.connect())[0]
        await drain(socket, timeout=1)

        def burst() -> None:
            for n in range(5):
                post_inbound(world.insurer_api, text=f"訊息 {n}", conversation_id=conversation.pk)

        await database_sync_to_async(burst)()
        frames.extend(await drain(socket, timeout=1.5))
        await socket.disconnect()

    async_to_sync(scenario)()
    rows = _of(frames, "row")
    assert 1 <= len(rows) <= 5
    assert {row["conversation_id"] for row in rows} == {conversation.pk}
    # The last row pushed is what the agent's inbox shows now (6 unread).
    assert squeezed(rows[-1]["html"]) in _inbox(world.insurer_agent)
    assert ">6<" in rows[-1]["html"]
