"""Reactions to domain events: announce the change to the sockets of the event's brand.

Listed in config/wiring.py; run after commit, in the writer's thread. Each publishes one small
layer message and returns: no query, no template (publish.py says why). Each is safe to run
twice (a pushed element replaces the one with the same id).
"""

from __future__ import annotations

from lagniappe.channels.events import MessageDelivered, MessageFailed
from lagniappe.conversations.events import (
    ConversationChanged,
    ConversationCreated,
    ConversationMerged,
    MessageReceived,
    MessageSent,
    NoteAdded,
)
from lagniappe.realtime import publish
from lagniappe.realtime.publish import Change


def on_message_added(event: MessageReceived | MessageSent) -> None:
    publish.announce(
        Change(publish.MESSAGE, event.brand_id, event.conversation_id, event.message_id)
    )


def on_note_added(event: NoteAdded) -> None:
    publish.announce(Change(publish.NOTE, event.brand_id, event.conversation_id, event.note_id))


def on_conversation_changed(event: ConversationChanged | ConversationCreated) -> None:
    kind = publish.CHANGED if isinstance(event, ConversationChanged) else publish.CREATED
    publish.announce(Change(kind, event.brand_id, event.conversation_id, event.conversation_id))


def on_conversation_merged(event: ConversationMerged) -> None:
    """The target gained messages, notes and owners: its viewers re-fetch its timeline and
    controls, and its inbox row re-renders. The source's viewers get the "merged into"
    banner (its own change, closed, comes as a ConversationChanged)."""
    publish.announce(Change(publish.MERGED, event.brand_id, event.target_id, event.source_id))
    publish.announce(Change(publish.MERGED_AWAY, event.brand_id, event.source_id, event.target_id))


def on_delivery_reported(event: MessageDelivered | MessageFailed) -> None:
    """The delivery badge of an outbound message changed: its viewers re-render it."""
    publish.announce(Change(publish.DELIVERY, event.brand_id, None, event.message_id))
