"""Bounces (RFC 3464 DSN) fail the delivery they name and never become customer mail."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from lagniappe.channels import events, inbound
from lagniappe.channels.models import DeliveryStatus, EnvelopeStatus, OutboundDelivery
from lagniappe.conversations.models import Conversation, Message
from lagniappe.conversations.services import message_send
from lagniappe.core import events as bus
from lagniappe.core.actors import SYSTEM

from .conftest import eml
from .smtp_capture import smtp_capture


@pytest.fixture
def failures() -> Iterator[list[events.MessageFailed]]:
    seen: list[events.MessageFailed] = []
    bus.subscribe(events.MessageFailed, seen.append)
    yield seen
    bus._handlers[events.MessageFailed].remove(seen.append)


def _sent_reply(world, mailbox, run_tasks) -> OutboundDelivery:
    inbound.accept(endpoint=mailbox, raw=eml("zh_hans_gb2312_new.eml"))
    run_tasks()
    customer_mail = Message.objects.get()
    with smtp_capture() as (capture, port):
        mailbox.settings = {
            **mailbox.settings,
            "smtp": {"host": "127.0.0.1", "port": port, "username": "", "password": ""},
        }
        mailbox.save(update_fields=["settings"])
        reply = message_send(
            actor=SYSTEM,
            conversation=customer_mail.conversation,
            author_id=world.insurer_agent.pk,
            text="您好，已收到。",
        )
        run_tasks()
    assert len(capture.received) == 1
    delivery = OutboundDelivery.objects.get(message=reply)
    assert delivery.status == DeliveryStatus.SENT and delivery.external_id.startswith("<")
    return delivery


def test_bounce_fails_the_delivery_it_names(
    world, mailbox, run_tasks, failures, django_capture_on_commit_callbacks
):
    delivery = _sent_reply(world, mailbox, run_tasks)
    messages, conversations = Message.objects.count(), Conversation.objects.count()
    raw = eml("dsn_postfix_user_unknown.eml").replace(
        b"{MESSAGE_ID}", delivery.external_id.encode("ascii")
    )
    with django_capture_on_commit_callbacks(execute=True):
        envelope, received = inbound.accept_and_process(endpoint=mailbox, raw=raw)
    assert received == []
    assert envelope.status == EnvelopeStatus.PROCESSED and envelope.error == ""
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.FAILED
    assert "5.1.1" in delivery.last_error
    assert "User unknown in virtual mailbox table" in delivery.last_error
    assert (Message.objects.count(), Conversation.objects.count()) == (messages, conversations)
    assert [(f.delivery_id, f.message_id) for f in failures] == [(delivery.pk, delivery.message_id)]
    # The same bounce again (a second copy, a replay) changes nothing and says nothing new.
    with django_capture_on_commit_callbacks(execute=True):
        inbound.accept_and_process(endpoint=mailbox, raw=raw)
    assert len(failures) == 1
    assert Message.objects.count() == messages


def test_bounce_for_a_message_we_never_sent_is_only_noted(
    world, mailbox, failures, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        envelope, received = inbound.accept_and_process(
            endpoint=mailbox, raw=eml("dsn_unknown_message.eml")
        )
    assert received == []
    assert envelope.status == EnvelopeStatus.PROCESSED
    assert "<never-sent-by-us@insurer.test>" in envelope.error
    assert envelope.message_ids == []
    assert not Message.objects.exists() and not Conversation.objects.exists()
    assert failures == []
