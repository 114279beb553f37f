"""The agents' socket against config.asgi.application with the in-memory channel layer.

Transactional database: domain events are dispatched on commit. The async scenarios run
under async_to_sync; the ORM is reached through database_sync_to_async.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from asgiref.sync import async_to_sync
from channels.db import database_sync_to_async

from lagniappe.config.asgi import application
from lagniappe.conversations.models import Conversation, Message
from lagniappe.conversations.services import message_send, note_add
from lagniappe.conversations.states import Status
from lagniappe.conversations.updates import ConversationChanges, conversation_update
from lagniappe.core.actors import SYSTEM, Actor
from lagniappe.staff.services import agent_preferences_set
from tests.conftest import World
from tests.realtime.conftest import (
    communicator,
    drain,
    page_squeezed,
    session_cookie,
    squeezed,
)

pytestmark = pytest.mark.django_db(transaction=True)


def _of(frames: list[dict[str, Any]], kind: str) -> list[dict[str, Any]]:
    return [f for f in frames if f.get("kind") == kind]


def test_every_event_pushes_each_agent_the_page_partial_in_their_language(
    world: World, post_inbound: Callable[..., Message], run_tasks: Callable[[], int]
) -> None:
    """Mei reads Japanese in Tokyo, the administrator English in UTC: every pushed fragment
    (message, note, row, delivery badge) equals that agent's own page at that moment, and the
    bank's agent, connected throughout, hears nothing."""
    agent_preferences_set(
        actor=SYSTEM, agent=world.insurer_agent, ui_language="ja", time_zone="Asia/Tokyo"
    )
    agent_preferences_set(actor=SYSTEM, agent=world.admin, ui_language="en", time_zone="UTC")
    first = post_inbound(world.insurer_api, text="第一則訊息")
    conversation = first.conversation
    agents = {"ja": world.insurer_agent, "en": world.admin}
    cookies = {lang: session_cookie(agent) for lang, agent in agents.items()}
    bank_cookie = session_cookie(world.bank_agent)
    admin_actor = Actor.agent(world.admin.pk, world.admin.display_name)
    # step -> language -> (frames, conversation page, inbox page), pages fetched right after.
    seen: dict[str, dict[str, tuple[list[dict[str, Any]], str, str]]] = {}

    def pages(lang: str, view: str) -> tuple[str, str]:
        agent = agents[lang]
        return (
            page_squeezed(agent, f"/conversations/{conversation.pk}"),
            page_squeezed(agent, f"/?view={view}"),
        )

    async def scenario() -> None:
        sockets = {lang: communicator(application, cookie) for lang, cookie in cookies.items()}
        bank_socket = communicator(application, bank_cookie)
        for socket in (*sockets.values(), bank_socket):
            assert (await socket.connect())[0]
        for socket in sockets.values():
            await socket.send_json_to({"type": "subscribe", "conversation_id": conversation.pk})
        for socket in (*sockets.values(), bank_socket):
            await drain(socket)

        async def step(name: str, view: str) -> None:
            seen[name] = {}
            for lang, socket in sockets.items():
                frames = await drain(socket)
                page, inbox = await database_sync_to_async(pages)(lang, view)
                seen[name][lang] = (frames, page, inbox)

        await database_sync_to_async(post_inbound)(
            world.insurer_api, text="還在等回覆", conversation_id=conversation.pk
        )
        await step("inbound", "open")

        def reply() -> None:
            fresh = Conversation.objects.get(pk=conversation.pk)
            message_send(
                actor=admin_actor, conversation=fresh, author_id=world.admin.pk, text="馬上處理"
            )

        await database_sync_to_async(reply)()
        await step("reply", "open")
        await database_sync_to_async(run_tasks)()  # the worker delivers it: a delivery report
        await step("delivery", "open")

        def note() -> None:
            fresh = Conversation.objects.get(pk=conversation.pk)
            note_add(
                actor=admin_actor,
                conversation=fresh,
                author_id=world.admin.pk,
                text="請查保單",
                mention_ids=(world.insurer_agent.pk,),
            )

        await database_sync_to_async(note)()
        await step("note", "open")

        def update() -> None:
            fresh = Conversation.objects.get(pk=conversation.pk)
            conversation_update(
                actor=admin_actor,
                conversation=fresh,
                changes=ConversationChanges(status=Status.PENDING),
            )

        await database_sync_to_async(update)()
        await step("update", "pending")

        assert await drain(bank_socket, timeout=0.2) == []
        for socket in (*sockets.values(), bank_socket):
            await socket.disconnect()

    async_to_sync(scenario)()

    expected = {
        "inbound": {"message", "controls", "row"},
        "reply": {"message", "controls", "row"},
        "delivery": {"message"},
        "note": {"note", "controls"},
        "update": {"controls", "row"},
    }
    kinds_seen: set[str] = set()
    for name, by_language in seen.items():
        htmls: dict[str, list[str]] = {}
        for lang, (frames, page, inbox) in by_language.items():
            # The header's counts and the note's mention notification have their own tests
            # (tests/realtime/test_notifications.py): opening the page reads them.
            pushed = [f for f in frames if f["kind"] not in ("board", "status", "notification")]
            assert {f["kind"] for f in pushed} == expected[name], (name, lang, pushed)
            other = "en" if lang == "ja" else "ja"
            for fragment in pushed:
                assert fragment["conversation_id"] == conversation.pk
                if not fragment["html"]:
                    continue
                kinds_seen.add(fragment["kind"])
                html = squeezed(fragment["html"])
                assert f'id="{fragment["element_id"]}"' in html
                assert html in (inbox if fragment["kind"] == "row" else page), (name, lang)
                # Rendered for this agent: the other agent's page shows it otherwise.
                _, other_page, other_inbox = by_language[other]
                assert html not in (other_inbox if fragment["kind"] == "row" else other_page)
                htmls.setdefault(lang, []).append(html)
        assert htmls["ja"] != htmls["en"], name
    assert kinds_seen == {"message", "note", "row"}
    delivered = seen["delivery"]["en"][0][0]
    assert delivered["element_id"] == _of(seen["reply"]["en"][0], "message")[0]["element_id"]


