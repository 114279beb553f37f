"""Nobody online and an email given: the visitor's message becomes an EMAIL conversation on
the brand's mailbox (through the email endpoint's inbound funnel), and the agent's reply goes
to the visitor by SMTP."""

from __future__ import annotations

import email
import json
from collections.abc import Callable
from email import policy

import pytest
from asgiref.sync import async_to_sync
from django.test import Client

from lagniappe.channels.chat.limits import limits_reset
from lagniappe.channels.models import Endpoint, InboundEnvelope, OutboundDelivery
from lagniappe.channels.services import endpoint_create
from lagniappe.config.asgi import application
from lagniappe.conversations.models import Message
from lagniappe.conversations.services import message_send
from lagniappe.core.actors import SYSTEM
from tests.channels.chat.conftest import session_token, visitor_socket
from tests.channels.email.smtp_capture import smtp_capture
from tests.conftest import World

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def fresh_limits() -> None:
    limits_reset()


@pytest.fixture
def mailbox(world: World) -> Endpoint:
    return endpoint_create(
        actor=SYSTEM,
        brand=world.insurer,
        kind="email",
        name="Support",
        settings={"address": "support@insurer.test"},
    )


def _offline_message(chat: Endpoint, token: str, client_id: str, text: str) -> int:
    async def scenario() -> int:
        socket = visitor_socket(
            application, chat.public_key, token, extra="&page=https%3A%2F%2Fshop.test%2Fplans"
        )
        assert (await socket.connect())[0]
        assert socket.status == {"type": "status", "online": False}
        await socket.send_json({"type": "message", "client_id": client_id, "text": text})
        ack = await socket.until("ack")
        await socket.disconnect()
        return int(ack["seq"])

    return async_to_sync(scenario)()


def test_offline_message_becomes_an_email_conversation_answered_by_mail(
    world: World, chat: Endpoint, mailbox: Endpoint, run_tasks: Callable[[], int]
) -> None:
    token = session_token(chat.public_key)
    Client().post(
        f"/chat/{chat.public_key}/session",
        data=json.dumps({"token": token, "name": "陳美玲", "email": "mei@example.tw"}),
        content_type="text/plain",
        headers={"origin": "http://testserver"},
    )
    seq = _offline_message(chat, token, "o-1", "請寄信告訴我理賠進度")
    message = Message.objects.select_related("conversation").get(pk=seq)
    conversation = message.conversation
    assert conversation.channel_kind == "email" and conversation.endpoint_id == mailbox.pk
    assert message.text.startswith("請寄信告訴我理賠進度")
    assert "https://shop.test/plans" in message.text
    assert conversation.customer.name == "陳美玲"
    # Stored first, as mail, on the mailbox's funnel.
    envelope = InboundEnvelope.objects.get(endpoint=mailbox, message_ids=[seq])
    assert envelope.content_type == "message/rfc822"
    # A resend with the same client id (lost ack): the same message.
    assert _offline_message(chat, token, "o-1", "請寄信告訴我理賠進度") == seq
    assert Message.objects.filter(conversation=conversation, direction="in").count() == 1

    with smtp_capture() as (capture, port):
        mailbox.settings = {
            **mailbox.settings,
            "smtp": {"host": "127.0.0.1", "port": port, "username": "", "password": ""},
        }
        mailbox.save(update_fields=["settings"])
        run_tasks()  # the brand's acknowledgement, if any
        capture.received.clear()
        reply = message_send(
            actor=SYSTEM,
            conversation=conversation,
            author_id=world.insurer_agent.pk,
            text="您好,理賠已受理。",
        )
        run_tasks()
    assert OutboundDelivery.objects.get(message=reply).kind == "email"
    [sent] = capture.received
    assert sent.rcpt_tos == ["mei@example.tw"]
    mail = email.message_from_bytes(sent.original_content, policy=policy.default)
    assert "您好,理賠已受理。" in mail.get_body(("plain",)).get_content()


def test_offline_without_a_mailbox_stays_a_tagged_chat(world: World, chat: Endpoint) -> None:
    token = session_token(chat.public_key)
    Client().post(
        f"/chat/{chat.public_key}/session",
        data=json.dumps({"token": token, "email": "mei@example.tw"}),
        content_type="text/plain",
        headers={"origin": "http://testserver"},
    )
    seq = _offline_message(chat, token, "o-1", "hello?")
    conversation = Message.objects.get(pk=seq).conversation
    assert conversation.channel_kind == "chat"
    assert set(conversation.tags.values_list("name", flat=True)) == {"offline"}
