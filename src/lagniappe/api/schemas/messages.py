"""Bodies of the message, internal note and attachment endpoints."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from django.core.exceptions import ObjectDoesNotExist
from django.urls import reverse
from ninja import Schema
from pydantic import Field

from lagniappe.api.schemas.common import InputSchema, ObjectId
from lagniappe.channels.models import OutboundDelivery
from lagniappe.conversations.models import Attachment, Direction, Message, Note
from lagniappe.conversations.recipients import MAX_CC_ADDRESSES
from lagniappe.staff.models import Agent

MAX_TEXT_CHARACTERS = 200_000
MAX_HTML_CHARACTERS = 1_000_000
MAX_ATTACHMENTS_PER_MESSAGE = 20
MAX_MENTIONS_PER_NOTE = 50


class MessageIn(InputSchema):
    text: str = Field("", max_length=MAX_TEXT_CHARACTERS, description="Plain text of the reply.")
    html: str = Field(
        "",
        max_length=MAX_HTML_CHARACTERS,
        description="Optional HTML; sanitised before it is stored or sent.",
    )
    subject: str = Field("", max_length=300, description="Defaults to the conversation's.")
    attachment_ids: list[ObjectId] = Field(
        default_factory=list,
        max_length=MAX_ATTACHMENTS_PER_MESSAGE,
        description="Files uploaded earlier to this conversation and not sent yet.",
    )
    version: ObjectId | None = Field(
        None,
        description="The conversation version you loaded; a stale one answers 409.",
    )
    cc: list[Annotated[str, Field(max_length=320)]] = Field(
        default_factory=list,
        max_length=MAX_CC_ADDRESSES,
        description="Email replies only: addresses the reply is copied to (validated; "
        "a conversation on another channel answers 422).",
    )


class NoteIn(InputSchema):
    text: str = Field(..., min_length=1, max_length=MAX_TEXT_CHARACTERS)
    mention_ids: list[ObjectId] = Field(
        default_factory=list,
        max_length=MAX_MENTIONS_PER_NOTE,
        description="Agents to notify; those not serving the conversation's brand are dropped.",
    )


def agent_name(agent: Agent) -> str:
    return agent.display_name or agent.email


class AuthorOut(Schema):
    type: Literal["customer", "agent"]
    id: int
    name: str


class PersonOut(Schema):
    id: int
    name: str


class AttachmentOut(Schema):
    id: int
    conversation_id: int
    message_id: int | None = Field(description="None until a reply (or inbound message) has it.")
    filename: str
    content_type: str
    size: int
    created_at: datetime
    download_url: str

    @staticmethod
    def resolve_download_url(obj: Attachment) -> str:
        return reverse("api:attachment-download", kwargs={"attachment_id": obj.pk})


class DeliveryOut(Schema):
    status: Literal["pending", "sent", "failed"] = Field(
        description="failed: given up, or bounced after sending (see last_error)."
    )
    attempts: int
    last_error: str = Field(description='Why it failed, e.g. "bounce: 5.1.1 …".')
    sent_at: datetime | None
    automatic: bool = Field(description="Sent by Lagniappe itself (an acknowledgement).")


def _delivery_of(message: Message) -> OutboundDelivery | None:
    if message.direction != Direction.OUTBOUND:
        return None
    try:
        return message.delivery
    except ObjectDoesNotExist:
        return None


class MessageOut(Schema):
    id: int
    conversation_id: int
    direction: Literal["in", "out"]
    channel_kind: str
    subject: str
    text: str
    html: str = Field(description="Sanitised HTML.")
    language: str
    author: AuthorOut | None
    external_id: str
    cc: list[str] = Field(description="Addresses an email reply was copied to.")
    created_at: datetime
    sent_at: datetime | None
    attachments: list[AttachmentOut]
    delivery: DeliveryOut | None = Field(description="Outbound messages only.")

    @staticmethod
    def resolve_author(obj: Message) -> AuthorOut | None:
        if obj.author_customer is not None:
            customer = obj.author_customer
            return AuthorOut(type="customer", id=customer.pk, name=customer.name)
        if obj.author_agent is not None:
            return AuthorOut(
                type="agent", id=obj.author_agent.pk, name=agent_name(obj.author_agent)
            )
        return None

    @staticmethod
    def resolve_sent_at(obj: Message) -> datetime | None:
        # Inbound: when the channel says the customer sent it; outbound: when we delivered it.
        if obj.sent_at is not None:
            return obj.sent_at
        delivery = _delivery_of(obj)
        return delivery.sent_at if delivery is not None else None

    @staticmethod
    def resolve_attachments(obj: Message) -> list[Attachment]:
        return list(obj.attachments.all())

    @staticmethod
    def resolve_delivery(obj: Message) -> OutboundDelivery | None:
        return _delivery_of(obj)


class MessagePageOut(Schema):
    items: list[MessageOut]
    next: str | None = Field(description="Cursor of the next (newer) page; None at the end.")


class NoteOut(Schema):
    id: int
    text: str
    author: PersonOut | None
    mentions: list[PersonOut]
    created_at: datetime

    @staticmethod
    def resolve_author(obj: Note) -> PersonOut | None:
        if obj.author is None:
            return None
        return PersonOut(id=obj.author.pk, name=agent_name(obj.author))

    @staticmethod
    def resolve_mentions(obj: Note) -> list[PersonOut]:
        return [PersonOut(id=agent.pk, name=agent_name(agent)) for agent in obj.mentions.all()]


class NotePageOut(Schema):
    items: list[NoteOut]
    next: str | None = Field(description="Cursor of the next (newer) page; None at the end.")
