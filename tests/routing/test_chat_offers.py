"""New chats offered to online agents with free capacity, through the real services and the
event wiring (handlers run on commit)."""

from __future__ import annotations

from datetime import timedelta
from itertools import count

import pytest

from lagniappe.conversations.changes import conversation_set_status
from lagniappe.conversations.models import Conversation
from lagniappe.conversations.services import conversation_create
from lagniappe.conversations.states import Status
from lagniappe.core.actors import SYSTEM
from lagniappe.core.models import AuditEvent
from lagniappe.customers.models import Customer
from lagniappe.staff.models import AgentPresence, Notification, NotificationKind
from lagniappe.staff.presence import presence_connect, presence_disconnect
from lagniappe.staff.services import agent_create
from tests.conftest import World

_sockets = count(1)


@pytest.fixture
def new_chat(world: World, django_capture_on_commit_callbacks):  # type: ignore[no-untyped-def]
    def make(brand=None, language: str = "") -> Conversation:  # type: ignore[no-untyped-def]
        brand = brand or world.insurer
        customer = Customer.objects.create(organisation=world.organisation, name="訪客")
        with django_capture_on_commit_callbacks(execute=True):
            conversation = conversation_create(
                actor=SYSTEM,
                brand_id=brand.pk,
                customer=customer,
                channel_kind="chat",
                language=language,
            )
        conversation.refresh_from_db()
        return conversation

    return make


def online(agent) -> str:  # type: ignore[no-untyped-def]
    name = f"test.socket!{next(_sockets)}"
    presence_connect(agent_id=agent.pk, channel_name=name)
    return name


def colleague(world: World, email: str, *languages: str):  # type: ignore[no-untyped-def]
    return agent_create(
        actor=SYSTEM,
        organisation=world.organisation,
        email=email,
        display_name=email.split("@")[0],
        brands=[world.insurer],
        languages=[(code, "fluent") for code in languages],
    )


def test_a_new_chat_goes_to_the_online_agent_and_tells_them(world: World, new_chat) -> None:  # type: ignore[no-untyped-def]
    online(world.insurer_agent)
    chat = new_chat()
    assert chat.assignee_id == world.insurer_agent.pk
    notification = Notification.objects.get(recipient=world.insurer_agent)
    assert (notification.kind, notification.conversation_id) == (
        NotificationKind.CHAT_ASSIGNED,
        chat.pk,
    )
    offer = AuditEvent.objects.get(action="conversation.offer", object_id=str(chat.pk))
    assert offer.after == {"agent": world.insurer_agent.pk, "reason": "0/3 chats"}


def test_an_agent_at_capacity_is_not_offered_and_the_chat_waits(  # type: ignore[no-untyped-def]
    world: World, new_chat, django_capture_on_commit_callbacks
) -> None:
    world.insurer_agent.chat_capacity = 2
    world.insurer_agent.save()
    online(world.insurer_agent)
    first, second = new_chat(), new_chat()
    assert first.assignee_id == second.assignee_id == world.insurer_agent.pk
    third = new_chat()
    assert third.assignee_id is None
    miss = AuditEvent.objects.get(action="conversation.offer", object_id=str(third.pk))
    assert miss.after["agent"] is None
    # Resolving one frees a place: the waiting chat is offered at once.
    with django_capture_on_commit_callbacks(execute=True):
        conversation_set_status(actor=SYSTEM, conversation=first, status=Status.RESOLVED)
    third.refresh_from_db()
    assert third.assignee_id == world.insurer_agent.pk


def test_most_free_capacity_then_language(world: World, new_chat) -> None:  # type: ignore[no-untyped-def]
    busy = colleague(world, "busy@insurer.test", "ja")
    online(world.insurer_agent)  # speaks zh-Hant, 0/3
    online(busy)
    busy.chat_capacity = 5
    busy.save()
    # busy has 5 free places, Mei 3: busy first.
    assert new_chat().assignee_id == busy.pk
    # A Chinese chat goes to the Chinese speaker though she has fewer free places.
    assert new_chat(language="zh-Hant").assignee_id == world.insurer_agent.pk


def test_offline_stale_and_other_brand_agents_are_never_offered(world: World, new_chat) -> None:  # type: ignore[no-untyped-def]
    socket = online(world.insurer_agent)
    presence_disconnect(channel_name=socket)
    online(world.bank_agent)  # online, but serves the bank only
    assert new_chat().assignee_id is None
    stale = online(world.insurer_agent)
    AgentPresence.objects.filter(channel_name=stale).update(
        seen_at=AgentPresence.objects.get(channel_name=stale).seen_at - timedelta(minutes=10)
    )
    assert new_chat().assignee_id is None
    # A bank chat goes to the bank's agent.
    assert new_chat(brand=world.bank).assignee_id == world.bank_agent.pk


def test_an_email_conversation_is_not_offered(
    world: World, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    online(world.insurer_agent)
    customer = Customer.objects.create(organisation=world.organisation, name="x")
    with django_capture_on_commit_callbacks(execute=True):
        conversation = conversation_create(
            actor=SYSTEM, brand_id=world.insurer.pk, customer=customer, channel_kind="email"
        )
    conversation.refresh_from_db()
    assert conversation.assignee_id is None
    assert not AuditEvent.objects.filter(action="conversation.offer").exists()
