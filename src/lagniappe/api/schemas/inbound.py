"""Bodies of the inbound endpoint: a message an integration posts as a customer."""

from __future__ import annotations

from datetime import datetime

from ninja import Schema
from pydantic import AwareDatetime, Field

from lagniappe.api.schemas.common import InputSchema, LanguageCode, ObjectId
from lagniappe.channels.models import EnvelopeStatus


class InboundCustomerIn(InputSchema):
    name: str = Field("", max_length=200)
    email: str | None = Field(None, max_length=320)
    phone: str | None = Field(None, max_length=40)
    external_id: str | None = Field(
        None, max_length=255, description="The customer's id in the integration's system."
    )


class InboundMessageIn(InputSchema):
    """The same shape the API adapter parses (channels.api.adapter.ApiMessageIn), checked
    more strictly here so a caller learns about a bad field before anything is stored."""

    customer: InboundCustomerIn
    text: str = Field(..., min_length=1, max_length=200_000)
    html: str = Field("", max_length=1_000_000)
    subject: str = Field("", max_length=300)
    language: LanguageCode = ""
    external_id: str = Field(
        "", max_length=255, description="Idempotency key: the same id again adds nothing."
    )
    conversation_id: ObjectId | None = Field(
        None, description="Thread into this conversation of the key's brand."
    )
    sent_at: AwareDatetime | None = None
    metadata: dict[str, str] = Field(default_factory=dict, max_length=50)


class InboundResultOut(Schema):
    envelope_id: int
    status: EnvelopeStatus
    conversation_id: int | None = None
    message_id: int | None = None


class EnvelopeOut(Schema):
    id: int
    status: EnvelopeStatus
    error: str
    received_at: datetime
    processed_at: datetime | None
    message_ids: list[int]