def test_anonymous_socket_is_closed(world: World) -> None:
    async def scenario() -> None:
        socket = communicator(application, None)
        connected, code = await socket.connect()
        assert not connected and code == 4401

    async_to_sync(scenario)()


def test_subscribing_to_another_brands_conversation_is_refused(
    world: World, post_inbound: Callable[..., Message]
) -> None:
    theirs = post_inbound(world.insurer_api, text="機密").conversation_id
    bank = session_cookie(world.bank_agent)

    async def scenario() -> None:
        socket = communicator(application, bank)
        assert (await socket.connect())[0]
        await socket.send_json_to({"type": "subscribe", "conversation_id": theirs})
        assert await socket.receive_json_from() == {"kind": "refused", "conversation_id": theirs}
        # And nothing of that conversation reaches it afterwards.
        await database_sync_to_async(post_inbound)(
            world.insurer_api, text="又一則", conversation_id=theirs
        )
        assert await drain(socket, timeout=0.3) == []
        await socket.disconnect()

    async_to_sync(scenario)()


def test_two_agents_on_one_conversation_see_each_other_view_and_type(
    world: World, post_inbound: Callable[..., Message]
) -> None:
    conversation_id = post_inbound(world.insurer_api, text="你好").conversation_id
    mei, admin = session_cookie(world.insurer_agent), session_cookie(world.admin)

    async def scenario() -> None:
        first = communicator(application, mei)
        assert (await first.connect())[0]
        await first.send_json_to({"type": "subscribe", "conversation_id": conversation_id})
        assert await drain(first) == []  # alone: no banner

        second = communicator(application, admin)
        assert (await second.connect())[0]
        await second.send_json_to({"type": "subscribe", "conversation_id": conversation_id})
        seen_by_first = _of(await drain(first), "presence")
        seen_by_second = _of(await drain(second), "presence")
        assert world.admin.display_name in seen_by_first[-1]["html"]
        assert "is viewing" in seen_by_first[-1]["html"]
        assert world.insurer_agent.display_name in seen_by_second[-1]["html"]

        await second.send_json_to({"type": "typing"})
        typing = _of(await drain(first), "presence")[-1]["html"]
        assert "is typing" in typing and world.admin.display_name in typing

        await second.disconnect()
        gone = _of(await drain(first), "presence")[-1]["html"]
        assert world.admin.display_name not in gone
        await first.disconnect()

    async_to_sync(scenario)()
