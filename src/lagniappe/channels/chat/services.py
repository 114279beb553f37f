"""Writes of the chat channel: a visitor's message (through the inbound funnel), the pre-chat
answers and the read/delivered marks."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import F, Q
from django.db.models.functions import Greatest

from lagniappe.channels import inbound
from lagniappe.channels.chat.adapter import (
    CONTENT_TYPE,
    MAX_TEXT_CHARACTERS,
    VisitorMessage,
    envelope_raw,
    message_frame_read,
)
from lagniappe.channels.chat.models import VisitorState
from lagniappe.channels.chat.offline import offline_email_endpoint, offline_message_store
from lagniappe.channels.chat.outbound import message_frame, receipts_announce
from lagniappe.channels.chat.selectors import (
    visitor_conversation_ids,
    visitor_frame,
    visitor_frames_after,
    visitor_last_seq,
)
from lagniappe.channels.contracts import ParseError
from lagniappe.channels.models import Endpoint
from lagniappe.conversations.attachments import attachment_validate
from lagniappe.conversations.changes import conversation_set_tags
from lagniappe.conversations.models import Conversation
from lagniappe.core.actors import Actor
from lagniappe.core.errors import InvalidInput, PayloadTooLarge
from lagniappe.core.services import audit_record

OFFLINE_TAG = "offline"
# Receipts are announced for the visitor's newest conversations only (where agents reply).
RECEIPT_CONVERSATIONS = 3

MAX_NAME_CHARACTERS = 200


def email_checked(value: object) -> str:
    """A plausible address, or "" (an invalid one is dropped, not an error: it is optional)."""
    if not isinstance(value, str) or not value.strip() or len(value) > 254:
        return ""
    try:
        validate_email(value.strip())
    except ValidationError:
        return ""
    return value.strip()


@transaction.atomic
def visitor_profile_set(
    *, actor: Actor, endpoint: Endpoint, visitor: str, name: object, email: object
) -> VisitorState:
    """The pre-chat form's answers (or the offline form's email); empty answers keep the
    earlier ones. They reach the conversation with the visitor's next message."""
    state, _ = VisitorState.objects.select_for_update().get_or_create(
        endpoint=endpoint, visitor=visitor
    )
    before = {"name": state.name, "email": state.email}
    if isinstance(name, str) and name.strip():
        state.name = name.strip()[:MAX_NAME_CHARACTERS]
    state.email = email_checked(email) or state.email
    if before != {"name": state.name, "email": state.email}:
        state.save(update_fields=["name", "email", "updated_at"])
        audit_record(
            actor=actor,
            action="chat.visitor_profile_set",
            object_type="channel_chat.VisitorState",
            object_id=state.pk,
            brand_id=endpoint.brand_id,
            before=before,
            after={"name": state.name, "email": state.email},
        )
    return state


def visitor_marks_advance(
    *, endpoint: Endpoint, visitor: str, delivered_seq: int = 0, read_seq: int = 0
) -> None:
    """Move the watermarks forward only (a late or replayed frame never moves them back);
    read implies delivered. Not audited: a receipt, frequent, and no one's decision. When
    they moved, agents with the visitor's latest conversations open see it (on commit)."""
    delivered_seq = max(delivered_seq, read_seq)
    VisitorState.objects.get_or_create(endpoint=endpoint, visitor=visitor)
    moved = (
        VisitorState.objects.filter(endpoint=endpoint, visitor=visitor)
        .filter(Q(last_delivered_seq__lt=delivered_seq) | Q(last_read_seq__lt=read_seq))
        .update(
            last_delivered_seq=Greatest(F("last_delivered_seq"), delivered_seq),
            last_read_seq=Greatest(F("last_read_seq"), read_seq),
        )
    )
    if moved:
        latest = sorted(visitor_conversation_ids(endpoint.pk, visitor))[-RECEIPT_CONVERSATIONS:]
        transaction.on_commit(lambda: receipts_announce(latest))


# -- one visitor message, from the socket or the polling fallback --------------------------


@dataclass(frozen=True)
class Visitor:
    """Who is writing, as the entry point verified it (token, host-site HMAC, origin)."""

    endpoint: Endpoint
    visitor: str
    user_id: str = ""
    language: str = ""
    page: str = ""
    remote_addr: str = ""


@dataclass(frozen=True)
class Stored:
    """A committed visitor message: the ack's seq and the frame echoed to their other tabs."""

    client_id: str
    seq: int
    conversation_id: int
    frame: dict[str, Any]


class FrameRefused(Exception):
    """The frame gets an error frame with `code` (and is not stored, except `rejected`)."""

    def __init__(self, code: str, client_id: object = None) -> None:
        super().__init__(code)
        self.code = code
        self.client_id = client_id[:64] if isinstance(client_id, str) else None


