"""Reactions to domain events (listed in config/wiring.py): offer new chats, and offer waiting
chats again when a place may have freed up. Safe to run twice (chat_offer skips a taken chat).
"""

from __future__ import annotations

import threading

from lagniappe.conversations.events import ConversationChanged, ConversationCreated
from lagniappe.conversations.states import ACTIVE
from lagniappe.core.channel_kinds import ChannelKind
from lagniappe.routing.chat_offers import chat_offer, chat_offer_waiting

# An offer's own assignment is a ConversationChanged too, dispatched while the offering loop
# runs (autocommit runs on_commit at once): it must not start a second, nested loop.
_offering = threading.local()


def on_conversation_created(event: ConversationCreated) -> None:
    """Only a new chat nobody owns is offered; any other conversation costs no query (the
    event says its channel and owner; an event that does not say is looked up by chat_offer).
    """
    if event.channel_kind and (
        event.channel_kind != ChannelKind.CHAT or event.assignee_id is not None
    ):
        return
    chat_offer(conversation_id=event.conversation_id)


def on_conversation_changed(event: ConversationChanged) -> None:
    """A chat's owner changing, or a chat leaving the active statuses, may free a place:
    waiting chats of the brand are offered. Nothing else frees one (capacity counts active
    chats only), so other changes cost no query."""
    if getattr(_offering, "active", False):
        return
    if event.channel_kind and event.channel_kind != ChannelKind.CHAT:
        return
    frees = "assignee_id" in event.fields or (
        "status" in event.fields and not (event.status and event.status in ACTIVE)
    )
    if not frees:
        return
    _offering.active = True
    try:
        chat_offer_waiting(brand_ids=(event.brand_id,))
    finally:
        _offering.active = False
