"""Notifications, unread counts and chat load pushed live to the one agent they concern, each
the same partial the agent's own page renders."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from asgiref.sync import async_to_sync
from channels.db import database_sync_to_async
from django.test import Client

from lagniappe.config.asgi import application
from lagniappe.conversations.models import Conversation, Message
from lagniappe.conversations.services import conversation_create, note_add
from lagniappe.core.actors import SYSTEM, Actor
from lagniappe.customers.models import Customer
from lagniappe.staff.models import AgentPresence, Notification, NotificationKind
from lagniappe.staff.services import agent_preferences_set
from tests.conftest import World
from tests.realtime.conftest import communicator, drain, session_cookie, squeezed

pytestmark = pytest.mark.django_db(transaction=True)

_CSRF = re.compile(r'<input type="hidden" name="csrfmiddlewaretoken" value="[^"]*">')


def _page(agent: Any, url: str) -> str:
    client = Client()
    client.force_login(agent)
    response = client.get(url)
    assert response.status_code == 200
    return _CSRF.sub("", squeezed(response.content.decode()))


async def _until(socket: Any, kind: str, seconds: float = 10) -> list[dict[str, Any]]:
    """Frames up to and including the first of `kind`, then whatever follows within 0.5 s
    (a busy machine may take a while to render the first one)."""
    frames: list[dict[str, Any]] = []
    while not frames or frames[-1].get("kind") != kind:
        frames.append(await socket.receive_json_from(timeout=seconds))
    return frames + await drain(socket)


def _of(frames: list[dict[str, Any]], kind: str) -> list[dict[str, Any]]:
    return [f for f in frames if f.get("kind") == kind]


def test_a_mention_reaches_only_the_mentioned_agent_as_their_page_shows_it(
    world: World, post_inbound: Callable[..., Message]
) -> None:
    agent_preferences_set(
        actor=SYSTEM, agent=world.insurer_agent, ui_language="ja", notify_desktop=False
    )
    conversation = post_inbound(world.insurer_api, text="請問").conversation
    admin = Actor.agent(world.admin.pk, world.admin.display_name)
    frames: dict[str, list[dict[str, Any]]] = {}
    cookies = {
        "mei": session_cookie(world.insurer_agent),
        "bank": session_cookie(world.bank_agent),
    }

    async def scenario() -> None:
        mei = communicator(application, cookies["mei"])
        bank = communicator(application, cookies["bank"])
        for socket in (mei, bank):
            assert (await socket.connect())[0]
            await drain(socket)

        def mention() -> None:
            note_add(
                actor=admin,
                conversation=Conversation.objects.get(pk=conversation.pk),
                author_id=world.admin.pk,
                text="@mei 請處理",
                mention_ids=(world.insurer_agent.pk,),
            )

        await database_sync_to_async(mention)()
        frames["mei"] = await _until(mei, "notification")
        frames["bank"] = await drain(bank)
        for socket in (mei, bank):
            await socket.disconnect()

    async_to_sync(scenario)()
    notification = Notification.objects.get()
    [pushed] = _of(frames["mei"], "notification")
    assert pushed["element_id"] == f"notification-{notification.pk}"
    assert pushed["notify"] == {
        "id": notification.pk,
        "kind": NotificationKind.MENTION,
        "title": pushed["notify"]["title"],
        "body": conversation.subject,
        "url": f"/conversations/{conversation.pk}",
        "desktop": False,
        "sound": True,
    }
    # The notifications page (which does not read them) shows the same partial and header.
    page = _page(world.insurer_agent, "/notifications")
    assert _CSRF.sub("", squeezed(pushed["html"])) in page
    [status] = _of(frames["mei"], "status")
    assert squeezed(status["html"]) in page
    assert 'class="badge">1<' in status["html"]
    assert frames["bank"] == []


def test_a_customer_message_updates_the_owners_row_and_header_live(
    world: World, post_inbound: Callable[..., Message]
) -> None:
    conversation = post_inbound(world.insurer_api, text="第一則").conversation
    Conversation.objects.filter(pk=conversation.pk).update(assignee=world.insurer_agent)
    frames: list[dict[str, Any]] = []
    cookie = session_cookie(world.insurer_agent)

    async def scenario() -> None:
        mei = communicator(application, cookie)
        assert (await mei.connect())[0]
        await drain(mei, timeout=1.5)
        await database_sync_to_async(post_inbound)(
            world.insurer_api, text="第二則", conversation_id=conversation.pk
        )
        frames.extend(await _until(mei, "notification"))
        await mei.disconnect()

    async_to_sync(scenario)()
    [row] = _of(frames, "row")
    assert 'class="unread-count"' in row["html"] and ">2<" in row["html"]
    status = _of(frames, "status")[-1]
    inbox = _page(world.insurer_agent, "/?view=mine")
    assert squeezed(row["html"]) in inbox
    assert squeezed(status["html"]) in inbox
    assert "2 unread" in status["html"]
    # The owner was told the customer replied.
    assert [n["notify"]["kind"] for n in _of(frames, "notification")] == ["customer_replied"]


def test_a_new_chat_is_offered_to_the_connected_agent_and_announced(world: World) -> None:
    frames: list[dict[str, Any]] = []
    cookie = session_cookie(world.insurer_agent)
    made: list[int] = []

    async def scenario() -> None:
        mei = communicator(application, cookie)
        assert (await mei.connect())[0]
        await drain(mei, timeout=1.5)
        assert await database_sync_to_async(
            AgentPresence.objects.filter(agent=world.insurer_agent).exists
        )()

        def new_chat() -> None:
            customer = Customer.objects.create(organisation=world.organisation, name="訪客")
            made.append(
                conversation_create(
                    actor=SYSTEM, brand_id=world.insurer.pk, customer=customer, channel_kind="chat"
                ).pk
            )

        await database_sync_to_async(new_chat)()
        frames.extend(await _until(mei, "notification"))
        await mei.disconnect()
        assert not await database_sync_to_async(AgentPresence.objects.exists)()

    async_to_sync(scenario)()
    assert Conversation.objects.get(pk=made[0]).assignee_id == world.insurer_agent.pk
    [pushed] = _of(frames, "notification")
    assert pushed["notify"]["kind"] == "chat_assigned" and pushed["notify"]["sound"] is True
    assert "Chats 1/3" in _of(frames, "status")[-1]["html"]