def visitor_message_store(
    *, visitor: Visitor, text_data: str, frame: dict[str, Any], offline: bool = False
) -> Stored:
    """Store one `message` frame through the inbound funnel: the envelope is committed
    first, then processed; returns only once the message is committed (an ack may follow).
    Idempotent on the frame's client id. Raises FrameRefused."""
    text = frame.get("text")
    if isinstance(text, str) and len(text) > MAX_TEXT_CHARACTERS:
        raise FrameRefused("too_long", frame.get("client_id"))
    try:
        checked = message_frame_read(frame)
    except ParseError:
        raise FrameRefused("invalid_message", frame.get("client_id")) from None
    if checked.file is not None:
        # The attachment code's limits (size, refused types), before a byte is stored.
        try:
            attachment_validate(checked.file)
        except PayloadTooLarge:
            raise FrameRefused("file_too_large", checked.client_id) from None
        except InvalidInput:
            raise FrameRefused("file_refused", checked.client_id) from None
    profile = VisitorState.objects.filter(
        endpoint=visitor.endpoint, visitor=visitor.visitor
    ).first()
    mailbox = offline_email_endpoint(visitor.endpoint) if offline else None
    if mailbox is not None and profile is not None and profile.email and not checked.file:
        return _offline_store(visitor, checked, profile, mailbox)
    raw = envelope_raw(
        visitor=visitor.visitor,
        frame=text_data,
        user_id=visitor.user_id,
        language=visitor.language,
        page=visitor.page,
        name=profile.name if profile else "",
        email=profile.email if profile else "",
    )
    _, messages = inbound.accept_and_process(
        endpoint=visitor.endpoint,
        raw=raw,
        content_type=CONTENT_TYPE,
        remote_addr=visitor.remote_addr,
    )
    if not messages:
        # Stored and kept for an administrator to replay; resending will not help.
        raise FrameRefused("rejected", checked.client_id)
    message = messages[0]
    if offline:
        conversation_offline_tag(conversation_id=message.conversation_id)
    return Stored(
        client_id=checked.client_id,
        seq=message.pk,
        conversation_id=message.conversation_id,
        # A text-only frame's message has no files (its client id names this very frame).
        frame=visitor_frame(message, visitor.visitor, has_files=checked.file is not None),
    )


def _offline_store(
    visitor: Visitor, checked: VisitorMessage, profile: VisitorState, mailbox: Endpoint
) -> Stored:
    """Nobody online and an email given: an email conversation (offline.py)."""
    message = offline_message_store(
        mailbox=mailbox,
        visitor=visitor.visitor,
        client_id=checked.client_id,
        name=profile.name,
        email=profile.email,
        text=checked.text,
        page=visitor.page,
        language=visitor.language,
        remote_addr=visitor.remote_addr,
    )
    if message is None:
        raise FrameRefused("rejected", checked.client_id)
    frame = message_frame(
        seq=message.pk,
        sender="visitor",
        text=checked.text,
        sent_at=message.sent_at or message.created_at,
        client_id=checked.client_id,
    )
    return Stored(
        client_id=checked.client_id,
        seq=message.pk,
        conversation_id=message.conversation_id,
        frame=frame,
    )


def conversation_offline_tag(*, conversation_id: int) -> None:
    """Nobody was there: the tag puts it on the email follow-up list (the customer's email
    came with the offline form). The channel stays chat, so a reply still reaches the widget
    if the visitor comes back."""
    conversation = Conversation.objects.select_related("brand").get(pk=conversation_id)
    tags = set(conversation.tags.values_list("name", flat=True))
    if OFFLINE_TAG not in tags:
        conversation_set_tags(
            actor=Actor.system("chat: offline message"),
            conversation=conversation,
            tags=tags | {OFFLINE_TAG},
        )


def visitor_catch_up(
    *, endpoint: Endpoint, visitor: str, last_seq: int, read_seq: int = 0
) -> list[dict[str, Any]]:
    """What a polling widget missed since `last_seq` (as `resume` gives a socket); moves the
    delivered mark to the newest and the read mark to `read_seq` (clamped to what the
    visitor can see)."""
    _ids, frames = visitor_frames_after(endpoint.pk, visitor, last_seq)
    newest = max([last_seq, *(int(frame["seq"]) for frame in frames)])
    if read_seq:
        read_seq = min(read_seq, visitor_last_seq(endpoint.pk, visitor))
    if newest or read_seq:
        visitor_marks_advance(
            endpoint=endpoint, visitor=visitor, delivered_seq=newest, read_seq=read_seq
        )
    return frames
