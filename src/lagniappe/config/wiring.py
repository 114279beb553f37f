"""THE table of who reacts to what. Read this file to know every side effect of a write.

Handlers run after the writing transaction commits (core.events.publish). The outbox writer
is the one collaborator that runs inside the transaction, because a reply and its delivery
record must be written together.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from lagniappe.channels import outbound
from lagniappe.channels.chat import articles as chat_articles
from lagniappe.channels.email import handlers as email_handlers
from lagniappe.channels.events import MessageDelivered, MessageFailed
from lagniappe.conversations import handlers as conversations
from lagniappe.conversations import outbox
from lagniappe.conversations.events import (
    ConversationChanged,
    ConversationCreated,
    ConversationMerged,
    ConversationTransferred,
    MessageReceived,
    MessageSent,
    NoteAdded,
)
from lagniappe.core import events as bus
from lagniappe.customers.events import CustomerChanged
from lagniappe.knowledge.selectors import article_suggest
from lagniappe.realtime import handlers as realtime
from lagniappe.realtime import notifying
from lagniappe.routing import handlers as routing
from lagniappe.staff.events import NotificationCreated

# event type -> handlers, in the order they run. Later issues add realtime, routing,
# analytics and survey handlers here.
HANDLERS: dict[type[bus.DomainEvent], list[Callable[[Any], None]]] = {
    ConversationCreated: [realtime.on_conversation_changed, routing.on_conversation_created],
    MessageReceived: [realtime.on_message_added, notifying.on_message_received],
    MessageSent: [realtime.on_message_added],
    NoteAdded: [realtime.on_note_added, notifying.on_note_added],
    ConversationChanged: [realtime.on_conversation_changed, routing.on_conversation_changed],
    ConversationTransferred: [notifying.on_conversation_transferred],
    ConversationMerged: [realtime.on_conversation_merged],
    NotificationCreated: [notifying.on_notification_created],
    MessageDelivered: [realtime.on_delivery_reported, email_handlers.on_message_delivered],
    MessageFailed: [realtime.on_delivery_reported],
    CustomerChanged: [conversations.on_customer_changed],
}


def connect() -> None:
    outbox.outbox_writer_install(outbound.delivery_enqueue)
    chat_articles.articles_finder_install(article_suggest)
    for event_type, handlers in HANDLERS.items():
        for handler in handlers:
            bus.subscribe(event_type, handler)
