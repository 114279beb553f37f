"""The visitor's socket against config.asgi.application with the in-memory channel layer.

Transactional database (acks follow commits, deliveries run on commit); async scenarios run
under async_to_sync, the ORM through database_sync_to_async.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable

import pytest
from asgiref.sync import async_to_sync
from channels.db import database_sync_to_async
from django.test import Client

from lagniappe.channels.chat.tokens import visitor_token_issue
from lagniappe.channels.models import Endpoint, EnvelopeStatus, InboundEnvelope
from lagniappe.channels.services import endpoint_create
from lagniappe.config.asgi import application
from lagniappe.config.ws_routing import websocket_application
from lagniappe.conversations.models import Conversation, Message
from lagniappe.conversations.services import message_send
from lagniappe.core.actors import SYSTEM, Actor
from lagniappe.customers.models import Identity
from tests.channels.chat.conftest import session_token, visitor_socket
from tests.conftest import World

pytestmark = pytest.mark.django_db(transaction=True)


def _reply(world: World, conversation_id: int, text: str) -> int:
    """An agent's reply through the composer's service."""
    conversation = Conversation.objects.get(pk=conversation_id)
    message = message_send(
        actor=Actor.agent(world.insurer_agent.pk, world.insurer_agent.display_name),
        conversation=conversation,
        author_id=world.insurer_agent.pk,
        text=text,
    )
    return message.pk


def test_message_is_acked_after_commit_and_a_resend_is_one_message(
    world: World, chat: Endpoint
) -> None:
    token = session_token(chat.public_key)
    user_hash = hmac.new(b"host-secret", b"crm-77", hashlib.sha256).hexdigest()

    async def scenario() -> None:
        socket = visitor_socket(
            application, chat.public_key, token, extra=f"&user_id=crm-77&user_hash={user_hash}"
        )
        assert (await socket.connect())[0]
        frame = {"type": "message", "client_id": "c-1", "text": "我想改保單地址"}
        await socket.send_json(frame)
        ack = await socket.until("ack")
        # The ack names a committed message (the test reads it from another connection).
        message = await database_sync_to_async(Message.objects.get)(pk=ack["seq"])
        assert ack["client_id"] == "c-1"
        assert message.text == "我想改保單地址"
        echo = await socket.until("message")  # the visitor's other tabs see it too
        assert echo["from"] == "visitor" and echo["client_id"] == "c-1"
        # Reconnected before the ack arrived: the widget resends with the same client id.
        await socket.send_json(frame)
        assert (await socket.until("ack"))["seq"] == ack["seq"]
        await socket.send_json({"type": "message", "client_id": "c-2", "text": "謝謝"})
        second = await socket.until("ack")
        await socket.disconnect()

        def check() -> None:
            assert Message.objects.filter(endpoint=chat).count() == 2
            first = Message.objects.get(pk=ack["seq"])
            assert Message.objects.get(pk=second["seq"]).conversation_id == first.conversation_id
            conversation = first.conversation
            assert conversation.channel_kind == "chat"
            assert conversation.brand_id == world.insurer.pk
            kinds = set(
                Identity.objects.filter(customer=conversation.customer).values_list("kind", "value")
            )
            assert ("external_id", "crm-77") in kinds
            assert any(kind == "chat_visitor" for kind, _ in kinds)
            envelopes = InboundEnvelope.objects.filter(endpoint=chat)
            assert envelopes.count() == 3  # every frame stored, even the resend
            assert set(envelopes.values_list("status", flat=True)) == {EnvelopeStatus.PROCESSED}

        await database_sync_to_async(check)()

    async_to_sync(scenario)()


def test_unsigned_host_identity_is_ignored(world: World, chat: Endpoint) -> None:
    token = session_token(chat.public_key)

    async def scenario() -> None:
        socket = visitor_socket(
            application, chat.public_key, token, extra="&user_id=crm-77&user_hash=00ff"
        )
        assert (await socket.connect())[0]
        await socket.send_json({"type": "message", "client_id": "c-1", "text": "hi"})
        ack = await socket.until("ack")
        await socket.disconnect()
        message = await database_sync_to_async(Message.objects.select_related("conversation").get)(
            pk=ack["seq"]
        )
        kinds = await database_sync_to_async(
            lambda: set(
                Identity.objects.filter(customer_id=message.conversation.customer_id).values_list(
                    "kind", flat=True
                )
            )
        )()
        assert kinds == {"chat_visitor"}

    async_to_sync(scenario)()


def test_agent_reply_reaches_the_socket_and_a_missed_one_comes_on_resume(
    world: World, chat: Endpoint, run_tasks: Callable[[], int]
) -> None:
    token = session_token(chat.public_key)

    async def scenario() -> None:
        socket = visitor_socket(application, chat.public_key, token)
        assert (await socket.connect())[0]
        await socket.send_json({"type": "message", "client_id": "c-1", "text": "在嗎?"})
        ack = await socket.until("ack")
        await socket.drain()
        conversation_id = (
            await database_sync_to_async(Message.objects.get)(pk=ack["seq"])
        ).conversation_id
        first = await database_sync_to_async(_reply)(world, conversation_id, "您好,請說")
        assert await socket.drain() == []  # nothing before the delivery task runs
        await database_sync_to_async(run_tasks)()
        pushed = await socket.until("message")
        assert pushed["from"] == "agent"
        assert pushed["seq"] == first and pushed["text"] == "您好,請說"
        await socket.disconnect()

        # While the visitor is away (socket dropped) the agent answers again.
        missed = await database_sync_to_async(_reply)(world, conversation_id, "還在嗎?")
        await database_sync_to_async(run_tasks)()

        again = visitor_socket(application, chat.public_key, token)
        assert (await again.connect())[0]
        await again.send_json({"type": "resume", "last_seq": first})
        got = await again.receive_json()
        assert got["type"] == "message" and got["seq"] == missed and got["text"] == "還在嗎?"
        assert await again.receive_json() == {"type": "resumed", "last_seq": missed}
        # A fresh page (last_seq 0) gets the whole conversation, its own messages with ids.
        await again.send_json({"type": "resume", "last_seq": 0})
        history = [await again.receive_json() for _ in range(4)]
        assert [(f["from"], f.get("client_id")) for f in history[:3]] == [
            ("visitor", "c-1"),
            ("agent", None),
            ("agent", None),
        ]
        assert history[3]["type"] == "resumed"
        await again.disconnect()

    async_to_sync(scenario)()


def test_tampered_guessed_and_foreign_tokens_are_refused(world: World, chat: Endpoint) -> None:
    token = session_token(chat.public_key)
    visitor, signature = token.split(".")
    other = endpoint_create(actor=SYSTEM, brand=world.insurer, kind="chat", name="Other site")
    _, foreign = visitor_token_issue(other.public_key)
    forged = [
        f"{visitor}.{signature[:-1]}{'0' if signature[-1] != '0' else '1'}",  # tampered
        f"{visitor[:-1]}{'A' if visitor[-1] != 'A' else 'B'}.{signature}",  # another id
        "A" * 24 + "." + "0" * 64,  # guessed
        visitor,  # unsigned
        foreign,  # another widget's visitor
        "",
    ]

    async def scenario() -> None:
        for bad in forged:
            socket = visitor_socket(application, chat.public_key, bad)
            assert await socket.connect() == (False, 4401), bad
        unknown = visitor_socket(application, "no-such-widget", token)
        assert await unknown.connect() == (False, 4404)

    async_to_sync(scenario)()
    # The session view replaces a forged token instead of blessing it.
    assert session_token(chat.public_key, forged[0]) != forged[0]
    assert session_token(chat.public_key, token) == token


def test_another_visitors_conversation_is_unreachable(
    world: World, chat: Endpoint, run_tasks: Callable[[], int]
) -> None:
    alice, bob = session_token(chat.public_key), session_token(chat.public_key)

    async def scenario() -> None:
        a = visitor_socket(application, chat.public_key, alice)
        b = visitor_socket(application, chat.public_key, bob)
        assert (await a.connect())[0] and (await b.connect())[0]
        await a.send_json({"type": "message", "client_id": "same-id", "text": "我的保單號碼"})
        ack = await a.until("ack")
        await a.drain()
        # Bob reuses Alice's client id and asks for everything: he gets his own, nothing else.
        await b.send_json({"type": "resume", "last_seq": 0})
        assert await b.receive_json() == {"type": "resumed", "last_seq": 0}
        await b.send_json({"type": "message", "client_id": "same-id", "text": "hello"})
        bobs = await b.until("ack")
        assert bobs["seq"] != ack["seq"]
        await b.drain()
        conversation_id = (
            await database_sync_to_async(Message.objects.get)(pk=ack["seq"])
        ).conversation_id
        await database_sync_to_async(_reply)(world, conversation_id, "陳小姐您好")
        await database_sync_to_async(run_tasks)()
        assert (await a.until("message"))["text"] == "陳小姐您好"
        assert await b.drain() == []
        await b.send_json({"type": "resume", "last_seq": 0})
        frames = await b.drain()
        assert [f.get("text") for f in frames if f["type"] == "message"] == ["hello"]
        await a.disconnect()
        await b.disconnect()

    async_to_sync(scenario)()


def test_malformed_frames_get_an_error_and_the_socket_stays_usable(
    world: World, chat: Endpoint
) -> None:
    token = session_token(chat.public_key)

    async def scenario() -> None:
        socket = visitor_socket(application, chat.public_key, token)
        assert (await socket.connect())[0]
        cases = [
            ("not json", "malformed"),
            ("[1, 2]", "unknown_type"),
            ('{"type": "shout"}', "unknown_type"),
            ('{"type": "message", "text": "no id"}', "invalid_message"),
            ('{"type": "message", "client_id": "x", "text": ""}', "invalid_message"),
            ('{"type": "message", "client_id": "x", "text": "' + "字" * 4001 + '"}', "too_long"),
            ('{"type": "message", "client_id": "x", "text": "' + "a" * 20000 + '"}', "too_large"),
            ('{"type": "resume", "last_seq": "1"}', "invalid_resume"),
        ]
        for text, code in cases:
            await socket.send_text(text)
            frame = await socket.receive_json()
            assert frame["type"] == "error" and frame["code"] == code, (text[:40], frame)
        await socket.send_json({"type": "message", "client_id": "ok", "text": "still here"})
        assert (await socket.until("ack"))["client_id"] == "ok"
        await socket.disconnect()
        # Refused frames were never stored: nothing for an administrator to wade through.
        assert await database_sync_to_async(InboundEnvelope.objects.count)() == 1

    async_to_sync(scenario)()


def test_origin_allow_list(world: World, chat: Endpoint) -> None:
    chat.settings = {"allowed_origins": ["https://shop.example"]}
    chat.save(update_fields=["settings"])
    token = session_token(chat.public_key, origin="https://shop.example")
    refused = Client().post(f"/chat/{chat.public_key}/session", headers={"origin": "http://evil"})
    assert refused.status_code == 403
    # The project's real websocket application: widget sockets skip the host check for
    # agents' sockets, and meet the widget's own allow-list instead.
    routes = websocket_application

    async def scenario() -> None:
        for origin in ("http://testserver", "https://evil.example", ""):
            socket = visitor_socket(routes, chat.public_key, token, origin=origin)
            assert await socket.connect() == (False, 4403), origin
        allowed = visitor_socket(routes, chat.public_key, token, origin="https://shop.example")
        assert (await allowed.connect())[0]
        await allowed.disconnect()

    async_to_sync(scenario)()


def test_widget_script_is_served_with_cache_headers(db: None) -> None:
    response = Client().get("/widget.js")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/javascript")
    assert "max-age" in response["Cache-Control"]
    body = response.content.decode()
    assert "data-endpoint" in body and "zh-Hant" in body and "aria-label" in body
    again = Client().get("/widget.js", headers={"if-none-match": response["ETag"]})
    assert again.status_code == 304
