"""What a channel hands to message_receive once the customer is known. Pure data."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True)
class AttachmentUpload:
    filename: str
    content_type: str
    content: bytes


@dataclass(frozen=True)
class ReceivedMessage:
    brand_id: int
    endpoint_id: int | None
    channel_kind: str
    customer_id: int
    external_id: str
    text: str
    html: str = ""
    subject: str = ""
    language: str = ""
    received_at: datetime | None = None
    thread_conversation_id: int | None = None
    attachments: tuple[AttachmentUpload, ...] = ()
    metadata: dict[str, str] = field(default_factory=dict)
