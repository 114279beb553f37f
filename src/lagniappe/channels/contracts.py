"""The shapes every adapter speaks. Pure dataclasses: no Django, no models."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

from lagniappe.conversations.contracts import AttachmentUpload


class ParseError(Exception):
    """The raw input cannot be understood. The envelope is marked failed, kept and replayable."""


@dataclass(frozen=True)
class EndpointInfo:
    id: int
    brand_id: int
    organisation_id: int
    kind: str
    default_language: str
    settings: dict[str, object]


@dataclass(frozen=True)
class EnvelopeData:
    id: int
    endpoint: EndpointInfo
    raw: bytes
    content_type: str
    received_at: datetime


@dataclass(frozen=True)
class SenderIdentity:
    kind: str
    value: str


@dataclass(frozen=True)
class InboundMessage:
    """One customer utterance, as the adapter understood it."""

    external_id: str
    identities: tuple[SenderIdentity, ...]
    text: str
    sender_name: str = ""
    html: str = ""
    subject: str = ""
    language: str = ""
    sent_at: datetime | None = None
    thread_conversation_id: int | None = None
    attachments: tuple[AttachmentUpload, ...] = ()
    metadata: dict[str, str] = field(default_factory=dict)
    # Threading hints, passed on to conversations.contracts.ReceivedMessage (see there).
    thread_keys: tuple[str, ...] = ()
    thread_subject: str = ""
    thread_subject_scope: str = ""
    thread_subject_scope_joins: bool = True
    external_id_brand_wide: bool = False


@dataclass(frozen=True)
class OutboundAttachment:
    filename: str
    content_type: str
    path: str


@dataclass(frozen=True)
class OutboundMessage:
    delivery_id: int
    message_id: int
    conversation_id: int
    brand_id: int
    endpoint: EndpointInfo | None
    recipients: tuple[SenderIdentity, ...]
    subject: str
    text: str
    html: str
    language: str
    attachments: tuple[OutboundAttachment, ...] = ()
    cc: tuple[str, ...] = ()
    # Mail no person wrote (an acknowledgement): sent as it is, with RFC 3834 headers.
    automatic: bool = False
    # RFC 3834's Auto-Submitted value for automatic mail: "auto-replied" answers a message
    # (an acknowledgement); "auto-generated" is sent on a request that was not a message
    # (a chat transcript).
    auto_submitted: str = "auto-replied"
    # For templates: who wrote it, to whom, on behalf of which brand.
    author_name: str = ""
    customer_name: str = ""
    brand_name: str = ""


@dataclass(frozen=True)
class DeliveryReceipt:
    accepted: bool
    external_id: str = ""
    detail: str = ""
    permanent: bool = False


@dataclass(frozen=True)
class DeliveryReport:
    """A wire's report on a message we sent (an email bounce): not a customer's words.

    An adapter that understands such reports offers `reports(envelope) -> list[DeliveryReport]`
    next to `parse`; the funnel records them against our deliveries.
    """

    original_message_id: str
    status: str
    diagnostic: str


class InboundAdapter(Protocol):
    """`parse` is required. Optional, found by name: `reports(envelope)` (delivery reports,
    see DeliveryReport) and `acknowledge(envelope, item, message)`, called in the funnel's
    transaction after each message is stored (email's automatic acknowledgement)."""

    def parse(self, envelope: EnvelopeData) -> list[InboundMessage]: ...


class OutboundAdapter(Protocol):
    name: str

    def send(self, message: OutboundMessage) -> DeliveryReceipt: ...
