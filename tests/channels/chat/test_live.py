"""Typing both ways, read marks, the pre-chat form and offline messages: the visitor socket
and a signed-in agent's workspace socket on the same in-memory channel layer."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from asgiref.sync import async_to_sync
from channels.db import database_sync_to_async
from django.test import Client

from lagniappe.channels.chat.models import VisitorState
from lagniappe.channels.chat.status import (
    AGENT_BRAND_GROUP,
    AGENT_CONVERSATION_GROUP,
    within_hours,
)
from lagniappe.channels.models import Endpoint
from lagniappe.config.asgi import application
from lagniappe.conversations.models import Conversation, Message
from lagniappe.core import clock
from lagniappe.customers.models import Identity
from lagniappe.realtime import groups
from tests.channels.chat.conftest import VisitorSocket, session_token, visitor_socket
from tests.channels.chat.test_socket import _reply
from tests.conftest import World
from tests.realtime.conftest import communicator, drain, session_cookie

pytestmark = pytest.mark.django_db(transaction=True)


def test_group_names_agree_with_realtime() -> None:
    assert AGENT_CONVERSATION_GROUP.format(7) == groups.conversation_group(7)
    assert AGENT_BRAND_GROUP.format(3) == groups.brand_group(3)


async def _first_message(socket: VisitorSocket, text: str = "在嗎?") -> tuple[int, int]:
    await socket.send_json({"type": "message", "client_id": "c-1", "text": text})
    seq = (await socket.until("ack"))["seq"]
    await socket.drain()
    conversation_id = (await database_sync_to_async(Message.objects.get)(pk=seq)).conversation_id
    return seq, conversation_id


def _presence(frames: list[dict[str, Any]]) -> list[str]:
    return [f["html"] for f in frames if f.get("kind") == "presence"]


def test_typing_both_ways_and_read_marks(
    world: World, chat: Endpoint, run_tasks: Callable[[], int]
) -> None:
    response = Client().post(
        f"/chat/{chat.public_key}/session",
        data=json.dumps({"name": "陳小姐"}),
        content_type="text/plain",
        headers={"origin": "http://testserver"},
    )
    token = response.json()["token"]
    cookie = session_cookie(world.insurer_agent)

    async def scenario() -> None:
        visitor = visitor_socket(application, chat.public_key, token)
        assert (await visitor.connect())[0]
        seq, conversation_id = await _first_message(visitor)
        agent = communicator(application, cookie)
        assert (await agent.connect())[0]
        await agent.send_json_to({"type": "subscribe", "conversation_id": conversation_id})
        # The conversation is on the agent's screen: the visitor's message is read.
        assert await visitor.until("read") == {"type": "read", "seq": seq}
        await drain(agent)

        await visitor.send_json({"type": "typing"})
        banner = _presence(await drain(agent))
        assert banner and "陳小姐 is typing" in banner[-1]
        await visitor.send_json({"type": "typing", "active": False})
        assert "陳小姐" not in _presence(await drain(agent))[-1]

        await agent.send_json_to({"type": "typing"})
        assert await visitor.until("typing") == {"type": "typing", "from": "agent"}
        await agent.send_json_to({"type": "read"})
        assert await visitor.until("read") == {"type": "read", "seq": seq}

        # The visitor reads the agent's reply; a made-up later seq is clamped to what exists.
        reply = await database_sync_to_async(_reply)(world, conversation_id, "您好")
        await database_sync_to_async(run_tasks)()
        assert (await visitor.until("message"))["seq"] == reply
        await visitor.send_json({"type": "read", "seq": reply + 1000})
        await visitor.send_json({"type": "read", "seq": "x"})
        assert (await visitor.until("error"))["code"] == "invalid_read"
        await visitor.send_json({"type": "read", "seq": 1})  # late frame: never backwards
        await visitor.drain()
        state = await database_sync_to_async(VisitorState.objects.get)(endpoint=chat)
        assert (state.last_read_seq, state.last_delivered_seq) == (reply, reply)
        assert state.name == "陳小姐"
        await agent.disconnect()
        await visitor.disconnect()

    async_to_sync(scenario)()


def test_prechat_name_and_email_link_the_customer(world: World, chat: Endpoint) -> None:
    chat.settings = {"prechat": True}
    chat.save(update_fields=["settings"])

    def session(body: dict[str, str]) -> dict[str, Any]:
        response = Client().post(
            f"/chat/{chat.public_key}/session",
            data=json.dumps(body),
            content_type="text/plain",
            headers={"origin": "http://testserver"},
        )
        assert response.status_code == 200
        return dict(response.json())

    first = session({"name": "Siti Rahma", "email": "siti@example.id"})
    assert first["prechat"] is True
    # Another browser (another visitor) with the same email: the same customer.
    second = session({"email": "SITI@example.id", "name": ""})
    bad = session({"email": "not an address"})

    async def scenario() -> list[int]:
        seqs = []
        for token in (first["token"], second["token"], bad["token"]):
            socket = visitor_socket(application, chat.public_key, token)
            assert (await socket.connect())[0]
            await socket.send_json({"type": "message", "client_id": "c-1", "text": "halo"})
            seqs.append((await socket.until("ack"))["seq"])
            await socket.disconnect()
        return seqs

    seqs = async_to_sync(scenario)()
    customers = [Message.objects.get(pk=s).conversation.customer for s in seqs]
    assert customers[0].pk == customers[1].pk != customers[2].pk
    assert customers[0].name == "Siti Rahma"
    emails = Identity.objects.filter(customer=customers[0], kind="email").values_list(
        "value", flat=True
    )
    assert [e.lower() for e in emails] == ["siti@example.id"]
    assert not Identity.objects.filter(customer=customers[2], kind="email").exists()


def _tags(message_id: int) -> set[str]:
    conversation = Conversation.objects.get(messages__pk=message_id)
    return set(conversation.tags.values_list("name", flat=True))


def test_nobody_online_the_message_is_kept_for_email_follow_up(
    world: World, chat: Endpoint
) -> None:
    token = session_token(chat.public_key)

    async def scenario() -> int:
        socket = visitor_socket(application, chat.public_key, token)
        assert (await socket.connect())[0]
        assert socket.status == {"type": "status", "online": False}
        await socket.send_json({"type": "message", "client_id": "c-1", "text": "請回信給我"})
        seq = (await socket.until("ack"))["seq"]
        await socket.disconnect()
        return int(seq)

    seq = async_to_sync(scenario)()
    assert _tags(seq) == {"offline"}
    assert Message.objects.get(pk=seq).conversation.channel_kind == "chat"


def test_an_online_agent_answers_the_ping(world: World, chat: Endpoint) -> None:
    token = session_token(chat.public_key)
    cookie, bank = session_cookie(world.insurer_agent), session_cookie(world.bank_agent)

    async def scenario() -> int:
        other_brand = communicator(application, bank)
        assert (await other_brand.connect())[0]
        socket = visitor_socket(application, chat.public_key, token)
        assert (await socket.connect())[0]
        assert await socket.drain() == []  # another brand's agent does not count
        await socket.disconnect()

        agent = communicator(application, cookie)
        assert (await agent.connect())[0]
        socket = visitor_socket(application, chat.public_key, token)
        assert (await socket.connect())[0]
        assert socket.status["online"] is False  # until someone answers, then:
        assert await socket.until("status") == {"type": "status", "online": True}
        await socket.send_json({"type": "message", "client_id": "c-1", "text": "hi"})
        seq = (await socket.until("ack"))["seq"]
        for open_socket in (socket, agent, other_brand):
            await open_socket.disconnect()
        return int(seq)

    assert _tags(async_to_sync(scenario)()) == set()


def test_outside_business_hours(world: World, chat: Endpoint) -> None:
    chat.settings = {"hours": {"days": [], "open": "09:00", "close": "18:00"}}
    chat.save(update_fields=["settings"])
    token = session_token(chat.public_key)
    cookie = session_cookie(world.insurer_agent)

    async def scenario() -> None:
        agent = communicator(application, cookie)
        assert (await agent.connect())[0]
        socket = visitor_socket(application, chat.public_key, token)
        assert (await socket.connect())[0]
        assert socket.status == {"type": "status", "online": False, "reason": "hours"}
        assert await socket.drain() == []  # an online agent does not reopen closed hours
        await socket.disconnect()
        await agent.disconnect()

    async_to_sync(scenario)()


def test_business_hours_in_the_brand_time_zone() -> None:
    hours = {"days": [0, 1, 2, 3, 4], "open": "09:00", "close": "18:00"}
    # Wednesday 2026-11-25 02:00 UTC is 10:00 in Taipei, 21:00 (Tuesday) in New York.
    moment = clock.now().replace(year=2026, month=11, day=25, hour=2, minute=0)
    assert within_hours(hours, "Asia/Taipei", moment)
    assert not within_hours(hours, "America/New_York", moment)
    assert not within_hours({**hours, "days": [5, 6]}, "Asia/Taipei", moment)
    night = {"open": "22:00", "close": "06:00"}
    assert within_hours(night, "Europe/London", moment)
    assert not within_hours(night, "Asia/Taipei", moment)
    assert within_hours(None, "UTC", moment) and within_hours({"open": "x"}, "UTC", moment)
