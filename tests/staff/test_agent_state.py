"""Per-agent state written by staff services: capacity, notifications, read marks, presence."""

from __future__ import annotations

import pytest

from lagniappe.conversations.models import Conversation
from lagniappe.core.actors import SYSTEM
from lagniappe.core.errors import InvalidInput, PermissionDenied
from lagniappe.core.models import AuditEvent
from lagniappe.customers.models import Customer
from lagniappe.staff.models import ConversationSeen, Notification, NotificationKind, Role
from lagniappe.staff.notifications import (
    conversation_seen_mark,
    notification_create,
    notification_mark_all_read,
    notification_mark_read,
)
from lagniappe.staff.presence import agent_ids_online, presence_connect, presence_disconnect
from lagniappe.staff.selectors import notification_list_for_agent, notification_unread_count
from lagniappe.staff.services import agent_capacity_set, agent_create, agent_preferences_set
from tests.conftest import World


@pytest.fixture
def conversation(world: World) -> Conversation:
    customer = Customer.objects.create(organisation=world.organisation, name="陳")
    return Conversation.objects.create(brand=world.insurer, customer=customer, channel_kind="chat")


def test_capacity_is_set_by_a_supervisor_or_an_administrator_only(world: World) -> None:
    supervisor = agent_create(
        actor=SYSTEM,
        organisation=world.organisation,
        email="boss@insurer.test",
        display_name="Boss",
        role=Role.SUPERVISOR,
        brands=[world.insurer],
    )
    agent_capacity_set(actor=SYSTEM, by=supervisor, agent=world.insurer_agent, chat_capacity=5)
    agent_capacity_set(actor=SYSTEM, by=world.admin, agent=world.insurer_agent, chat_capacity=4)
    world.insurer_agent.refresh_from_db()
    assert world.insurer_agent.chat_capacity == 4
    assert AuditEvent.objects.filter(action="agent.capacity_set").count() == 2
    with pytest.raises(PermissionDenied):
        agent_capacity_set(
            actor=SYSTEM, by=world.bank_agent, agent=world.insurer_agent, chat_capacity=9
        )
    with pytest.raises(InvalidInput):
        agent_capacity_set(
            actor=SYSTEM, by=world.admin, agent=world.insurer_agent, chat_capacity=21
        )
    world.insurer_agent.refresh_from_db()
    assert world.insurer_agent.chat_capacity == 4


def test_notification_preferences_are_per_agent(world: World) -> None:
    agent_preferences_set(
        actor=SYSTEM, agent=world.insurer_agent, notify_desktop=False, notify_sound=False
    )
    world.insurer_agent.refresh_from_db()
    world.bank_agent.refresh_from_db()
    assert (world.insurer_agent.notify_desktop, world.insurer_agent.notify_sound) == (False, False)
    assert (world.bank_agent.notify_desktop, world.bank_agent.notify_sound) == (True, True)


def test_one_notification_per_note_the_handover_wins(world: World, conversation) -> None:  # type: ignore[no-untyped-def]
    agent = world.insurer_agent.pk
    mention = notification_create(
        recipient_id=agent,
        kind=NotificationKind.MENTION,
        conversation_id=conversation.pk,
        note_id=7,
    )
    transfer = notification_create(
        recipient_id=agent,
        kind=NotificationKind.TRANSFER,
        conversation_id=conversation.pk,
        note_id=7,
    )
    assert mention is not None and transfer is not None and transfer.pk == mention.pk
    again = notification_create(
        recipient_id=agent,
        kind=NotificationKind.MENTION,
        conversation_id=conversation.pk,
        note_id=7,
    )
    assert again is None
    assert list(Notification.objects.values_list("kind", flat=True)) == ["transfer"]


def test_customer_replies_remind_once_until_read(world: World, conversation) -> None:  # type: ignore[no-untyped-def]
    agent = world.insurer_agent.pk
    kind = NotificationKind.CUSTOMER_REPLIED
    first = notification_create(recipient_id=agent, kind=kind, conversation_id=conversation.pk)
    assert first is not None
    assert (
        notification_create(recipient_id=agent, kind=kind, conversation_id=conversation.pk) is None
    )
    assert notification_mark_read(agent_id=agent, notification_ids=[first.pk]) == 1
    assert notification_create(recipient_id=agent, kind=kind, conversation_id=conversation.pk)


def test_an_agent_reads_and_marks_only_their_own(world: World, conversation) -> None:  # type: ignore[no-untyped-def]
    mine = notification_create(
        recipient_id=world.insurer_agent.pk,
        kind=NotificationKind.MENTION,
        conversation_id=conversation.pk,
    )
    assert mine is not None
    assert notification_list_for_agent(world.bank_agent) == []
    assert notification_mark_read(agent_id=world.bank_agent.pk, notification_ids=[mine.pk]) == 0
    assert notification_mark_all_read(agent_id=world.bank_agent.pk) == 0
    assert notification_unread_count(world.insurer_agent.pk) == 1
    [item] = notification_list_for_agent(world.insurer_agent)
    assert item.may_open
    # The agent no longer serves the insurer: the notification stays, without a link.
    world.insurer_agent.brands.clear()
    [item] = notification_list_for_agent(world.insurer_agent)
    assert not item.may_open
    assert notification_mark_all_read(agent_id=world.insurer_agent.pk) == 1


def test_read_marks_only_move_forward(world: World, conversation) -> None:  # type: ignore[no-untyped-def]
    agent = world.insurer_agent.pk
    conversation_seen_mark(agent_id=agent, conversation_id=conversation.pk, message_id=5)
    conversation_seen_mark(agent_id=agent, conversation_id=conversation.pk, message_id=3)
    assert ConversationSeen.objects.get().message_id == 5
    conversation_seen_mark(agent_id=agent, conversation_id=conversation.pk, message_id=9)
    assert ConversationSeen.objects.get().message_id == 9


def test_presence_counts_open_sockets(world: World) -> None:
    agent = world.insurer_agent.pk
    presence_connect(agent_id=agent, channel_name="a")
    presence_connect(agent_id=agent, channel_name="b")
    assert agent_ids_online([agent, world.bank_agent.pk]) == {agent}
    presence_disconnect(channel_name="a")
    assert agent_ids_online([agent]) == {agent}
    presence_disconnect(channel_name="b")
    assert agent_ids_online([agent]) == frozenset()
