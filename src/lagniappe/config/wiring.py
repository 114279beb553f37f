"""THE table of who reacts to what. Read this file to know every side effect of a write.

Handlers run after the writing transaction commits (core.events.publish). The outbox writer
is the one collaborator that runs inside the transaction, because a reply and its delivery
record must be written together.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from lagniappe.channels import outbound
from lagniappe.channels.email import handlers as email_handlers
from lagniappe.channels.events import MessageDelivered, MessageFailed
from lagniappe.conversations import outbox
from lagniappe.conversations.events import (
    ConversationChanged,
    ConversationCreated,
    MessageReceived,
    MessageSent,
    NoteAdded,
)
from lagniappe.core import events as bus
from lagniappe.realtime import handlers as realtime

# event type -> handlers, in the order they run. Later issues add realtime, routing,
# analytics and survey handlers here.
HANDLERS: dict[type[bus.DomainEvent], list[Callable[[Any], None]]] = {
    ConversationCreated: [realtime.on_conversation_changed],
    MessageReceived: [realtime.on_message_added],
    MessageSent: [realtime.on_message_added],
    NoteAdded: [realtime.on_note_added],
    ConversationChanged: [realtime.on_conversation_changed],
    MessageDelivered: [realtime.on_delivery_reported, email_handlers.on_message_delivered],
    MessageFailed: [realtime.on_delivery_reported],
}


def connect() -> None:
    outbox.outbox_writer_install(outbound.delivery_enqueue)
    for event_type, handlers in HANDLERS.items():
        for handler in handlers:
            bus.subscribe(event_type, handler)
