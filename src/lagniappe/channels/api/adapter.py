"""Messages an integration posts as a customer: the raw input is the JSON body it sent."""

from __future__ import annotations

import json
from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from lagniappe.channels.contracts import EnvelopeData, InboundMessage, ParseError, SenderIdentity


class CustomerIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field("", max_length=200)
    email: str | None = Field(None, max_length=320)
    phone: str | None = Field(None, max_length=40)
    external_id: str | None = Field(None, max_length=255)


class ApiMessageIn(BaseModel):
    """The body of POST /api/v1/inbound (and what the envelope stores)."""

    model_config = ConfigDict(extra="forbid")

    customer: CustomerIn
    text: str = Field(..., min_length=1, max_length=200_000)
    html: str = Field("", max_length=1_000_000)
    subject: str = Field("", max_length=300)
    language: str = Field("", max_length=16)
    external_id: str = Field("", max_length=255)
    conversation_id: int | None = None
    sent_at: datetime | None = None
    metadata: dict[str, str] = Field(default_factory=dict)


def api_message_parse(raw: bytes) -> ApiMessageIn:
    try:
        return ApiMessageIn.model_validate(json.loads(raw.decode("utf-8")))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ParseError(f"not UTF-8 JSON: {error}") from error
    except ValidationError as error:
        raise ParseError(f"invalid message: {error}") from error


class ApiAdapter:
    def parse(self, envelope: EnvelopeData) -> list[InboundMessage]:
        body = api_message_parse(envelope.raw)
        identities = tuple(
            SenderIdentity(kind, value)
            for kind, value in (
                ("email", body.customer.email),
                ("phone", body.customer.phone),
                ("external_id", body.customer.external_id),
            )
            if value
        )
        if not identities:
            raise ParseError("the customer needs an email, a phone or an external_id")
        return [
            InboundMessage(
                external_id=body.external_id,
                identities=identities,
                text=body.text,
                sender_name=body.customer.name,
                html=body.html,
                subject=body.subject,
                language=body.language,
                sent_at=body.sent_at,
                thread_conversation_id=body.conversation_id,
                metadata=body.metadata,
            )
        ]
