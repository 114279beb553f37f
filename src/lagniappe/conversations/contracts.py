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
    # Ids of the messages this one answers (email: In-Reply-To, then References, newest first).
    thread_keys: tuple[str, ...] = ()
    # The subject without reply prefixes and tags; threads the same customer's mail last.
    thread_subject: str = ""
    # A discussion shared by many senders (a mailing list's id): a reply with the same subject
    # in it threads whoever sent it. Empty for one customer's own mail.
    thread_subject_scope: str = ""
    # Whether this message may join a discussion by `thread_subject_scope` (a reply), or only
    # leaves its subject there for replies that come later (the discussion's first message).
    thread_subject_scope_joins: bool = True
    # The external id names the message across every endpoint of the brand (a Message-ID that
    # reaches two mailboxes is one message), not only on its own endpoint.
    external_id_brand_wide: bool = False
