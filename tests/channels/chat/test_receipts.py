"""Read marks the other way: the agent sees, live, whether the chat visitor has the agents'
newest reply on their widget (delivered) and has read it. The pushed line is the same partial
the conversation page renders."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from asgiref.sync import async_to_sync
from channels.db import database_sync_to_async
from django.test import Client
from django.urls import reverse

from lagniappe.channels.chat.models import VisitorState
from lagniappe.channels.chat.selectors import (
    RECEIPT_DELIVERED,
    RECEIPT_READ,
    RECEIPT_SENT,
    visitor_receipt_for_conversation,
)
from lagniappe.channels.models import Endpoint
from lagniappe.config.asgi import application
from lagniappe.conversations.models import Message
from lagniappe.staff.selectors import agent_scope
from tests.channels.chat.conftest import session_token, visitor_socket
from tests.channels.chat.test_socket import _reply
from tests.conftest import World
from tests.realtime.conftest import communicator, drain, session_cookie, squeezed

pytestmark = pytest.mark.django_db(transaction=True)

RECEIPT_ELEMENT = re.compile(r'<p id="chat-receipt".*?</p>', re.S)


def _receipts(frames: list[dict[str, Any]]) -> list[str]:
    return [frame["html"] for frame in frames if frame.get("kind") == "receipt"]


def _page_receipt(world: World, conversation_id: int) -> str:
    client = Client()
    client.force_login(world.insurer_agent)
    page = client.get(
        reverse("workspace:conversation-detail", args=[conversation_id])
    ).content.decode()
    found = RECEIPT_ELEMENT.search(page)
    assert found, "the conversation page has no receipt line"
    return found.group(0)


def test_agent_sees_delivered_then_read_live(
    world: World, chat: Endpoint, run_tasks: Callable[[], int]
) -> None:
    token = session_token(chat.public_key)
    cookie = session_cookie(world.insurer_agent)
    seen: dict[str, Any] = {}

    async def scenario() -> None:
        visitor = visitor_socket(application, chat.public_key, token)
        assert (await visitor.connect())[0]
        await visitor.send_json({"type": "message", "client_id": "r-1", "text": "有人嗎?"})
        seq = (await visitor.until("ack"))["seq"]
        message = await database_sync_to_async(Message.objects.get)(pk=seq)
        conversation_id = seen["conversation"] = message.conversation_id
        agent = communicator(application, cookie)
        assert (await agent.connect())[0]
        await agent.send_json_to({"type": "subscribe", "conversation_id": conversation_id})
        await drain(agent)
        await visitor.drain()

        reply = seen["reply"] = await database_sync_to_async(_reply)(
            world, conversation_id, "<b>您好</b>"
        )
        # The new reply on the agent's page, its line not yet "delivered" (the visitor's
        # socket gets it when the delivery task runs).
        frames = await drain(agent)
        assert _receipts(frames) and "not yet on the visitor" in _receipts(frames)[-1]
        await database_sync_to_async(run_tasks)()
        assert (await visitor.until("message"))["seq"] == reply
        delivered = _receipts(await drain(agent))
        assert delivered and "Delivered to the visitor" in delivered[-1]
        assert f'data-message-id="{reply}"' in delivered[-1]

        await visitor.send_json({"type": "read", "seq": reply})
        read = _receipts(await drain(agent))
        assert read and "Read by the visitor" in read[-1]
        seen["pushed"] = read[-1]
        # A late or repeated mark moves nothing: no push.
        await visitor.send_json({"type": "read", "seq": reply})
        assert not _receipts(await drain(agent))
        await agent.disconnect()
        await visitor.disconnect()

    async_to_sync(scenario)()
    state = VisitorState.objects.get(endpoint=chat)
    assert state.last_read_seq == state.last_delivered_seq == seen["reply"]
    # The pushed line is what a fresh page shows.
    assert squeezed(seen["pushed"]) == squeezed(_page_receipt(world, seen["conversation"]))


def test_receipt_states_and_scope(world: World, chat: Endpoint) -> None:
    token = session_token(chat.public_key)

    async def send() -> int:
        visitor = visitor_socket(application, chat.public_key, token)
        assert (await visitor.connect())[0]
        await visitor.send_json({"type": "message", "client_id": "s-1", "text": "hello"})
        seq = int((await visitor.until("ack"))["seq"])
        await visitor.disconnect()
        return seq

    seq = async_to_sync(send)()
    conversation_id = Message.objects.get(pk=seq).conversation_id
    scope = agent_scope(world.insurer_agent)
    assert visitor_receipt_for_conversation(scope, conversation_id) is None  # no reply yet
    reply = _reply(world, conversation_id, "hi")
    receipt = visitor_receipt_for_conversation(scope, conversation_id)
    assert receipt is not None and (receipt.message_id, receipt.state) == (reply, RECEIPT_SENT)
    visitor = Message.objects.get(pk=seq).external_id.split(":", 1)[0]
    VisitorState.objects.create(endpoint=chat, visitor=visitor, last_delivered_seq=reply)
    receipt = visitor_receipt_for_conversation(scope, conversation_id)
    assert receipt is not None and receipt.state == RECEIPT_DELIVERED
    VisitorState.objects.filter(endpoint=chat).update(last_read_seq=reply)
    receipt = visitor_receipt_for_conversation(scope, conversation_id)
    assert receipt is not None and receipt.state == RECEIPT_READ
    # Another brand's agent learns nothing of it.
    assert visitor_receipt_for_conversation(agent_scope(world.bank_agent), conversation_id) is None
