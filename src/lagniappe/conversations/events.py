from __future__ import annotations

from dataclasses import dataclass

from lagniappe.core.events import DomainEvent


@dataclass(frozen=True)
class ConversationCreated(DomainEvent):
    conversation_id: int
    brand_id: int


@dataclass(frozen=True)
class MessageReceived(DomainEvent):
    message_id: int
    conversation_id: int
    brand_id: int


@dataclass(frozen=True)
class MessageSent(DomainEvent):
    """An agent's reply was written and queued for delivery (delivery reports come later)."""

    message_id: int
    conversation_id: int
    brand_id: int


@dataclass(frozen=True)
class NoteAdded(DomainEvent):
    note_id: int
    conversation_id: int
    brand_id: int
    mentioned_agent_ids: tuple[int, ...]


@dataclass(frozen=True)
class ConversationChanged(DomainEvent):
    """Status, assignee, team, priority or tags changed; `fields` names which."""

    conversation_id: int
    brand_id: int
    fields: tuple[str, ...]
