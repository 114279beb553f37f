from __future__ import annotations

from dataclasses import dataclass

from lagniappe.core.events import DomainEvent


@dataclass(frozen=True)
class ConversationCreated(DomainEvent):
    """`channel_kind` and `assignee_id` as created, so handlers decide without a query
    ("" = not said: a handler that needs it looks it up)."""

    conversation_id: int
    brand_id: int
    channel_kind: str = ""
    assignee_id: int | None = None


@dataclass(frozen=True)
class MessageReceived(DomainEvent):
    """`channel_kind`, `assignee_id` (the conversation's owner when the message arrived) and
    `opened` (this message started the conversation) let handlers decide without a query;
    an event without `channel_kind` ("") makes them look it up."""

    message_id: int
    conversation_id: int
    brand_id: int
    channel_kind: str = ""
    assignee_id: int | None = None
    opened: bool = False


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
    """Status, assignee, team, priority or tags changed; `fields` names which. `channel_kind`
    and `status` (after the change) let handlers decide without a query ("" = not said)."""

    conversation_id: int
    brand_id: int
    fields: tuple[str, ...]
    channel_kind: str = ""
    status: str = ""


@dataclass(frozen=True)
class ConversationTransferred(DomainEvent):
    """Handed to an agent or a team with a note (conversations.transfers)."""

    conversation_id: int
    brand_id: int
    agent_id: int | None
    team_id: int | None
    note_id: int
    author_id: int | None


@dataclass(frozen=True)
class ConversationMerged(DomainEvent):
    """`source_id` was merged into `target_id` (conversations.merging): its messages, notes
    and files are the target's now, and the source is closed. `automatic`: by email
    threading, not by an agent."""

    source_id: int
    target_id: int
    brand_id: int
    automatic: bool = False
